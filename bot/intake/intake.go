// Package intake is the receiving half every channel shares: an update is
// recorded, answered and its replies queued in one transaction; Routes
// encode the replies addressed to contacts of another channel; Webhook is
// the HTTP side of a provider that posts its updates.
package intake

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"electionbot/bot"
	"electionbot/models"
)

// The intake is the receiving half every channel shares: an update is
// recorded, answered and its replies queued in one transaction, so that
// it is handled once however often the provider delivers it (a webhook
// retry, a poll after a crash), and nothing of it is stored if any step
// fails (the provider delivers it again).

// Outbox is where the intake queues replies; *outbox.Outbox satisfies it.
type Outbox interface {
	// Enqueue stores msgs in tx, the update's transaction, and sets their
	// IDs: they are sent only if tx commits.
	Enqueue(ctx context.Context, tx *models.Store, msgs []*models.OutboxMessage) error
	// Kick hands messages whose transaction committed to the fast path;
	// those it does not send are sent by the outbox's jobs.
	Kick(msgs []*models.OutboxMessage)
}

// Config configures a channel's intake.
type Config struct {
	Channel string // models.ChannelTelegram, …
	Store   *models.Store
	Handler bot.Handler
	Outbox  Outbox
	// Encode turns a reply to a chat of this channel into outbox rows
	// (an error fails the update). New adds it to Routes, where the
	// other channels' updates find it.
	Encode Encoder
	// Routes encode the replies addressed to contacts of other channels.
	// Nil: such replies are dropped (logged).
	Routes *Routes
	// GroupCommit is the number of transactions in flight at once, each
	// committing together the updates that arrived while the others were
	// busy (group.go); 0: DefaultGroupCommit; < 0: one transaction per
	// update.
	GroupCommit int
	Logger      *slog.Logger          // [slog.Default()]
	Registerer  prometheus.Registerer // the intake metrics; nil: not registered
}

// Intake takes one channel's updates.
type Intake struct {
	cfg      Config
	metrics  *Metrics
	failures failures // poison.go
	group    *grouper // group.go; nil: a transaction per update
}

