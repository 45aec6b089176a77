package bot

import "strings"

// SplitText cuts text into messages of at most limit units of a channel's
// length measure, width giving the units of one rune (Telegram counts
// UTF-16 units, Zalo characters; nil: one a rune). It cuts at the last
// line break that fits, else at the last space, else anywhere between
// runes. Blank text gives no pieces.
func SplitText(text string, limit int, width func(rune) int) []string {
	if width == nil {
		width = func(rune) int { return 1 }
	}
	text = strings.TrimRight(text, " \n\t")
	if strings.TrimSpace(text) == "" {
		return nil
	}
	var out []string
	for textWidth(text, width) > limit {
		cut := prefixLen(text, limit, width) // bytes of the longest prefix that fits
		at := strings.LastIndexByte(text[:cut], '\n')
		if at <= 0 {
			at = strings.LastIndexByte(text[:cut], ' ')
		}
		if at <= 0 {
			at = cut
		}
		if piece := strings.TrimRight(text[:at], " \n"); piece != "" {
			out = append(out, piece)
		}
		text = strings.TrimLeft(text[at:], " \n")
	}
	if text != "" {
		out = append(out, text)
	}
	return out
}

func textWidth(s string, width func(rune) int) int {
	n := 0
	for _, r := range s {
		n += width(r)
	}
	return n
}

// prefixLen is the length in bytes of the longest prefix of s of at most
// limit units.
func prefixLen(s string, limit int, width func(rune) int) int {
	n := 0
	for i, r := range s {
		w := width(r)
		if n+w > limit {
			return i
		}
		n += w
	}
	return len(s)
}
