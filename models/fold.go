package models

import (
	"strings"
	"sync"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// foldChains hold transformers that decompose, drop combining marks
// (Vietnamese tone and vowel marks) and recompose. đ/Đ is a letter of its
// own, not a mark, so it is mapped separately. A chain keeps state between
// calls, so each caller takes one of its own: Fold runs in many requests at
// once (sharing one chain crashed concurrent webhook requests).
var foldChains = sync.Pool{New: func() any {
	return transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
}}

// Fold turns a name or phrase into its search key: lower-case, without
// diacritics, đ→d, every run of non-letters/non-digits collapsed to one space.
// "  Nguyễn  Văn-An " → "nguyen van an".
func Fold(s string) string {
	chain := foldChains.Get().(transform.Transformer)
	out, _, err := transform.String(chain, s)
	foldChains.Put(chain)
	if err != nil {
		out = s
	}
	var b strings.Builder
	b.Grow(len(out))
	space := false
	for _, r := range out {
		switch {
		case r == 'đ' || r == 'Đ':
			r = 'd'
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			r = unicode.ToLower(r)
		default:
			space = b.Len() > 0
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	return b.String()
}

// squeezeSpaces trims s and turns every run of white space into one space
// (strings.Fields, joined), returning s itself when it is already so.
func squeezeSpaces(s string) string {
	clean := true
	prevSpace := true
	for _, r := range s {
		sp := r == ' '
		if r == '\t' || r == '\n' || r == '\r' || r == '\v' || r == '\f' || r == 0x85 || r == 0xA0 || (r > 0xff && isSpace(r)) || (sp && prevSpace) {
			clean = false
			break
		}
		prevSpace = sp
	}
	if clean && !prevSpace {
		return s
	}
	return strings.Join(strings.Fields(s), " ")
}

func isSpace(r rune) bool {
	return strings.ContainsRune("\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000", r)
}

// romanNumerals maps i…xxxix to 1…39 (area numbers written in roman
// numerals: "khu phố IV").
var romanNumerals = func() map[string]int {
	m := map[string]int{}
	units := []string{"", "i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix"}
	tens := []string{"", "x", "xx", "xxx"}
	for t := range tens {
		for u := range units {
			if n := 10*t + u; n > 0 {
				m[tens[t]+units[u]] = n
			}
		}
	}
	return m
}()

// RomanNumeral parses a folded (lower-case) roman numeral from i to xxxix.
func RomanNumeral(s string) (int, bool) {
	n, ok := romanNumerals[s]
	return n, ok
}
