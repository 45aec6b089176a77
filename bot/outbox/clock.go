package outbox

import (
	"context"
	"time"
)

// Clock is the time the outbox paces by: the limiter's buckets and its
// slowdown after 429s, the fast path's wait for a short retry_after, and the
// replicas' heartbeats. Tests give one they move by hand
// (outboxtest.Clock), so that a rate is checked in the clock's time, not
// in the machine's. Message due times are the store's clock
// (models.Store.Now) and River schedules jobs in real time.
type Clock interface {
	Now() time.Time
	// Sleep returns once d has passed on this clock (at once when d <= 0),
	// or when ctx is done: then it returns ctx's error.
	Sleep(ctx context.Context, d time.Duration) error
}

// SystemClock is the machine's clock.
type SystemClock struct{}

// Now is time.Now.
func (SystemClock) Now() time.Time { return time.Now() }

// Sleep is the package's Sleep.
func (SystemClock) Sleep(ctx context.Context, d time.Duration) error { return Sleep(ctx, d) }

// Sleep waits d, or until ctx is done: then it returns ctx's error.
func Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
