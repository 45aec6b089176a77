package handlers

import (
	"slices"
	"strings"

	"electionbot/models"
)

// Matching a ward named the way people type it: "ka long", "phuong ka
// long", "xa hai tien", "P. Ka Long", "kalong", "hai tein" (a typo), with
// or without diacritics, with or without its city.

// wardKindWords precede a ward's name; stripped to compare names.
var wardKindWords = [][]string{{"thi", "tran"}, {"phuong"}, {"xa"}, {"tt"}, {"p"}, {"ward"}, {"commune"}, {"town"}}

// cityKindWords precede a city's name.
var cityKindWords = [][]string{{"thanh", "pho"}, {"thi", "xa"}, {"huyen"}, {"quan"}, {"tp"}, {"tx"}, {"h"}, {"city"}, {"district"}}

// placeFillers are words around a place in an answer: "tôi ở", "nhà tôi
// ở", "mình ở", "tại", "I live in".
var placeFillers = map[string]bool{"toi": true, "o": true, "nha": true, "minh": true, "tai": true, "em": true,
	"chau": true, "con": true, "bac": true, "co": true, "chu": true, "anh": true, "chi": true, "la": true,
	"i": true, "live": true, "in": true, "at": true, "thuoc": true, "cua": true}

// bareName folds a ward's or city's name and drops its kind word:
// "Phường Ka Long" → "ka long", "TP Móng Cái" → "mong cai".
func bareName(name string, kinds [][]string) string {
	toks := strings.Fields(models.Fold(name))
	for _, k := range kinds {
		if len(toks) > len(k) && slices.Equal(toks[:len(k)], k) {
			return strings.Join(toks[len(k):], " ")
		}
	}
	return strings.Join(toks, " ")
}

// wardFind is the result of reading a text for a ward.
type wardFind struct {
	Wards []*models.Ward // the wards it may name (several: ask which)
	Rest  string         // the text without the ward's (and city's) words
}

// maxWardWords bounds the words of a ward's own name ("Quảng Nghĩa" 2,
// "Hải Xuân" 2, a few have 3).
const maxWardWords = 4

