package tally

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"electionbot/models"
)

type tokKind uint8

const (
	tokWord    tokKind = iota
	tokNum             // a number within bounds
	tokBad             // a malformed, negative or too large number
	tokPercent         // a number followed by %
	tokSep             // a separator of pairs
)

type token struct {
	kind       tokKind
	w          string // folded word (tokWord)
	n          int    // value (tokNum)
	start, end int    // bytes of the text
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isSeparator(r rune) bool {
	switch r {
	case ',', ';', '.', '!', '?', '|', '/', '\\', '\n', '\r', '•', '…', '，', '；', '。':
		return true
	}
	return false
}

// tokens splits a message into words, numbers and separators.
func tokens(text string) []token {
	toks := make([]token, 0, 32)
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRuneInString(text[i:])
		switch {
		case r < utf8.RuneSelf && isDigit(byte(r)):
			toks, i = numberTokens(text, i, i, toks)
		case (r == '-' || r == '−') && i+size < len(text) && isDigit(text[i+size]) && negContext(text, i):
			toks, i = numberTokens(text, i, i+size, toks)
		case unicode.IsLetter(r) || unicode.IsMark(r):
			j := i + size
			for j < len(text) {
				r2, s2 := utf8.DecodeRuneInString(text[j:])
				if !unicode.IsLetter(r2) && !unicode.IsMark(r2) {
					break
				}
				j += s2
			}
			for _, w := range strings.Fields(models.Fold(text[i:j])) {
				toks = append(toks, token{kind: tokWord, w: w, start: i, end: j})
			}
			i = j
		case isSeparator(r):
			toks = append(toks, token{kind: tokSep, start: i, end: i + size})
			i += size
		default: // spaces, ':', '=', '-', brackets, quotes, emoji…
			i += size
		}
	}
	return toks
}

// negContext: a minus at i starts a negative number when it follows
// the start, a space or a binder (not "kp-1" or "1-2").
func negContext(text string, i int) bool {
	if i == 0 {
		return true
	}
	r, _ := utf8.DecodeLastRuneInString(text[:i])
	return unicode.IsSpace(r) || strings.ContainsRune(":=(,;", r)
}

// numberTokens reads the number whose digits start at d (start < d
// when a minus sign precedes it) and returns the tokens and the end.
func numberTokens(text string, start, d int, toks []token) ([]token, int) {
	j := d
	for j < len(text) && isDigit(text[j]) {
		j++
	}
	type group struct{ s, e int }
	groups := []group{{d, j}}
	var seps []byte
	for j+1 < len(text) && (text[j] == '.' || text[j] == ',') && isDigit(text[j+1]) {
		seps = append(seps, text[j])
		k := j + 1
		for k < len(text) && isDigit(text[k]) {
			k++
		}
		groups = append(groups, group{j + 1, k})
		j = k
	}
	// A percentage: skip it whole.
	k := j
	for k < len(text) && (text[k] == ' ' || text[k] == '\t') {
		k++
	}
	if k < len(text) && text[k] == '%' {
		return append(toks, token{kind: tokPercent, start: start, end: k + 1}), k + 1
	}
	if start < d { // negative
		return append(toks, token{kind: tokBad, start: start, end: j}), j
	}
	value := func(s string) (int, bool) {
		s = strings.TrimLeft(s, "0")
		if len(s) > 8 {
			return 0, false
		}
		if s == "" {
			return 0, true
		}
		n, err := strconv.Atoi(s)
		return n, err == nil && n <= MaxNumber
	}
	num := func(s string, a, b int) token {
		if n, ok := value(s); ok {
			return token{kind: tokNum, n: n, start: a, end: b}
		}
		return token{kind: tokBad, start: a, end: b}
	}
	if len(seps) == 0 {
		return append(toks, num(text[d:j], d, j)), j
	}
	same, thousands := true, groups[0].e-groups[0].s <= 3
	for i, g := range groups[1:] {
		same = same && seps[i] == seps[0]
		thousands = thousands && g.e-g.s == 3
	}
	if same && thousands {
		var b strings.Builder
		for _, g := range groups {
			b.WriteString(text[g.s:g.e])
		}
		return append(toks, num(b.String(), d, j)), j
	}
	if same && seps[0] == ',' { // commas between numbers: separators
		for i, g := range groups {
			if i > 0 {
				toks = append(toks, token{kind: tokSep, start: g.s - 1, end: g.s})
			}
			toks = append(toks, num(text[g.s:g.e], g.s, g.e))
		}
		return toks, j
	}
	return append(toks, token{kind: tokBad, start: d, end: j}), j // 28.5, 1.234,5
}
