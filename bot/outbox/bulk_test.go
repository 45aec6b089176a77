package outbox_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/time/rate"
	"gorm.io/gorm"

	"electionbot/bot/outbox"
	"electionbot/bot/outbox/outboxtest"
	"electionbot/internal/testdb"
	"electionbot/models"
)

// clockOutbox is an outbox paced on clk (not started: the tests call
// Deliver and DeliverBulk themselves) at 30 messages a second, 1 a second
// per chat with bursts of 3.
func clockOutbox(t *testing.T, s *models.Store, clk *outboxtest.Clock, perSecond float64, r *outboxtest.Recorder) *outbox.Outbox {
	t.Helper()
	o, err := outbox.New(context.Background(), outbox.Config{Store: s, Rate: perSecond, Clock: clk,
		ChatLimit: func(string) (rate.Limit, int) { return 1, 3 }})
	if err != nil {
		t.Fatal(err)
	}
	o.Register("test", r)
	return o
}

// drive runs f while moving clk to each sleeper in turn, until f returns.
func drive(t *testing.T, clk *outboxtest.Clock, f func() error) {
	t.Helper()
	var done atomic.Bool
	errc := make(chan error, 1)
	go func() {
		err := f()
		done.Store(true)
		clk.Events().Add()
		errc <- err
	}()
	clk.AdvanceUntil(t, "the delivery", time.Minute, 100000, done.Load)
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
}

// A 429 that the chat explains (its second message within its second)
// pauses that chat and leaves the global pace as it was; one the chat
// does not explain (its first message) slows the global pace by a tenth.
func TestOutbox429ChatOrGlobal(t *testing.T) {
	tooMany := &outbox.SendError{Kind: outbox.RateLimited, Code: "429", RetryAfter: time.Second}
	for _, tc := range []struct {
		name     string
		payloads []string
		script   []error
		wantRate float64
	}{
		{"the chat's second message: the chat's 429", []string{"a", "b"}, []error{nil, tooMany}, 30},
		{"the chat's first message: the global limit's", []string{"a"}, []error{tooMany}, 27},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := testdb.SQLite(t)
			clk := outboxtest.NewClock(t0)
			r := outboxtest.NewRecorder(nil)
			r.Fail("x", tc.script...)
			o := clockOutbox(t, s, clk, 30, r)
			var msgs []*models.OutboxMessage
			for _, p := range tc.payloads {
				msgs = append(msgs, &models.OutboxMessage{Channel: "test", ChatID: "x", Payload: p})
			}
			if err := s.EnqueueOutbox(context.Background(), msgs); err != nil {
				t.Fatal(err)
			}
			var ids []int64
			for _, m := range msgs {
				ids = append(ids, m.ID)
			}
			drive(t, clk, func() error { _, err := o.Deliver(context.Background(), ids); return err })
			if got := r.Attempts(); got != len(tc.payloads) {
				t.Fatalf("%d attempts, want %d", got, len(tc.payloads))
			}
			if got := o.Limiter().Rate(); got < tc.wantRate-0.01 || got > tc.wantRate+0.01 {
				t.Fatalf("global pace %v after the 429, want %v", got, tc.wantRate)
			}
			if got := o.Limiter().PausedFor("test:x"); got <= 0 {
				t.Fatal("the chat is not paused after its 429")
			}
		})
	}
}

// countStatements counts the statements run on s from now on.
func countStatements(t *testing.T, s *models.Store) *atomic.Int64 {
	t.Helper()
	var n atomic.Int64
	count := func(*gorm.DB) { n.Add(1) }
	cb := s.DB(context.Background()).Callback()
	for i, p := range []interface {
		Register(string, func(*gorm.DB)) error
	}{cb.Create().After("*"), cb.Query().After("*"), cb.Update().After("*"), cb.Delete().After("*"), cb.Row().After("*"), cb.Raw().After("*")} {
		if err := p.Register(fmt.Sprintf("count_statements_%d", i), count); err != nil {
			t.Fatal(err)
		}
	}
	return &n
}

