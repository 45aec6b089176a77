package outbox

import (
	"context"
	"errors"
	"math/rand/v2"
	"time"

	"electionbot/models"
)

// Enqueue inserts msgs into the outbox inside tx (a store bound to the
// transaction of the effects that produced them, see models.Store.InTx).
// Call Kick with the same msgs after commit. No job is inserted with them:
// what the fast path does not send (a crash after the commit, a retry
// after an error) the sweep finds in the outbox itself (Sweep, every
// SweepInterval).
func (o *Outbox) Enqueue(ctx context.Context, tx *models.Store, msgs []*models.OutboxMessage) error {
	if len(msgs) == 0 {
		return nil
	}
	if tx.SQLTx() == nil {
		return errors.New("outbox: Enqueue needs a store bound to a transaction")
	}
	return tx.EnqueueOutbox(ctx, msgs)
}

// Kick sends committed msgs now, in the background, in order per chat.
// What it cannot send is left to the sweep.
func (o *Outbox) Kick(msgs []*models.OutboxMessage) {
	var order []string
	byChat := map[string][]queued{}
	for _, m := range msgs {
		if m.ID == 0 {
			continue
		}
		k := chatKey(m)
		if _, ok := byChat[k]; !ok {
			order = append(order, k)
		}
		byChat[k] = append(byChat[k], queued{id: m.ID, perChat: m.Kind != models.OutboxAck})
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.stopping {
		return
	}
	for _, k := range order {
		q, ok := o.queues[k]
		if !ok {
			q = &chatQueue{}
			o.queues[k] = q
		}
		var batch []queued
		for _, m := range byChat[k] {
			if _, dup := o.fast[m.id]; !dup {
				o.fast[m.id] = struct{}{}
				batch = append(batch, m)
			}
		}
		if len(batch) > 0 {
			q.batches = append(q.batches, batch)
		}
		if !ok {
			o.wg.Add(1)
			go o.drain(k)
		}
	}
}

// queued is a message in the fast path's queue of its chat.
type queued struct {
	id      int64
	perChat bool // paced per chat (not an acknowledgement)
}

// drain sends a chat's batches one after the other until none is left.
func (o *Outbox) drain(key string) {
	defer o.wg.Done()
	for {
		o.mu.Lock()
		q := o.queues[key]
		if len(q.batches) == 0 {
			delete(o.queues, key)
			o.mu.Unlock()
			return
		}
		batch := q.batches[0]
		q.batches = q.batches[1:]
		o.mu.Unlock()

		select {
		case o.sem <- struct{}{}:
			o.deliverFast(o.ctx, key, batch)
			<-o.sem
		case <-o.ctx.Done(): // drop the rest: the sweep has them
		}
		o.mu.Lock()
		for _, m := range batch {
			delete(o.fast, m.id)
		}
		o.mu.Unlock()
	}
}

// deliverFast sends a chat's batch in order, waiting out a short 429
// itself; it stops at the first message it cannot send now (the sweep
// keeps the order).
func (o *Outbox) deliverFast(ctx context.Context, key string, batch []queued) {
	for _, q := range batch {
		for retries := 0; ; retries++ {
			out, err := o.deliverOne(ctx, key, q)
			if err != nil {
				if ctx.Err() == nil {
					o.log.Warn("outbox: fast path", "outbox_id", q.id, "err", err)
				}
				return
			}
			if out.done {
				break
			}
			// Wait out a 429 (and the clock's rounding right after it).
			afterLimit := out.rateLimited || (retries > 0 && out.wait < time.Second)
			if !afterLimit || out.wait > o.cfg.InlineWait || retries >= 3 {
				return
			}
			if o.clock.Sleep(ctx, out.wait) != nil {
				return
			}
		}
	}
}

// deliverOne makes one attempt at a message of chat key: its chat's pace,
// the claim (which reads it), then the global pace and the call.
func (o *Outbox) deliverOne(ctx context.Context, key string, q queued) (outcome, error) {
	if q.perChat {
		if err := o.lim.WaitChat(ctx, key); err != nil {
			return outcome{}, err
		}
	}
	o.claimed.Add(1) // before the lease: concurrent claims count each other
	m, err := o.store.ClaimOutboxMessage(ctx, q.id, o.leaseFor(), o.once...)
	if err != nil || m == nil {
		o.unclaim(1)
		if err != nil {
			return outcome{}, err
		}
		return o.notClaimed(ctx, q.id)
	}
	if _, ok := o.senders[m.Channel]; !ok {
		// This process does not run that channel (yet): leave it.
		o.unclaim(1)
		return outcome{chat: key, wait: o.cfg.RetryMax}, o.store.ReleaseOutbox(context.WithoutCancel(ctx), []int64{m.ID})
	}
	return o.sendClaimed(ctx, m, q.perChat, nil)
}

// notClaimed is the outcome of a message that could not be claimed:
// finished (or pruned), not due yet, or claimed by another sender.
func (o *Outbox) notClaimed(ctx context.Context, id int64) (outcome, error) {
	ms, err := o.store.OutboxMessages(ctx, []int64{id})
	if err != nil || len(ms) == 0 {
		return outcome{done: true}, err
	}
	return o.waiting(ms[0]), nil
}

// waiting is the outcome of a message read but not claimed.
func (o *Outbox) waiting(m *models.OutboxMessage) outcome {
	key, now := chatKey(m), o.now()
	switch m.Status {
	case models.OutboxPending:
		if m.NextAttemptAt.After(now) {
			return outcome{chat: key, wait: m.NextAttemptAt.Sub(now)}
		}
	case models.OutboxSending:
		if m.LockedUntil != nil && m.LockedUntil.After(now) {
			return outcome{chat: key, wait: m.LockedUntil.Sub(now)}
		}
	default:
		return outcome{chat: key, done: true}
	}
	return outcome{chat: key, wait: 200 * time.Millisecond} // raced with another sender
}

// minCallTime is the least time left on a claim for its call to be made.
const minCallTime = 5 * time.Second

// leaseFor is how long a claim lasts: SendTimeout for the call, plus the
// time the global pace needs for the slots already handed out and for
// the messages claimed (or being claimed) still waiting for theirs, twice
// over. The call's timeout is what is left of the claim (sendClaimed), so
// a claim never expires during its call: no other sender can send the
// message at the same time.
func (o *Outbox) leaseFor() time.Duration {
	now := o.clock.Now()
	slots := float64(o.claimed.Load()) / max(o.lim.Rate(), 1e-3)
	return o.cfg.SendTimeout + 2*(o.lim.global.ahead(now)+time.Duration(slots*float64(time.Second))) + time.Second
}

type pacedAtKey struct{}

// PacedAt is when the limiter let the send in ctx go, on the outbox's
// clock (Config.Clock): a Sender may log it, and a test checks the pace of
// the sends with it in the clock's time.
func PacedAt(ctx context.Context) (time.Time, bool) {
	at, ok := ctx.Value(pacedAtKey{}).(time.Time)
	return at, ok
}

// sendClaimed sends a claimed message (counted in o.claimed by the
// caller) at its slot of the global pace and records the result; marks,
// when given, collects a delivery to be recorded with others (bulk
// sends).
func (o *Outbox) sendClaimed(ctx context.Context, m *models.OutboxMessage, perChat bool, marks *marks) (outcome, error) {
	key := chatKey(m)
	at, err := o.lim.WaitGlobal(ctx)
	o.unclaim(1)
	if err != nil {
		return outcome{}, errors.Join(err, o.store.ReleaseOutbox(context.WithoutCancel(ctx), []int64{m.ID}))
	}
	if perChat {
		o.lim.started(key, at)
	}
	// The call must end before the claim does (else another sender could
	// take the message during it): its timeout is what is left of the
	// claim, less a second, at most SendTimeout.
	timeout := o.cfg.SendTimeout
	if m.LockedUntil != nil {
		timeout = min(timeout, m.LockedUntil.Sub(o.now())-time.Second)
	}
	if timeout < min(o.cfg.SendTimeout, minCallTime) {
		// Paced past its claim: given back to be claimed again.
		o.log.Warn("outbox: claim too short for the pace, given back", "outbox_id", m.ID, "left", timeout)
		return outcome{chat: key, wait: 10 * time.Millisecond}, o.store.ReleaseOutbox(context.WithoutCancel(ctx), []int64{m.ID})
	}
	sender := o.senders[m.Channel]
	sctx, cancel := context.WithTimeout(context.WithValue(o.callStarting(ctx, m), pacedAtKey{}, at), timeout)
	serr := sender.Send(sctx, m)
	cancel()
	o.lim.Done(at)
	// Record the result even if we are being stopped.
	if serr == nil && marks != nil {
		o.metrics.sent.WithLabelValues(m.Channel, m.Kind).Inc()
		return outcome{chat: key, done: true}, marks.add(context.WithoutCancel(ctx), m.ID)
	}
	return o.finish(context.WithoutCancel(ctx), m, serr, at)
}

// Deliver sends the messages with these IDs, as the sweep does, in order
// within each chat: after a message that cannot be sent now, the later
// ones to the same chat wait; other chats go on. It returns how long to
// wait before trying again (0 when all are finished).
func (o *Outbox) Deliver(ctx context.Context, ids []int64) (time.Duration, error) {
	var wait time.Duration
	held := map[string]bool{}
	ms, err := o.store.OutboxMessages(ctx, ids)
	if err != nil {
		return 0, err
	}
	for _, m := range ms {
		key := chatKey(m)
		if held[key] {
			wait = earliest(wait, 10*time.Millisecond)
			continue
		}
		out := o.waiting(m)
		if out.done {
			continue
		}
		if out.wait <= 200*time.Millisecond || m.Status == models.OutboxPending && !m.NextAttemptAt.After(o.now()) {
			if _, ok := o.senders[m.Channel]; !ok {
				// This process does not run that channel (yet): leave it.
				out = outcome{chat: key, wait: o.cfg.RetryMax}
			} else if out, err = o.deliverOne(ctx, key, queued{id: m.ID, perChat: m.Kind != models.OutboxAck}); err != nil {
				return 0, err
			}
		}
		if !out.done {
			held[key] = true
			wait = earliest(wait, out.wait)
		}
	}
	return wait, nil
}

// earliest is the shorter of two waits, 0 meaning none yet; a wait is at
// least 10 ms.
func earliest(wait, w time.Duration) time.Duration {
	w = max(w, 10*time.Millisecond)
	if wait == 0 || w < wait {
		return w
	}
	return wait
}

// outcome of one attempt at one message: done (sent or given up), or try
// again after wait.
type outcome struct {
	chat        string // chatKey of the message
	done        bool
	wait        time.Duration
	rateLimited bool
}

// finish records the result of a send paced at at: sent, given up, or
// pending again after a backoff or a 429's retry_after.
func (o *Outbox) finish(ctx context.Context, m *models.OutboxMessage, serr error, at time.Time) (outcome, error) {
	key := chatKey(m)
	log := o.log.With("outbox_id", m.ID, "channel", m.Channel, "chat_id", m.ChatID, "kind", m.Kind, "attempt", m.Attempts)
	if serr == nil {
		o.metrics.sent.WithLabelValues(m.Channel, m.Kind).Inc()
		return outcome{chat: key, done: true}, o.store.OutboxSent(ctx, m.ID)
	}
	var se *SendError
	if !errors.As(serr, &se) {
		se = &SendError{Kind: Temporary, Code: "network", Err: serr}
	}
	if se.Code == "" {
		se.Code = "unknown"
	}
	o.metrics.errors.WithLabelValues(m.Channel, se.Code).Inc()
	reason := se.Code + ": " + se.Error()
	giveUp := func(status string) {
		o.metrics.givenUp.WithLabelValues(m.Channel, status).Inc()
	}
	// after tells OnGiveUp once the message is stored as given up.
	after := func(status string, err error) (outcome, error) {
		if err == nil && o.cfg.OnGiveUp != nil {
			if herr := o.cfg.OnGiveUp(ctx, m, status, se); herr != nil {
				log.Error("outbox: after giving up", "err", herr)
			}
		}
		return outcome{chat: key, done: true}, err
	}
	switch {
	case se.Kind == Unreachable:
		log.Info("outbox: chat unreachable", "code", se.Code, "err", se.Error())
		giveUp(models.OutboxUnreachable)
		if err := o.store.OutboxGiveUp(ctx, m.ID, models.OutboxUnreachable, reason); err != nil {
			return outcome{}, err
		}
		if _, err := o.store.MarkUnreachable(ctx, m.Channel, m.ChatID); err != nil {
			return outcome{}, err
		}
		_, err := o.store.OutboxCloseChat(ctx, m.Channel, m.ChatID, models.OutboxUnreachable, reason)
		return after(models.OutboxUnreachable, err)
	case se.Kind == Permanent || se.Kind == Exhausted:
		log.Warn("outbox: refused", "code", se.Code, "err", se.Error())
		giveUp(models.OutboxFailed)
		return after(models.OutboxFailed, o.store.OutboxGiveUp(ctx, m.ID, models.OutboxFailed, reason))
	case m.Attempts >= o.cfg.MaxAttempts:
		log.Warn("outbox: giving up", "code", se.Code, "err", se.Error())
		giveUp(models.OutboxFailed)
		return after(models.OutboxFailed, o.store.OutboxGiveUp(ctx, m.ID, models.OutboxFailed, reason))
	}
	var wait time.Duration
	if se.Kind == RateLimited {
		wait = max(se.RetryAfter, time.Second)
		o.lim.Pause(key, wait)
		if o.lim.GlobalLimited(key, at) {
			// Not the chat's doing: the whole pace slows a little, and
			// recovers within seconds.
			o.lim.Backoff()
		}
	} else {
		wait = o.backoff(m.Attempts)
	}
	log.Info("outbox: will retry", "code", se.Code, "err", se.Error(), "in", wait)
	if err := o.store.OutboxRetryAt(ctx, m.ID, o.now().Add(wait), reason); err != nil {
		return outcome{}, err
	}
	return outcome{chat: key, wait: wait, rateLimited: se.Kind == RateLimited}, nil
}

// backoff is RetryBase·2^(attempt-1), at most RetryMax, ±20%.
func (o *Outbox) backoff(attempt int) time.Duration {
	d := o.cfg.RetryBase
	for i := 1; i < attempt && d < o.cfg.RetryMax; i++ {
		d *= 2
	}
	d = min(d, o.cfg.RetryMax)
	jitter := 0.8 + 0.4*rand.Float64()
	return time.Duration(float64(d) * jitter)
}