// wardNameCandidates are the word sequences of a text that could be a
// ward's folded name under findWardInText's rules — those right after a
// kind word or "ở"/"tại" — and the whole text when it is short: the keys
// looked up in wards.folded.
func wardNameCandidates(folded string) []string {
	toks := strings.Fields(folded)
	seen := map[string]bool{}
	var out []string
	add := func(s string) {
		if s != "" && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	if len(toks) <= maxWardWords {
		add(folded)
	}
	for i := range toks {
		if kindBefore(toks, i) == 0 && !(i > 0 && (toks[i-1] == "o" || toks[i-1] == "tai")) {
			continue
		}
		for n := 1; n <= maxWardWords && i+n <= len(toks); n++ {
			add(strings.Join(toks[i:i+n], " "))
		}
	}
	return out
}

// findWardInText finds a ward named inside a sentence: its kind word and
// name ("… o phuong hai hoa thi …"), or "ở"/"tại" and a name of two words
// or more ("toi o ka long …"). A bare name inside a sentence is not taken:
// "tran hai tien 1970" is a person, not Xã Hải Tiến.
func findWardInText(folded string, ws []*models.Ward) wardFind {
	toks := strings.Fields(folded)
	var best wardFind
	bestLen := 0
	for _, w := range ws {
		name := strings.Fields(models.WardFolded(w.Name))
		if len(name) == 0 {
			continue
		}
		for i := 0; i+len(name) <= len(toks); i++ {
			if !slices.Equal(toks[i:i+len(name)], name) {
				continue
			}
			from := i
			if k := kindBefore(toks, i); k > 0 {
				from = i - k
			} else if !(i > 0 && (toks[i-1] == "o" || toks[i-1] == "tai") && len(name) >= 2) {
				continue
			}
			n := i + len(name) - from
			switch {
			case n > bestLen:
				best, bestLen = wardFind{Wards: []*models.Ward{w}, Rest: cutTokens(toks, from, i+len(name))}, n
			case n == bestLen && !slices.Contains(best.Wards, w):
				best.Wards = append(best.Wards, w)
			}
			break
		}
	}
	if len(best.Wards) > 1 {
		best.Wards, best.Rest = byCity(best.Wards, best.Rest)
	}
	return best
}

// kindBefore is the length of a ward kind word ending just before toks[i]
// (0 if none).
func kindBefore(toks []string, i int) int {
	for _, k := range wardKindWords {
		if i >= len(k) && slices.Equal(toks[i-len(k):i], k) {
			return len(k)
		}
	}
	return 0
}

func cutTokens(toks []string, from, to int) string {
	out := append(append([]string{}, toks[:from]...), toks[to:]...)
	return strings.Join(out, " ")
}

// matchWardAnswer reads a whole text answering "which ward?": the name
// with or without its kind word, fillers ("tôi ở") and city, allowing a
// small typo. Several wards come back when the name is ambiguous.
func matchWardAnswer(folded string, ws []*models.Ward) []*models.Ward {
	if f := findWardInText(folded, ws); len(f.Wards) > 0 {
		return f.Wards
	}
	var toks []string
	for _, t := range strings.Fields(folded) {
		if !placeFillers[t] {
			toks = append(toks, t)
		}
	}
	if len(toks) == 0 {
		return nil
	}
	for _, k := range wardKindWords {
		if len(toks) > len(k) && slices.Equal(toks[:len(k)], k) {
			toks = toks[len(k):]
			break
		}
	}
	text := strings.Join(toks, " ")
	// Exact names first (the text may go on with the city's name), then
	// names within a typo or two.
	var exact []*models.Ward
	for _, w := range ws {
		name := models.WardFolded(w.Name)
		if text == name || strings.HasPrefix(text, name+" ") {
			exact = append(exact, w)
		}
	}
	if len(exact) > 0 {
		out, _ := byCity(exact, text)
		return out
	}
	best, bestD := []*models.Ward(nil), 1<<30
	squeezed := strings.ReplaceAll(text, " ", "")
	for _, w := range ws {
		name := strings.ReplaceAll(models.WardFolded(w.Name), " ", "")
		d := editDistance(squeezed, name)
		if d > typoBudget(len(name)) {
			continue
		}
		switch {
		case d < bestD:
			best, bestD = []*models.Ward{w}, d
		case d == bestD:
			best = append(best, w)
		}
	}
	return best
}

// typoBudget is how many edits a name of n letters tolerates.
func typoBudget(n int) int {
	switch {
	case n <= 3:
		return 0
	case n <= 7:
		return 1
	}
	return 2
}

// byCity keeps the wards whose city the text names (all of them when it
// names none), and drops the city's words from the text.
func byCity(ws []*models.Ward, text string) ([]*models.Ward, string) {
	toks := strings.Fields(text)
	var out []*models.Ward
	rest := text
	for _, w := range ws {
		city := strings.Fields(bareName(w.City, cityKindWords))
		if len(city) == 0 {
			continue
		}
		for i := 0; i+len(city) <= len(toks); i++ {
			if slices.Equal(toks[i:i+len(city)], city) {
				out = append(out, w)
				from := i
				for _, k := range cityKindWords {
					if i >= len(k) && slices.Equal(toks[i-len(k):i], k) {
						from = i - len(k)
						break
					}
				}
				rest = cutTokens(toks, from, i+len(city))
				break
			}
		}
	}
	if len(out) == 0 {
		return ws, text
	}
	return out, rest
}

// editDistance is the optimal-string-alignment distance of two
// ASCII-folded strings: insertions, deletions, substitutions and swaps of
// two neighbouring letters ("tein" for "tien") each count one.
func editDistance(a, b string) int {
	if a == b {
		return 0
	}
	d := make([][]int, len(a)+1)
	for i := range d {
		d[i] = make([]int, len(b)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(a)][len(b)]
}
