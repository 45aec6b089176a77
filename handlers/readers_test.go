package handlers

import (
	"strings"
	"testing"
)

func TestTypedPhone(t *testing.T) {
	cases := map[string]string{
		"0912345678":                  "+84912345678",
		"sdt cua toi la 0912 345 678": "+84912345678",
		"+84 912 345 678":             "+84912345678",
		"0912.345.678 nhé":            "+84912345678",
		"84912345678":                 "+84912345678",
		"số hộ 125":                   "",
		"nguyen van an 1961":          "",
		"000000000 000":               "", // 00…: international, not Vietnamese
		"0012025550123":               "",
		"123456789":                   "",
		"1961 0912":                   "",
	}
	for in, want := range cases {
		if got := typedPhone(in); got != want {
			t.Errorf("typedPhone(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestTwoDigitYearByTheClock(t *testing.T) {
	cases := []struct{ yy, now, want int }{
		{61, 2022, 1961}, {4, 2022, 2004}, {5, 2022, 2005}, {6, 2022, 0}, {12, 2022, 1912}, {11, 2022, 0},
		{61, 2045, 1961}, {20, 2045, 2020}, {30, 2045, 0}, {99, 2022, 1999},
	}
	for _, c := range cases {
		if got := twoDigitYear(c.yy, c.now); got != c.want {
			t.Errorf("twoDigitYear(%d, %d) = %d, want %d", c.yy, c.now, got, c.want)
		}
	}
}

func TestSpelledYear(t *testing.T) {
	cases := map[string]int{
		"mot chin sau mot":                 1961,
		"mot chin bay lam":                 1975,
		"mot nghin chin tram sau muoi mot": 1961,
		"hai nghin khong tram linh nam":    2005,
		"sau mot":                          61,
		"bay muoi lam":                     75,
		"nam tam":                          58,
		"hai":                              0,
		"nguyen":                           0,
	}
	for in, want := range cases {
		n, _ := spelledYear(strings.Fields(in), 0)
		if n != want {
			t.Errorf("spelledYear(%q) = %d, want %d", in, n, want)
		}
	}
}

func TestTextLanguage(t *testing.T) {
	cases := map[string]string{
		"when is the vote": "en", "where do I vote": "en", "am I registered": "en", "can my wife vote?": "en",
		"thank you": "en", "my name is Nguyen Van An born in 1961": "en",
		"bau o dau": "vi", "Bỏ phiếu ở đâu?": "vi", "ngay bau cu": "vi", "tôi có tên trong danh sách không": "vi",
		"Nguyễn Văn An 1961": "", "Khu phố 1": "", "tran thi hoa 1970": "", "ok cam on": "", "help": "", "ok": "",
		"kp2": "", "le van tam 1960": "", "Nguyen Van Minh 1970": "",
	}
	for in, want := range cases {
		if got := textLanguage(in); got != want {
			t.Errorf("textLanguage(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestThanksEmoji(t *testing.T) {
	for in, want := range map[string]bool{"👍": true, "🙏🙏": true, "👍🏻": true, "❤️": true, " 👌 ": true,
		"👍 ok": false, "😡": false, "": false, "?": false} {
		if got := thanksEmoji(in); got != want {
			t.Errorf("thanksEmoji(%q) = %v", in, got)
		}
	}
}

// An unknown command: the nearest command by a typo, or by the words
// typed together; none when nothing is near.
func TestNearestCommand(t *testing.T) {
	s, err := DefaultScorer()
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string]action{
		"ngaybao": actDate, "tracu": actCheck, "diadem": actPlace, "nhacnhoo": actReminders, "ungvein": actCandidates,
		"kiemtra": actCheck, "bophieu": "", "xyz": "", "ketquaa": actResult, "danhsachcutri": actCheck,
	}
	for in, want := range cases {
		got := nearestCommand(in)
		if got == "" {
			got = commandWords(s, in)
		}
		if got != want {
			t.Errorf("nearest(/%s) = %q, want %q", in, got, want)
		}
	}
}

// A ward named in a question: a kind word and a name of two words, or a
// number; never "xa nhà", "phương thức".
func TestUnknownWardRef(t *testing.T) {
	cases := map[string]string{
		"toi o phuong hai hoa thi bau o dau": "hai hoa",
		"xa tan phong bau o dau":             "tan phong",
		"thi tran cai rong":                  "cai rong",
		"phuong 1 bau o dau":                 "1",
		"nha toi o xa":                       "",
		"phuong thuc bau cu the nao":         "",
		"phuong tien di lai":                 "",
		"xa qua khong di bau duoc":           "",
		"xa hoi":                             "",
	}
	for in, want := range cases {
		if _, got := unknownWardRef(in); got != want {
			t.Errorf("unknownWardRef(%q) = %q, want %q", in, got, want)
		}
	}
}
