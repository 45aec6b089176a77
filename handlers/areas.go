package handlers

import (
	"slices"
	"strconv"
	"strings"

	"electionbot/models"
)

// areaRef is an area mentioned in a message: "khu 1", "kp1", "khu phố I",
// "khu pho 1", "KP 1", "tổ dân phố 3", "area 2".
type areaRef struct {
	Text string // the words that named it, folded ("khu pho 12")
	Num  int    // its number (0 when the area was named by its exact name/code)
	Rest string // the message without those words, folded
}

// Area prefixes, folded. roman: whether a roman numeral may follow
// ("khu pho IV"); for short or ambiguous words only digits do.
var areaPrefixes = []struct {
	words []string
	roman bool
}{
	{[]string{"to", "dan", "pho"}, true},
	{[]string{"khu", "pho"}, true},
	{[]string{"khu", "p"}, true},
	{[]string{"k", "p"}, false},
	{[]string{"khu"}, true},
	{[]string{"kp"}, true},
	{[]string{"tdp"}, true},
	{[]string{"thon"}, true},
	{[]string{"xom"}, true},
	{[]string{"ban"}, false},
	{[]string{"ap"}, false},
	{[]string{"to"}, false},
	{[]string{"area"}, false},
	{[]string{"zone"}, false},
	{[]string{"quarter"}, false},
	{[]string{"neighbourhood"}, false},
	{[]string{"neighborhood"}, false},
}

// gluedPrefixes may be written stuck to the number: "kp1", "khu2", "tdp03".
var gluedPrefixes = []string{"kp", "khu", "tdp", "thon", "to", "ban", "ap"}

// findAreaRef finds the first area reference in a text. The number has at
// most 3 digits, so a birth year ("khu 1961") is not an area.
func findAreaRef(text string) (areaRef, bool) {
	toks := strings.Fields(models.Fold(text))
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
		}
	}
	return areaRef{}, false
}

func mkRef(toks []string, from, to, n int) areaRef {
	rest := append(append([]string{}, toks[:from]...), toks[to:]...)
	return areaRef{Text: strings.Join(toks[from:to], " "), Num: n, Rest: strings.Join(rest, " ")}
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
	if r, ok := findAreaRef(a.Name); ok {
		return r.Num
	}
	if r, ok := findAreaRef(a.Code); ok {
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
// not have ("khu phố 12" in a ward of 6).
func matchArea(text string, areas []*models.Area) (area *models.Area, ref areaRef, found bool) {
	folded := models.Fold(text)
	if folded == "" {
		return nil, areaRef{}, false
	}
	for _, a := range areas {
		if folded == models.Fold(a.Name) || folded == models.Fold(a.Code) {
			return a, areaRef{Text: folded}, true
		}
	}
	ref, found = findAreaRef(folded)
	if !found {
		return nil, ref, false
	}
	// "thôn 1" is Thôn 1 where the ward has both kinds; in a ward of khu
	// phố only, it is read as Khu phố 1 (people mix the words, and the
	// reply names the area it took).
	var loose *models.Area
	for _, a := range areas {
		if areaNumber(a) != ref.Num {
			continue
		}
		if sameKind(ref, a) {
			return a, ref, true
		}
		if loose == nil {
			loose = a
		}
	}
	if loose != nil && !anyOfKind(ref, areas) {
		return loose, ref, true
	}
	return nil, ref, true
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

// areaAnswer reads a bare number answering "which area?" ("1", "IV") as
// "khu 1"; other text is returned as it is.
func areaAnswer(folded string) string {
	if n, ok := smallNumber(folded); ok {
		return "khu " + strconv.Itoa(n)
	}
	if n, ok := models.RomanNumeral(folded); ok {
		return "khu " + strconv.Itoa(n)
	}
	return folded
}
