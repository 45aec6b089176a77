package models

import "strings"

// NormalizePhone turns a Vietnamese phone number as people write it
// ("0912 345 678", "+84.912.345.678", "84912345678") into E.164
// ("+84912345678"). Numbers with another country code are kept in E.164.
// It returns an EINVALID error for anything that is not a phone number.
func NormalizePhone(s string) (string, error) {
	var d strings.Builder
	plus := false
	for i, r := range strings.TrimSpace(s) {
		switch {
		case r >= '0' && r <= '9':
			d.WriteRune(r)
		case r == '+' && i == 0:
			plus = true
		case r == ' ' || r == '.' || r == '-' || r == '(' || r == ')':
		default:
			return "", Errorf(EINVALID, "phone %q has a character that is not a digit", s)
		}
	}
	digits := d.String()
	switch {
	case plus:
		// already international
	case strings.HasPrefix(digits, "00"):
		digits = digits[2:]
	case strings.HasPrefix(digits, "84") && len(digits) >= 11:
		// 84912345678: country code without '+'
	case strings.HasPrefix(digits, "0"):
		digits = "84" + digits[1:]
	default:
		return "", Errorf(EINVALID, "phone %q is not a Vietnamese number (0… or +84…)", s)
	}
	if strings.HasPrefix(digits, "84") {
		// Vietnamese numbers have 9 or 10 digits after the country code
		// (mobile 9, some landlines 10).
		if n := len(digits) - 2; n < 9 || n > 10 || digits[2] == '0' {
			return "", Errorf(EINVALID, "phone %q does not have the length of a Vietnamese number", s)
		}
	} else if len(digits) < 8 || len(digits) > 15 {
		return "", Errorf(EINVALID, "phone %q is not an international number", s)
	}
	return "+" + digits, nil
}

// MaskPhone shows a phone number the way an audit row keeps it: the
// country code and the last three digits ("+84912345678" →
// "+84******678"), enough to tell two designations apart, not to call
// anyone. An official's designated number is personal data (Decree
// 13/2023): the grant keeps it in clear only as long as it waits to be
// claimed, the audit never.
func MaskPhone(p string) string {
	digits := strings.TrimPrefix(p, "+")
	head := ""
	if strings.HasPrefix(p, "+84") {
		head, digits = "+84", digits[2:]
	} else if strings.HasPrefix(p, "+") {
		head = "+"
	}
	if len(digits) <= 3 {
		return head + strings.Repeat("*", len(digits))
	}
	return head + strings.Repeat("*", len(digits)-3) + digits[len(digits)-3:]
}
