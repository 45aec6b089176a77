package telegram

import (
	"encoding/json"
	"fmt"

	"electionbot/bot"
	"electionbot/bot/outbox"
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

// BroadcastChannel is Telegram for the broadcaster: every reachable
// contact is eligible.
func BroadcastChannel() outbox.BroadcastChannel {
	return outbox.BroadcastChannel{Encode: EncodeText}
}
