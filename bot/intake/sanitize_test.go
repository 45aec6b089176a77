package intake

import (
	"strings"
	"testing"
	"unicode/utf8"

	"electionbot/bot"
)

func TestClean(t *testing.T) {
	for _, tc := range []struct {
		in   string
		max  int
		want string
	}{
		{"Nguyễn Văn An", 100, "Nguyễn Văn An"},
		{"A\x00B", 100, "AB"},
		{"a\tb\nc\r\x07\x1b[31m", 100, "a\tb\nc[31m"},
		{"bad \xff\xfe utf-8", 100, "bad  utf-8"},
		{"non\ufffechar\U0010ffff\ufdd0", 100, "nonchar"},
		{"\u0085c1", 100, "c1"},
		{"ệệệệ", 2, "ệệ"},
		{"🗳️👍", 100, "🗳️👍"},
		{"\u200bzero width stays", 100, "\u200bzero width stays"},
	} {
		if got := Clean(tc.in, tc.max); got != tc.want {
			t.Errorf("Clean(%q, %d) = %q, want %q", tc.in, tc.max, got, tc.want)
		}
	}
	long := strings.Repeat("ệ", MaxText+10)
	if got := Clean(long, MaxText); utf8.RuneCountInString(got) != MaxText {
		t.Errorf("a text of %d characters kept %d", MaxText+10, utf8.RuneCountInString(got))
	}
}

func TestCleanIncoming(t *testing.T) {
	in := bot.Incoming{Channel: "telegram", UserID: "1\x00", ChatID: "1", Name: " A\x00B ", Text: "/start\x00",
		Callback: "x\x00", Contact: &bot.SharedContact{Phone: "09\x0012"}, Location: &bot.Location{Title: "T\x00"}}
	shared := in.Contact
	CleanIncoming(&in)
	if in.UserID != "1" || in.Name != "AB" || in.Text != "/start" || in.Callback != "x" || in.Contact.Phone != "0912" || in.Location.Title != "T" {
		t.Fatalf("cleaned %+v %+v %+v", in, *in.Contact, *in.Location)
	}
	if shared.Phone != "09\x0012" {
		t.Fatal("CleanIncoming changed the caller's SharedContact")
	}
}
