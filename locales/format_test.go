package locales

import (
	"testing"
	"time"
)

func TestNumberPercentWeekday(t *testing.T) {
	for _, c := range []struct{ lang, got, want string }{
		{"vi", Number("vi", 1452), "1.452"},
		{"en", Number("en", 1452), "1,452"},
		{"vi", Number("vi", 346663), "346.663"},
		{"vi", Number("vi", -1234567), "-1.234.567"},
		{"vi", Number("vi", 12), "12"},
		{"xx", Number("xx", 1000), "1.000"}, // unsupported: the default language
		{"vi", Percent("vi", 290, 312), "92,9"},
		{"en", Percent("en", 290, 312), "92.9"},
		{"vi", Percent("vi", 5, 0), "0"},
		{"en", Percent("en", 1, 1), "100.0"},
		{"vi", Decimal("vi", 98.12, 2), "98,12"},
		{"vi", DecimalUpTo("vi", 98.123, 2), "98,12"},
		{"vi", DecimalUpTo("vi", 50, 2), "50"},
		{"en", DecimalUpTo("en", 12.125, 2), "12.13"},
		{"en", DecimalUpTo("en", 99.995, 2), "100"},
	} {
		if c.got != c.want {
			t.Errorf("%s: got %q, want %q", c.lang, c.got, c.want)
		}
	}
	b, err := NewBundle()
	if err != nil {
		t.Fatal(err)
	}
	l := NewLocalizers(b, "vi")
	if got := l.Weekday("vi", time.Sunday); got != "Chủ nhật" {
		t.Errorf("vi Sunday: %q", got)
	}
	if got := l.Weekday("en", time.Monday); got != "Monday" {
		t.Errorf("en Monday: %q", got)
	}
}

// The voter import's progress lines group like English ("1,000,000").
func TestNumberEnglishThousands(t *testing.T) {
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1,000", 100000: "100,000", 1000000: "1,000,000", 12345678: "12,345,678"} {
		if got := Number("en", n); got != want {
			t.Errorf("Number(en, %d) = %q, want %q", n, got, want)
		}
	}
}
