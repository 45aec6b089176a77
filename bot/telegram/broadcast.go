package telegram

import (
	"context"
	"encoding/json"
	"fmt"

	"electionbot/bot"
	"electionbot/models"
)

// EncodeText is the outbox payload of one plain-text message to chatID:
// a single sendMessage (an error if the text needs more than one).
func EncodeText(chatID, text string) (string, error) {
	calls, err := Encode(chatID, bot.Outgoing{Text: text})
	if err != nil {
		return "", err
	}
	if len(calls) != 1 {
		return "", fmt.Errorf("telegram: the text needs %d messages, a broadcast sends one", len(calls))
	}
	raw, err := json.Marshal(calls[0])
	return string(raw), err
}

// BroadcastChannel is Telegram for package broadcast (its Channel):
// every reachable contact is eligible.
type BroadcastChannel struct{}

// EncodeText is the package's EncodeText.
func (BroadcastChannel) EncodeText(chatID, text string) (string, error) {
	return EncodeText(chatID, text)
}

// Eligible skips nobody.
func (BroadcastChannel) Eligible(context.Context, []*models.Contact) (map[int64]string, error) {
	return nil, nil
}
