package handlers

import (
	"strings"
	"testing"
	"unicode/utf8"

	"electionbot/models"
)

// intentCases are real phrasings and their intent (TestIntentTable).
var intentCases = []struct{ text, want string }{
	// date — vi with diacritics
	{"Ngày bầu cử là ngày nào?", "date"},
	{"Khi nào bầu cử ạ", "date"},
	{"Bao giờ thì bầu trưởng khu phố?", "date"},
	{"mấy giờ bắt đầu bỏ phiếu", "date"},
	{"Bầu cử vào thứ mấy?", "date"},
	{"còn mấy ngày nữa thì bầu", "date"},
	// date — vi without diacritics
	{"ngay bau cu", "date"},
	{"bau cu ngay nao", "date"},
	{"khi nao bau", "date"},
	{"hom nao bau cu vay", "date"},
	{"lich bau cu", "date"},
	// date — en and typos
	{"when is the election", "date"},
	{"What day do we vote?", "date"},
	{"what time does voting start", "date"},
	{"election date", "date"},
	{"ngayy bau cu", "date"},
	{"whne is the election", "date"},
	// place
	{"Bỏ phiếu ở đâu?", "place"},
	{"o dau bau", "place"},
	{"bau cu o dau vay", "place"},
	{"địa điểm bỏ phiếu", "place"},
	{"dia diem bo phieu khu pho", "place"},
	{"nha van hoa o cho nao", "place"},
	{"Where do I vote?", "place"},
	{"polling station address", "place"},
	{"diaa diem bo phieu", "place"},
	{"cho bo phieu", "place"},
	// check the voter list
	{"tôi có tên trong danh sách không", "check"},
	{"toi co ten trong danh sach khong", "check"},
	{"tra cứu danh sách cử tri", "check"},
	{"kiem tra danh sach cu tri", "check"},
	{"toi co duoc bau khong", "check"},
	{"Am I on the voter list?", "check"},
	{"am I registered", "check"},
	{"danh sachh cu tri", "check"},
	// family member: one representative per household
	{"vợ tôi có được bầu không", "family"},
	{"con toi di bau duoc khong", "family"},
	{"chồng tôi có phải đi bầu không", "family"},
	{"nha toi may nguoi duoc bau", "family"},
	{"can my wife vote too?", "family"},
	// candidates
	{"người ứng cử là ai", "candidates"},
	{"nguoi ung cu", "candidates"},
	{"danh sach ung vien", "candidates"},
	{"bau cho ai", "candidates"},
	{"who are the candidates", "candidates"},
	{"candidtes", "candidates"},
	// rules
	{"ai được ứng cử trưởng khu phố", "rules_stand"},
	{"dieu kien ung cu", "rules_stand"},
	{"who can stand for head", "rules_stand"},
	{"ai di bau", "rules_vote"},
	{"who can vote", "rules_vote"},
	{"moi ho may phieu", "rules_vote"},
	{"bao nhieu phan tram thi trung cu", "rules_win"},
	{"how is the winner decided", "rules_win"},
	{"bỏ phiếu kín hay giơ tay", "rules_method"},
	{"how do I vote", "rules_method"},
	{"quy định bầu cử", "rules"},
	{"election rules", "rules"},
	// results
	{"ket qua bau cu", "result"},
	{"who won", "result"},
	// reminders, language, area, help, small talk
	{"nhắc tôi trước ngày bầu", "reminders"},
	{"remind me", "reminders"},
	{"tat nhac nho", "reminders"},
	{"tiếng Anh", "lang"},
	{"english please", "lang"},
	{"doi khu pho", "area"},
	{"change area", "area"},
	{"hướng dẫn sử dụng", "help"},
	{"help", "help"},
	{"cảm ơn", "thanks"},
	{"thanks", "thanks"},
	{"xin chào", "greeting"},
	{"hello", "greeting"},
	{"huy", "cancel"},
}

// TestIntentTable maps real phrasings — Vietnamese with and without
// diacritics, English, typos — to their intent. A phrasing that fails here
// is taught by adding a keyword to intents.yaml, not an if.
func TestIntentTable(t *testing.T) {
	s, err := DefaultScorer()
	if err != nil {
		t.Fatal(err)
	}
	cases := intentCases
	if len(cases) < 60 {
		t.Fatalf("only %d phrasings; the table needs at least 60", len(cases))
	}
	for _, c := range cases {
		got, score := s.Best(c.text)
		if got != c.want {
			t.Errorf("Best(%q) = %q (%.2f), want %q; scores %v", c.text, got, score, c.want, top(s.Scores(c.text)))
		}
	}
}

