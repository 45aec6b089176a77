package outbox_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"electionbot/bot/outbox"
	"electionbot/bot/outbox/outboxtest"
	"electionbot/internal/testdb"
	"electionbot/models"
)

// onceSender is a Sender that says whether it is at most once.
type onceSender struct {
	outbox.Sender
	once bool
}

func (s onceSender) AtMostOnce() bool { return s.once }

// hangingSender never returns until released: the process dies during
// its call (call) or while it waits before it (the ZNS pace).
type hangingSender struct {
	clk     *outboxtest.Clock
	call    bool
	entered atomic.Bool
	release chan struct{}
}

func (h *hangingSender) Send(ctx context.Context, _ *models.OutboxMessage) error {
	if h.call {
		if err := outbox.CallStarting(ctx); err != nil {
			return err
		}
	}
	h.entered.Store(true)
	h.clk.Events().Add()
	<-h.release
	return errors.New("the process is gone")
}

// A message whose sender died is sent again when its claim expires —
// unless its channel is at most once (ZNS) and the call was started:
// then the restarted outbox neither claims it (the broadcast's job) nor
// sweeps it, but gives it up as uncertain and tells OnGiveUp. A message
// claimed and not yet called at the crash is sent again on any channel.
func TestAtMostOnceAfterCrash(t *testing.T) {
	for _, tc := range []struct {
		name       string
		once       bool
		called     bool // the crash came during the call (else before it)
		wantResent bool
	}{
		{"zns mid-call: uncertain", true, true, false},
		{"zns before the call: sent", true, false, true},
		{"sms mid-call: sent again (its gateway dedupes)", false, true, true},
	} {
		for _, n := range testdb.Stores(t) {
			t.Run(tc.name+"/"+n.Name, func(t *testing.T) {
				s, ctx := n.Store, context.Background()
				clk := outboxtest.NewClock(t0)
				s.Now = clk.Now
				key := "hh:1:1:ch"
				msgs := []*models.OutboxMessage{{Channel: "ch", ChatID: "84900000001", Kind: models.OutboxBroadcast, Payload: "notice", DedupeKey: &key}}
				if err := s.EnqueueOutbox(ctx, msgs); err != nil {
					t.Fatal(err)
				}
				ids := []int64{msgs[0].ID}

				// The first process: claims the message and dies in the call,
				// or before it.
				var wg sync.WaitGroup
				h := &hangingSender{clk: clk, call: tc.called, release: make(chan struct{})}
				o1 := crashOutbox(t, s, clk, nil)
				o1.Register("ch", onceSender{h, tc.once})
				wg.Add(1)
				go func() { defer wg.Done(); _, _ = o1.DeliverBulk(ctx, ids, 1) }()
				clk.AdvanceUntil(t, "the call", time.Minute, 10000, h.entered.Load)
				defer wg.Wait()
				defer close(h.release) // after the checks: the dead process's call ends

				// The restarted process, after the claim expired.
				clk.Advance(time.Hour)
				var givenUp []string
				rec := outboxtest.NewRecorder(nil)
				o2 := crashOutbox(t, s, clk, func(_ context.Context, m *models.OutboxMessage, status string, se *outbox.SendError) error {
					if se != nil && se.Kind == outbox.Uncertain {
						givenUp = append(givenUp, m.ChatID+" "+status+" "+se.Code)
					}
					return nil
				})
				o2.Register("ch", onceSender{rec, tc.once})
				drive(t, clk, func() error { _, err := o2.DeliverBulk(ctx, ids, 1); return err })
				if err := o2.Sweep(ctx); err != nil {
					t.Fatal(err)
				}
				drive(t, clk, func() error { _, err := o2.Deliver(ctx, ids); return err })

				m := status(t, s, ids[0])
				if tc.wantResent {
					if got := rec.Attempts(); got != 1 || m.Status != models.OutboxSent {
						t.Fatalf("%d sends after the restart, status %s; want 1, sent", got, m.Status)
					}
					if len(givenUp) != 0 {
						t.Fatalf("given up as uncertain: %v", givenUp)
					}
					return
				}
				if got := rec.Attempts(); got != 0 {
					t.Fatalf("%d sends after the restart, want none (at most once)", got)
				}
				if !models.IsUncertain(m.Status, m.LastError) {
					t.Fatalf("status %s %q, want failed uncertain", m.Status, m.LastError)
				}
				if want := "84900000001 failed uncertain"; len(givenUp) != 1 || givenUp[0] != want {
					t.Fatalf("OnGiveUp: %q, want [%q]", givenUp, want)
				}
				// A second sweep tells nobody again.
				if err := o2.Sweep(ctx); err != nil || len(givenUp) != 1 {
					t.Fatalf("second sweep: %v, %d give-ups", err, len(givenUp))
				}
			})
		}
	}
}

// crashOutbox is an outbox on clk, not started (the test drives it).
func crashOutbox(t *testing.T, s *models.Store, clk *outboxtest.Clock, onGiveUp func(context.Context, *models.OutboxMessage, string, *outbox.SendError) error) *outbox.Outbox {
	t.Helper()
	o, err := outbox.New(context.Background(), outbox.Config{Store: s, Rate: 100, Clock: clk, OnGiveUp: onGiveUp,
		ChatLimit: func(string) (rate.Limit, int) { return 1, 3 }})
	if err != nil {
		t.Fatal(err)
	}
	return o
}
