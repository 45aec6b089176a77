package telegram

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf16"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"electionbot/bot"
)

// Call is one Bot API request, as stored in the outbox.
type Call struct {
	Method string            `json:"method"`
	Params map[string]string `json:"params"`
	File   *File             `json:"file,omitempty"`
}

// File is an upload of a Call (multipart field Field).
type File struct {
	Field string `json:"field"`
	Name  string `json:"name"`
	Data  []byte `json:"data"`
}

// Telegram's limits.
const (
	maxText         = 4096 // characters (UTF-16 units) of a message after entity parsing
	maxCaption      = 1024
	maxCallbackData = 64 // bytes
	textChunk       = 4000
)

// keyboardOnly is the text of a message that only carries a keyboard (the
// handlers gave no text): Telegram needs some text.
const keyboardOnly = "👇"

// captionLimit is the longest photo caption Telegram takes (characters
// after entity parsing; counted here before escaping, in UTF-16 units).
const captionLimit = 1024

var htmlEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// Escape makes plain text safe in HTML parse mode.
func Escape(s string) string { return htmlEscaper.Replace(s) }

// Encode turns one Outgoing into the API calls that show it in chatID
// (Outgoing.ChatID wins when set): text as HTML with everything escaped,
// split at Telegram's length limit; the location pin; the document; the
// keyboard (or its removal) on the last of them. An error reports buttons
// that were dropped (callback data over 64 bytes); the calls are still
// usable.
func Encode(chatID string, o bot.Outgoing) ([]Call, error) {
	if o.ChatID != "" {
		chatID = o.ChatID
	}
	var calls []Call
	text := o.Text
	if o.Photo != "" {
		// A photo of the signed minutes, by the file_id Telegram gave when it
		// was sent to the bot; a short text rides along as its caption.
		p := map[string]string{"chat_id": chatID, "photo": o.Photo}
		if utf16Len(text) <= captionLimit {
			if text != "" {
				p["caption"], p["parse_mode"] = Escape(text), "HTML"
			}
			text = ""
		}
		calls = append(calls, Call{Method: "sendPhoto", Params: p})
	}
	for _, chunk := range bot.SplitText(text, textChunk, utf16.RuneLen) {
		calls = append(calls, Call{Method: "sendMessage", Params: map[string]string{
			"chat_id":                  chatID,
			"text":                     Escape(chunk),
			"parse_mode":               "HTML",
			"disable_web_page_preview": "true",
		}})
	}
	if l := o.Location; l != nil {
		p := map[string]string{
			"chat_id":   chatID,
			"latitude":  strconv.FormatFloat(l.Lat, 'f', -1, 64),
			"longitude": strconv.FormatFloat(l.Lon, 'f', -1, 64),
		}
		method := "sendLocation"
		if strings.TrimSpace(l.Title) != "" && strings.TrimSpace(l.Address) != "" {
			// A venue is a pin with the place's name and address.
			method = "sendVenue"
			p["title"], p["address"] = l.Title, l.Address
		}
		calls = append(calls, Call{Method: method, Params: p})
	}
	if d := o.Document; d != nil {
		calls = append(calls, Call{Method: "sendDocument",
			Params: map[string]string{"chat_id": chatID},
			File:   &File{Field: "document", Name: d.Name, Data: d.Data}})
	}
	markup, err := replyMarkup(o)
	if markup != "" {
		if len(calls) == 0 {
			calls = append(calls, Call{Method: "sendMessage", Params: map[string]string{
				"chat_id": chatID, "text": keyboardOnly,
			}})
		}
		calls[len(calls)-1].Params["reply_markup"] = markup
	}
	return calls, err
}

func replyMarkup(o bot.Outgoing) (string, error) {
	var v any
	var dropped []string
	switch {
	case o.Keyboard != nil && len(o.Keyboard.Rows) > 0 && o.Keyboard.Inline:
		var rows [][]tgbotapi.InlineKeyboardButton
		for _, r := range o.Keyboard.Rows {
			var row []tgbotapi.InlineKeyboardButton
			for _, b := range r {
				data := b.Data
				if data == "" {
					data = b.Text
				}
				if len(data) > maxCallbackData || data == "" || b.Text == "" {
					dropped = append(dropped, b.Text)
					continue
				}
				row = append(row, tgbotapi.NewInlineKeyboardButtonData(b.Text, data))
			}
			if len(row) > 0 {
				rows = append(rows, row)
			}
		}
		if len(rows) > 0 {
			v = tgbotapi.InlineKeyboardMarkup{InlineKeyboard: rows}
		}
	case o.Keyboard != nil && len(o.Keyboard.Rows) > 0:
		kb := tgbotapi.ReplyKeyboardMarkup{ResizeKeyboard: true}
		for _, r := range o.Keyboard.Rows {
			var row []tgbotapi.KeyboardButton
			for _, b := range r {
				if b.Text == "" {
					continue
				}
				row = append(row, tgbotapi.KeyboardButton{Text: b.Text, RequestContact: b.RequestContact, RequestLocation: b.RequestLocation})
				if b.RequestContact {
					kb.OneTimeKeyboard = true // the keyboard goes once the number is shared
				}
			}
			if len(row) > 0 {
				kb.Keyboard = append(kb.Keyboard, row)
			}
		}
		if len(kb.Keyboard) > 0 {
			v = kb
		}
	case o.RemoveKeyboard:
		v = tgbotapi.NewRemoveKeyboard(false)
	}
	var err error
	if len(dropped) > 0 {
		err = fmt.Errorf("telegram: %d inline buttons dropped (callback data empty or over %d bytes): %q", len(dropped), maxCallbackData, dropped)
	}
	if v == nil {
		return "", err
	}
	raw, jerr := json.Marshal(v)
	if jerr != nil {
		return "", jerr
	}
	return string(raw), err
}

// AnswerCallback acknowledges a button press (stops its spinner).
func AnswerCallback(callbackID string) Call {
	return Call{Method: "answerCallbackQuery", Params: map[string]string{"callback_query_id": callbackID}}
}

// EditChoice shows which button of a message was pressed and removes its
// inline keyboard, so a choice or a confirmation cannot be made twice: the
// message's text gets "✓ label" appended (editMessageText); a message
// without text only loses its buttons (editMessageReplyMarkup).
func EditChoice(m *tgbotapi.Message, label string) (Call, bool) {
	if m == nil || m.Chat == nil || m.ReplyMarkup == nil || len(m.ReplyMarkup.InlineKeyboard) == 0 {
		return Call{}, false
	}
	p := map[string]string{
		"chat_id":    strconv.FormatInt(m.Chat.ID, 10),
		"message_id": strconv.Itoa(m.MessageID),
	}
	if m.Text == "" || label == "" {
		p["reply_markup"] = `{"inline_keyboard":[]}`
		return Call{Method: "editMessageReplyMarkup", Params: p}, true
	}
	text := m.Text + "\n\n✓ " + label
	if utf16Len(text) > maxText {
		p["reply_markup"] = `{"inline_keyboard":[]}`
		return Call{Method: "editMessageReplyMarkup", Params: p}, true
	}
	p["text"] = Escape(text)
	p["parse_mode"] = "HTML"
	p["disable_web_page_preview"] = "true"
	return Call{Method: "editMessageText", Params: p}, true
}

func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}
