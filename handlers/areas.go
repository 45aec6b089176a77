package handlers

import (
	"slices"
	"strconv"
	"strings"

	"electionbot/models"
)

// areaRef is an area mentioned in a message: "khu 1", "kp1", "khu phố I",
// "khu pho hai", "KP 1", "tổ dân phố 3", "area 2", "khu Đông Thịnh".
type areaRef struct {
	Text string // the words that named it, folded ("khu pho 12")
	Num  int    // its number (0 when the area was named by its name or code)
	Rest string // the message without those words, folded
	// From and To are the token positions of Text in the folded message,
	// to quote the resident's own words back.
	From, To int
	// Choices are the areas a partial name fits when it fits several
	// ("khu dong": Khu phố Đông Thịnh, Khu phố Đông Hải).
	Choices []*models.Area
}

// Area prefixes, folded. roman: whether a roman numeral may follow
// ("khu pho IV"); spelled: the language of number words that may follow
// ("khu hai", "area two"); named: whether an area's own name may follow
// ("khu Đông Thịnh"). Short or ambiguous words take digits only: "bạn
// Nam" is a friend, not Bản 5.
var areaPrefixes = []struct {
	words   []string
	roman   bool
	spelled string
	named   bool
}{
	{[]string{"to", "dan", "pho"}, true, "vi", true},
	{[]string{"khu", "pho"}, true, "vi", true},
	{[]string{"khu", "p"}, true, "vi", false},
	{[]string{"k", "p"}, false, "", false},
	{[]string{"khu"}, true, "vi", true},
	{[]string{"kp"}, true, "vi", true},
	{[]string{"tdp"}, true, "vi", true},
	{[]string{"thon"}, true, "vi", true},
	{[]string{"xom"}, true, "vi", true},
	{[]string{"ban"}, false, "", false},
	{[]string{"ap"}, false, "", false},
	{[]string{"to"}, false, "", false},
	{[]string{"area"}, false, "en", false},
	{[]string{"zone"}, false, "en", false},
	{[]string{"quarter"}, false, "en", false},
	{[]string{"neighbourhood"}, false, "en", false},
	{[]string{"neighborhood"}, false, "en", false},
	{[]string{"village"}, false, "en", false},
}

// gluedPrefixes may be written stuck to the number: "kp1", "khu2", "tdp03".
var gluedPrefixes = []string{"kp", "khu", "tdp", "thon", "to", "ban", "ap"}

// findAreaRef finds the first area reference in a text, numbers in words
// included. The number has at most 3 digits, so a birth year ("khu 1961")
// is not an area.
func findAreaRef(text string) (areaRef, bool) {
	return findAreaRefIn(strings.Fields(models.Fold(text)), true)
}

// findAreaRefIn is findAreaRef on folded tokens; spelled allows numbers
// in words (a resident's message) or not (an area's own name: "Khu Nam"
// is a name, not Khu 5).
func findAreaRefIn(toks []string, spelled bool) (areaRef, bool) {
	for i := 0; i < len(toks); i++ {
		// glued: kp1, khu12
		for _, g := range gluedPrefixes {
			if rest, ok := strings.CutPrefix(toks[i], g); ok && rest != "" {
				if n, ok := smallNumber(rest); ok {
					return mkRef(toks, i, i+1, n), true
				}
			}
		}
		for _, p := range areaPrefixes {
			end := i + len(p.words)
			if end >= len(toks) || !slices.Equal(toks[i:end], p.words) {
				continue
			}
			j := end
			if toks[j] == "so" && j+1 < len(toks) { // "khu phố số 3"
				j++
			}
			if n, ok := smallNumber(toks[j]); ok {
				return mkRef(toks, i, j+1, n), true
			}
			if p.roman {
				if n, ok := models.RomanNumeral(toks[j]); ok {
					return mkRef(toks, i, j+1, n), true
				}
			}
			if !spelled {
				continue
			}
			n, used := 0, 0
			switch p.spelled {
			case "vi":
				n, used = wordNumber(toks, j)
			case "en":
				n, used = enWordNumber(toks, j)
			}
			if used > 0 {
				return mkRef(toks, i, j+used, n), true
			}
		}
	}
	return areaRef{}, false
}

func mkRef(toks []string, from, to, n int) areaRef {
	return areaRef{Text: strings.Join(toks[from:to], " "), Num: n, Rest: cutTokens(toks, from, to), From: from, To: to}
}

// smallNumber parses 1–3 digits, > 0.
func smallNumber(s string) (int, bool) {
	if len(s) == 0 || len(s) > 3 {
		return 0, false
	}
	n, err := strconv.Atoi(s)
	if err != nil || n <= 0 {
		return 0, false
	}
	return n, true
}

