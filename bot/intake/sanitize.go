package intake

import (
	"strings"
	"unicode/utf8"

	"electionbot/bot"
)

// Lengths a channel string is cut to on intake, in characters. Telegram
// messages have at most 4096, Zalo's 2000; names, ids and callback data
// are far shorter on every channel. A longer string is an attack or a
// bug, and cutting it keeps every row and log line bounded.
const (
	MaxText     = 4096
	MaxName     = 128
	MaxID       = 128
	MaxCallback = 256
	MaxRef      = 2048 // a photo's file id or URL
	MaxShort    = 256  // a phone, a language tag, a place's title or address
)

// Clean is s as the bot stores and logs it: valid UTF-8, without NUL and
// the other control characters (a tab and a newline stay), without
// Unicode noncharacters, and at most max characters. PostgreSQL refuses
// a NUL in text (SQLSTATE 22021): one "A\u0000B" display name made every
// delivery of its update fail, and the provider redelivered it for ever.
func Clean(s string, max int) string {
	if cleanAlready(s, max) {
		return s
	}
	s = strings.ToValidUTF8(s, "")
	var b strings.Builder
	n := 0
	for _, r := range s {
		if dropRune(r) {
			continue
		}
		if n == max {
			break
		}
		b.WriteRune(r)
		n++
	}
	return b.String()
}

// cleanAlready is the common case, checked without building a copy.
func cleanAlready(s string, max int) bool {
	if !utf8.ValidString(s) || len(s) > max && utf8.RuneCountInString(s) > max {
		return false
	}
	for _, r := range s {
		if dropRune(r) {
			return false
		}
	}
	return true
}

// dropRune: C0 controls but tab and newline, DEL, C1 controls, and the
// noncharacters (U+FDD0–U+FDEF, U+xxFFFE, U+xxFFFF).
func dropRune(r rune) bool {
	switch {
	case r == '\t' || r == '\n':
		return false
	case r < 0x20 || r >= 0x7f && r < 0xa0:
		return true
	case r >= 0xfdd0 && r <= 0xfdef, r&0xfffe == 0xfffe:
		return true
	}
	return false
}

// CleanIncoming cleans every string of in (Clean, with the limits above).
func CleanIncoming(in *bot.Incoming) {
	in.Channel = Clean(in.Channel, MaxShort)
	in.UserID = Clean(in.UserID, MaxID)
	in.ChatID = Clean(in.ChatID, MaxID)
	in.Name = strings.TrimSpace(Clean(in.Name, MaxName))
	in.Lang = Clean(in.Lang, MaxShort)
	in.Text = Clean(in.Text, MaxText)
	in.Callback = Clean(in.Callback, MaxCallback)
	in.PhotoRef = Clean(in.PhotoRef, MaxRef)
	if in.Contact != nil {
		c := *in.Contact
		c.Phone = Clean(c.Phone, MaxShort)
		in.Contact = &c
	}
	if in.Location != nil {
		l := *in.Location
		l.Title, l.Address = Clean(l.Title, MaxShort), Clean(l.Address, MaxShort)
		in.Location = &l
	}
}
