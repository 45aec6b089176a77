package sms

import (
	"fmt"
	"strings"

	"electionbot/bot"
	"electionbot/models"
)

// DefaultMaxGSM is the GSM-7 characters of one SMS (SMS_MAX_GSM).
const DefaultMaxGSM = 160

// gsmBasic is the GSM 03.38 default alphabet: one septet each.
const gsmBasic = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"

// gsmExtension are the characters of the extension table: an escape and
// the character, two septets each.
const gsmExtension = "^{}\\[~]|€\f"

// Septets is a rune's length in GSM-7 septets: 1 for the default
// alphabet, 2 for the extension table, 0 when GSM-7 cannot carry it.
func Septets(r rune) int {
	switch {
	case strings.ContainsRune(gsmBasic, r):
		return 1
	case strings.ContainsRune(gsmExtension, r):
		return 2
	}
	return 0
}

// GSMLength is the text's length in septets, and whether GSM-7 carries
// all of it.
func GSMLength(s string) (int, bool) {
	n, all := 0, true
	for _, r := range s {
		w := Septets(r)
		if w == 0 {
			all, w = false, 1
		}
		n += w
	}
	return n, all
}

// typography maps what GSM-7 lacks and a plain character says as well.
var typography = strings.NewReplacer(
	"‘", "'", "’", "'", "‚", "'", "“", `"`, "”", `"`, "„", `"`, "«", `"`, "»", `"`,
	"–", "-", "—", "-", "−", "-", "…", "...", "•", "-", "·", "-",
	"\u00a0", " ", "\t", " ", "\u200b", "", "\r\n", "\n",
)

// ToGSM folds a text to what GSM-7 carries: without diacritics (Vietnamese
// in GSM-7, as brandname SMS are written: "Hop bau Truong khu pho"),
// typographic quotes and dashes made plain, anything else GSM-7 lacks
// (emoji, other scripts) a '?'.
func ToGSM(s string) string {
	s = typography.Replace(models.Unaccent(s))
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		if Septets(r) == 0 {
			r = '?'
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Parts is what one message becomes on SMS: the text in GSM-7 (ToGSM),
// whole when it fits in maxGSM septets [DefaultMaxGSM], otherwise cut at
// line breaks or spaces into parts of at most maxGSM septets, each ending
// with its number (" (2/3)"). Each part is an SMS of its own (and a call
// to the gateway of its own): the cost of a message is len(Parts).
func Parts(text string, maxGSM int) []string {
	if maxGSM <= 0 {
		maxGSM = DefaultMaxGSM
	}
	g := strings.TrimSpace(ToGSM(text))
	if g == "" {
		return nil
	}
	if n, _ := GSMLength(g); n <= maxGSM {
		return []string{g}
	}
	septets := func(r rune) int { return max(1, Septets(r)) }
	// Room for the numbers: " (n/N)" is 6 septets up to 9 parts, 8 up to 99.
	for suffix := 6; ; suffix += 2 {
		room := maxGSM - suffix
		if room < 10 {
			return bot.SplitText(g, maxGSM, septets) // a tiny limit: no numbers
		}
		parts := bot.SplitText(g, room, septets)
		if len(fmt.Sprintf(" (%d/%d)", len(parts), len(parts))) > suffix {
			continue
		}
		for i := range parts {
			parts[i] += fmt.Sprintf(" (%d/%d)", i+1, len(parts))
		}
		return parts
	}
}
