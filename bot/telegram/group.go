package telegram

import (
	"context"
	"strings"
	"sync"
	"unicode"

	"electionbot/bot"
	"electionbot/locales"
	"electionbot/models"
)

// In a group everyone reads the bot's answers. Public questions (the
// date, the polling place, the candidates, the rules, the results) are
// answered there; what is personal — a voter-list lookup, a phone number,
// a location, a photo of the minutes, choosing one's area or reminders —
// is answered by a short text in the group asking the person to write to
// the bot privately, with a link, and never reaches the handlers. Replies
// the handlers address to a contact (broadcasts, reminders, role notices)
// always go to the contact's private chat (models.EnsureContact).

// privateCommands are the residents' commands that are about the person
// (both languages, as in menu). The officials' commands reach the
// handlers, which answer them off_private_only in a group.
var privateCommands = map[string]bool{
	"tracuu": true, "check": true, // a voter-list lookup
	"khupho": true, "area": true, // choosing one's area
	"nhacnho": true, "remind": true, // reminders to the person
}

// privateButtons are the kinds of callback data (handlers/routes.go)
// that are about the person.
var privateButtons = map[string]bool{"area": true, "place": true, "rem": true}

// privateOnly tells whether a group message is personal.
func privateOnly(in *bot.Incoming) bool {
	if in.Contact != nil || in.Location != nil || in.PhotoRef != "" {
		return true
	}
	if in.Callback != "" {
		// A button the bot posted in the group: choosing one's area or
		// polling place, or reminders, is about the person.
		kind, _, _ := strings.Cut(in.Callback, ":")
		return privateButtons[kind]
	}
	text := strings.TrimSpace(in.Text)
	if cmd, ok := strings.CutPrefix(text, "/"); ok {
		cmd, _, _ = strings.Cut(cmd, " ")
		return privateCommands[strings.ToLower(cmd)]
	}
	// A year of birth, a household number or a phone: a lookup.
	return strings.IndexFunc(text, unicode.IsDigit) >= 0
}

// groupTexts are the catalogs of groupAnswer, loaded once.
var groupTexts = sync.OnceValues(func() (*locales.Localizers, error) {
	b, err := locales.NewBundle()
	if err != nil {
		return nil, err
	}
	return locales.NewLocalizers(b, "vi"), nil
})

// groupAnswer is the text that sends a personal group message to the
// private chat, in the sender's language.
func (c *Channel) groupAnswer(in *bot.Incoming) (*models.OutboxMessage, error) {
	locs, err := groupTexts()
	if err != nil {
		return nil, err
	}
	lang := in.Lang
	if lang != "vi" && lang != "en" {
		lang = c.cfg.DefaultLang
	}
	link := "https://t.me/" + c.self.Username
	text, err := locs.Localize(lang, "privacy_group_private", map[string]any{"Link": link})
	if err != nil {
		return nil, err
	}
	calls, err := Encode(in.ChatID, bot.Outgoing{Text: text})
	if err != nil || len(calls) == 0 {
		return nil, err
	}
	return c.row(in.ChatID, models.OutboxReply, calls[0]), nil
}

// groupGate answers a personal group message itself: the handlers do not
// see it.
func (c *Channel) groupGate(in *bot.Incoming) func(context.Context, *models.Store, *bot.Incoming) ([]*models.OutboxMessage, error) {
	return func(context.Context, *models.Store, *bot.Incoming) ([]*models.OutboxMessage, error) {
		row, err := c.groupAnswer(in)
		if err != nil || row == nil {
			return nil, err
		}
		return []*models.OutboxMessage{row}, nil
	}
}
