// Package zns is the Zalo Notification Service channel: an approved
// template message to the phone on the voter list, with no follow of the
// Official Account needed (issue 19: reaching a household that never
// wrote to the bot). It only sends: POST {ZNS_ENDPOINT}/message/template
// with the OA's access token, one outbox message (channel "zns", ChatID
// the phone in 84… form, Payload from Payload) a call; and it takes the
// delivery events (user_received_message) matched by tracking_id
// (webhook.go).
//
// The access token is the Zalo OA channel's (same OA, same refreshes):
// the package gets it through Config.Token, since channel packages never
// import each other.
package zns

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"electionbot/bot/outbox"
	"electionbot/models"
)

// Channel is the outbox channel name of ZNS messages.
const Channel = "zns"

// DefaultEndpoint is the ZNS API base (ZNS_ENDPOINT).
const DefaultEndpoint = "https://business.openapi.zalo.me"

// TemplatePath is the path of the template message call.
const TemplatePath = "/message/template"

// Config configures a Sender. Zero values take the defaults in brackets.
type Config struct {
	Endpoint string // ZNS_ENDPOINT [DefaultEndpoint]
	// Token gives the OA access token in use (the Zalo channel's).
	Token func(ctx context.Context) (string, error)
	// Renew, when set, replaces an access token Zalo refused (-124, -216)
	// and returns the new one; the message is sent again once with it.
	Renew func(ctx context.Context, stale string) (string, error)
	// Rate is the most calls a second this process makes (ZNS_RATE);
	// 0: no pace of its own (the outbox's only).
	Rate float64
	// Limiter, when set, paces the calls instead of Rate (tests, the
	// load command: an injected clock).
	Limiter *rate.Limiter
	// ExhaustedWait is how long after a spent quota (or a refused app)
	// the sender answers Exhausted without calling Zalo: the rest of a
	// broadcast falls through at once instead of spending a call each
	// [10m].
	ExhaustedWait time.Duration
	Now           func() time.Time // [time.Now]; the night refusal's wait
	HTTPClient    *http.Client     // [a client with a 30 s timeout]
	Logger        *slog.Logger
}

// Sender sends the outbox's ZNS messages.
type Sender struct {
	cfg Config
	lim *rate.Limiter
	log *slog.Logger

	mu        sync.Mutex
	exhausted *outbox.SendError // the last Exhausted answer, repeated until until
	until     time.Time
}

// New checks cfg and makes a Sender.
func New(cfg Config) (*Sender, error) {
	if cfg.Token == nil {
		return nil, errors.New("zns: Config.Token is nil: ZNS sends with the Zalo OA's access token")
	}
	if cfg.Endpoint == "" {
		cfg.Endpoint = DefaultEndpoint
	}
	cfg.Endpoint = strings.TrimRight(cfg.Endpoint, "/")
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.ExhaustedWait <= 0 {
		cfg.ExhaustedWait = 10 * time.Minute
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 30 * time.Second}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	s := &Sender{cfg: cfg, lim: cfg.Limiter, log: cfg.Logger.With("channel", Channel)}
	if s.lim == nil && cfg.Rate > 0 {
		s.lim = rate.NewLimiter(rate.Limit(cfg.Rate), 1)
	}
	return s, nil
}

// ChatLimit is the pace of one phone (outbox key "zns:84…"): a household
// gets a notice now and then, never a burst.
func ChatLimit(string) (rate.Limit, int) { return rate.Limit(1), 2 }

// Request is the body of one template message call, as stored in the
// outbox (Phone is left out there: it is the message's ChatID).
type Request struct {
	Phone        string            `json:"phone,omitempty"`
	TemplateID   string            `json:"template_id"`
	TemplateData map[string]string `json:"template_data"`
	TrackingID   string            `json:"tracking_id,omitempty"`
}

// Payload is the outbox Payload of a template message: its template id,
// the values of its parameters and the tracking id the delivery event
// will name (empty: the outbox message's dedupe key, else its id).
func Payload(templateID string, data map[string]string, trackingID string) string {
	if data == nil {
		data = map[string]string{}
	}
	b, _ := json.Marshal(Request{TemplateID: templateID, TemplateData: data, TrackingID: trackingID})
	return string(b)
}

// TrackingID is the tracking id a message is sent with: its payload's,
// else its dedupe key, else its id.
func TrackingID(m *models.OutboxMessage) string {
	var r Request
	_ = json.Unmarshal([]byte(m.Payload), &r)
	return trackingID(m, r)
}

func trackingID(m *models.OutboxMessage, r Request) string {
	switch {
	case r.TrackingID != "":
		return r.TrackingID
	case m.DedupeKey != nil && *m.DedupeKey != "":
		return *m.DedupeKey
	}
	return strconv.FormatInt(m.ID, 10)
}

