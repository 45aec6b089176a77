package zalo

import (
	"context"
	"encoding/json"
	"fmt"
	"unicode/utf8"

	"electionbot/models"
)

// EncodeText is the outbox payload of one plain-text customer-service
// message to a Zalo user (an error if the text is over Zalo's limit).
func EncodeText(userID, text string) (string, error) {
	if n := utf8.RuneCountInString(text); n > MaxText {
		return "", fmt.Errorf("zalo: the text has %d characters, a message takes %d", n, MaxText)
	}
	raw, err := json.Marshal(Request{Recipient: Recipient{UserID: userID}, Message: Message{Text: text}})
	return string(raw), err
}

// BroadcastChannel is Zalo for package broadcast (its Channel): followers
// outside the customer-service window are skipped with
// ReasonOutsideWindow (a message to them would be refused, or charged),
// and counted in the report.
type BroadcastChannel struct{ c *Channel }

// BroadcastChannel is c for package broadcast.
func (c *Channel) BroadcastChannel() BroadcastChannel { return BroadcastChannel{c} }

// EncodeText is the package's EncodeText.
func (BroadcastChannel) EncodeText(userID, text string) (string, error) {
	return EncodeText(userID, text)
}

// Eligible skips the contacts outside the customer-service window.
func (b BroadcastChannel) Eligible(ctx context.Context, cs []*models.Contact) (map[int64]string, error) {
	_, out, err := b.c.SplitWindow(ctx, cs)
	if err != nil {
		return nil, err
	}
	skip := make(map[int64]string, len(out))
	for _, ct := range out {
		skip[ct.ID] = ReasonOutsideWindow
	}
	return skip, nil
}
