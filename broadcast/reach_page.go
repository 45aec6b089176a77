package broadcast

import (
	"context"
	"time"

	"electionbot/models"
)

// reachPage is what one transaction of the cascade queues: the messages
// of the paid channels and the ledger rows, within the broadcast's cost
// ceiling.
type reachPage struct {
	ctx      context.Context
	tx       *models.Store
	b        *Broadcaster
	bc       *models.Broadcast
	r        *models.BroadcastReach
	rc       *renderCtx
	plan     models.ReachPlan
	ceiling  int64 // 0: none
	cost     int64 // the broadcast's paid messages so far, this page's included
	quiet    time.Time
	msgs     []*models.OutboxMessage
	attempts []*models.ReachAttempt
	// sent links an attempt to its message (index in msgs).
	sent map[*models.ReachAttempt]int
	// direct: the messages go through the outbox's Enqueue (its delivery
	// job, then Kick after the commit) instead of the broadcast's send
	// jobs: a household moved on alone.
	direct bool
}

func (b *Broadcaster) newPage(ctx context.Context, tx *models.Store, bc *models.Broadcast, r *models.BroadcastReach, rc *renderCtx) (*reachPage, error) {
	p := &reachPage{ctx: ctx, tx: tx, b: b, bc: bc, r: r, rc: rc, plan: b.Plan(), sent: map[*models.ReachAttempt]int{}}
	p.ceiling = r.CeilingVND
	if p.ceiling <= 0 {
		p.ceiling = p.plan.CeilingVND
	}
	if p.ceiling > 0 {
		cost, err := tx.ReachCost(ctx, bc.ID)
		if err != nil {
			return nil, err
		}
		p.cost = cost
	}
	p.quiet = b.quietUntil(r)
	return p, nil
}

// paidChannelFrom queues a household's message on the first paid channel
// from paidOrder[from] on that can take it, or records why none did.
func (b *Broadcaster) paidChannelFrom(p *reachPage, v *models.Voter, phone string, from int) {
	row := func(channel, outcome, reason string) *models.ReachAttempt {
		a := &models.ReachAttempt{BroadcastID: p.bc.ID, VoterID: v.ID, AreaID: v.AreaID, Channel: channel,
			Outcome: outcome, Reason: reason}
		p.attempts = append(p.attempts, a)
		return a
	}
	reason := "no phone"
	if phone != "" {
		reason = "no channel"
	}
	for i := max(from, 0); i < len(paidOrder) && phone != ""; i++ {
		name := paidOrder[i]
		ch, ok := b.paidChannel(name)
		if !ok || (name == models.ChannelZNS && p.r.ZNSStoppedAt != nil) {
			continue
		}
		cost := p.plan.Cost(name)
		if p.ceiling > 0 && p.cost+int64(cost) > p.ceiling {
			row(models.ReachNone, models.ReachCeiling, "cost ceiling")
			return
		}
		hm, ok := b.householdText(p.rc, p.bc, v)
		if !ok {
			reason = "nothing to say"
			break
		}
		key := reachDedupeKey(p.bc.ID, v.ID, name)
		hm.ID, hm.Phone = key, phone
		payload, err := ch.Encode(hm)
		if err != nil {
			row(name, models.ReachFailed, "encode: "+err.Error())
			continue
		}
		p.msgs = append(p.msgs, &models.OutboxMessage{Channel: name, ChatID: phone, Kind: models.OutboxBroadcast,
			DedupeKey: &key, Payload: payload, NextAttemptAt: p.quiet})
		a := row(name, models.ReachQueued, "")
		a.CostVND = cost
		p.sent[a] = len(p.msgs) - 1
		p.cost += int64(cost)
		return
	}
	row(models.ReachNone, models.ReachNoChannel, reason)
}

// commit inserts the page's messages, its ledger rows and the send jobs,
// in the page's transaction.
func (p *reachPage) commit() error {
	if p.direct {
		// A message whose dedupe key is there already keeps ID 0: its
		// ledger row is there already too (InsertReachAttempts skips it).
		if err := p.b.out.Enqueue(p.ctx, p.tx, p.msgs); err != nil {
			return err
		}
	} else if err := p.tx.InsertBroadcastMessages(p.ctx, p.msgs); err != nil {
		return err
	}
	for a, i := range p.sent {
		if id := p.msgs[i].ID; id != 0 {
			a.OutboxID = &id
		}
	}
	if err := p.tx.InsertReachAttempts(p.ctx, p.attempts); err != nil {
		return err
	}
	if p.direct {
		return nil
	}
	return p.b.insertSendJobs(p.ctx, p.tx, p.bc, p.msgs)
}
