package outbox

import (
	"context"
	"errors"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/riverqueue/river"

	"electionbot/models"
)

// Enqueue inserts msgs into the outbox inside tx (a store bound to the
// transaction of the effects that produced them, see models.Store.InTx),
// together with the River job that delivers whatever the fast path has not
// sent Grace after the commit. Call Kick with the same msgs after commit.
func (o *Outbox) Enqueue(ctx context.Context, tx *models.Store, msgs []*models.OutboxMessage) error {
	if len(msgs) == 0 {
		return nil
	}
	sqlTx := tx.SQLTx()
	if sqlTx == nil {
		return errors.New("outbox: Enqueue needs a store bound to a transaction")
	}
	if err := tx.EnqueueOutbox(ctx, msgs); err != nil {
		return err
	}
	ids := make([]int64, 0, len(msgs))
	for _, m := range msgs {
		if m.ID != 0 {
			ids = append(ids, m.ID)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	_, err := o.river.InsertTx(ctx, sqlTx, DeliverArgs{IDs: ids}, &river.InsertOpts{
		ScheduledAt: time.Now().Add(o.cfg.Grace), // River's clock
	})
	if err != nil {
		return models.Wrap(models.EINTERNAL, err, "schedule delivery of %d messages", len(ids))
	}
	return nil
}

// Kick sends committed msgs now, in the background, in order per chat.
// What it cannot send is left to the durable job.
func (o *Outbox) Kick(msgs []*models.OutboxMessage) {
	var order []string
	byChat := map[string][]int64{}
	for _, m := range msgs {
		if m.ID == 0 {
			continue
		}
		k := chatKey(m)
		if _, ok := byChat[k]; !ok {
			order = append(order, k)
		}
		byChat[k] = append(byChat[k], m.ID)
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
		q.batches = append(q.batches, byChat[k])
		if !ok {
			o.wg.Add(1)
			go o.drain(k)
		}
	}
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
		case <-o.ctx.Done():
			continue // drop the rest: the durable job has them
		}
		o.deliverFast(o.ctx, batch)
		<-o.sem
	}
}