// AtMostOnce is true (outbox.AtMostOnce): Zalo has no idempotency key
// (tracking_id is only echoed in the receipts), so a message whose call
// was made and whose result was lost in a crash is not sent again. Send
// calls outbox.CallStarting right before its POST.
func (s *Sender) AtMostOnce() bool { return true }

// Send makes the call of one outbox message (outbox.Sender). Failures
// are *outbox.SendError (see classify).
func (s *Sender) Send(ctx context.Context, m *models.OutboxMessage) error {
	var r Request
	if err := json.Unmarshal([]byte(m.Payload), &r); err != nil || r.TemplateID == "" {
		return &outbox.SendError{Kind: outbox.Permanent, Code: "zns-payload", Err: fmt.Errorf("zns: outbox payload is not a template message: %.100q", m.Payload)}
	}
	phone, err := models.Phone84(m.ChatID)
	if err != nil {
		return &outbox.SendError{Kind: outbox.Unreachable, Code: CodeNoUser, Err: fmt.Errorf("zns: %w", err)}
	}
	r.Phone, r.TrackingID = phone, trackingID(m, r)
	if r.TemplateData == nil {
		r.TemplateData = map[string]string{}
	}
	body, _ := json.Marshal(r)
	if se := s.stillExhausted(); se != nil {
		return se
	}
	if s.lim != nil {
		if err := s.lim.Wait(ctx); err != nil {
			return &outbox.SendError{Kind: outbox.Temporary, Code: "zns-pace", Err: err}
		}
	}
	token, err := s.cfg.Token(ctx)
	if err != nil {
		return &outbox.SendError{Kind: outbox.Temporary, Code: "zns-token", Err: err}
	}
	// Zalo has no idempotency key: from here on, a crash leaves this
	// message uncertain rather than sent again (outbox.AtMostOnce).
	if err := outbox.CallStarting(ctx); err != nil {
		return &outbox.SendError{Kind: outbox.Temporary, Code: "zns-store", Err: err}
	}
	res := s.post(ctx, token, body)
	if res.tokenRefused() && s.cfg.Renew != nil {
		if token, err = s.cfg.Renew(ctx, token); err != nil {
			return &outbox.SendError{Kind: outbox.Temporary, Code: "zns-token", Err: err}
		}
		res = s.post(ctx, token, body)
	}
	if se := s.classify(res); se != nil {
		if se.Kind == outbox.Exhausted {
			s.mu.Lock()
			s.exhausted, s.until = se, s.cfg.Now().Add(s.cfg.ExhaustedWait)
			s.mu.Unlock()
			s.log.Error("zns: no more ZNS for now: the rest falls through to the next channel", "code", se.Code, "err", se.Err, "retry_after", s.cfg.ExhaustedWait)
		}
		return se
	}
	return nil
}

// stillExhausted is the Exhausted answer repeated within ExhaustedWait of
// it (nil after).
func (s *Sender) stillExhausted() *outbox.SendError {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.exhausted == nil || !s.cfg.Now().Before(s.until) {
		s.exhausted = nil
		return nil
	}
	return &outbox.SendError{Kind: outbox.Exhausted, Code: s.exhausted.Code, Err: s.exhausted.Err}
}

// result is what one call gave.
type result struct {
	status     int // HTTP status; 0: no answer (network)
	code       int // the answer's error field
	message    string
	msgID      string
	retryAfter time.Duration
	err        error // network error, unreadable answer
}

func (r result) tokenRefused() bool { return r.code == ErrTokenInvalid || r.code == ErrTokenOA }

// answer is the API's answer.
type answer struct {
	Error   int    `json:"error"`
	Message string `json:"message"`
	Data    struct {
		MsgID string `json:"msg_id"`
	} `json:"data"`
}

func (s *Sender) post(ctx context.Context, token string, body []byte) result {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.cfg.Endpoint+TemplatePath, bytes.NewReader(body))
	if err != nil {
		return result{err: err}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("access_token", token)
	resp, err := s.cfg.HTTPClient.Do(req)
	if err != nil {
		return result{err: err}
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	res := result{status: resp.StatusCode, err: err}
	if secs, e := strconv.Atoi(resp.Header.Get("Retry-After")); e == nil && secs > 0 {
		res.retryAfter = time.Duration(secs) * time.Second
	}
	if err != nil || resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests {
		return res
	}
	var a answer
	if err := json.Unmarshal(raw, &a); err != nil {
		res.err = fmt.Errorf("zns: HTTP %d, not JSON: %.100q", resp.StatusCode, raw)
		return res
	}
	res.code, res.message, res.msgID = a.Error, a.Message, a.Data.MsgID
	return res
}
