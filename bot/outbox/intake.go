package outbox

import (
	"context"
	"fmt"
	"sync"

	"electionbot/models"
)

// The intake is the receiving half every channel shares: an update is
// recorded, processed and answered in one transaction, so that it is
// handled once however often the provider delivers it.

// Update is one incoming update of a channel.
type Update struct {
	Channel string
	// ID identifies the update on its channel (Telegram's update_id, a
	// Zalo msg_id or event key): a second update with the same ID is
	// acknowledged without being processed.
	ID string
	// Process runs inside the update's transaction once the update is
	// recorded as new: it makes the update's effects through tx and
	// returns the messages to send. An error rolls everything back,
	// including the record of the update.
	Process func(ctx context.Context, tx *models.Store) ([]*models.OutboxMessage, error)
}

// Taken is what Take did with an update.
type Taken struct {
	Duplicate bool                    // processed before: nothing done
	Messages  []*models.OutboxMessage // queued, and kicked after the commit
}

// Take processes an update once: it records u.ID, runs u.Process and
// queues its messages in one transaction of s, then kicks the messages
// to the fast path. An error means nothing was stored: the update can be
// delivered again.
func (o *Outbox) Take(ctx context.Context, s *models.Store, u Update) (Taken, error) {
	var res Taken
	err := s.InTx(ctx, func(tx *models.Store) error {
		res = Taken{}
		fresh, err := tx.RecordUpdate(ctx, u.Channel, u.ID)
		if err != nil {
			return err
		}
		if !fresh {
			res.Duplicate = true
			return nil
		}
		if u.Process == nil {
			return nil
		}
		msgs, err := u.Process(ctx, tx)
		if err != nil {
			return err
		}
		res.Messages = msgs
		return o.Enqueue(ctx, tx, msgs)
	})
	if err != nil {
		return Taken{}, err
	}
	o.Kick(res.Messages)
	return res, nil
}

// Encoder turns one message M (bot.Outgoing; the outbox does not
// import the handlers) into its channel's outbox rows, inside the
// transaction of the update that produced it.
type Encoder[M any] func(ctx context.Context, tx *models.Store, m M) ([]*models.OutboxMessage, error)

// Routes are the encoders of the running channels, by channel name. A
// reply addressed to a contact of another channel (a reporter on Zalo
// whose tally conflicts with one sent on Telegram, the admins told about
// it) is encoded by that contact's channel, whichever channel received the
// update. Each channel adds its own encoder when it starts; a channel
// package never imports another.
type Routes[M any] struct {
	mu  sync.RWMutex
	enc map[string]Encoder[M]
}

// NewRoutes returns empty routes.
func NewRoutes[M any]() *Routes[M] { return &Routes[M]{enc: map[string]Encoder[M]{}} }

// Add sets the encoder of a channel.
func (r *Routes[M]) Add(channel string, e Encoder[M]) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.enc[channel] = e
}

// Encode encodes m with the encoder of channel; an error when that
// channel does not run in this process.
func (r *Routes[M]) Encode(ctx context.Context, tx *models.Store, channel string, m M) ([]*models.OutboxMessage, error) {
	if r == nil {
		return nil, fmt.Errorf("outbox: no route to channel %q", channel)
	}
	r.mu.RLock()
	e, ok := r.enc[channel]
	r.mu.RUnlock()
	if !ok {
		return nil, fmt.Errorf("outbox: no route to channel %q (not running)", channel)
	}
	return e(ctx, tx, m)
}
