package telegramtest

import (
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf16"
)

// What the Bot API refuses in a message: no chat, an empty or too long
// text, HTML outside its subset, a bad keyboard.

func checkChat(c Call) (Reply, bool) {
	if c.Get("chat_id") == "" {
		return apiError(400, 400, "Bad Request: chat_id is empty", ""), true
	}
	return Reply{}, false
}

// checkText refuses what the real API refuses: an empty text, a text
// longer than limit after entity parsing, or HTML that does not parse.
func checkText(text, parseMode string, limit int) (Reply, bool) {
	plain := text
	if parseMode == "HTML" {
		p, err := parseHTML(text)
		if err != nil {
			return apiError(400, 400, "Bad Request: can't parse entities: "+err.Error(), ""), true
		}
		plain = p
	}
	if strings.TrimSpace(plain) == "" {
		return apiError(400, 400, "Bad Request: message text is empty", ""), true
	}
	if len(utf16.Encode([]rune(plain))) > limit {
		return apiError(400, 400, "Bad Request: message is too long", ""), true
	}
	return Reply{}, false
}

var allowedTags = map[string]bool{"b": true, "strong": true, "i": true, "em": true, "u": true, "ins": true,
	"s": true, "strike": true, "del": true, "a": true, "code": true, "pre": true, "span": true, "tg-spoiler": true, "blockquote": true}

// parseHTML checks Telegram's HTML subset and returns the plain text.
func parseHTML(s string) (string, error) {
	var b strings.Builder
	var stack []string
	for i := 0; i < len(s); {
		switch s[i] {
		case '<':
			j := strings.IndexByte(s[i:], '>')
			if j < 0 {
				return "", fmt.Errorf("unclosed start tag at byte offset %d", i)
			}
			tag := s[i+1 : i+j]
			closing := strings.HasPrefix(tag, "/")
			name := strings.TrimPrefix(tag, "/")
			if k := strings.IndexAny(name, " \t"); k >= 0 {
				name = name[:k]
			}
			if !allowedTags[name] {
				return "", fmt.Errorf("unsupported start tag %q at byte offset %d", name, i)
			}
			if closing {
				if len(stack) == 0 || stack[len(stack)-1] != name {
					return "", fmt.Errorf("unmatched end tag at byte offset %d", i)
				}
				stack = stack[:len(stack)-1]
			} else {
				stack = append(stack, name)
			}
			i += j + 1
		case '&':
			j := strings.IndexByte(s[i:], ';')
			if j < 0 {
				return "", fmt.Errorf("unsupported entity at byte offset %d", i)
			}
			ent := s[i : i+j+1]
			switch {
			case ent == "&lt;":
				b.WriteByte('<')
			case ent == "&gt;":
				b.WriteByte('>')
			case ent == "&amp;":
				b.WriteByte('&')
			case ent == "&quot;":
				b.WriteByte('"')
			case strings.HasPrefix(ent, "&#"):
				b.WriteByte('?')
			default:
				return "", fmt.Errorf("unsupported entity %q at byte offset %d", ent, i)
			}
			i += j + 1
		default:
			b.WriteByte(s[i])
			i++
		}
	}
	if len(stack) > 0 {
		return "", fmt.Errorf("can't find end tag corresponding to start tag %q", stack[len(stack)-1])
	}
	return b.String(), nil
}

func checkMarkup(c Call) (Reply, bool) {
	raw := c.Get("reply_markup")
	if raw == "" {
		return Reply{}, false
	}
	var m struct {
		InlineKeyboard [][]struct {
			Text         string  `json:"text"`
			CallbackData *string `json:"callback_data"`
			URL          *string `json:"url"`
		} `json:"inline_keyboard"`
		Keyboard [][]struct {
			Text string `json:"text"`
		} `json:"keyboard"`
		RemoveKeyboard bool `json:"remove_keyboard"`
	}
	if err := json.Unmarshal([]byte(raw), &m); err != nil {
		return apiError(400, 400, "Bad Request: can't parse reply keyboard markup JSON object", ""), true
	}
	for _, row := range m.InlineKeyboard {
		for _, b := range row {
			if b.Text == "" {
				return apiError(400, 400, "Bad Request: text buttons are unallowed in the inline keyboard", ""), true
			}
			if (b.CallbackData == nil || len(*b.CallbackData) == 0 || len(*b.CallbackData) > 64) && b.URL == nil {
				return apiError(400, 400, "Bad Request: BUTTON_DATA_INVALID", ""), true
			}
		}
	}
	for _, row := range m.Keyboard {
		for _, b := range row {
			if b.Text == "" {
				return apiError(400, 400, "Bad Request: keyboard button text is empty", ""), true
			}
		}
	}
	return Reply{}, false
}
