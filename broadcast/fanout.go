package broadcast

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/riverqueue/river"

	"electionbot/models"
)

// advance moves one broadcast on.
func (b *Broadcaster) advance(ctx context.Context, bc *models.Broadcast) error {
	if bc.Status == models.BroadcastQueued {
		if _, err := b.store.StartBroadcast(ctx, bc.ID); err != nil {
			return err
		}
		bc.Status = models.BroadcastSending
		b.log.Info("broadcast: started", "broadcast", bc.ID, "kind", bc.Kind, "audience", bc.Audience)
	}
	st, err := b.store.BroadcastStats(ctx, bc.ID)
	if err != nil {
		return err
	}
	if !bc.FannedOut {
		ahead := max(b.cfg.PageSize, int(b.out.Rate()*b.cfg.Ahead.Seconds()))
		// A budget of work for one tick, in real time.
		budget := time.Now().Add(max(b.cfg.Tick, 10*time.Second))
		var rc *renderCtx
		for !bc.FannedOut && st.Pending < ahead && time.Now().Before(budget) {
			if rc == nil {
				if rc, err = b.renderContext(ctx, bc); err != nil {
					return err
				}
			}
			n, err := b.fanOutPage(ctx, bc, rc)
			if err != nil {
				return err
			}
			st.Pending += n
		}
		if st, err = b.store.BroadcastStats(ctx, bc.ID); err != nil {
			return err
		}
	}
	if bc.FannedOut {
		// Then the households of the voter list (reach.go).
		busy, err := b.advanceHouseholds(ctx, bc)
		if err != nil {
			return err
		}
		if !busy && st.Pending == 0 {
			return b.finish(ctx, bc, st)
		}
	}
	return b.progress(ctx, bc, st)
}

var errPageTaken = errors.New("fan-out page taken by another worker")

// fanOutPage gives the next page of recipients their delivery rows and
// messages, with their send jobs, in one transaction; it returns the
// messages queued.
func (b *Broadcaster) fanOutPage(ctx context.Context, bc *models.Broadcast, rc *renderCtx) (int, error) {
	cs, err := b.store.BroadcastRecipients(ctx, bc, bc.FanoutCursor, b.cfg.PageSize)
	if err != nil {
		return 0, err
	}
	if len(cs) == 0 {
		ok, err := b.store.AdvanceFanout(ctx, bc.ID, bc.FanoutCursor, bc.FanoutCursor, 0, true)
		if err != nil {
			return 0, err
		}
		if !ok {
			return 0, b.reload(ctx, bc)
		}
		bc.FannedOut = true
		b.log.Info("broadcast: fanned out", "broadcast", bc.ID, "recipients", bc.Total)
		return 0, nil
	}
	ds, msgs, err := b.deliveries(ctx, bc, rc, cs)
	if err != nil {
		return 0, err
	}
	if err := b.deferChats(ctx, bc, msgs); err != nil { // quiet hours (reach.go)
		return 0, err
	}
	last := cs[len(cs)-1].ID
	err = b.store.InTx(ctx, func(tx *models.Store) error {
		ok, err := tx.AdvanceFanout(ctx, bc.ID, bc.FanoutCursor, last, len(ds), false)
		if err != nil {
			return err
		}
		if !ok {
			return errPageTaken
		}
		if err := tx.InsertBroadcastMessages(ctx, msgs); err != nil {
			return err
		}
		byContact := make(map[int64]*models.BroadcastDelivery, len(ds))
		for _, d := range ds {
			byContact[d.ContactID] = d
		}
		for _, m := range msgs {
			id := m.ID
			byContact[*m.ContactID].OutboxID = &id
		}
		if err := tx.InsertDeliveries(ctx, ds); err != nil {
			return err
		}
		return b.insertSendJobs(ctx, tx, bc, msgs)
	})
	if errors.Is(err, errPageTaken) {
		return 0, b.reload(ctx, bc)
	}
	if err != nil {
		return 0, err
	}
	bc.FanoutCursor = last
	bc.Total += len(ds)
	return len(msgs), nil
}

// deliveries are the delivery rows of a page of recipients, queued or
// skipped with a reason, and the messages of those queued.
func (b *Broadcaster) deliveries(ctx context.Context, bc *models.Broadcast, rc *renderCtx, cs []*models.Contact) (
	[]*models.BroadcastDelivery, []*models.OutboxMessage, error) {
	skip, err := b.eligible(ctx, cs)
	if err != nil {
		return nil, nil, err
	}
	var ds []*models.BroadcastDelivery
	var msgs []*models.OutboxMessage
	for _, c := range cs {
		d := &models.BroadcastDelivery{BroadcastID: bc.ID, ContactID: c.ID, Status: models.DeliveryQueued}
		ch, served := b.channel(c.Channel)
		switch {
		case !c.Reachable:
			d.Status, d.Reason = models.DeliverySkipped, models.ReasonUnreachable
		case !served:
			d.Status, d.Reason = models.DeliverySkipped, "channel not served: "+c.Channel
		case skip[c.ID] != "":
			d.Status, d.Reason = models.DeliverySkipped, skip[c.ID]
		}
		if d.Status == models.DeliveryQueued {
			text, ok := b.render(rc, bc, c)
			if !ok {
				continue // not addressed by this broadcast (nothing to tell them)
			}
			payload, err := ch.EncodeText(c.ChatID, text)
			if err != nil {
				d.Status, d.Reason = models.DeliverySkipped, models.ShortReason("encode: "+err.Error())
			} else {
				key, id := bc.DedupeKey(c.ID), c.ID
				msgs = append(msgs, &models.OutboxMessage{Channel: c.Channel, ChatID: c.ChatID, ContactID: &id,
					Kind: models.OutboxBroadcast, DedupeKey: &key, Payload: payload})
			}
		}
		ds = append(ds, d)
	}
	return ds, msgs, nil
}

