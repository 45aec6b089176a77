// Package sms is the SMS channel: a brandname gateway reached by a
// generic HTTP call (SMS_URL, SMS_METHOD, SMS_BODY, SMS_HEADERS, SMS_OK),
// as mature messaging gateways configure an "external" channel, so that
// any provider fits without code. It sends the outbox's messages of
// channel "sms" (ChatID the phone in 84… form, Payload from Payload), in
// GSM-7 without diacritics, split into numbered parts when longer than
// one SMS; and it takes the gateway's replies (MO) to honour STOP / TU
// CHOI (inbound.go).
//
// Each call carries an idempotency key ({{.ID}}): a message sent again
// after a crash (the outbox sends at least once) has the same key, and a
// gateway that honours it does not send it twice.
package sms

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

// Channel is the outbox channel name of SMS messages.
const Channel = "sms"

// Codes of the outbox errors (SendError.Code).
const (
	CodeRefused = "sms-refused" // Permanent: a 2xx answer without SMS_OK, or a 4xx
	CodeQuota   = "sms-quota"   // Exhausted: the answer has SMS_EXHAUSTED (credit spent)
	CodeNoPhone = "sms-nophone" // Unreachable: the ChatID is not a Vietnamese phone
)

// Config configures a Sender. Zero values take the defaults in brackets.
type Config struct {
	URL    string // SMS_URL, a template like SMS_BODY (GET gateways take the fields there)
	Method string // SMS_METHOD [POST]
	Body   string // SMS_BODY: text/template with {{.Phone}}, {{.Text}}, {{.ID}} (Fields)
	// Headers are sent with every call (SMS_HEADERS, ParseHeaders); their
	// Content-Type says how the body's fields are escaped [guessed from
	// the body: a JSON object, else a form].
	Headers http.Header
	// OK is a substring of a successful answer (SMS_OK); "": any 2xx.
	OK string
	// Exhausted is a substring of the answer when the account's credit is
	// spent (SMS_EXHAUSTED): no more SMS for now. "": not recognised.
	Exhausted string
	MaxGSM    int     // SMS_MAX_GSM: septets of one SMS [DefaultMaxGSM]
	Rate      float64 // SMS_RATE: calls a second; 0: only the outbox's pace
	// Limiter, when set, paces the calls instead of Rate.
	Limiter *rate.Limiter
	// ExhaustedWait is how long after an Exhausted answer the sender
	// answers Exhausted without calling the gateway [10m].
	ExhaustedWait time.Duration
	Now           func() time.Time // [time.Now]
	HTTPClient    *http.Client     // [a client with a 30 s timeout]
	Logger        *slog.Logger
}

// Sender sends the outbox's SMS messages.
type Sender struct {
	cfg Config
	req *request
	lim *rate.Limiter
	log *slog.Logger

	mu        sync.Mutex
	exhausted *outbox.SendError // the last Exhausted answer, repeated until until
	until     time.Time
}

// New checks cfg (a *ConfigError names the variable) and makes a Sender.
func New(cfg Config) (*Sender, error) {
	if strings.TrimSpace(cfg.URL) == "" {
		return nil, &ConfigError{"SMS_URL", "not set"}
	}
	if cfg.MaxGSM <= 0 {
		cfg.MaxGSM = DefaultMaxGSM
	}
	if cfg.MaxGSM < 20 {
		return nil, &ConfigError{"SMS_MAX_GSM", fmt.Sprintf("%d: too short for a message (160 is one SMS)", cfg.MaxGSM)}
	}
	req, err := newRequest(cfg.Method, cfg.URL, cfg.Body, cfg.Headers)
	if err != nil {
		return nil, err
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 30 * time.Second}
	}
	if cfg.ExhaustedWait <= 0 {
		cfg.ExhaustedWait = 10 * time.Minute
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	s := &Sender{cfg: cfg, req: req, lim: cfg.Limiter, log: cfg.Logger.With("channel", Channel)}
	if s.lim == nil && cfg.Rate > 0 {
		s.lim = rate.NewLimiter(rate.Limit(cfg.Rate), 1)
	}
	return s, nil
}

// ChatLimit is the pace of one phone (outbox key "sms:84…").
func ChatLimit(string) (rate.Limit, int) { return rate.Limit(1), 3 }

// message is the outbox Payload of an SMS.
type message struct {
	Text string `json:"text"`
}

// Payload is the outbox Payload of an SMS with this text (as written,
// with diacritics: the sender folds and splits it with its SMS_MAX_GSM).
func Payload(text string) string {
	b, _ := json.Marshal(message{Text: text})
	return string(b)
}

// Parts is what a text becomes with this sender's SMS_MAX_GSM (the
// package's Parts): the number of SMS, and of calls, it costs.
func (s *Sender) Parts(text string) []string { return Parts(text, s.cfg.MaxGSM) }