// areaNumber is the number of an area, from its name ("Khu phố 1",
// "Khu phố IV") or else its code ("kp1"); 0 if it has none.
func areaNumber(a *models.Area) int {
	if r, ok := findAreaRefIn(strings.Fields(models.Fold(a.Name)), false); ok {
		return r.Num
	}
	if r, ok := findAreaRefIn(strings.Fields(models.Fold(a.Code)), false); ok {
		return r.Num
	}
	toks := strings.Fields(models.Fold(a.Name))
	if len(toks) > 0 {
		last := toks[len(toks)-1]
		if n, ok := smallNumber(last); ok {
			return n
		}
		if n, ok := models.RomanNumeral(last); ok {
			return n
		}
	}
	return 0
}

// matchArea resolves a text to one of the areas. found says whether the
// text named an area at all; area is nil when it named one the ward does
// not have ("khu phố 12" in a ward of 6, "khu Đông Thịnh" where there is
// none), or when a partial name fits several (ref.Choices).
func matchArea(text string, areas []*models.Area) (area *models.Area, ref areaRef, found bool) {
	folded := models.Fold(text)
	if folded == "" {
		return nil, areaRef{}, false
	}
	toks := strings.Fields(folded)
	for _, a := range areas {
		if folded == models.Fold(a.Name) || folded == models.Fold(a.Code) {
			return a, areaRef{Text: folded, To: len(toks)}, true
		}
	}
	numbered, byNumber := findAreaRefIn(toks, true)
	if byNumber {
		if a := areaOfNumber(numbered, areas); a != nil {
			return a, numbered, true
		}
	}
	if named, ok := namedAreaRef(toks, areas); ok {
		if len(named.Choices) == 1 {
			a := named.Choices[0]
			named.Choices = nil
			return a, named, true
		}
		return nil, named, true
	}
	if byNumber {
		return nil, numbered, true
	}
	if unknown, ok := unknownNamedRef(toks); ok {
		return nil, unknown, true
	}
	return nil, areaRef{}, false
}

// areaOfNumber is the area a numbered reference names. "thôn 1" is Thôn 1
// where the ward has both kinds; in a ward of khu phố only, it is read as
// Khu phố 1 (people mix the words, and the reply names the area it took).
func areaOfNumber(ref areaRef, areas []*models.Area) *models.Area {
	var loose *models.Area
	for _, a := range areas {
		if areaNumber(a) != ref.Num {
			continue
		}
		if sameKind(ref, a) {
			return a
		}
		if loose == nil {
			loose = a
		}
	}
	if loose != nil && !anyOfKind(ref, areas) {
		return loose
	}
	return nil
}

// sameKind says whether a reference's unit word ("thôn", "kp", "tổ dân
// phố"; none for "khu", "area") agrees with an area's kind.
func sameKind(ref areaRef, a *models.Area) bool {
	family := unitFamily(refUnit(ref.Text))
	return family == "" || family == unitFamily(models.UnitOf(a, a.Ward))
}

// anyOfKind says whether some area is of the kind a reference names.
func anyOfKind(ref areaRef, areas []*models.Area) bool {
	for _, a := range areas {
		if unitFamily(refUnit(ref.Text)) != "" && sameKind(ref, a) {
			return true
		}
	}
	return false
}

// refUnit is the unit kind a reference's words name ("thon 1", "kp1",
// "to dan pho 3"); "" for words that name none ("khu", "area").
func refUnit(text string) string {
	words := strings.TrimRight(text, "0123456789 ")
	if u := models.UnitFromName(words); u != models.UnitKhu {
		return u
	}
	return ""
}

// unitFamily groups unit kinds by the words people mix up: villages
// (thôn, xóm, bản, ấp) and town quarters (khu phố, tổ dân phố); "" for khu
// and unknown kinds, which go with either.
func unitFamily(unit string) string {
	switch unit {
	case models.UnitThon, models.UnitBan, models.UnitAp:
		return "village"
	case models.UnitKhuPho, models.UnitToDanPho:
		return "town"
	}
	return ""
}

// areaAnswer reads a bare number answering "which area?" ("1", "IV",
// "hai", "mười một") as "khu 1"; other text is returned as it is.
func areaAnswer(folded string) string {
	if n, ok := smallNumber(folded); ok {
		return "khu " + strconv.Itoa(n)
	}
	if n, ok := models.RomanNumeral(folded); ok {
		return "khu " + strconv.Itoa(n)
	}
	toks := strings.Fields(folded)
	if n, used := wordNumber(toks, 0); used > 0 && used == len(toks) {
		return "khu " + strconv.Itoa(n)
	}
	return folded
}
