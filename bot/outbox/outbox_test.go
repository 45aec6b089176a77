package outbox_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"electionbot/bot/outbox"
	"electionbot/bot/outbox/outboxtest"
	"electionbot/internal/testdb"
	"electionbot/models"
)

// sends are the attempts of every recorder: what the tests wait on.
var sends outboxtest.Events

// recorder is the tests' Sender.
type recorder struct{ *outboxtest.Recorder }

func newRecorder() recorder { return recorder{outboxtest.NewRecorder(&sends)} }

func (r recorder) delivered() []string { return r.Delivered() }

// waitFor waits until cond holds, looking again after each send of any
// recorder (1000 sends at most).
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	sends.WaitFor(t, what, 1000, cond)
}

// stop stops o, letting what it is sending finish: after it, every attempt
// made is recorded in the store.
func stop(t *testing.T, o *outbox.Outbox) {
	t.Helper()
	if err := o.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func newOutbox(t *testing.T, s *models.Store, r recorder) *outbox.Outbox {
	t.Helper()
	ctx := context.Background()
	o, err := outbox.New(ctx, outbox.Config{
		Store:             s,
		Rate:              1000,
		ChatLimit:         func(string) (rate.Limit, int) { return rate.Inf, 1 },
		MaxAttempts:       3,
		RetryBase:         200 * time.Millisecond,
		Grace:             300 * time.Millisecond,
		InlineWait:        2 * time.Second,
		FetchPollInterval: 100 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	o.Register("test", r)
	if err := o.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		o.Stop(ctx)
	})
	return o
}

// enqueue inserts messages to chat in one transaction and kicks them
// unless kick is false (a crash right after the commit).
func enqueue(t *testing.T, s *models.Store, o *outbox.Outbox, chat string, kick bool, payloads ...string) []*models.OutboxMessage {
	t.Helper()
	var msgs []*models.OutboxMessage
	for _, p := range payloads {
		msgs = append(msgs, &models.OutboxMessage{Channel: "test", ChatID: chat, Payload: p})
	}
	ctx := context.Background()
	if err := s.InTx(ctx, func(tx *models.Store) error { return o.Enqueue(ctx, tx, msgs) }); err != nil {
		t.Fatal(err)
	}
	if kick {
		o.Kick(msgs)
	}
	return msgs
}

func status(t *testing.T, s *models.Store, id int64) *models.OutboxMessage {
	t.Helper()
	ms, err := s.OutboxMessages(context.Background(), []int64{id})
	if err != nil || len(ms) != 1 {
		t.Fatalf("outbox message %d: %v", id, err)
	}
	return ms[0]
}

func TestOutboxDelivery(t *testing.T) {
	rateLimited := &outbox.SendError{Kind: outbox.RateLimited, Code: "429", RetryAfter: time.Second}
	serverError := &outbox.SendError{Kind: outbox.Temporary, Code: "500"}
	blocked := &outbox.SendError{Kind: outbox.Unreachable, Code: "403"}
	badRequest := &outbox.SendError{Kind: outbox.Permanent, Code: "400"}
	tests := []struct {
		name       string
		script     []error
		kick       bool
		wantSent   []string
		wantStatus []string
	}{
		{"fast path", nil, true, []string{"a", "b"}, []string{models.OutboxSent, models.OutboxSent}},
		{"crash after commit: the job sends", nil, false, []string{"a", "b"}, []string{models.OutboxSent, models.OutboxSent}},
		{"429 waits retry_after, in order", []error{rateLimited}, true, []string{"a", "b"}, []string{models.OutboxSent, models.OutboxSent}},
		{"500 then the job retries", []error{serverError}, true, []string{"a", "b"}, []string{models.OutboxSent, models.OutboxSent}},
		{"network error then the job retries", []error{errors.New("connection reset")}, true, []string{"a", "b"}, []string{models.OutboxSent, models.OutboxSent}},
		{"bounded attempts", []error{serverError, serverError, serverError}, true, []string{"b"}, []string{models.OutboxFailed, models.OutboxSent}},
		{"403 ends the chat", []error{blocked}, true, nil, []string{models.OutboxUnreachable, models.OutboxUnreachable}},
		{"400 is not retried", []error{badRequest}, true, []string{"b"}, []string{models.OutboxFailed, models.OutboxSent}},
	}
	for _, n := range testdb.Stores(t) {
		t.Run(n.Name, func(t *testing.T) {
			for _, tc := range tests {
				t.Run(tc.name, func(t *testing.T) {
					s := n.Store
					if n.Name == "sqlite" {
						s = testdb.SQLite(t)
					} else {
						s = testdb.Postgres(t)
					}
					ctx := context.Background()
					c, err := s.EnsureContact(ctx, &models.Contact{Channel: "test", ExternalID: "42"})
					if err != nil {
						t.Fatal(err)
					}
					r := newRecorder()
					r.Fail("42", tc.script...)
					o := newOutbox(t, s, r)
					msgs := enqueue(t, s, o, "42", tc.kick, "a", "b")
					// Each scripted failure is one attempt and each
					// delivery another: once they are made, stopping
					// lets the last one be recorded.
					tries := len(tc.script) + len(tc.wantSent)
					waitFor(t, fmt.Sprintf("%d attempts", tries), func() bool { return r.Attempts() >= tries })
					stop(t, o)
					if got := r.delivered(); !equal(got, tc.wantSent) {
						t.Errorf("delivered %q, want %q", got, tc.wantSent)
					}
					for i, m := range msgs {
						if got := status(t, s, m.ID); got.Status != tc.wantStatus[i] {
							t.Errorf("message %d status %s (%s), want %s", i, got.Status, got.LastError, tc.wantStatus[i])
						}
					}
					c, _ = s.ContactByID(ctx, c.ID)
					if wantReachable := tc.wantStatus[0] != models.OutboxUnreachable; c.Reachable != wantReachable {
						t.Errorf("contact reachable = %v, want %v", c.Reachable, wantReachable)
					}
				})
			}
		})
	}
}

func TestOutboxNeverSendsTwice(t *testing.T) {
	// The fast path and the sweep's Deliver race for the same messages:
	// each message is delivered once.
	s := testdb.SQLite(t)
	r := newRecorder()
	o := newOutbox(t, s, r)
	var all []*models.OutboxMessage
	var ids []int64
	for i := 0; i < 5; i++ {
		msgs := enqueue(t, s, o, "7", true, "m1", "m2", "m3")
		all = append(all, msgs...)
		for _, m := range msgs {
			ids = append(ids, m.ID)
		}
	}
	for i := 0; i < 3; i++ {
		if _, err := o.Deliver(context.Background(), ids); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, "15 deliveries", func() bool { return len(r.delivered()) >= 15 })
	stop(t, o)
	if got := len(r.delivered()); got != 15 {
		t.Fatalf("delivered %d, want 15", got)
	}
	for _, m := range all {
		if st := status(t, s, m.ID); st.Status != models.OutboxSent || st.Attempts != 1 {
			t.Fatalf("message %d: %s after %d attempts", m.ID, st.Status, st.Attempts)
		}
	}
}

func TestOutboxSweepSendsLeftovers(t *testing.T) {
	s := testdb.SQLite(t)
	ctx := context.Background()
	// A message whose job is gone, claimed by a sender that died long ago.
	m := &models.OutboxMessage{Channel: "test", ChatID: "9", Payload: "late"}
	if err := s.EnqueueOutbox(ctx, []*models.OutboxMessage{m}); err != nil {
		t.Fatal(err)
	}
	if ok, err := s.ClaimOutbox(ctx, m.ID, -time.Hour); !ok || err != nil {
		t.Fatalf("claim: %v %v", ok, err)
	}
	s.Now = func() time.Time { return time.Now().Add(time.Hour) }
	r := newRecorder()
	o, err := outbox.New(ctx, outbox.Config{Store: s})
	if err != nil {
		t.Fatal(err)
	}
	o.Register("test", r)
	if err := o.Sweep(ctx); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the late message", func() bool { return len(r.delivered()) >= 1 })
	stop(t, o)
	if got := r.delivered(); !equal(got, []string{"late"}) {
		t.Fatalf("delivered %q", got)
	}
}

func TestLimiterEvictsIdleChats(t *testing.T) {
	l := outbox.NewLimiter(nil, 1e6, func(string) (rate.Limit, int) { return rate.Limit(1000), 1 }, 100)
	ctx := context.Background()
	for i := 0; i < 1000; i++ {
		if _, err := l.Wait(ctx, "chat"+string(rune('a'+i%26))+string(rune('a'+i/26)), true); err != nil {
			t.Fatal(err)
		}
	}
	if n := l.Len(); n > 100 {
		t.Fatalf("limiter holds %d chats, bound 100", n)
	}
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestDeliverHoldsOnlyTheFailingChat(t *testing.T) {
	s := testdb.SQLite(t)
	ctx := context.Background()
	r := newRecorder()
	r.Fail("1", &outbox.SendError{Kind: outbox.Temporary, Code: "500"})
	o, err := outbox.New(ctx, outbox.Config{Store: s, ChatLimit: func(string) (rate.Limit, int) { return rate.Inf, 1 }})
	if err != nil {
		t.Fatal(err)
	}
	o.Register("test", r)
	msgs := []*models.OutboxMessage{
		{Channel: "test", ChatID: "1", Payload: "1a"},
		{Channel: "test", ChatID: "2", Payload: "2a"},
		{Channel: "test", ChatID: "1", Payload: "1b"},
		{Channel: "test", ChatID: "2", Payload: "2b"},
	}
	if err := s.EnqueueOutbox(ctx, msgs); err != nil {
		t.Fatal(err)
	}
	ids := []int64{msgs[0].ID, msgs[1].ID, msgs[2].ID, msgs[3].ID}
	wait, err := o.Deliver(ctx, ids)
	if err != nil || wait <= 0 {
		t.Fatalf("Deliver = %v, %v; want a wait for chat 1", wait, err)
	}
	if got := r.delivered(); !equal(got, []string{"2a", "2b"}) {
		t.Fatalf("delivered %q: chat 2 goes on, chat 1 keeps its order", got)
	}
	if st := status(t, s, msgs[2].ID); st.Status != models.OutboxPending || st.Attempts != 0 {
		t.Fatalf("1b: %s after %d attempts, want untouched", st.Status, st.Attempts)
	}
}
