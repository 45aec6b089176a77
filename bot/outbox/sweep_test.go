package outbox_test

import (
	"context"
	"testing"
	"time"

	"electionbot/bot/outbox"
	"electionbot/internal/testdb"
	"electionbot/models"
)

// A sweep left "running" by a process that died (River rescues a stuck
// job only after an hour) does not stop a restarted process's sweeps: a
// reply whose sender died with it is still sent.
func TestSweepAfterADeadProcessSweep(t *testing.T) {
	for _, named := range testdb.Stores(t) {
		t.Run(named.Name, func(t *testing.T) {
			s, ctx := named.Store, context.Background()
			r := newRecorder()
			cfg := outbox.Config{Store: s, SweepInterval: time.Second, Grace: time.Millisecond, FetchPollInterval: 50 * time.Millisecond}
			dead, err := outbox.New(ctx, cfg)
			if err != nil {
				t.Fatal(err)
			}
			dead.Register("test", r)
			// A reply committed and never kicked: only a sweep sends it.
			leftBehind := func(o *outbox.Outbox, payload string) {
				t.Helper()
				msgs := []*models.OutboxMessage{{Channel: "test", ChatID: "9", Payload: payload}}
				if err := s.InTx(ctx, func(tx *models.Store) error { return o.Enqueue(ctx, tx, msgs) }); err != nil {
					t.Fatal(err)
				}
			}
			waitSent := func(n int) {
				t.Helper()
				done := make(chan struct{})
				go func() {
					sends.WaitFor(t, "the replies left behind", 1000, func() bool { return len(r.delivered()) >= n })
					close(done)
				}()
				select {
				case <-done:
				case <-time.After(time.Minute): // a guard against a hang, not a pace: a sweep is due every second
					t.Fatalf("no sweep sent reply %d in a minute", n)
				}
			}
			leftBehind(dead, "first")
			if err := dead.Start(ctx); err != nil {
				t.Fatal(err)
			}
			waitSent(1) // its sweep ran
			stop(t, dead)
			// It died in the middle of its sweeps.
			res := s.DB(ctx).Exec(`UPDATE river_job SET state = 'running', attempted_at = ?, finalized_at = NULL WHERE kind = ?`,
				time.Now().UTC(), outbox.SweepArgs{}.Kind())
			if res.Error != nil || res.RowsAffected == 0 {
				t.Fatalf("no sweep job to leave running: %v", res.Error)
			}
			o, err := outbox.New(ctx, cfg)
			if err != nil {
				t.Fatal(err)
			}
			o.Register("test", r)
			if err := o.Start(ctx); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { stop(t, o) })
			leftBehind(o, "left")
			waitSent(2)
			if got := r.delivered(); !equal(got, []string{"first", "left"}) {
				t.Errorf("delivered %q", got)
			}
		})
	}
}
