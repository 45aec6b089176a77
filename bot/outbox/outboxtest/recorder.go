package outboxtest

import (
	"context"
	"sync"

	"electionbot/models"
)

// Recorder is an outbox.Sender that answers from a script per chat and
// records the payloads it delivered; each attempt is an event of Events.
type Recorder struct {
	events *Events

	mu     sync.Mutex
	script map[string][]error // next answers by chat; nil = success
	sent   []string           // payloads delivered, in order
	tries  int
}

// NewRecorder is a Recorder whose attempts are events of ev (several
// recorders may share one; nil: none).
func NewRecorder(ev *Events) *Recorder {
	if ev == nil {
		ev = &Events{}
	}
	return &Recorder{events: ev, script: map[string][]error{}}
}

// Fail makes the next attempts at chat fail with errs, in order (a nil
// error: that attempt succeeds).
func (r *Recorder) Fail(chat string, errs ...error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.script[chat] = append(r.script[chat], errs...)
}

// Send answers as scripted, recording a success.
func (r *Recorder) Send(_ context.Context, m *models.OutboxMessage) error {
	r.mu.Lock()
	defer func() {
		r.mu.Unlock()
		r.events.Add()
	}()
	r.tries++
	if q := r.script[m.ChatID]; len(q) > 0 {
		r.script[m.ChatID] = q[1:]
		if q[0] != nil {
			return q[0]
		}
	}
	r.sent = append(r.sent, m.Payload)
	return nil
}

// Delivered are the payloads delivered, in order.
func (r *Recorder) Delivered() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.sent...)
}

// Attempts counts the calls of Send.
func (r *Recorder) Attempts() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.tries
}
