package telegram

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"electionbot/bot/intake"
	"electionbot/models"
)

// WebhookPath is where Telegram posts updates.
const WebhookPath = "/telegram/webhook"

// SecretHeader carries the webhook's secret_token.
const SecretHeader = "X-Telegram-Bot-Api-Secret-Token"

const stateSecret = "webhook_secret"

// SetWebhook registers WebhookURL with Telegram, with the secret token,
// the allowed updates and max_connections. tgbotapi v5.5.1 has no
// secret_token field, hence the raw request. Without a configured secret
// a random one is made and stored in the database, where the other
// replicas find it (see checkSecret).
func (c *Channel) SetWebhook(ctx context.Context) error {
	secret := c.cfg.WebhookSecret
	if secret == "" {
		buf := make([]byte, 32)
		if _, err := rand.Read(buf); err != nil {
			return err
		}
		secret = base64.RawURLEncoding.EncodeToString(buf)
		if err := c.store.SetChannelState(ctx, models.ChannelTelegram, stateSecret, secret); err != nil {
			return err
		}
		c.secretStored = true
	}
	c.secretMu.Lock()
	c.secret, c.secretLoaded = secret, time.Now()
	c.secretMu.Unlock()
	allowed, _ := json.Marshal(AllowedUpdates)
	_, err := c.do(ctx, Call{Method: "setWebhook", Params: map[string]string{
		"url":             c.cfg.WebhookURL,
		"secret_token":    secret,
		"allowed_updates": string(allowed),
		"max_connections": strconv.Itoa(c.cfg.MaxConnections),
	}})
	if err != nil {
		return fmt.Errorf("telegram: setWebhook: %w", err)
	}
	c.log.Info("telegram: webhook set", "url", c.cfg.WebhookURL)
	return nil
}

// checkSecret compares the request's secret token with ours in constant
// time. A random secret can have been replaced by another replica that
// started later (the last setWebhook wins): on a mismatch the stored one
// is read again, at most every few seconds.
func (c *Channel) checkSecret(ctx context.Context, got string) bool {
	c.secretMu.Lock()
	secret, stored, loaded := c.secret, c.secretStored, c.secretLoaded
	c.secretMu.Unlock()
	if secret != "" && subtle.ConstantTimeCompare([]byte(got), []byte(secret)) == 1 {
		return true
	}
	if !stored || got == "" || time.Since(loaded) < 5*time.Second {
		return false
	}
	c.secretMu.Lock()
	c.secretLoaded = time.Now()
	c.secretMu.Unlock()
	fresh, err := c.store.ChannelState(ctx, models.ChannelTelegram, stateSecret)
	if err != nil || fresh == "" {
		return false
	}
	c.secretMu.Lock()
	c.secret = fresh
	c.secretMu.Unlock()
	return subtle.ConstantTimeCompare([]byte(got), []byte(fresh)) == 1
}

// WebhookHandler serves POST WebhookPath (intake.Webhook): 401 for a
// missing or wrong secret (nothing else is looked at), 413 for a body over
// 1 MiB, 400 for one that is not an update, 500 when the update could not
// be stored (Telegram delivers it again), 200 once it is stored (or was
// before).
func (c *Channel) WebhookHandler() http.Handler {
	return intake.Webhook{
		Noun: "update",
		Admit: func(r *http.Request) string {
			if !c.checkSecret(r.Context(), r.Header.Get(SecretHeader)) {
				return "wrong secret token"
			}
			return ""
		},
		Take: func(ctx context.Context, _ *http.Request, body []byte) error {
			var u tgbotapi.Update
			if err := json.Unmarshal(body, &u); err != nil || u.UpdateID <= 0 {
				return intake.Refuse(http.StatusBadRequest, "not a Telegram update")
			}
			return c.HandleUpdate(ctx, u)
		},
		OK:      "{}\n",
		Metrics: c.intake.Metrics(),
		Limits:  c.cfg.WebhookLimits,
	}
}
