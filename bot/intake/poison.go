package intake

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sync"

	"electionbot/models"
)

// A poison update is one that fails on every delivery: refused data (a
// string PostgreSQL will not store), a handler that panics on it, or an
// update that failed PoisonAttempts times in this process while the
// database commits. Answering 500 to it makes the provider deliver it
// again and again (Telegram holds the chat's later updates behind it),
// so it is recorded as processed in a transaction of its own, logged and
// counted (electionbot_updates_poison_total), and acknowledged. An
// update failing because the database is down is not poison: it is
// answered 500 and comes again.

// PoisonAttempts is how many failures of one update, with the database
// able to commit, make it poison.
const PoisonAttempts = 5

// panicError is a panic of the handler (or a hook) on an update.
type panicError struct{ value any }

func (e *panicError) Error() string { return fmt.Sprintf("panic: %v", e.value) }

// recoverPanic turns a panic into *err; the stack goes to the log.
func recoverPanic(err *error) {
	if p := recover(); p != nil {
		slog.Error("intake: panic while processing an update", "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
		*err = &panicError{p}
	}
}

// poison says why an update that failed with err is poison ("" when it
// is not).
func (it *Intake) poison(ctx context.Context, u Update, err error) string {
	var pe *panicError
	switch {
	case errors.As(err, &pe):
		return "panic"
	case models.IsDataError(err):
		return "refused data"
	case u.ID == "":
		return "" // not recorded: nothing to count it by
	}
	if it.failures.add(u.ID) < PoisonAttempts {
		return ""
	}
	if it.cfg.Store.CanCommit(ctx) != nil {
		// The database is the problem, not the update: its count starts
		// again once the database is back.
		it.failures.forget(u.ID)
		return ""
	}
	return fmt.Sprintf("failed %d times", PoisonAttempts)
}

// acknowledge records a poison update as processed, so that its next
// deliveries are duplicates; an error (the record failed) is answered
// 500 like any failure.
func (it *Intake) acknowledge(ctx context.Context, log *slog.Logger, u Update, why string, cause error) (Taken, error) {
	if u.ID != "" {
		err := it.cfg.Store.InTx(ctx, func(tx *models.Store) error {
			_, err := tx.RecordUpdate(ctx, it.cfg.Channel, u.ID)
			return err
		})
		if err != nil {
			it.metrics.Failures.Inc()
			log.Error(it.cfg.Channel+": poison update not recorded", "reason", why, "err", err)
			return Taken{}, err
		}
	}
	it.failures.forget(u.ID)
	it.metrics.Poison.Inc()
	log.Error(it.cfg.Channel+": poison update acknowledged without processing", "reason", why, "err", cause)
	return Taken{Poison: true}, nil
}

// failures counts the failed attempts of updates in this process. It
// forgets everything when it holds maxTracked ids: under a flood of
// failing updates an update may need more attempts to be judged, never
// fewer.
type failures struct {
	mu sync.Mutex
	n  map[string]int
}

const maxTracked = 10000

func (f *failures) add(id string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.n == nil || len(f.n) >= maxTracked {
		f.n = map[string]int{}
	}
	f.n[id]++
	return f.n[id]
}

func (f *failures) forget(id string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.n, id)
}
