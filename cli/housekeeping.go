package cli

import (
	"context"
	"time"
)

// housekeepingInterval is how often serve forgets expired conversation
// states (and looks for elections to purge: purge.go).
const housekeepingInterval = time.Minute

// housekeeping runs until ctx is done: every replica, every minute (each
// step is idempotent, so replicas need not agree on who does it).
func (sv *Server) housekeeping(ctx context.Context) {
	t := time.NewTicker(housekeepingInterval)
	defer t.Stop()
	for {
		sv.housekeep(ctx, time.Now())
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// housekeep is one round at now: the searched names whose time is up are
// forgotten (LOOKUP_PENDING_TTL).
func (sv *Server) housekeep(ctx context.Context, now time.Time) {
	if n, err := sv.store.ExpireStates(ctx, now); err != nil {
		if ctx.Err() == nil {
			sv.log.Warn("housekeeping: expire conversation states", "err", err)
		}
	} else if n > 0 {
		sv.log.Info("housekeeping: pending lookups forgotten", "contacts", n)
	}
}
