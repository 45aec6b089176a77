package models

import (
	"strings"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// Phone84 turns a phone from the voter list ("0912 345 678",
// "+84 912…") into the form Zalo ZNS and Vietnamese SMS gateways take:
// the digits with the country code and no '+' ("84912345678"). A number
// that is not Vietnamese, or not a number, is an EINVALID error: ZNS and
// brandname SMS reach Vietnamese subscribers only.
func Phone84(s string) (string, error) {
	e164, err := NormalizePhone(s)
	if err != nil {
		return "", err
	}
	if !strings.HasPrefix(e164, "+84") {
		return "", Errorf(EINVALID, "phone %q is not a Vietnamese number", s)
	}
	return e164[1:], nil
}

// Unaccent removes the diacritics of a text and keeps everything else
// (case, punctuation, line breaks): "Họp bầu Trưởng khu phố" → "Hop bau
// Truong khu pho", đ/Đ → d/D. What a text message without Unicode
// carries (SMS in GSM-7: 160 characters instead of 70).
func Unaccent(s string) string {
	chain := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	out, _, err := transform.String(chain, s)
	if err != nil {
		out = s
	}
	return strings.NewReplacer("đ", "d", "Đ", "D").Replace(out)
}
