package bot_test

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf16"

	"electionbot/bot"
)

func TestSplitText(t *testing.T) {
	for _, tc := range []struct {
		text  string
		limit int
		width func(rune) int
		want  []string
	}{
		{"  \n\t", 10, nil, nil},
		{"short\n", 10, nil, []string{"short"}},
		{"one two\nthree four", 12, nil, []string{"one two", "three four"}}, // the line break first
		{"one two three", 9, nil, []string{"one two", "three"}},             // else a space
		{"abcdefgh", 3, nil, []string{"abc", "def", "gh"}},                  // else anywhere
		{"ăâêôơư", 4, nil, []string{"ăâêô", "ơư"}},                          // characters, not bytes
		{"😀😀😀", 4, utf16.RuneLen, []string{"😀😀", "😀"}},                      // UTF-16 units
		{"😀😀😀", 3, utf16.RuneLen, []string{"😀", "😀", "😀"}},                  // a rune is never cut
		{"a 😀😀", 4, utf16.RuneLen, []string{"a", "😀😀"}},
	} {
		if got := bot.SplitText(tc.text, tc.limit, tc.width); !slices.Equal(got, tc.want) {
			t.Errorf("SplitText(%q, %d) = %q, want %q", tc.text, tc.limit, got, tc.want)
		}
	}
	long := strings.Repeat("từ ", 3000)
	for _, p := range bot.SplitText(long, 2000, nil) {
		if n := len([]rune(p)); n > 2000 || strings.HasSuffix(p, " ") || strings.HasSuffix(p, "t") {
			t.Fatalf("piece of %d characters ends %q", n, p[len(p)-3:])
		}
	}
}
