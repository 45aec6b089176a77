package telegram

import (
	"strconv"
	"strings"
	"unicode"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"electionbot/bot"
	"electionbot/models"
)

// Update types, as counted in metrics.
const (
	TypeMessage       = "message"
	TypeEditedMessage = "edited_message"
	TypeCallback      = "callback_query"
	TypeMyChatMember  = "my_chat_member"
	TypeChannelPost   = "channel_post"
	TypeOther         = "other"
)

// Self is who the bot is (from getMe): commands "/cmd@Username" and
// mentions "@Username" in groups are addressed to it.
type Self struct {
	ID       int64
	Username string
}

// Update is what the channel makes of one Telegram update.
type Update struct {
	ID     int
	Type   string
	ChatID int64 // 0 if the update has no chat
	// In is what the handlers get; nil when the update is not for them (a
	// group message that neither commands nor mentions the bot, an edit, a
	// channel post…).
	In *bot.Incoming
	// CallbackID is the callback_query to answer (always answered).
	CallbackID string
	// CallbackMessage is the message whose inline button was pressed, and
	// CallbackLabel that button's text: the channel edits that message to
	// show the choice and remove the buttons.
	CallbackMessage *tgbotapi.Message
	CallbackLabel   string
	// Member is the bot's new status in a private chat (my_chat_member):
	// "kicked" when the user blocked the bot, "member" when unblocked.
	Member string
}

// Parse turns a wire update into an Update. It never fails: anything it
// does not understand has a nil In.
func Parse(u tgbotapi.Update, self Self) Update {
	out := Update{ID: u.UpdateID, Type: TypeOther}
	switch {
	case u.Message != nil:
		out.Type = TypeMessage
		if u.Message.Chat != nil {
			out.ChatID = u.Message.Chat.ID
		}
		out.In = fromMessage(u.Message, self)
	case u.CallbackQuery != nil:
		out.Type = TypeCallback
		fromCallback(u.CallbackQuery, &out)
	case u.EditedMessage != nil:
		out.Type = TypeEditedMessage
		if u.EditedMessage.Chat != nil {
			out.ChatID = u.EditedMessage.Chat.ID
		}
	case u.ChannelPost != nil || u.EditedChannelPost != nil:
		out.Type = TypeChannelPost
	case u.MyChatMember != nil:
		out.Type = TypeMyChatMember
		out.ChatID = u.MyChatMember.Chat.ID
		if u.MyChatMember.Chat.Type == "private" {
			out.Member = u.MyChatMember.NewChatMember.Status
		}
	}
	return out
}

func isGroup(c *tgbotapi.Chat) bool {
	return c != nil && (c.Type == "group" || c.Type == "supergroup")
}

func fromMessage(m *tgbotapi.Message, self Self) *bot.Incoming {
	if m.Chat == nil || m.From == nil || m.From.IsBot {
		return nil
	}
	if m.Chat.Type != "private" && !isGroup(m.Chat) {
		return nil // channels
	}
	in := &bot.Incoming{
		Channel: models.ChannelTelegram,
		UserID:  strconv.FormatInt(m.From.ID, 10),
		ChatID:  strconv.FormatInt(m.Chat.ID, 10),
		Name:    displayName(m.From),
		Lang:    baseLang(m.From.LanguageCode),
		Group:   isGroup(m.Chat),
	}
	text := m.Text
	if text == "" {
		text = m.Caption
	}
	text, command, mention := addressed(text, self)
	if !mention && m.ReplyToMessage != nil && m.ReplyToMessage.From != nil && m.ReplyToMessage.From.ID == self.ID {
		mention = true // a reply to the bot
	}
	for _, e := range append(append([]tgbotapi.MessageEntity{}, m.Entities...), m.CaptionEntities...) {
		if e.Type == "text_mention" && e.User != nil && e.User.ID == self.ID {
			mention = true
		}
	}
	if in.Group {
		if command == "other" || (!mention && command == "") {
			return nil // not for this bot
		}
		in.Mention = true
	}
	in.Text = text
	if c := m.Contact; c != nil {
		in.Contact = &bot.SharedContact{
			Phone: c.PhoneNumber,
			// Only the user's own number, shared with the contact button,
			// verifies anything: a forwarded card or someone else's does not.
			Own: c.UserID != 0 && c.UserID == m.From.ID && m.ForwardDate == 0 && m.ForwardFrom == nil,
		}
	}
	if len(m.Photo) > 0 {
		in.PhotoRef = largest(m.Photo).FileID
	} else if d := m.Document; d != nil && strings.HasPrefix(d.MimeType, "image/") {
		in.PhotoRef = d.FileID // a photo sent uncompressed, as a file
	} else if d != nil {
		// A voter list, an areas table, an election file…: fetched by
		// HandleUpdate (download.go) before the handler runs.
		in.File = &bot.File{Name: d.FileName, MIME: d.MimeType, Size: int64(d.FileSize), Ref: d.FileID}
	}
	switch {
	case m.Venue != nil:
		in.Location = &bot.Location{Lat: m.Venue.Location.Latitude, Lon: m.Venue.Location.Longitude,
			Title: m.Venue.Title, Address: m.Venue.Address}
	case m.Location != nil:
		in.Location = &bot.Location{Lat: m.Location.Latitude, Lon: m.Location.Longitude}
	}
	return in
}

