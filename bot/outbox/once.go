package outbox

import (
	"context"
	"errors"
	"slices"
	"sync"

	"electionbot/models"
)

// AtMostOnce is implemented by a Sender whose provider has no idempotency
// key (ZNS): a second call of a message would be a second message on the
// phone. When AtMostOnce is true, Send must call CallStarting right
// before the call that may deliver the message (after its own waits):
// the outbox marks the message's call started then
// (models.Outbox.OutboxCallStarted). A message whose claim expires with
// that mark (the process died mid-call) is never claimed again: the sweep
// gives it up as uncertain (status failed, last error "uncertain: …",
// OnGiveUp with a SendError of kind Uncertain). A message claimed but not
// yet called at the crash is sent as usual.
type AtMostOnce interface {
	AtMostOnce() bool
}

type callStartingKey struct{}

// CallStarting is what an AtMostOnce Sender calls right before the call
// that may deliver the message of ctx: the outbox records that the call
// is under way. An error means it could not: the Sender must not make the
// call (and returns the error, a temporary one). Outside an at-most-once
// send it does nothing.
func CallStarting(ctx context.Context) error {
	if f, ok := ctx.Value(callStartingKey{}).(func() error); ok {
		return f()
	}
	return nil
}

// Uncertain is the kind of the give-up of a message of an at-most-once
// channel whose call was made and whose result was never recorded: it
// may or may not have reached its chat, and is not sent again.
const Uncertain ErrorKind = Exhausted + 1

// atMostOnce lists the channels whose senders are at most once, sorted.
func (o *Outbox) atMostOnce() []string {
	var cs []string
	for c, s := range o.senders {
		if a, ok := s.(AtMostOnce); ok && a.AtMostOnce() {
			cs = append(cs, c)
		}
	}
	slices.Sort(cs)
	return cs
}

// isAtMostOnce says whether channel's sender is at most once.
func (o *Outbox) isAtMostOnce(channel string) bool {
	return slices.Contains(o.once, channel)
}

// callStarting gives ctx the CallStarting of m when its channel is at
// most once: the first call marks it under way in the store.
func (o *Outbox) callStarting(ctx context.Context, m *models.OutboxMessage) context.Context {
	if !o.isAtMostOnce(m.Channel) {
		return ctx
	}
	var (
		once sync.Once
		err  error
	)
	return context.WithValue(ctx, callStartingKey{}, func() error {
		once.Do(func() { err = o.store.OutboxCallStarted(context.WithoutCancel(ctx), m.ID) })
		return err
	})
}

// giveUpUncertain gives up the at-most-once messages whose claim expired
// mid-call (see AtMostOnce) and tells OnGiveUp of each.
func (o *Outbox) giveUpUncertain(ctx context.Context) error {
	if len(o.once) == 0 {
		return nil
	}
	ms, err := o.store.GiveUpUncertain(ctx, o.now(), o.once, sweepBatch)
	if err != nil {
		return err
	}
	for _, m := range ms {
		o.metrics.givenUp.WithLabelValues(m.Channel, models.OutboxUncertain).Inc()
		o.log.Warn("outbox: uncertain, not sent again", "outbox_id", m.ID, "channel", m.Channel, "chat_id", m.ChatID)
		if o.cfg.OnGiveUp == nil {
			continue
		}
		se := &SendError{Kind: Uncertain, Code: models.OutboxUncertain, Err: errors.New(m.LastError)}
		if err := o.cfg.OnGiveUp(ctx, m, models.OutboxFailed, se); err != nil {
			o.log.Error("outbox: after giving up", "outbox_id", m.ID, "err", err)
		}
	}
	return nil
}
