package tally

import (
	"slices"
	"strings"
	"unicode/utf8"
)

func nameWords(r []token) []string {
	lo, hi := nameSpan(r)
	ws := make([]string, 0, hi-lo)
	for _, t := range r[lo:hi] {
		ws = append(ws, t.w)
	}
	return ws
}

func nameSpan(r []token) (lo, hi int) {
	lo, hi = 0, len(r)
	word := func(i int) string { return r[i].w }
	for hi-lo > 1 {
		if hi-lo > 2 && honorifics[word(lo)+" "+word(lo+1)] {
			lo += 2
		} else if honorifics[word(lo)] {
			lo++
		} else {
			break
		}
	}
	for hi-lo > 1 {
		if hi-lo > 2 && nameTrailers[word(hi-2)+" "+word(hi-1)] {
			hi -= 2
		} else if nameTrailers[word(hi-1)] {
			hi--
		} else {
			break
		}
	}
	return lo, hi
}

// nameMatch returns the candidates a typed name means, best tier
// first: 1 the exact folded name; 2 a close one (every word within one
// edit, at most two edits in all; or the whole name within one edit when
// it has 6+ letters, two when 12+); 3 the last word(s) of the name exactly
// ("An", "Văn An"). Only the best tier with any match counts; more than
// one match there is ambiguous.
func nameMatch(words []string, cands []cand) ([]cand, int) {
	typed := strings.Join(words, " ")
	var tiers [4][]cand
	for _, c := range cands {
		name := c.joined
		switch {
		case typed == name:
			tiers[1] = append(tiers[1], c)
		case nameClose(words, c.words, typed, name):
			tiers[2] = append(tiers[2], c)
		case len(words) < len(c.words) && slices.Equal(words, c.words[len(c.words)-len(words):]):
			tiers[3] = append(tiers[3], c)
		}
	}
	for t := 1; t <= 3; t++ {
		if len(tiers[t]) > 0 {
			return tiers[t], t
		}
	}
	return nil, 0
}

func nameClose(words, name []string, typed, joined string) bool {
	if len(words) == len(name) {
		total := 0
		for i := range words {
			d := levenshtein(words[i], name[i], 2)
			if d > 1 {
				total = 3
				break
			}
			total += d
		}
		if total <= 2 {
			return true
		}
	}
	n := utf8.RuneCountInString(joined)
	if n < 6 {
		return false
	}
	limit := 1
	if n >= 12 {
		limit = 2
	}
	return levenshtein(typed, joined, limit) <= limit
}

// levenshtein is the edit distance of a and b in runes, or limit+1 when it
// is more than limit.
func levenshtein(a, b string, limit int) int {
	ra, rb := []rune(a), []rune(b)
	if d := len(ra) - len(rb); d > limit || -d > limit {
		return limit + 1
	}
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		low := cur[0]
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			low = min(low, cur[j])
		}
		if low > limit {
			return limit + 1
		}
		prev, cur = cur, prev
	}
	return min(prev[len(rb)], limit+1)
}

// resolve turns the items into the Parsed: the area, then names within
// its candidates, duplicates, the method.
