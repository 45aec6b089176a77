package broadcast

import (
	"context"
	"electionbot/bot/outbox"
	"electionbot/models"
	"time"
)

// A household's next channel: when its message is given up (the chat
// blocked or outside Zalo's window, the phone not on Zalo, the ZNS quota
// spent), the household moves on to the next channel of the cascade in
// the transaction that closes its ledger row, so it gets one message.

// moveOn takes households whose message the outbox gave up to their next
// channel, each in a transaction of its own (close the old row only from
// queued, queue the next).
func (b *Broadcaster) moveOn(ctx context.Context, bc *models.Broadcast, r *models.BroadcastReach, rc *renderCtx, gone []*models.GivenUpReach) error {
	ids := make([]int64, len(gone))
	for i, g := range gone {
		ids[i] = g.VoterID
	}
	voters, err := b.store.VotersByID(ctx, ids)
	if err != nil {
		return err
	}
	for _, g := range gone {
		outcome, next := nextAfter(g, r)
		v := voters[g.VoterID]
		var queued []*models.OutboxMessage
		err := b.store.InTx(ctx, func(tx *models.Store) error {
			ok, err := tx.CloseReachAttempt(ctx, g.ID, outcome, g.LastError)
			if err != nil || !ok {
				return err
			}
			if v == nil || next < 0 {
				return nil
			}
			p, err := b.newPage(ctx, tx, bc, r, rc)
			if err != nil {
				return err
			}
			phone := ""
			if v.Phone != nil {
				phone, _ = models.Phone84(*v.Phone)
			}
			b.paidChannelFrom(p, v, phone, next)
			p.direct, queued = true, p.msgs
			return p.commit()
		})
		if err != nil {
			return err
		}
		// One household at a time: sent now by the outbox's fast path,
		// its durable job a moment later, rather than a send job of one
		// message each on the broadcast queue.
		b.out.Kick(queued)
	}
	return nil
}

// nextAfter is the outcome of a given-up ledger row and the index in
// paidOrder of the channel to try next (-1: none). A chat that failed
// goes on to the paid channels; ZNS only when the number is not on Zalo
// or its quota ran out (a template error stops there: the admin fixes
// it; an uncertain one too: it may have been sent); SMS is the last.
func nextAfter(g *models.GivenUpReach, r *models.BroadcastReach) (string, int) {
	if models.IsUncertain(g.OutboxStatus, g.LastError) {
		// Perhaps sent (the sender died mid-call, no idempotency key):
		// another channel could be a second message. Door to door
		// unless its receipt arrives.
		return models.ReachUncertain, -1
	}
	outcome := models.ReachFailed
	if g.OutboxStatus == models.OutboxUnreachable {
		outcome = models.ReachUnreachable
	}
	switch g.Channel {
	case models.ChannelZNS:
		if outcome == models.ReachFailed && r.ZNSStoppedAt != nil {
			outcome = models.ReachExhausted
		}
		if outcome == models.ReachFailed {
			return outcome, -1
		}
		return outcome, 1
	case models.ChannelSMS:
		return outcome, -1
	}
	return outcome, 0
}

// OnGiveUp is outbox.Config.OnGiveUp: a household whose message was given
// up moves on to its next channel now (the tick does it otherwise); ZNS
// out of quota stops ZNS for that broadcast and tells its admin.
func (b *Broadcaster) OnGiveUp(ctx context.Context, m *models.OutboxMessage, status string, se *outbox.SendError) error {
	a, err := b.store.ReachAttemptByOutbox(ctx, m.ID)
	if err != nil || a == nil {
		return err
	}
	bc, err := b.store.Broadcast(ctx, a.BroadcastID)
	if err != nil {
		return err
	}
	if se != nil && se.Kind == outbox.Exhausted && m.Channel == models.ChannelZNS {
		first, err := b.store.StopZNS(ctx, bc.ID, se.Error())
		if err != nil {
			return err
		}
		if first {
			b.log.Warn("broadcast: ZNS exhausted, the rest goes by SMS", "broadcast", bc.ID, "err", se.Error())
			if bc.CreatedBy != nil {
				if err := b.notify(ctx, bc, "zns-exhausted", func(lang string) string {
					return b.tr(lang, "reach_zns_exhausted", map[string]any{"ID": bc.ID})
				}); err != nil {
					return err
				}
			}
		}
	}
	r, err := b.store.BroadcastReach(ctx, bc.ID)
	if err != nil {
		return err
	}
	rc, err := b.cachedRender(ctx, bc)
	if err != nil {
		return err
	}
	lastErr := m.LastError
	if se != nil {
		lastErr = se.Code + ": " + se.Error()
	}
	g := &models.GivenUpReach{ReachAttempt: *a, OutboxStatus: status, LastError: lastErr}
	return b.moveOn(ctx, bc, r, rc, []*models.GivenUpReach{g})
}

// cachedRender is a broadcast's render context for OnGiveUp, loaded at
// most every renderTTL: one give-up after another (a whole ZNS quota
// spent) does not reload the election's areas each time.
func (b *Broadcaster) cachedRender(ctx context.Context, bc *models.Broadcast) (*renderCtx, error) {
	b.mu.Lock()
	c, ok := b.renders[bc.ID]
	b.mu.Unlock()
	if ok && time.Since(c.at) < renderTTL {
		return c.rc, nil
	}
	rc, err := b.renderContext(ctx, bc)
	if err != nil {
		return nil, err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.renders == nil || len(b.renders) > 100 {
		b.renders = map[int64]cachedRender{}
	}
	b.renders[bc.ID] = cachedRender{rc: rc, at: time.Now()}
	return rc, nil
}

const renderTTL = 30 * time.Second

type cachedRender struct {
	rc *renderCtx
	at time.Time
}
