package intake

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strconv"
	"time"
)

// MaxWebhookBody is the largest webhook body a channel accepts (1 MiB).
const MaxWebhookBody = 1 << 20

// webhookTimeout bounds the handling of one webhook request once its body
// is read.
const webhookTimeout = 30 * time.Second

// Webhook is the HTTP side of a channel whose provider posts its updates
// (Telegram, Zalo). It answers 405 to anything but POST, 401 when Admit
// refuses the request (nothing else is looked at), 413 for a body over
// MaxWebhookBody, 400 for one that cannot be read, the status of a
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
	fail := func(status int, msg string) int {
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
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxWebhookBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return fail(http.StatusRequestEntityTooLarge, wh.Noun+" too large")
		}
		return fail(http.StatusBadRequest, "cannot read the "+wh.Noun)
	}
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
