package zalo

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"electionbot/bot/outbox"
	"electionbot/models"
)

// Error codes of the OA API the channel acts on (the "error" field of
// the answer; 0 is success).
const (
	ErrRateLimit     = -32  // the app's request rate is exceeded
	ErrNotFollower   = -213 // the user does not follow the OA (unfollowed)
	ErrTokenInvalid  = -216 // the access token is invalid or expired
	ErrTokenExpired  = -124 // the access token has expired
	ErrOutsideWindow = -230 // the user has not interacted with the OA within the window
)

// apiAnswer is the OA API's answer to a message.
type apiAnswer struct {
	Error   int    `json:"error"`
	Message string `json:"message"`
	Data    struct {
		MessageID string `json:"message_id"`
	} `json:"data"`
}

// APIError is an answer of the OA API with a non-zero error code.
type APIError struct {
	Code    int
	Message string
}

func (e *APIError) Error() string { return fmt.Sprintf("zalo: error %d: %s", e.Code, e.Message) }

func isTokenError(err error) bool {
	var ae *APIError
	return errors.As(err, &ae) && (ae.Code == ErrTokenInvalid || ae.Code == ErrTokenExpired)
}

// send posts one outbox message (a Request) with the access token. A
// refused token (-216) is refreshed once and the message sent again.
func (c *Channel) send(ctx context.Context, m *models.OutboxMessage) error {
	if !json.Valid([]byte(m.Payload)) {
		return &outbox.SendError{Kind: outbox.Permanent, Code: "payload", Err: errors.New("zalo: outbox payload is not JSON")}
	}
	if wait := c.paused(); wait > 0 {
		// After -32 the whole app waits, not just this chat.
		return &outbox.SendError{Kind: outbox.RateLimited, Code: strconv.Itoa(ErrRateLimit), RetryAfter: wait,
			Err: errors.New("zalo: rate limit, waiting")}
	}
	token, err := c.accessToken(ctx)
	if err != nil {
		return &outbox.SendError{Kind: outbox.Temporary, Code: "token_refresh", Err: err}
	}
	_, err = c.post(ctx, token, []byte(m.Payload))
	if isTokenError(err) {
		if token, err = c.refresh(ctx, token); err != nil {
			return &outbox.SendError{Kind: outbox.Temporary, Code: "token_refresh", Err: err}
		}
		_, err = c.post(ctx, token, []byte(m.Payload))
	}
	return c.classify(err)
}

// post makes one call of the message endpoint.
func (c *Channel) post(ctx context.Context, token string, body []byte) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.cfg.APIEndpoint+MessagePath, bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("access_token", token)
	resp, err := c.cfg.HTTPClient.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return "", err
	}
	if resp.StatusCode >= 500 {
		return "", &httpError{resp.StatusCode}
	}
	var a apiAnswer
	if err := json.Unmarshal(raw, &a); err != nil {
		return "", fmt.Errorf("zalo: HTTP %d, not JSON: %w", resp.StatusCode, err)
	}
	if a.Error != 0 {
		return "", &APIError{Code: a.Error, Message: a.Message}
	}
	if resp.StatusCode != http.StatusOK {
		return "", &httpError{resp.StatusCode}
	}
	return a.Data.MessageID, nil
}

type httpError struct{ status int }

func (e *httpError) Error() string { return fmt.Sprintf("zalo: HTTP %d", e.status) }

// Codes of the outbox errors (SendError.Code) after which a household is
// reached by ZNS or SMS instead (issue 19): the user no longer follows
// the OA, or has not written within the customer-service window.
const (
	CodeNotFollower   = "zalo-213"
	CodeOutsideWindow = "zalo-230"
)

// classify maps a send failure to the outbox's kinds:
//   - -32 (rate limit): RateLimited after RateLimitWait, and every send of
//     the channel waits as long;
//   - -213 (not a follower any more): Unreachable, CodeNotFollower;
//   - -230 (outside the customer-service window): Unreachable,
//     CodeOutsideWindow (the contact is reachable again when the user
//     writes: HandleEvent);
//   - -216 after a refresh, 5xx, network errors, answers that are not
//     JSON: Temporary;
//   - any other error code: Permanent.
func (c *Channel) classify(err error) error {
	if err == nil {
		return nil
	}
	var ae *APIError
	var he *httpError
	switch {
	case errors.As(err, &ae):
		se := &outbox.SendError{Code: strconv.Itoa(ae.Code), Err: err}
		switch ae.Code {
		case ErrRateLimit:
			se.Kind, se.RetryAfter = outbox.RateLimited, c.cfg.RateLimitWait
			c.pause(c.cfg.RateLimitWait)
		case ErrNotFollower:
			se.Kind, se.Code = outbox.Unreachable, CodeNotFollower
		case ErrOutsideWindow:
			se.Kind, se.Code = outbox.Unreachable, CodeOutsideWindow
		case ErrTokenInvalid, ErrTokenExpired:
			se.Kind = outbox.Temporary
		default:
			se.Kind = outbox.Permanent
		}
		return se
	case errors.As(err, &he):
		return &outbox.SendError{Kind: outbox.Temporary, Code: strconv.Itoa(he.status), Err: err}
	}
	var syn *json.SyntaxError
	if errors.As(err, &syn) {
		return &outbox.SendError{Kind: outbox.Temporary, Code: "bad_response", Err: err}
	}
	return &outbox.SendError{Kind: outbox.Temporary, Code: "network", Err: err}
}

func (c *Channel) pause(d time.Duration) {
	c.pauseMu.Lock()
	defer c.pauseMu.Unlock()
	if until := c.now().Add(d); until.After(c.pausedUntil) {
		c.pausedUntil = until
	}
}

// paused is how long sends must still wait after a -32.
func (c *Channel) paused() time.Duration {
	c.pauseMu.Lock()
	defer c.pauseMu.Unlock()
	return c.pausedUntil.Sub(c.now())
}

// AccessToken is the OA access token in use, refreshed first if it has
// expired: ZNS sends with it (bot/zns Config.Token; the packages do not
// import each other, serve passes the method).
func (c *Channel) AccessToken(ctx context.Context) (string, error) { return c.accessToken(ctx) }

// RenewAccessToken replaces the access token stale that Zalo refused
// (once across callers and replicas, as for the channel's own sends) and
// returns the new one (bot/zns Config.Renew).
func (c *Channel) RenewAccessToken(ctx context.Context, stale string) (string, error) {
	return c.refresh(ctx, stale)
}