// New returns the intake of cfg.Channel.
func New(cfg Config) (*Intake, error) {
	if cfg.Channel == "" || cfg.Store == nil || cfg.Handler == nil || cfg.Outbox == nil || cfg.Encode == nil {
		return nil, errors.New("bot: Config needs Channel, Store, Handler, Outbox and Encode")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Routes != nil {
		cfg.Routes.Add(cfg.Channel, cfg.Encode)
	}
	it := &Intake{cfg: cfg, metrics: NewMetrics(cfg.Registerer, cfg.Channel)}
	if cfg.GroupCommit == 0 {
		cfg.GroupCommit = DefaultGroupCommit
	}
	if cfg.GroupCommit > 0 {
		it.group = &grouper{it: it, limit: cfg.GroupCommit}
	}
	return it, nil
}

// Metrics are the intake's metrics (a webhook counts its answers there).
func (it *Intake) Metrics() *Metrics { return it.metrics }

// Update is one update of a channel, as the channel hands it to Take. The
// hooks are the channel's own steps, run in the update's transaction
// around the handler; their rows are queued in the order they run.
type Update struct {
	// ID identifies the update on its channel (Telegram's update_id, a
	// Zalo msg_id or event key): an update whose ID was taken before is
	// acknowledged without being processed. Empty: the update is not
	// recorded, for updates whose effects are the same however often
	// they are made (Telegram's my_chat_member).
	ID   string
	Type string       // the update's type, counted in the metrics
	Log  *slog.Logger // carries the update's ids; nil: the intake's logger
	// In is what the handler answers; nil: the handler does not run.
	In *bot.Incoming
	// Before runs first: the channel's effects of the update (an
	// acknowledgement, reachability, a grant, an unfollow). It gets a
	// copy of In (nil when In is) that it may change before the handler
	// sees it.
	Before func(ctx context.Context, tx *models.Store, in *bot.Incoming) ([]*models.OutboxMessage, error)
	// After runs once the handler has answered, before the replies are
	// encoded (Telegram edits the pressed button's message; Zalo records
	// the user's interaction).
	After func(ctx context.Context, tx *models.Store, in bot.Incoming) ([]*models.OutboxMessage, error)
}

// Taken is what Take did with an update.
type Taken struct {
	Duplicate bool                    // taken before: nothing done
	Messages  []*models.OutboxMessage // queued, and kicked after the commit
	// Poison: the update cannot be processed, however often it comes
	// (poison.go); it was recorded and is acknowledged, nothing else.
	Poison bool
}

// Take processes an update once. In one transaction it records u.ID, runs
// Before, the handler and After, encodes each reply with the encoder of
// the channel it goes to (this one's, or through the routes for a contact
// of another channel) and queues the rows; after the commit it kicks
// them to the fast path. An update with neither In nor Before is only
// counted. An error means nothing was stored: the update can be
// delivered again.
func (it *Intake) Take(ctx context.Context, u Update) (Taken, error) {
	it.metrics.Received.WithLabelValues(u.Type).Inc()
	// Whatever the provider sent, only clean, bounded strings go further.
	u.ID = Clean(u.ID, MaxID)
	if u.In != nil {
		in := *u.In
		CleanIncoming(&in)
		u.In = &in
	}
	log := u.Log
	if log == nil {
		log = it.cfg.Logger
	}
	name := it.cfg.Channel
	if u.In == nil && u.Before == nil {
		log.Debug(name + ": update ignored")
		return Taken{}, nil
	}
	start := time.Now()
	var res Taken
	var err error
	if it.group != nil {
		res, err = it.group.take(ctx, u, log)
	} else {
		res, err = it.takeTx(ctx, u, log)
	}
	if err != nil {
		if why := it.poison(ctx, u, err); why != "" {
			return it.acknowledge(ctx, log, u, why, err)
		}
		it.metrics.Failures.Inc()
		log.Error(name+": update not processed", "err", err)
		return Taken{}, err
	}
	it.failures.forget(u.ID)
	if res.Duplicate {
		it.metrics.Duplicates.Inc()
		log.Info(name + ": update already processed")
		return res, nil
	}
	it.cfg.Outbox.Kick(res.Messages)
	log.Info(name+": update processed", "messages", len(res.Messages), "took", time.Since(start))
	return res, nil
}

// takeTx takes an update in a transaction of its own.
func (it *Intake) takeTx(ctx context.Context, u Update, log *slog.Logger) (Taken, error) {
	var res Taken
	err := it.cfg.Store.InTx(ctx, func(tx *models.Store) (err error) {
		if res, err = it.apply(ctx, tx, u, log, nil); err != nil {
			return err
		}
		return it.cfg.Outbox.Enqueue(ctx, tx, res.Messages)
	})
	return res, err
}

// apply records an update and makes its effects in tx, its own
// transaction or its group's (group.go), and returns the rows to queue in
// it. recorded is nil when apply records u.ID itself, else whether the
// group's one statement recorded it now. A panic is returned as an error
// (the transaction is rolled back, then the update judged poison).
func (it *Intake) apply(ctx context.Context, tx *models.Store, u Update, log *slog.Logger, recorded *bool) (res Taken, err error) {
	defer recoverPanic(&err)
	if u.ID != "" {
		fresh := recorded != nil && *recorded
		if recorded == nil {
			if fresh, err = tx.RecordUpdate(ctx, it.cfg.Channel, u.ID); err != nil {
				return Taken{}, err
			}
		}
		if !fresh {
			return Taken{Duplicate: true}, nil
		}
	}
	msgs, err := it.process(ctx, tx, log, u)
	if err != nil {
		return Taken{}, err
	}
	return Taken{Messages: msgs}, nil
}

// process makes the update's effects in tx and returns its rows.
func (it *Intake) process(ctx context.Context, tx *models.Store, log *slog.Logger, u Update) ([]*models.OutboxMessage, error) {
	var in *bot.Incoming
	if u.In != nil {
		c := *u.In // Before may change it
		in = &c
	}
	var msgs []*models.OutboxMessage
	if u.Before != nil {
		rows, err := u.Before(ctx, tx, in)
		if err != nil {
			return nil, err
		}
		msgs = append(msgs, rows...)
	}
	if in == nil {
		return msgs, nil
	}
	start := time.Now()
	outs, err := it.cfg.Handler.Handle(ctx, tx, *in)
	it.metrics.Handler.Observe(time.Since(start).Seconds())
	if err != nil {
		return nil, err
	}
	if u.After != nil {
		rows, err := u.After(ctx, tx, *in)
		if err != nil {
			return nil, err
		}
		msgs = append(msgs, rows...)
	}
	for _, o := range outs {
		if o.Channel != "" && o.Channel != it.cfg.Channel {
			// A contact of another channel: that channel encodes it.
			rows, err := it.cfg.Routes.Encode(ctx, tx, o)
			if err != nil {
				log.Warn(it.cfg.Channel+": reply to another channel dropped", "to_channel", o.Channel, "to_chat", o.ChatID, "err", err)
				continue
			}
			msgs = append(msgs, rows...)
			continue
		}
		if o.ChatID == "" {
			o.ChatID = in.ChatID
		}
		rows, err := it.cfg.Encode(ctx, tx, o)
		if err != nil {
			return nil, err
		}
		msgs = append(msgs, rows...)
	}
	return msgs, nil
}
