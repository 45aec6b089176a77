package handlers

import (
	"slices"
	"strconv"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"electionbot/models"
)

// What a resident types for an eligibility lookup: a full name and a birth
// year, or the household number that picks one of several namesakes.

// nameQuery is a name lookup: the readings of the name to try and the
// birth year; AreaID once the area is known.
type nameQuery struct {
	Names  []string `json:"n"` // folded candidates for the full name, best first
	Year   int      `json:"y"`
	AreaID int64    `json:"a,omitempty"`
}

// questionWords are words of a question, never of a name.
var questionWords = map[string]bool{
	"khong": true, "ko": true, "hok": true, "nao": true, "gi": true, "sao": true,
	"bau": true, "phieu": true, "ngay": true, "duoc": true,
	"when": true, "where": true, "what": true, "who": true, "how": true,
	"is": true, "are": true, "the": true, "election": true, "vote": true,
	// not "do": folded, it is Đỗ, one of the commonest surnames.
}

// Filler words around a name: leading ("tôi tên là …", "tra cứu …") and
// before the year ("sinh năm 1961", "born in 1961").
var (
	leadFillers = [][]string{
		{"ho", "va", "ten", "la"}, {"ho", "va", "ten"}, {"ho", "ten", "la"}, {"ho", "ten"},
		{"toi", "ten", "la"}, {"ten", "toi", "la"}, {"toi", "la"}, {"ten", "la"}, {"ten"},
		{"kiem", "tra"}, {"tra", "cuu"}, {"tim"}, {"cu", "tri"},
		{"my", "name", "is"}, {"name"}, {"i", "am"}, {"im"}, {"check"},
	}
	// Ambiguous: "sinh" and "nam" are also given names ("Nguyễn Văn Nam").
	// Written with diacritics, "năm" is the word "year"; folded, both
	// readings are tried.
	yearFillers = [][]string{
		{"sinh", "nam"}, {"nam", "sinh"}, {"sinh"}, {"nam"}, {"sn"}, {"ns"},
		{"born", "in"}, {"born"}, {"year"}, {"in"},
	}
)

// parseNameYear reads "nguyen van an 1961", "Nguyễn Văn An sinh năm 1961",
// "tôi tên là Nguyễn Văn An, sinh năm 1961". It returns the folded name
// readings to try (exact matches only) and the birth year.
//
// maxYear is the latest birth year of an adult (the current year minus
// adultAge): a two-digit or spelled-out year is read in the century that
// makes the person an adult (yearTokens).
func parseNameYear(text string, maxYear int) (*nameQuery, bool) {
	raw := yearTokens(rawWords(text), maxYear+adultAge)
	year, yi := 0, -1
	for i, w := range raw {
		if len(w) == 4 && isDigits(w) {
			if yi >= 0 {
				return nil, false // two years: not a name lookup
			}
			y, _ := strconv.Atoi(w)
			if y < 1900 || y > maxYear {
				return nil, false
			}
			year, yi = y, i
		}
	}
	if yi < 0 {
		return nil, false
	}
	name := raw[:yi]
	if len(name) == 0 {
		name = raw[yi+1:] // "1961 nguyen van an"
	}
	folded := make([]string, len(name))
	for i, w := range name {
		folded[i] = models.Fold(w)
	}
	// Drop leading fillers.
	for _, f := range leadFillers {
		if len(folded) > len(f) && slices.Equal(folded[:len(f)], f) {
			folded, name = folded[len(f):], name[len(f):]
			break
		}
	}
	var readings [][]string
	// Fillers before the year. Written with diacritics, "năm" is surely
	// "year" and "nam" surely the given name Nam; without diacritics both
	// readings are tried. "sinh" is also a given name: both readings.
	withMarks := models.Fold(text) != strings.Join(strings.Fields(strings.Join(rawWords(text), " ")), " ")
	stripped := folded
	sure := false
	for _, f := range yearFillers {
		n := len(f)
		if len(folded) <= n || !slices.Equal(folded[len(folded)-n:], f) {
			continue
		}
		raw := name[len(name)-n:]
		hasNam := slices.Contains(f, "nam")
		if hasNam && withMarks && !slices.Contains(raw, "năm") {
			continue // "Nguyễn Văn Nam 1975": the name
		}
		sure = slices.Contains(raw, "năm") || !(hasNam || slices.Contains(f, "sinh"))
		stripped = folded[:len(folded)-n]
		break
	}
	if len(stripped) != len(folded) {
		readings = append(readings, stripped)
		if !sure {
			readings = append(readings, folded)
		}
	} else {
		readings = append(readings, folded)
	}
	q := &nameQuery{Year: year}
	for _, r := range readings {
		if validName(r) {
			q.Names = append(q.Names, strings.Join(r, " "))
		}
	}
	if len(q.Names) == 0 {
		return nil, false
	}
	return q, true
}

// validName: 2 to 7 words of letters only, as Vietnamese full names are.
func validName(words []string) bool {
	if len(words) < 2 || len(words) > 7 {
		return false
	}
	for _, w := range words {
		if len(w) > 16 {
			return false
		}
		for _, r := range w {
			if !unicode.IsLetter(r) {
				return false
			}
		}
	}
	return true
}

// isNameOnly: text that looks like a full name without a year.
func isNameOnly(folded string) bool {
	words := strings.Fields(folded)
	for _, w := range words {
		if questionWords[w] {
			return false
		}
	}
	return validName(words)
}

// rawWords splits on anything but letters and digits, lower-cased, keeping
// diacritics (composed first: a phone keyboard may send "ă" as "a" and a
// combining mark, which is not a letter).
func rawWords(s string) []string {
	return strings.FieldsFunc(strings.ToLower(norm.NFC.String(s)), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
}

func isDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

// householdNumber reads a household number answer: "125", "số 125",
// "hộ số 12A", "household 7". Any other word means it is not one (so "khu
// 2" is an area, not household 2). Returns "" if there is none.
func householdNumber(folded string) string {
	no := ""
	for _, w := range strings.Fields(folded) {
		switch {
		case householdFillers[w]:
		case w[0] >= '0' && w[0] <= '9' && len(w) <= 10 && no == "":
			no = w
		default:
			return ""
		}
	}
	return no
}

var householdFillers = map[string]bool{
	"so": true, "ho": true, "nha": true, "la": true, "cua": true, "toi": true, "em": true, "a": true,
	"household": true, "number": true, "no": true, "is": true, "my": true, "it": true, "s": true,
}

// sameHousehold compares household numbers ignoring case and leading zeros.
func sameHousehold(a, b string) bool {
	norm := func(s string) string {
		s = strings.ReplaceAll(models.Fold(s), " ", "")
		t := strings.TrimLeft(s, "0")
		if t == "" && s != "" {
			return "0"
		}
		return t
	}
	return norm(a) != "" && norm(a) == norm(b)
}