// Key is the idempotency key of an outbox message: its dedupe key, else
// "outbox-" + its id.
func Key(m *models.OutboxMessage) string {
	if m.DedupeKey != nil && *m.DedupeKey != "" {
		return *m.DedupeKey
	}
	return "outbox-" + strconv.FormatInt(m.ID, 10)
}

// Send makes the calls of one outbox message (outbox.Sender): one per
// part, with ID Key(m) for a single SMS and Key(m)-n for the n-th part.
// A failed part fails the message; sent again, its parts carry the same
// IDs. Failures are *outbox.SendError (see classify).
func (s *Sender) Send(ctx context.Context, m *models.OutboxMessage) error {
	var msg message
	if err := json.Unmarshal([]byte(m.Payload), &msg); err != nil {
		return &outbox.SendError{Kind: outbox.Permanent, Code: "sms-payload", Err: fmt.Errorf("sms: outbox payload is not an SMS: %.100q", m.Payload)}
	}
	phone, err := models.Phone84(m.ChatID)
	if err != nil {
		return &outbox.SendError{Kind: outbox.Unreachable, Code: CodeNoPhone, Err: fmt.Errorf("sms: %w", err)}
	}
	parts := s.Parts(msg.Text)
	if len(parts) == 0 {
		return &outbox.SendError{Kind: outbox.Permanent, Code: "sms-empty", Err: errors.New("sms: empty text")}
	}
	if se := s.stillExhausted(); se != nil {
		return se
	}
	key := Key(m)
	for i, p := range parts {
		id := key
		if len(parts) > 1 {
			id = key + "-" + strconv.Itoa(i+1)
		}
		f := Fields{Phone: phone, LocalPhone: "0" + phone[2:], Text: p, ID: id}
		if err := s.call(ctx, f); err != nil {
			var se *outbox.SendError
			if errors.As(err, &se) && se.Kind == outbox.Exhausted {
				s.mu.Lock()
				s.exhausted, s.until = se, s.cfg.Now().Add(s.cfg.ExhaustedWait)
				s.mu.Unlock()
				s.log.Error("sms: the gateway's credit is spent: no more SMS for now", "err", se.Err, "retry_after", s.cfg.ExhaustedWait)
			}
			return err
		}
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

// call sends one SMS.
func (s *Sender) call(ctx context.Context, f Fields) error {
	u, body, err := s.req.render(f)
	if err != nil {
		return &outbox.SendError{Kind: outbox.Permanent, Code: "sms-config", Err: err}
	}
	if s.lim != nil {
		if err := s.lim.Wait(ctx); err != nil {
			return &outbox.SendError{Kind: outbox.Temporary, Code: "sms-pace", Err: err}
		}
	}
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, s.req.method, u, rd)
	if err != nil {
		return &outbox.SendError{Kind: outbox.Permanent, Code: "sms-config", Err: err}
	}
	for k, v := range s.req.headers {
		req.Header[k] = v
	}
	resp, err := s.cfg.HTTPClient.Do(req)
	if err != nil {
		return &outbox.SendError{Kind: outbox.Temporary, Code: "network", Err: err}
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err != nil {
		return &outbox.SendError{Kind: outbox.Temporary, Code: "network", Err: err}
	}
	return s.classify(resp, string(raw))
}

// classify maps the gateway's answer to the outbox's kinds:
//   - 2xx with SMS_OK in the answer (or any 2xx without SMS_OK): sent;
//   - 429: RateLimited after Retry-After [10s];
//   - 5xx: Temporary;
//   - SMS_EXHAUSTED in the answer (any status): Exhausted, CodeQuota;
//   - 4xx, or a 2xx without SMS_OK: Permanent, CodeRefused.
func (s *Sender) classify(resp *http.Response, body string) error {
	st := resp.StatusCode
	brief := fmt.Errorf("sms: HTTP %d: %.200s", st, strings.TrimSpace(body))
	switch {
	case st == http.StatusTooManyRequests:
		wait := 10 * time.Second
		if secs, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && secs > 0 {
			wait = time.Duration(secs) * time.Second
		}
		return &outbox.SendError{Kind: outbox.RateLimited, Code: "429", RetryAfter: wait, Err: brief}
	case st >= 500:
		return &outbox.SendError{Kind: outbox.Temporary, Code: strconv.Itoa(st), Err: brief}
	case s.cfg.Exhausted != "" && strings.Contains(body, s.cfg.Exhausted):
		return &outbox.SendError{Kind: outbox.Exhausted, Code: CodeQuota, Err: brief}
	case st >= 200 && st < 300 && (s.cfg.OK == "" || strings.Contains(body, s.cfg.OK)):
		return nil
	}
	return &outbox.SendError{Kind: outbox.Permanent, Code: CodeRefused, Err: brief}
}
