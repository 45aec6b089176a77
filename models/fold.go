package models

import (
	"strings"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// foldChain decomposes, drops combining marks (Vietnamese tone and vowel
// marks) and recomposes. đ/Đ is a letter of its own, not a mark, so it is
// mapped separately.
var foldChain = transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)

// Fold turns a name or phrase into its search key: lower-case, without
// diacritics, đ→d, every run of non-letters/non-digits collapsed to one space.
// "  Nguyễn  Văn-An " → "nguyen van an".
func Fold(s string) string {
	out, _, err := transform.String(foldChain, s)
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