// insertSendJobs inserts the send jobs of msgs, BatchSize messages a job,
// in the fan-out's transaction.
func (b *Broadcaster) insertSendJobs(ctx context.Context, tx *models.Store, bc *models.Broadcast, msgs []*models.OutboxMessage) error {
	var jobs []river.InsertManyParams
	for i := 0; i < len(msgs); i += b.cfg.BatchSize {
		var ids []int64
		for _, m := range msgs[i:min(i+b.cfg.BatchSize, len(msgs))] {
			ids = append(ids, m.ID)
		}
		jobs = append(jobs, river.InsertManyParams{Args: SendArgs{BroadcastID: bc.ID, IDs: ids},
			InsertOpts: &river.InsertOpts{Queue: QueueBroadcast}})
	}
	if len(jobs) == 0 {
		return nil
	}
	if _, err := b.out.River().InsertManyTx(ctx, tx.SQLTx(), jobs); err != nil {
		return models.Wrap(models.EINTERNAL, err, "schedule the sending of broadcast %d", bc.ID)
	}
	return nil
}

// eligible asks each channel's Eligible about its reachable recipients in
// cs: the reasons of those to skip, by contact id.
func (b *Broadcaster) eligible(ctx context.Context, cs []*models.Contact) (map[int64]string, error) {
	byChannel := map[string][]*models.Contact{}
	for _, c := range cs {
		if c.Reachable {
			byChannel[c.Channel] = append(byChannel[c.Channel], c)
		}
	}
	skip := map[int64]string{}
	for name, group := range byChannel {
		ch, ok := b.channel(name)
		if !ok {
			continue
		}
		out, err := ch.Eligible(ctx, group)
		if err != nil {
			return nil, fmt.Errorf("broadcast: %s eligibility: %w", name, err)
		}
		for id, reason := range out {
			if reason == "" {
				reason = name + ": not eligible"
			}
			skip[id] = reason
		}
	}
	return skip, nil
}

// reload refreshes bc after another worker moved it on.
func (b *Broadcaster) reload(ctx context.Context, bc *models.Broadcast) error {
	fresh, err := b.store.Broadcast(ctx, bc.ID)
	if err != nil {
		return err
	}
	*bc = *fresh
	return nil
}

// finish marks a broadcast done (once, whoever gets there first) and
// reports to whoever started it.
func (b *Broadcaster) finish(ctx context.Context, bc *models.Broadcast, st *models.BroadcastStats) error {
	ok, err := b.store.FinishBroadcast(ctx, bc.ID)
	if err != nil || !ok {
		return err
	}
	bc.Status = models.BroadcastDone
	b.log.Info("broadcast: done", "broadcast", bc.ID, "recipients", st.Total, "sent", st.Sent,
		"unreachable", st.Unreachable, "failed", st.Failed, "skipped", st.Skipped)
	if bc.CreatedBy == nil {
		return nil
	}
	if err := b.notify(ctx, bc, "report", func(lang string) string { return b.ReportText(lang, bc, st) }); err != nil {
		return err
	}
	return b.reachReport(ctx, bc) // the households (reach.go)
}

// progress tells whoever started a broadcast how far it got, at most every
// ProgressEvery.
func (b *Broadcaster) progress(ctx context.Context, bc *models.Broadcast, st *models.BroadcastStats) error {
	if bc.CreatedBy == nil || st.Finished() == 0 {
		return nil
	}
	if bc.ProgressAt != nil && b.store.Now().Sub(*bc.ProgressAt) < b.cfg.ProgressEvery {
		return nil
	}
	total := st.Total
	if !bc.FannedOut {
		cnt, err := b.store.CountAudience(ctx, bc)
		if err != nil {
			return err
		}
		total = max(total, cnt.Reachable+cnt.Unreachable)
	}
	ok, err := b.store.BumpProgress(ctx, bc.ID, bc.ProgressSeq)
	if err != nil || !ok {
		return err
	}
	bc.ProgressSeq++
	now := b.store.Now()
	bc.ProgressAt = &now
	done := st.Finished()
	return b.notify(ctx, bc, fmt.Sprintf("p%d", bc.ProgressSeq), func(lang string) string {
		return b.ProgressText(lang, bc, done, total)
	})
}
