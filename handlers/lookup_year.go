package handlers

import (
	"slices"
	"strconv"
	"strings"

	"electionbot/models"
)

// Birth years as residents write them: "1961", "61" (by the century that
// makes the person an adult today), "sn 61", "sinh năm 61", "năm sinh
// 1961", spelled out ("một chín sáu mốt", "sáu mốt"); and a year sent
// alone after the bot asked for it.

// adultAge is the age under which nobody is looked up: the latest birth
// year is the current year minus it (as in lookup.nameInText).
const adultAge = 17

// oldestAge bounds a two-digit year from below: 1912 for 12 in 2022
// rather than a person of 110+.
const oldestAge = 110

// twoDigitYear reads yy as the birth year of a living adult in nowYear:
// 61 → 1961, 04 → 2004 (in 2022); 0 when neither century fits.
func twoDigitYear(yy, nowYear int) int {
	for _, c := range []int{1900, 2000} {
		if y := c + yy; y >= nowYear-oldestAge && y <= nowYear-adultAge {
			return y
		}
	}
	return 0
}

// yearMarkers say that a birth year follows: "sn", "ns", "sinh", "năm
// sinh", "sinh năm", "born", "born in", "b.". "nam" is also the given
// name Nam: parseNameYear tries both readings.
var yearMarkers = map[string]bool{"sn": true, "ns": true, "sinh": true, "nam": true, "born": true, "year": true}

// yearTokens rewrites the birth year of a lookup as four digits, so that
// parseNameYear finds it: a two-digit or spelled-out year after a marker
// ("sn 61", "sinh năm một chín sáu mốt"), a year spelled digit by digit at
// the end, or two digits ending a message ("Nguyen Van An 61"). Glued
// markers are split ("sn61"). Words are raw (with diacritics); the others
// are kept as they are.
func yearTokens(raw []string, nowYear int) []string {
	var toks []string
	for _, w := range raw {
		f := models.Fold(w)
		split := false
		for _, m := range []string{"sn", "ns"} {
			if rest, ok := strings.CutPrefix(f, m); ok && isDigits(rest) && (len(rest) == 2 || len(rest) == 4) {
				toks, split = append(toks, m, rest), true
				break
			}
		}
		if !split {
			toks = append(toks, w)
		}
	}
	folded := make([]string, len(toks))
	for i, w := range toks {
		folded[i] = models.Fold(w)
	}
	year := func(n int) string {
		if n < 100 {
			n = twoDigitYear(n, nowYear)
		}
		if n == 0 {
			return ""
		}
		return strconv.Itoa(n)
	}
	// replace puts a year in place of toks[i:i+used].
	replace := func(i, used int, y string) {
		toks = slices.Concat(toks[:i], []string{y}, toks[i+used:])
		folded = slices.Concat(folded[:i], []string{y}, folded[i+used:])
	}
	for i := 0; i+1 < len(toks); i++ {
		if !yearMarkers[folded[i]] && !(folded[i] == "in" && i > 0 && folded[i-1] == "born") {
			continue
		}
		next := folded[i+1]
		if folded[i] == "nam" && next == "nam" { // "sinh năm năm mươi tám": the second is five
			if n, used := spelledYear(folded, i+1); used >= 2 {
				if y := year(n); y != "" {
					replace(i+1, used, y)
					continue
				}
			}
		}
		if yearMarkers[next] || next == "in" {
			continue // "sinh năm", "born in": the number follows the last
		}
		if len(next) == 2 && isDigits(next) {
			n, _ := strconv.Atoi(next)
			if y := year(n); y != "" {
				replace(i+1, 1, y)
			}
			continue
		}
		if n, used := spelledYear(folded, i+1); used > 0 {
			if y := year(n); y != "" {
				replace(i+1, used, y)
			}
		}
	}
	if n := len(folded); n >= 4 { // "nguyen van an mot chin sau mot"
		if v, used := spelledYear(folded, n-4); used == 4 && v >= 1000 {
			replace(n-4, 4, strconv.Itoa(v))
		}
	}
	if n := len(folded); n >= 3 && len(folded[n-1]) == 2 && isDigits(folded[n-1]) && !hasYear(folded) {
		v, _ := strconv.Atoi(folded[n-1])
		if y := year(v); y != "" {
			replace(n-1, 1, y)
		}
	}
	return toks
}

func hasYear(folded []string) bool {
	for _, w := range folded {
		if len(w) == 4 && isDigits(w) {
			return true
		}
	}
	return false
}