func fromCallback(q *tgbotapi.CallbackQuery, out *Update) {
	out.CallbackID = q.ID
	if q.From == nil {
		return
	}
	chatID := q.From.ID
	group := false
	if q.Message != nil && q.Message.Chat != nil {
		chatID = q.Message.Chat.ID
		group = isGroup(q.Message.Chat)
		out.CallbackMessage = q.Message
		out.CallbackLabel = buttonLabel(q.Message.ReplyMarkup, q.Data)
	}
	out.ChatID = chatID
	out.In = &bot.Incoming{
		Channel:  models.ChannelTelegram,
		UserID:   strconv.FormatInt(q.From.ID, 10),
		ChatID:   strconv.FormatInt(chatID, 10),
		Name:     displayName(q.From),
		Lang:     baseLang(q.From.LanguageCode),
		Callback: q.Data,
		Group:    group,
		Mention:  group, // pressing the bot's button addresses the bot
	}
}

func buttonLabel(kb *tgbotapi.InlineKeyboardMarkup, data string) string {
	if kb == nil {
		return ""
	}
	for _, row := range kb.InlineKeyboard {
		for _, b := range row {
			if b.CallbackData != nil && *b.CallbackData == data {
				return b.Text
			}
		}
	}
	return ""
}

// addressed strips what addresses the bot from a message text: the
// "@bot" suffix of a command ("/ngaybau@bot kp1" → "/ngaybau kp1") and a
// mention "@bot". command is "" (no command), "own" (a command without
// suffix or with this bot's) or "other" (another bot's command).
func addressed(text string, self Self) (out, command string, mention bool) {
	out = text
	if strings.HasPrefix(text, "/") {
		command = "own"
		head, rest, _ := strings.Cut(text, " ")
		if i := strings.IndexByte(head, '@'); i > 0 {
			if !strings.EqualFold(head[i+1:], self.Username) {
				command = "other"
			} else {
				mention = true
			}
			head = head[:i]
		}
		out = head
		if rest = strings.TrimSpace(rest); rest != "" {
			out += " " + rest
		}
	}
	if self.Username == "" {
		return out, command, mention
	}
	at := "@" + self.Username
	for {
		i := indexFold(out, at)
		if i < 0 {
			break
		}
		end := i + len(at)
		if end < len(out) && isWordByte(out[end]) {
			break // @botname_other: someone else
		}
		mention = true
		out = strings.TrimSpace(strings.Join(strings.Fields(out[:i]+" "+out[end:]), " "))
	}
	return out, command, mention
}

func indexFold(s, sub string) int {
	n := len(sub)
	for i := 0; i+n <= len(s); i++ {
		if strings.EqualFold(s[i:i+n], sub) {
			return i
		}
	}
	return -1
}

func isWordByte(b byte) bool {
	return b == '_' || b >= '0' && b <= '9' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z'
}

// largest is the photo size with the most pixels (then the largest file).
func largest(sizes []tgbotapi.PhotoSize) tgbotapi.PhotoSize {
	best := sizes[0]
	for _, p := range sizes[1:] {
		if p.Width*p.Height > best.Width*best.Height ||
			(p.Width*p.Height == best.Width*best.Height && p.FileSize > best.FileSize) {
			best = p
		}
	}
	return best
}

func displayName(u *tgbotapi.User) string {
	return strings.TrimSpace(u.FirstName + " " + u.LastName)
}

// baseLang is the language of an IETF tag ("en-US" → "en"), lower case.
func baseLang(code string) string {
	code = strings.ToLower(strings.TrimSpace(code))
	if i := strings.IndexFunc(code, func(r rune) bool { return !unicode.IsLetter(r) }); i >= 0 {
		code = code[:i]
	}
	return code
}