// A broadcast's messages are claimed and recorded by the batch: far fewer
// statements than messages (it was 3 a message: read, claim, record), each
// message sent once, every one recorded as sent, and the pace strict.
func TestDeliverBulkBatches(t *testing.T) {
	// At 30/s a record waits for one more delivery (markEvery is under two
	// slots); at 1000/s it holds about 50.
	for _, tc := range []struct{ perSecond, most float64 }{{30, 0.5}, {1000, 0.1}} {
		perSecond := tc.perSecond
		t.Run(fmt.Sprint(perSecond), func(t *testing.T) {
			s := testdb.SQLite(t)
			ctx := context.Background()
			clk := outboxtest.NewClock(t0)
			var (
				clkMu sync.Mutex
				paced []time.Time
			)
			r := outboxtest.NewRecorder(nil)
			o := clockOutbox(t, s, clk, perSecond, r)
			o.Register("test", outbox.SenderFunc(func(ctx context.Context, m *models.OutboxMessage) error {
				at, _ := outbox.PacedAt(ctx)
				clkMu.Lock()
				paced = append(paced, at)
				clkMu.Unlock()
				return r.Send(ctx, m)
			}))
			const n = 300
			var msgs []*models.OutboxMessage
			for i := 0; i < n; i++ {
				key := fmt.Sprintf("bc:1:%d", i)
				msgs = append(msgs, &models.OutboxMessage{Channel: "test", ChatID: fmt.Sprint(i), Kind: models.OutboxBroadcast,
					Payload: fmt.Sprint(i), DedupeKey: &key})
			}
			if err := s.InsertBroadcastMessages(ctx, msgs); err != nil {
				t.Fatal(err)
			}
			ids := make([]int64, n)
			for i, m := range msgs {
				ids[i] = m.ID
			}
			stmts := countStatements(t, s)
			drive(t, clk, func() error {
				wait, err := o.DeliverBulk(ctx, ids, 32)
				if err == nil && wait != 0 {
					err = fmt.Errorf("wait %v after a bulk send without errors", wait)
				}
				return err
			})
			per := float64(stmts.Load()) / n
			t.Logf("%d messages at %v/s: %d statements, %.3f a message", n, perSecond, stmts.Load(), per)
			if per > tc.most {
				t.Errorf("%.3f statements a message, want at most %v", per, tc.most)
			}
			if got := len(r.Delivered()); got != n {
				t.Fatalf("%d delivered, want %d", got, n)
			}
			var sent int64
			s.DB(ctx).Model(&models.OutboxMessage{}).Where("status = ? AND attempts = 1", models.OutboxSent).Count(&sent)
			if sent != n {
				t.Fatalf("%d recorded as sent after one attempt, want %d", sent, n)
			}
			sortTimes(paced)
			if got := maxInAnySecond(paced); float64(got) > perSecond {
				t.Fatalf("%d sends in one rolling second, limit %v", got, perSecond)
			}
		})
	}
}

// A reply costs three statements: its insert in the transaction of the
// update, the claim (which reads it) and the record of its delivery; no
// River job is inserted with it (it was five: the insert, River's job
// insert, a read, the claim and the record, and River's run of the job
// later).
func TestReplyStatements(t *testing.T) {
	s := testdb.SQLite(t)
	ctx := context.Background()
	r := newRecorder()
	o, err := outbox.New(ctx, outbox.Config{Store: s, ChatLimit: func(string) (rate.Limit, int) { return rate.Inf, 1 }})
	if err != nil {
		t.Fatal(err)
	}
	o.Register("test", r)
	t.Cleanup(func() { o.Stop(ctx) })
	stmts := countStatements(t, s)
	msgs := enqueue(t, s, o, "5", true, "a", "b", "c", "d")
	waitFor(t, "4 deliveries", func() bool { return len(r.delivered()) >= 4 })
	stop(t, o)
	var jobs int64
	s.DB(ctx).Table("river_job").Count(&jobs)
	if jobs != 0 {
		t.Errorf("%d River jobs inserted with the replies, want none", jobs)
	}
	per := float64(stmts.Load()-1) / float64(len(msgs)) // less the count of jobs
	t.Logf("%d replies: %d statements, %.2f a reply", len(msgs), stmts.Load()-1, per)
	if per > 3 {
		t.Errorf("%.2f statements a reply, want 3", per)
	}
}