func top(m map[string]float64) map[string]float64 {
	out := map[string]float64{}
	for k, v := range m {
		if v > 0 {
			out[k] = v
		}
	}
	return out
}

// TestIntentFallbackForNonsense: text that means nothing gets no intent
// (the handler then answers with the fallback and the menu).
func TestIntentFallbackForNonsense(t *testing.T) {
	s, err := DefaultScorer()
	if err != nil {
		t.Fatal(err)
	}
	for _, text := range []string{"", "asdkjh qwe", "xyz", "12345", "???", "con mèo màu xanh", "the cat is blue"} {
		if got, score := s.Best(text); got != "" {
			t.Errorf("Best(%q) = %q (%.2f), want no intent", text, got, score)
		}
	}
}

func TestCloseEnough(t *testing.T) {
	cases := []struct {
		w, t string
		want bool
	}{
		{"danh", "danhh", true}, // 4 letters: an extra letter
		{"when", "whne", true},  // 4 letters: swapped
		{"when", "then", false}, // 4 letters: a substitution is another word
		{"bau", "bao", false},   // short words exact only
		{"sach", "sahc", true},  // swapped
		{"candidate", "candidtes", true},
		{"candidate", "kandidat", true}, // 9+: two edits
		{"phieu", "phieuu", true},
		{"phieu", "phiue", true},
		{"phieu", "khieuu", false},
	}
	for _, c := range cases {
		if got := closeEnough(c.w, c.t); got != c.want {
			t.Errorf("closeEnough(%q, %q) = %v, want %v", c.w, c.t, got, c.want)
		}
	}
}

func TestParseIntentsRejectsBadData(t *testing.T) {
	for _, y := range []string{
		"threshold: 0\nintents: []",
		"threshold: 1\nintents:\n  - name: a\n    keywords: {x: 1}\n  - name: a\n    keywords: {y: 1}",
		"threshold: 1\nintents:\n  - name: a\n    keywords: {'!!': 1}",
		"threshold: 1\nintents:\n  - name: a\n    keywords: {x: -1}",
		"{",
	} {
		if _, err := ParseIntents([]byte(y)); err == nil {
			t.Errorf("ParseIntents(%q) = nil error, want one", y)
		}
	}
}

// FuzzIntentScorer: the free-text scorer and the parsers of user input
// never panic, and scores are never negative.
func FuzzIntentScorer(f *testing.F) {
	s, err := DefaultScorer()
	if err != nil {
		f.Fatal(err)
	}
	for _, seed := range []string{"ngay bau cu", "Bỏ phiếu ở đâu?", "nguyen van an 1961", "khu phố XII", "kp1", "", "đ", "when is the election", "\xff\xfe", strings.Repeat("a ", 200),
		"khu pho hai muoi mot", "khu dong thinh", "nguyen van an sinh năm một chín sáu mốt", "sn61", "sdt 0912 345 678", "👍", "năm năm mươi tám"} {
		f.Add(seed)
	}
	areas := tableAreas()
	f.Fuzz(func(t *testing.T, text string) {
		for name, sc := range s.Scores(text) {
			if sc < 0 {
				t.Fatalf("score %s = %v < 0 for %q", name, sc, text)
			}
		}
		s.Best(text)
		findAreaRef(text)
		if q, ok := parseNameYear(text, 2005); ok {
			if len(q.Names) == 0 || q.Year < 1900 || q.Year > 2005 {
				t.Fatalf("parseNameYear(%q) = %+v", text, q)
			}
			for _, n := range q.Names {
				if !utf8.ValidString(n) {
					t.Fatalf("invalid UTF-8 name from %q", text)
				}
			}
		}
		householdNumber(text)
		// Issue 16's readers: areas in words and by name, years, phones,
		// the language, the nearest command.
		matchArea(text, areas)
		if y, ok := yearOnly(text, 2022); ok && (y < 1900 || y > 2022-adultAge) {
			t.Fatalf("yearOnly(%q) = %d", text, y)
		}
		if p := typedPhone(text); p != "" && !strings.HasPrefix(p, "+84") {
			t.Fatalf("typedPhone(%q) = %q", text, p)
		}
		textLanguage(text)
		namedLookup(models.Fold(text))
		nearestCommand(models.Fold(text))
		toks := strings.Fields(models.Fold(text))
		for i := range toks {
			if n, used := wordNumber(toks, i); used > 0 && (n < 1 || n > 99) {
				t.Fatalf("wordNumber(%q, %d) = %d", text, i, n)
			}
			spelledYear(toks, i)
		}
	})
}
