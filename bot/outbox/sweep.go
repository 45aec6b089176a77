package outbox

import (
	"context"
	"slices"
	"time"

	"electionbot/models"
)

// sweepBatch is the most messages one sweep hands to the fast path.
const sweepBatch = 500

// Sweep hands the messages left behind to the fast path (Kick), oldest
// first, in order per chat: a reply or acknowledgement not sent Grace
// after it was due (a crash after the commit, a fast path that stopped),
// one due again after a failed attempt (its retries are the sweep's),
// one claimed by a sender whose claim expired (a crash mid-send; on an
// at-most-once channel, one whose call was started is given up as
// uncertain instead, see AtMostOnce), and a
// broadcast's message whose send job was lost (due long ago). Only the
// channels this process sends on are looked at. Old rows are pruned at
// most once every PruneInterval. River runs it every SweepInterval, on
// one replica at a time.
func (o *Outbox) Sweep(ctx context.Context) error {
	now := o.now()
	channels := make([]string, 0, len(o.senders))
	for c := range o.senders {
		channels = append(channels, c)
	}
	slices.Sort(channels)
	// Before the sweep lists what is left: an at-most-once message whose
	// sender died mid-call is given up, not sent again.
	if err := o.giveUpUncertain(ctx); err != nil {
		return err
	}
	if len(channels) > 0 {
		ms, err := o.store.LeftInOutbox(ctx, models.LeftOutbox{
			Now:        now,
			FreshKinds: []string{models.OutboxReply, models.OutboxAck},
			Fresh:      now.Add(-o.cfg.Grace),
			Stale:      now.Add(-(o.cfg.Grace + o.cfg.SendTimeout + o.cfg.SweepInterval)),
			Channels:   channels,
			Limit:      sweepBatch,
		})
		if err != nil {
			return err
		}
		o.Kick(ms)
	}
	o.mu.Lock()
	prune := o.prunedAt.IsZero() || now.Sub(o.prunedAt) >= pruneInterval
	if prune {
		o.prunedAt = now
	}
	o.mu.Unlock()
	if !prune {
		return nil
	}
	before := now.Add(-o.cfg.Retention)
	if _, err := o.store.PruneOutbox(ctx, before); err != nil {
		return err
	}
	_, err := o.store.PruneUpdates(ctx, before)
	return err
}

// pruneInterval is the least time between two prunings of old rows.
const pruneInterval = 10 * time.Minute
