package intake

import (
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"strconv"
	"time"
)

// MaxWebhookBody is the largest webhook body a channel accepts (1 MiB).
const MaxWebhookBody = 1 << 20

// Defaults of BodyLimits (WEBHOOK_MAX_BODIES, WEBHOOK_BODY_TIMEOUT).
// Telegram and Zalo post an update of a few kilobytes at once; 64 bodies
// in flight are more than the 40 connections Telegram opens.
const (
	DefaultMaxBodies   = 64
	DefaultBodyTimeout = 10 * time.Second
)

// BodyLimits bound the reading of a webhook's bodies: at most Max read
// at once, each within Timeout of its request's arrival. Without them a
// client sending 1 byte every 5 s held a connection, a goroutine and a
// file descriptor for as long as it liked (500 of them: "accept4: too
// many open files", and /healthz timed out). One BodyLimits is shared
// by all the requests of a webhook.
type BodyLimits struct {
	Timeout time.Duration
	slots   chan struct{}
}

// NewBodyLimits returns limits of max bodies at once, each read within
// timeout (zero values: the defaults).
func NewBodyLimits(max int, timeout time.Duration) *BodyLimits {
	if max <= 0 {
		max = DefaultMaxBodies
	}
	if timeout <= 0 {
		timeout = DefaultBodyTimeout
	}
	return &BodyLimits{Timeout: timeout, slots: make(chan struct{}, max)}
}

// webhookTimeout bounds the handling of one webhook request once its body
// is read.
const webhookTimeout = 30 * time.Second

// Webhook is the HTTP side of a channel whose provider posts its updates
// (Telegram, Zalo). It answers 405 to anything but POST, 401 when Admit
// refuses the request (nothing else is looked at), 503 when Limits.Max
// bodies are being read, 413 for a body over MaxWebhookBody, 408 for one
// not received within Limits.Timeout, 400 for one that cannot be read, the status of a
// Refusal from Take, 500 for another error of Take (the provider delivers
// the update again) and 200 with OK once the update is stored (or was
// before). Each answer is counted in Metrics by status.
type Webhook struct {
	// Noun names what the provider posts ("update", "event") in the
	// answers' texts.
	Noun string
	// Admit looks at the request before its body is read (a secret token,
	// the presence of a signature); a non-empty refusal answers 401 with it.
	Admit func(r *http.Request) (refusal string)
	// Take parses, verifies and handles one body. Its ctx is not cancelled
	// when the provider hangs up: an update is stored or not as a whole,
	// and a redelivery finds it stored.
	Take    func(ctx context.Context, r *http.Request, body []byte) error
	OK      string // the body of a 200 answer (JSON)
	Metrics *Metrics
	// Limits bound the reading of bodies; nil: a BodyLimits of its own
	// with the defaults.
	Limits *BodyLimits
}

// Refusal is a webhook request Take refuses: the request is wrong (not an
// update, a bad signature, a replay), not our failure.
type Refusal struct {
	Status int
	Text   string
}

func (r *Refusal) Error() string { return strconv.Itoa(r.Status) + " " + r.Text }

// Refuse is a Refusal answered with status and text.
func Refuse(status int, text string) error { return &Refusal{Status: status, Text: text} }

func (wh Webhook) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	status := wh.serve(w, r)
	wh.Metrics.Webhook.WithLabelValues(strconv.Itoa(status)).Inc()
}

func (wh Webhook) serve(w http.ResponseWriter, r *http.Request) int {
	lim := wh.Limits
	if lim == nil {
		lim = NewBodyLimits(0, 0)
	}
	rc := http.NewResponseController(w)
	// The whole body within the timeout, however slowly it comes (the
	// server's ReadTimeout is longer, for other routes). Not every
	// ResponseWriter can (a test recorder): then there is nothing to bound.
	_ = rc.SetReadDeadline(time.Now().Add(lim.Timeout))
	fail := func(status int, msg string) int {
		// A refused request's unread body is not drained (Go reads up to
		// 256 KiB of it to reuse the connection, as slowly as the client
		// sends it): the connection closes after the answer.
		w.Header().Set("Connection", "close")
		_ = rc.SetReadDeadline(time.Now())
		http.Error(w, msg, status)
		return status
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		return fail(http.StatusMethodNotAllowed, "POST only")
	}
	if refusal := wh.Admit(r); refusal != "" {
		return fail(http.StatusUnauthorized, refusal)
	}
	select {
	case lim.slots <- struct{}{}:
	default:
		// Every slot is reading a body: the provider retries later.
		w.Header().Set("Retry-After", "1")
		return fail(http.StatusServiceUnavailable, "busy, send the "+wh.Noun+" again")
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxWebhookBody))
	<-lim.slots
	if err != nil {
		var tooBig *http.MaxBytesError
		switch {
		case errors.As(err, &tooBig):
			return fail(http.StatusRequestEntityTooLarge, wh.Noun+" too large")
		case errors.Is(err, os.ErrDeadlineExceeded):
			return fail(http.StatusRequestTimeout, wh.Noun+" not received in time")
		}
		return fail(http.StatusBadRequest, "cannot read the "+wh.Noun)
	}
	// Read in time: handling may take longer (the server's next request
	// on this connection gets its own deadlines).
	_ = rc.SetReadDeadline(time.Time{})
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), webhookTimeout)
	defer cancel()
	if err := wh.Take(ctx, r, body); err != nil {
		var ref *Refusal
		if errors.As(err, &ref) {
			return fail(ref.Status, ref.Text)
		}
		return fail(http.StatusInternalServerError, wh.Noun+" not stored, send it again")
	}
	w.Header().Set("Content-Type", "application/json")
	io.WriteString(w, wh.OK)
	return http.StatusOK
}
