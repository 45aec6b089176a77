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
	if d := sv.cfg.PurgeAfterDays; d > 0 {
		sv.log.Info("automatic purge on: an election's voter list is deleted PURGE_AFTER_DAYS after its results are all recognised (0 turns it off)", "days", d)
	}
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

// purgeCheckInterval is how often housekeeping looks for elections to
// purge: the check reads every unpurged election's results.
const purgeCheckInterval = time.Hour

// housekeep is one round at now: the searched names whose time is up are
// forgotten (LOOKUP_PENDING_TTL), files sent in chat and never confirmed
// are dropped after a day, and, every purgeCheckInterval, the
// elections due are purged (PURGE_AFTER_DAYS).
func (sv *Server) housekeep(ctx context.Context, now time.Time) {
	sv.housekeepMu.Lock()
	defer sv.housekeepMu.Unlock()
	if sv.purgeChecked.IsZero() || now.Sub(sv.purgeChecked) >= purgeCheckInterval {
		sv.purgeChecked = now
		sv.autoPurge(ctx, now) // purge.go
	}
	if n, err := sv.store.ExpireStates(ctx, now); err != nil {
		if ctx.Err() == nil {
			sv.log.Warn("housekeeping: expire conversation states", "err", err)
		}
	} else if n > 0 {
		sv.log.Info("housekeeping: pending lookups forgotten", "contacts", n)
	}
	if n, err := sv.store.DropExpiredFiles(ctx, now); err != nil {
		if ctx.Err() == nil {
			sv.log.Warn("housekeeping: drop files never confirmed", "err", err)
		}
	} else if n > 0 {
		sv.log.Info("housekeeping: files never confirmed dropped", "files", n)
	}
}
