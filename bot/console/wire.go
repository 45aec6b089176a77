package console

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"electionbot/bot"
	"electionbot/bot/outbox"
	"electionbot/models"
)

// The console as an outbox channel. A terminal has no provider API: a
// message is "sent" when the outbox marks its row sent, and the terminal of
// the contact it is addressed to shows it (Console reads its contact's
// inbox, models.SentToChat), whichever process queued or sent it. So
// several `chat --as N` processes on one database see each other's
// messages, announcements and reminders, as Telegram users would.

// EncodePayload is the outbox payload of a reply to a console contact:
// the reply itself, as JSON (its keyboard, document and location
// included), without its address.
func EncodePayload(o bot.Outgoing) (string, error) {
	o.ChatID, o.Channel = "", ""
	raw, err := json.Marshal(o)
	if err != nil {
		return "", fmt.Errorf("console: encode reply: %w", err)
	}
	return string(raw), nil
}

// DecodePayload reads a payload made by EncodePayload.
func DecodePayload(payload string) (bot.Outgoing, error) {
	var o bot.Outgoing
	if err := json.Unmarshal([]byte(payload), &o); err != nil {
		return bot.Outgoing{}, fmt.Errorf("console: decode message: %w", err)
	}
	return o, nil
}

// Encode is the console's intake.Encoder: one outbox row per reply,
// addressed to the console contact o.ChatID.
func Encode(_ context.Context, _ *models.Store, o bot.Outgoing) ([]*models.OutboxMessage, error) {
	if o.ChatID == "" {
		return nil, errors.New("console: reply without a chat")
	}
	payload, err := EncodePayload(o)
	if err != nil {
		return nil, err
	}
	return []*models.OutboxMessage{{Channel: models.ChannelConsole, ChatID: o.ChatID, Payload: payload}}, nil
}

// Sender is the console's outbox.Sender: it only checks that the message
// can be shown (a payload that does not decode is refused for good); the
// row marked sent is the message in its contact's inbox.
func Sender() outbox.Sender {
	return outbox.SenderFunc(func(_ context.Context, m *models.OutboxMessage) error {
		if _, err := DecodePayload(m.Payload); err != nil {
			return &outbox.SendError{Kind: outbox.Permanent, Code: "payload", Err: err}
		}
		return nil
	})
}

// BroadcastChannel is the console for package broadcast: every reachable
// contact is eligible.
type BroadcastChannel struct{}

// EncodeText is the payload of a plain-text message.
func (BroadcastChannel) EncodeText(_, text string) (string, error) {
	return EncodePayload(bot.Outgoing{Text: text})
}

// Eligible skips nobody.
func (BroadcastChannel) Eligible(context.Context, []*models.Contact) (map[int64]string, error) {
	return nil, nil
}
