package zalo

import (
	"context"
	"crypto/subtle"
	"electionbot/bot/intake"
	"electionbot/internal/zaloevent"
	"net/http"
	"strings"
	"time"
)

// WebhookPath is where Zalo posts the OA's events.
const WebhookPath = "/zalo/webhook"

// SignatureHeader carries an event's signature (package zaloevent).
const SignatureHeader = zaloevent.SignatureHeader

// Signature is the signature header value of an event body: "mac=" + hex
// SHA-256 of app id + raw body + timestamp + OA secret key.
func Signature(appID string, body []byte, timestamp, oaSecretKey string) string {
	return zaloevent.Signature(appID, body, timestamp, oaSecretKey)
}

// Verify checks an event's signature header against its body, in
// constant time.
func (c *Channel) Verify(header string, body []byte, timestamp string) bool {
	got := strings.TrimSpace(header)
	if len(got) < 4 || !strings.EqualFold(got[:4], "mac=") {
		return false
	}
	want := Signature(c.cfg.AppID, body, timestamp, c.cfg.OASecretKey)
	return subtle.ConstantTimeCompare([]byte(strings.ToLower(got[4:])), []byte(want[4:])) == 1
}

// WebhookHandler serves POST WebhookPath (intake.Webhook): 401 for a
// missing or wrong signature (and for a body that cannot be verified: not
// an event), 403 for an event of another app or OA (Config.OAID), or
// older than MaxEventAge (or as far in the future: a replay), 413 for a body over 1 MiB, 500 when the event could
// not be stored (Zalo delivers it again), 200 once it is stored (or was
// before). The reply is sent after the answer, by the outbox.
func (c *Channel) WebhookHandler() http.Handler {
	return intake.Webhook{
		Noun: "event",
		Admit: func(r *http.Request) string {
			if r.Header.Get(SignatureHeader) == "" {
				return "missing signature"
			}
			return ""
		},
		Take: func(ctx context.Context, r *http.Request, body []byte) error {
			ev, err := ParseEvent(body)
			if err != nil || ev.Timestamp == "" || !c.Verify(r.Header.Get(SignatureHeader), body, string(ev.Timestamp)) {
				return intake.Refuse(http.StatusUnauthorized, "wrong signature")
			}
			// Signed with our key but for another app or OA (a key shared
			// between OAs, or an event replayed from another): not ours.
			if ev.AppID != "" && ev.AppID != c.cfg.AppID || c.cfg.OAID != "" && ev.OA() != "" && ev.OA() != c.cfg.OAID {
				c.log.Warn("zalo: event of another app or OA refused", "event", ev.Name, "app_id", ev.AppID, "oa_id", ev.OA())
				return intake.Refuse(http.StatusForbidden, "not this Official Account's event")
			}
			at := ev.Time()
			if age := c.now().Sub(at); at.IsZero() || age > c.cfg.MaxEventAge || age < -c.cfg.MaxEventAge {
				c.log.Warn("zalo: stale event refused", "event", ev.Name, "timestamp", string(ev.Timestamp), "age", age.Round(time.Second))
				return intake.Refuse(http.StatusForbidden, "stale event")
			}
			if c.cfg.OtherEvents != nil && ev.kind() == kindIgnore {
				if handled, err := c.cfg.OtherEvents(ctx, body); handled || err != nil {
					return err
				}
			}
			return c.HandleEvent(ctx, ev)
		},
		OK:      `{"error":0,"message":"Success"}` + "\n",
		Metrics: c.intake.Metrics(),
		Limits:  c.cfg.WebhookLimits,
	}
}