// yearOnly reads a message that is only a birth year, answering "which
// year?": "1961", "61", "sinh năm 61", "năm sinh 1961", "một chín sáu
// mốt", "born in 1961".
func yearOnly(text string, nowYear int) (int, bool) {
	var toks []string
	for _, w := range strings.Fields(models.Fold(text)) {
		if !yearMarkers[w] && !yearFillerWords[w] {
			toks = append(toks, w)
		}
	}
	if len(toks) == 0 {
		return 0, false
	}
	n := 0
	switch {
	case len(toks) == 1 && isDigits(toks[0]) && (len(toks[0]) == 4 || len(toks[0]) == 2):
		n, _ = strconv.Atoi(toks[0])
	default:
		v, used := spelledYear(toks, 0)
		if used != len(toks) {
			return 0, false
		}
		n = v
	}
	if n < 100 {
		n = twoDigitYear(n, nowYear)
	}
	if n < 1900 || n > nowYear-adultAge {
		return 0, false
	}
	return n, true
}

// yearFillerWords surround a year sent alone: "tôi sinh năm 61 ạ", "it
// is 1961".
var yearFillerWords = map[string]bool{
	"toi": true, "la": true, "a": true, "nhe": true, "da": true, "in": true, "it": true, "is": true,
	"i": true, "was": true, "my": true, "of": true, "birth": true, "sinh": true, "vao": true,
}

// surnames are the commonest Vietnamese family names, folded: a message
// of a few name words beginning with one is a name without its year.
var surnames = map[string]bool{
	"nguyen": true, "tran": true, "le": true, "pham": true, "hoang": true, "huynh": true, "phan": true,
	"vu": true, "vo": true, "dang": true, "bui": true, "do": true, "ho": true, "ngo": true, "duong": true,
	"ly": true, "dinh": true, "doan": true, "trinh": true, "lam": true, "luong": true, "mai": true,
	"cao": true, "ha": true, "trieu": true, "luu": true, "ta": true, "chu": true, "quach": true,
}

// nameWithoutYear reads a full name typed without a birth year ("nguyen
// van an", "tra cứu Nguyễn Văn An"): while a name is awaited any name,
// otherwise one that begins with a common family name. The result is the
// folded name, "" when the text is none.
func nameWithoutYear(folded string, awaited bool) string {
	words := strings.Fields(folded)
	for _, f := range leadFillers {
		if len(words) > len(f) && slices.Equal(words[:len(f)], f) {
			words = words[len(f):]
			break
		}
	}
	if !isNameOnly(strings.Join(words, " ")) || len(words) < 2 {
		return ""
	}
	if !awaited && (!surnames[words[0]] || len(words) < 3) {
		return ""
	}
	return strings.Join(words, " ")
}

// askYearFor keeps a name typed without its year and asks for the year:
// the year sent alone then completes the lookup (yearAnswer).
func (l *lookup) askYearFor(name string) error {
	l.setState(convState{Await: awaitYear, Query: &nameQuery{Names: []string{name}}})
	l.removeKeyboard(l.tr("check_ask_year", nil))
	return nil
}

// yearAnswer completes the pending name with the year sent alone.
func (l *lookup) yearAnswer(year int) error {
	q := l.st.Query
	if q == nil || len(q.Names) == 0 {
		l.clearState()
		return l.askYear()
	}
	qq := *q
	qq.Year = year
	l.clearState()
	return l.nameLookup(&qq)
}

// isLookup says whether a text asks to look a person up: a name with a
// birth year, or a full name after "tra cứu" or of a common family name.
func (l *lookup) isLookup(text string) bool {
	if q, ok := parseNameYear(text, l.nowYear()-adultAge); ok && l.looksLikeName(q) {
		return true
	}
	return nameWithoutYear(text, false) != ""
}

// lookupLeads begin a request to look someone up: "tra cứu Nguyễn Văn
// An", "kiểm tra Trần Thị Hoa", "check Nguyen Van An".
var lookupLeads = [][]string{{"tra", "cuu"}, {"kiem", "tra"}, {"tim"}, {"check"}, {"look", "up"}}

// namedLookup reads "tra cứu" and a full name without its year (the
// name, folded); "" otherwise. It comes before the intents, for which
// "tra cứu" alone is the voter list.
func namedLookup(folded string) string {
	words := strings.Fields(folded)
	for _, lead := range lookupLeads {
		if len(words) > len(lead)+1 && slices.Equal(words[:len(lead)], lead) {
			rest := words[len(lead):]
			if isNameOnly(strings.Join(rest, " ")) && (surnames[rest[0]] || !anyIn(rest, questionVocabulary())) {
				return strings.Join(rest, " ") // not "tra cứu danh sách cử tri"
			}
		}
	}
	return ""
}

func anyIn(words []string, set map[string]bool) bool {
	for _, w := range words {
		if set[w] {
			return true
		}
	}
	return false
}
