package handlers

import (
	"strings"

	"electionbot/models"
)

// A phone number typed as text ("0912345678", "sdt cua toi la 0912 345
// 678") is never looked up: anyone can type anyone's number, and the
// voter list would then tell who lives where. Only the number shared with
// the channel's contact button, which the channel vouches for as the
// sender's own, is (lookup.byPhone). The resident is told so and shown
// the button.

// typedPhone finds a Vietnamese phone number in a text: 9 to 12 digits,
// possibly separated by spaces, dots or dashes, that normalise to a +84
// number (models.NormalizePhone); "" when there is none.
func typedPhone(text string) string {
	var run strings.Builder
	digits := 0
	end := func() string { // the run so far, if it is a phone
		p := ""
		if digits >= 9 && digits <= 12 {
			if n, err := models.NormalizePhone(run.String()); err == nil && strings.HasPrefix(n, "+84") {
				p = n
			}
		}
		run.Reset()
		digits = 0
		return p
	}
	for _, r := range text {
		switch {
		case r >= '0' && r <= '9':
			run.WriteRune(r)
			digits++
		case r == '+' && digits == 0:
			run.Reset()
			run.WriteRune(r)
		case digits > 0 && (r == ' ' || r == '.' || r == '-'):
		default:
			if p := end(); p != "" {
				return p
			}
		}
	}
	return end()
}

// phoneTyped explains why a typed number is not looked up, and offers the
// button that shares the contact's own.
func (l *lookup) phoneTyped() error {
	l.clearState()
	l.reply(l.tr("phone_typed", nil), l.checkKeyboard())
	return nil
}
