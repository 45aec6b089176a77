package outbox

import (
	"context"
	"errors"
	"sync"
	"time"

	"electionbot/models"
)

// The bulk path claims and records its messages by the batch: one
// statement claims (and reads) up to claimChunk messages, one records up
// to markBatch deliveries. A delivery waits about markEvery to be recorded
// (until the next one after that): at a crash, the messages sent but not
// yet recorded are still claimed, and are sent again when their claim
// expires, as a message in flight at a crash always was (on an
// AtMostOnce channel: given up as uncertain instead); markEvery keeps
// them to about as many as the calls in flight.
const (
	maxClaimChunk = 100
	markBatch     = 64
	markEvery     = 50 * time.Millisecond
)

// claimCap is how many messages this replica's bulk sends keep claimed
// and not yet sent: a second of the pace, at least one chunk. More would
// only lengthen the claims (leaseFor) and the wait for them after a
// crash.
func (o *Outbox) claimCap() int64 {
	return int64(max(o.claimChunk(), int(o.lim.Rate())))
}

// claimChunk is how many messages one claim takes: half a second's worth
// at the pace, 1 to maxClaimChunk.
func (o *Outbox) claimChunk() int {
	return min(maxClaimChunk, max(1, int(o.lim.Rate()/2)))
}

// DeliverBulk makes one attempt at each of ids, concurrency at once, as a
// bulk send (a broadcast: one message per chat, no order between them):
// they are claimed by the batch, take this replica's share of the pace one
// at a time (so that a reply waits behind at most one of them), and their
// deliveries are recorded by the batch. It returns how long until the
// earliest of those that must wait can be tried again (0: all finished).
func (o *Outbox) DeliverBulk(ctx context.Context, ids []int64, concurrency int) (time.Duration, error) {
	var (
		mu       sync.Mutex
		wg       sync.WaitGroup
		wait     time.Duration
		firstErr error
	)
	note := func(out outcome, err error) {
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
	}
	failed := func() bool {
		mu.Lock()
		defer mu.Unlock()
		return firstErr != nil
	}
	sem := make(chan struct{}, max(1, concurrency))
	ctx = withGate(ctx, o.bulk)
	marks := &marks{o: o}
	for rest := ids; len(rest) > 0 && ctx.Err() == nil && !failed(); {
		part := rest[:min(len(rest), o.claimChunk())]
		if c := o.claimed.Load(); c > 0 && c+int64(len(part)) > o.claimCap() {
			// Enough claimed ahead of the pace: wait until one of them
			// takes its slot.
			select {
			case <-o.unclaimed:
			case <-ctx.Done():
			}
			continue
		}
		rest = rest[len(part):]
		o.claimed.Add(int64(len(part))) // before the lease: concurrent claims count each other
		claimed, err := o.store.ClaimOutboxBatch(ctx, part, o.leaseFor(), o.once...)
		o.unclaim(len(part) - len(claimed))
		if err != nil {
			note(outcome{}, err)
			break
		}
		if len(claimed) < len(part) {
			note(o.notClaimedPart(ctx, part, claimed))
		}
		for i, m := range claimed {
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
			}
			if ctx.Err() != nil || failed() {
				// Not sent: give them back at once rather than at the end of
				// their claim.
				left := make([]int64, 0, len(claimed)-i)
				for _, m := range claimed[i:] {
					left = append(left, m.ID)
				}
				o.unclaim(len(left))
				note(outcome{}, o.store.ReleaseOutbox(context.WithoutCancel(ctx), left))
				break
			}
			wg.Add(1)
			go func(m *models.OutboxMessage) {
				defer func() { <-sem; wg.Done() }()
				note(o.sendBulk(ctx, m, marks))
			}(m)
		}
	}
	wg.Wait()
	note(outcome{done: true}, marks.flush(context.WithoutCancel(ctx)))
	if firstErr != nil {
		return 0, firstErr
	}
	return wait, ctx.Err()
}

// sendBulk sends one claimed message of a bulk send: a chat paused after
// its 429 gets it back when the pause ends.
func (o *Outbox) sendBulk(ctx context.Context, m *models.OutboxMessage, marks *marks) (outcome, error) {
	key := chatKey(m)
	if _, ok := o.senders[m.Channel]; !ok {
		o.unclaim(1)
		return outcome{chat: key, wait: o.cfg.RetryMax}, o.store.ReleaseOutbox(context.WithoutCancel(ctx), []int64{m.ID})
	}
	perChat := m.Kind != models.OutboxAck
	if perChat {
		if d := o.lim.PausedFor(key); d > 0 {
			o.unclaim(1)
			return outcome{chat: key, wait: d}, o.store.OutboxRetryAt(context.WithoutCancel(ctx), m.ID, o.now().Add(d), m.LastError)
		}
		if err := o.lim.WaitChat(ctx, key); err != nil {
			o.unclaim(1)
			return outcome{}, errors.Join(err, o.store.ReleaseOutbox(context.WithoutCancel(ctx), []int64{m.ID}))
		}
	}
	return o.sendClaimed(ctx, m, perChat, marks)
}

// notClaimedPart is the outcome of those of part that were not claimed: one
// read of them, for how long until they can be tried again.
func (o *Outbox) notClaimedPart(ctx context.Context, part []int64, claimed []*models.OutboxMessage) (outcome, error) {
	got := make(map[int64]bool, len(claimed))
	for _, m := range claimed {
		got[m.ID] = true
	}
	var rest []int64
	for _, id := range part {
		if !got[id] {
			rest = append(rest, id)
		}
	}
	ms, err := o.store.OutboxMessages(ctx, rest)
	if err != nil {
		return outcome{}, err
	}
	out := outcome{done: true}
	for _, m := range ms {
		if w := o.waiting(m); !w.done {
			out.done, out.wait = false, earliest(out.wait, w.wait)
		}
	}
	return out, nil
}

// marks collects a bulk send's deliveries and records them by the batch.
type marks struct {
	o     *Outbox
	mu    sync.Mutex
	ids   []int64
	since time.Time // the outbox clock's time of the oldest unrecorded one
}

// add collects a delivery; it records the batch when it is full or its
// oldest has waited markEvery.
func (k *marks) add(ctx context.Context, id int64) error {
	now := k.o.clock.Now()
	k.mu.Lock()
	if len(k.ids) == 0 {
		k.since = now
	}
	k.ids = append(k.ids, id)
	var ids []int64
	if len(k.ids) >= markBatch || now.Sub(k.since) >= markEvery {
		ids, k.ids = k.ids, nil
	}
	k.mu.Unlock()
	return k.o.store.OutboxSentBatch(ctx, ids)
}

// flush records what is left.
func (k *marks) flush(ctx context.Context) error {
	k.mu.Lock()
	ids := k.ids
	k.ids = nil
	k.mu.Unlock()
	return k.o.store.OutboxSentBatch(ctx, ids)
}

// unclaim counts n claimed messages as no longer waiting for their slot
// (sent, given back, or not claimed after all), and wakes a bulk send
// waiting to claim more.
func (o *Outbox) unclaim(n int) {
	if n == 0 {
		return
	}
	o.claimed.Add(-int64(n))
	select {
	case o.unclaimed <- struct{}{}:
	default:
	}
}
