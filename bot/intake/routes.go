package intake

import (
	"context"
	"fmt"
	"sync"

	"electionbot/bot"
	"electionbot/models"
)

// Encoder turns one Outgoing into its channel's outbox rows, inside the
// transaction of the update that produced it. The reply's ChatID is set.
type Encoder func(ctx context.Context, tx *models.Store, o bot.Outgoing) ([]*models.OutboxMessage, error)

// Routes are the encoders of the channels running in this process, by
// channel name. A reply addressed to a contact of another channel (a
// reporter on Zalo whose tally conflicts with one sent on Telegram, the
// admins told about it) is encoded by that contact's channel, whichever
// channel received the update. Each channel's intake adds its encoder
// when the channel starts; a channel package never imports another.
type Routes struct {
	mu  sync.RWMutex
	enc map[string]Encoder
}

// NewRoutes returns empty routes.
func NewRoutes() *Routes { return &Routes{enc: map[string]Encoder{}} }

// Add sets the encoder of a channel.
func (r *Routes) Add(channel string, e Encoder) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.enc[channel] = e
}

// Encode encodes o with the encoder of o.Channel; an error when that
// channel does not run in this process.
func (r *Routes) Encode(ctx context.Context, tx *models.Store, o bot.Outgoing) ([]*models.OutboxMessage, error) {
	if r == nil {
		return nil, fmt.Errorf("bot: no route to channel %q", o.Channel)
	}
	r.mu.RLock()
	e, ok := r.enc[o.Channel]
	r.mu.RUnlock()
	if !ok {
		return nil, fmt.Errorf("bot: no route to channel %q (not running)", o.Channel)
	}
	return e(ctx, tx, o)
}