// deliverFast sends a batch in order, waiting out a short 429 itself; it
// stops at the first message it cannot send now (the job keeps the order).
func (o *Outbox) deliverFast(ctx context.Context, ids []int64) {
	for _, id := range ids {
		for retries := 0; ; retries++ {
			out, err := o.deliverOne(ctx, id)
			if err != nil {
				if ctx.Err() == nil {
					o.log.Warn("outbox: fast path", "outbox_id", id, "err", err)
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

// Deliver sends the messages with these IDs, as the durable job does, in
// order within each chat: after a message that cannot be sent now, the
// later ones to the same chat wait; other chats go on. It returns how long
// to wait before trying again (0 when all are finished).
func (o *Outbox) Deliver(ctx context.Context, ids []int64) (time.Duration, error) {
	var wait time.Duration
	held := map[string]bool{}
	for _, id := range ids {
		out, err := o.deliverOne(ctx, id, held)
		if err != nil {
			return 0, err
		}
		if !out.done {
			held[out.chat] = true
			wait = earliest(wait, out.wait)
		}
	}
	return wait, nil
}

// DeliverBulk makes one attempt at each of ids, concurrency at once, as a
// bulk send (a broadcast: one message per chat, no order between them):
// they take this replica's share of the pace one at a time, so that a
// reply waits behind at most one of them. It returns how long until the
// earliest of those that must wait can be tried again (0: all finished).
func (o *Outbox) DeliverBulk(ctx context.Context, ids []int64, concurrency int) (time.Duration, error) {
	var (
		mu       sync.Mutex
		wg       sync.WaitGroup
		wait     time.Duration
		firstErr error
	)
	sem := make(chan struct{}, max(1, concurrency))
	ctx = withGate(ctx, o.bulk)
loop:
	for _, id := range ids {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			break loop
		}
		mu.Lock()
		failed := firstErr != nil
		mu.Unlock()
		if failed {
			<-sem
			break
		}
		wg.Add(1)
		go func(id int64) {
			defer func() { <-sem; wg.Done() }()
			out, err := o.deliverOne(ctx, id)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err != nil:
				if firstErr == nil {
					firstErr = err
				}
			case !out.done:
				wait = earliest(wait, out.wait)
			}
		}(id)
	}
	wg.Wait()
	if firstErr != nil {
		return 0, firstErr
	}
	return wait, ctx.Err()
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

type pacedAtKey struct{}

// PacedAt is when the limiter let the send in ctx go, on the outbox's
// clock (Config.Clock): a Sender may log it, and a test checks the pace of
// the sends with it in the clock's time.
func PacedAt(ctx context.Context) (time.Time, bool) {
	at, ok := ctx.Value(pacedAtKey{}).(time.Time)
	return at, ok
}

// deliverOne makes one attempt at message id, unless its chat is in held
// (an earlier message to it is waiting).
func (o *Outbox) deliverOne(ctx context.Context, id int64, held ...map[string]bool) (outcome, error) {
	ms, err := o.store.OutboxMessages(ctx, []int64{id})
	if err != nil {
		return outcome{}, err
	}
	if len(ms) == 0 {
		return outcome{done: true}, nil // pruned
	}
	m := ms[0]
	key := chatKey(m)
	now := o.now()
	switch m.Status {
	case models.OutboxSent, models.OutboxFailed, models.OutboxUnreachable:
		return outcome{chat: key, done: true}, nil
	case models.OutboxSending:
		if m.LockedUntil != nil && m.LockedUntil.After(now) {
			return outcome{chat: key, wait: m.LockedUntil.Sub(now)}, nil
		}
	case models.OutboxPending:
		if m.NextAttemptAt.After(now) {
			return outcome{chat: key, wait: m.NextAttemptAt.Sub(now)}, nil
		}
	}
	if len(held) > 0 && held[0][key] {
		return outcome{chat: key, wait: 10 * time.Millisecond}, nil
	}
	sender, ok := o.senders[m.Channel]
	if !ok {
		// This process does not run that channel (yet): leave it.
		return outcome{chat: key, wait: o.cfg.RetryMax}, nil
	}
	at, err := o.lim.Wait(ctx, key, m.Kind != models.OutboxAck)
	if err != nil {
		return outcome{}, err
	}
	claimed, err := o.store.ClaimOutbox(ctx, id, o.cfg.SendTimeout)
	if err != nil {
		return outcome{}, err
	}
	if !claimed {
		return outcome{chat: key, wait: 200 * time.Millisecond}, nil // someone else has it
	}
	m.Attempts++
	sctx, cancel := context.WithTimeout(context.WithValue(ctx, pacedAtKey{}, at), o.cfg.SendTimeout)
	serr := sender.Send(sctx, m)
	cancel()
	// Record the result even if we are being stopped.
	return o.finish(context.WithoutCancel(ctx), m, serr)
}

func (o *Outbox) finish(ctx context.Context, m *models.OutboxMessage, serr error) (outcome, error) {
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
		o.lim.Backoff() // the whole pace slows, and recovers gradually
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

// Sweep sends messages that should have been sent by now but have no live
// sender (their job was lost), oldest first, and prunes old rows. River
// runs it every SweepInterval.
func (o *Outbox) Sweep(ctx context.Context) error {
	stale := o.now().Add(-(o.cfg.Grace + o.cfg.SendTimeout + o.cfg.SweepInterval))
	ms, err := o.store.DueOutbox(ctx, stale, 500)
	if err != nil {
		return err
	}
	ids := make([]int64, len(ms))
	for i, m := range ms {
		ids[i] = m.ID
	}
	if _, err := o.Deliver(ctx, ids); err != nil {
		return err
	}
	before := o.now().Add(-o.cfg.Retention)
	if _, err := o.store.PruneOutbox(ctx, before); err != nil {
		return err
	}
	_, err = o.store.PruneUpdates(ctx, before)
	return err
}
