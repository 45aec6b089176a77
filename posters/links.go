package posters

import (
	"fmt"
	"io"
	"net/url"
	"strings"

	"electionbot/models"
)

// LinksHeader is the header of links.csv (docs/design.md §5), exactly.
var LinksHeader = []string{"ward_code", "area_code", "telegram_url", "zalo_url"}

// Link is where one area's poster leads: its row of links.csv.
type Link struct {
	WardCode, AreaCode string
	// Payload is the deep-link payload that places a resident in the area
	// (models.AreaPayload, "a123"), also the code typed on the poster.
	Payload string
	// TelegramURL is https://t.me/<bot>?start=<payload>, the QR code.
	TelegramURL string
	// ZaloURL is the Official Account's page https://zalo.me/<OA id>
	// ("" without one): Zalo has no deep-link payload for an OA, so the
	// resident sends the code there.
	ZaloURL string
}

// BotUsername checks a Telegram bot username as links need it: "@" and
// spaces around are dropped; Telegram allows 5–32 letters, digits and "_".
func BotUsername(s string) (string, error) {
	u := strings.TrimPrefix(strings.TrimSpace(s), "@")
	if len(u) < 5 || len(u) > 32 {
		return "", fmt.Errorf("bot username %q: Telegram usernames have 5 to 32 characters", s)
	}
	for _, r := range u {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_') {
			return "", fmt.Errorf("bot username %q: only letters, digits and _ are allowed", s)
		}
	}
	return u, nil
}

// NewLink is the link of an area (its Ward loaded) to the Telegram bot
// botUsername (checked with BotUsername) and, when zaloOAID is not empty,
// to that Zalo Official Account.
func NewLink(a *models.Area, botUsername, zaloOAID string) Link {
	l := Link{AreaCode: a.Code, Payload: models.AreaPayload(a)}
	if a.Ward != nil {
		l.WardCode = a.Ward.Code
	}
	l.TelegramURL = "https://t.me/" + botUsername + "?start=" + url.QueryEscape(l.Payload)
	if id := strings.TrimSpace(zaloOAID); id != "" {
		l.ZaloURL = "https://zalo.me/" + url.PathEscape(id)
	}
	return l
}

// WriteLinks writes links.csv: LinksHeader and one row per link, in order.
func WriteLinks(w io.Writer, links []Link) error {
	cw := models.NewCSVWriter(w)
	if err := cw.Write(LinksHeader); err != nil {
		return err
	}
	for _, l := range links {
		if err := cw.Write([]string{l.WardCode, l.AreaCode, l.TelegramURL, l.ZaloURL}); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
