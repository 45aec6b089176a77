package zalo

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"strings"
	"time"
)

// WebhookPath is where Zalo posts the OA's events.
const WebhookPath = "/zalo/webhook"

// SignatureHeader carries the event's signature: "mac=" + hex SHA-256 of
// app id + raw body + timestamp + OA secret key.
const SignatureHeader = "X-ZEvent-Signature"

// MaxWebhookBody is the largest event accepted (1 MiB).
const MaxWebhookBody = 1 << 20

// Signature is the signature header value of an event body.
func Signature(appID string, body []byte, timestamp, oaSecretKey string) string {
	h := sha256.New()
	h.Write([]byte(appID))
	h.Write(body)
	h.Write([]byte(timestamp))
	h.Write([]byte(oaSecretKey))
	return "mac=" + hex.EncodeToString(h.Sum(nil))
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

// WebhookHandler serves POST WebhookPath: 401 for a missing or wrong
// signature (and for a body that cannot be verified: not an event), 403
// for an event older than MaxEventAge (or as far in the future: a
// replay), 413 for a body over 1 MiB, 500 when the event could not be
// stored (Zalo delivers it again), 200 once it is stored (or was before).
// The reply is sent after the answer, by the outbox.
func (c *Channel) WebhookHandler() http.Handler {
	return c.metrics.CountWebhook(c.webhook)
}

func (c *Channel) webhook(w http.ResponseWriter, r *http.Request) int {
	fail := func(status int, msg string) int {
		http.Error(w, msg, status)
		return status
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		return fail(http.StatusMethodNotAllowed, "POST only")
	}
	sig := r.Header.Get(SignatureHeader)
	if sig == "" {
		return fail(http.StatusUnauthorized, "missing signature")
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxWebhookBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return fail(http.StatusRequestEntityTooLarge, "event too large")
		}
		return fail(http.StatusBadRequest, "cannot read the event")
	}
	ev, err := ParseEvent(body)
	if err != nil || ev.Timestamp == "" || !c.Verify(sig, body, string(ev.Timestamp)) {
		return fail(http.StatusUnauthorized, "wrong signature")
	}
	at := ev.Time()
	if age := c.now().Sub(at); at.IsZero() || age > c.cfg.MaxEventAge || age < -c.cfg.MaxEventAge {
		c.log.Warn("zalo: stale event refused", "event", ev.Name, "timestamp", string(ev.Timestamp), "age", age.Round(time.Second))
		return fail(http.StatusForbidden, "stale event")
	}
	// Finish the event even if Zalo hangs up: it is stored or not as a
	// whole, and a redelivery finds it stored.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), 30*time.Second)
	defer cancel()
	if err := c.HandleEvent(ctx, ev); err != nil {
		return fail(http.StatusInternalServerError, "event not stored, send it again")
	}
	w.Header().Set("Content-Type", "application/json")
	io.WriteString(w, `{"error":0,"message":"Success"}`+"\n")
	return http.StatusOK
}
