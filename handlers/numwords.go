package handlers

// Numbers written in words, as residents type them (folded): "khu hai",
// "thôn mười một", "khu phố hai mươi mốt", "tổ hai lăm", "area two", and
// a birth year spelled out digit by digit ("một chín sáu mốt") or in full
// ("một nghìn chín trăm sáu mươi mốt").

// vnDigits are the Vietnamese digit words, folded. "tư" (4) and "lăm",
// "nhăm" (5) are the forms used after a ten ("hai mươi tư", "mười lăm");
// "mốt" (1) folds to "mot" like "một".
var vnDigits = map[string]int{
	"khong": 0, "mot": 1, "hai": 2, "ba": 3, "bon": 4, "tu": 4, "nam": 5, "lam": 5, "nham": 5,
	"sau": 6, "bay": 7, "tam": 8, "chin": 9,
}

// tenTails are the unit words that follow a ten with "mươi" left out:
// "hai mốt" (21), "ba tư" (34), "hai lăm" (25) — spoken forms that only
// ever mean a number.
var tenTails = map[string]int{"mot": 1, "tu": 4, "lam": 5, "nham": 5}

// enNumbers are English number words up to twenty, and the tens.
var enNumbers = map[string]int{
	"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
	"ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
	"seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
}

// wordNumber reads a number from 1 to 99 written in Vietnamese words at
// toks[i:]; n is the number, used the number of tokens read (0: none).
func wordNumber(toks []string, i int) (n, used int) {
	if i >= len(toks) {
		return 0, 0
	}
	unitAt := func(j int) (int, bool) {
		if j >= len(toks) {
			return 0, false
		}
		d, ok := vnDigits[toks[j]]
		return d, ok && d > 0
	}
	if toks[i] == "muoi" { // mười, mười một, mười lăm
		if u, ok := unitAt(i + 1); ok {
			return 10 + u, 2
		}
		return 10, 1
	}
	d, ok := unitAt(i)
	if !ok || toks[i] == "lam" || toks[i] == "nham" {
		return 0, 0
	}
	if i+1 < len(toks) && toks[i+1] == "muoi" && d >= 2 { // hai mươi, hai mươi mốt
		if u, ok := unitAt(i + 2); ok {
			return 10*d + u, 3
		}
		return 10 * d, 2
	}
	if i+1 < len(toks) && d >= 2 { // hai mốt, ba lăm
		if u, ok := tenTails[toks[i+1]]; ok {
			return 10*d + u, 2
		}
	}
	return d, 1
}

// enWordNumber reads an English number from 1 to 59 at toks[i:]
// ("two", "twenty one").
func enWordNumber(toks []string, i int) (n, used int) {
	if i >= len(toks) {
		return 0, 0
	}
	n, ok := enNumbers[toks[i]]
	if !ok {
		return 0, 0
	}
	if n >= 20 && i+1 < len(toks) {
		if u, ok := enNumbers[toks[i+1]]; ok && u < 10 {
			return n + u, 2
		}
	}
	return n, 1
}

// spelledYear reads a year written in words at toks[i:]: digit by digit
// ("một chín sáu mốt", "mot chin bay lam"), in full ("một nghìn chín trăm
// sáu mươi mốt", "hai nghìn không trăm linh năm"), or two digits ("sáu
// mốt", "bảy mươi lăm"); n is the number as written (61 for "sáu mốt":
// the century is the caller's), used the tokens read.
func spelledYear(toks []string, i int) (n, used int) {
	// Digit by digit: exactly four digit words.
	if i+4 <= len(toks) {
		v, ok := 0, true
		for _, w := range toks[i : i+4] {
			d, isDigit := vnDigits[w]
			if !isDigit {
				ok = false
				break
			}
			v = 10*v + d
		}
		if ok && v >= 1000 {
			return v, 4
		}
	}
	// In full: [d nghìn] [d trăm] [linh d | tens].
	j, v := i, 0
	if d, ok := vnDigits[tokAt(toks, j)]; ok && d > 0 && isThousand(tokAt(toks, j+1)) {
		v, j = 1000*d, j+2
		if d, ok := vnDigits[tokAt(toks, j)]; ok && tokAt(toks, j+1) == "tram" {
			v, j = v+100*d, j+2
		}
		if w := tokAt(toks, j); w == "linh" || w == "le" {
			if d, ok := vnDigits[tokAt(toks, j+1)]; ok && d > 0 {
				return v + d, j + 2 - i
			}
			return 0, 0
		}
		if n, u := wordNumber(toks, j); u > 0 {
			return v + n, j + u - i
		}
		return v, j - i
	}
	// Two digits in words: "sáu mốt", "bảy mươi lăm", "năm tám" (58).
	if n, u := wordNumber(toks, i); u >= 2 {
		return n, u
	}
	if a, ok := vnDigits[tokAt(toks, i)]; ok && a > 0 {
		if b, ok := vnDigits[tokAt(toks, i+1)]; ok {
			return 10*a + b, 2
		}
	}
	return 0, 0
}

func isThousand(w string) bool { return w == "nghin" || w == "ngan" }

// tokAt is toks[i], or "" past the end.
func tokAt(toks []string, i int) string {
	if i < 0 || i >= len(toks) {
		return ""
	}
	return toks[i]
}
