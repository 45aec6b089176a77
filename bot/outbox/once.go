package outbox

import (
	"context"
	"errors"
	"slices"

	"electionbot/models"
)

// AtMostOnce is implemented by a Sender whose provider has no idempotency
// key (ZNS): a second call of a message would be a second message on the
// phone. When AtMostOnce is true, the outbox marks each call started just
// before making it (models.Outbox.OutboxCallStarted); a message whose
// claim expires with that mark (the process died mid-call) is never
// claimed again: the sweep gives it up as uncertain (status failed, last
// error "uncertain: …", OnGiveUp with a SendError of kind Uncertain). A
// message claimed but not yet called at the crash is sent as usual.
type AtMostOnce interface {
	AtMostOnce() bool
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

// callStarted marks m's call under way when its channel is at most once.
func (o *Outbox) callStarted(ctx context.Context, m *models.OutboxMessage) error {
	if !o.isAtMostOnce(m.Channel) {
		return nil
	}
	return o.store.OutboxCallStarted(ctx, m.ID)
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
