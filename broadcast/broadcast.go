// Package broadcast sends broadcasts (an admin's announcement, a reminder
// of the election's schedule, an officials' deadline) through the outbox,
// like every other message, with two River jobs on the outbox's client:
//
//   - broadcast_tick, periodic (every Config.Tick, one at a time across the
//     replicas): fires the reminders that are due, fans the active
//     broadcasts out and reports their progress, and finishes them with a
//     report to whoever started them;
//   - the fan-out (inside the tick) takes the audience page by page, in
//     contact id order; each page is one transaction that moves the
//     broadcast's cursor (only from where it was: two workers never fan out
//     the same page), inserts a delivery row per recipient (unique per
//     broadcast and contact) and an outbox row per message (dedupe key
//     bc:<broadcast>:<contact>), and the broadcast_send jobs of those rows.
//     It stays at most Rate × Ahead messages ahead of the sending, so the
//     outbox never holds more than a few seconds' worth of a large
//     broadcast, and a broadcast that is stopped half-way costs nothing;
//   - broadcast_send delivers its outbox rows through the outbox's
//     DeliverBulk (claim, send, record), several at once, at the pace of the
//     limiter, on the broadcast queue of every replica; a message that has
//     to wait (429, 5xx backoff) makes the job snooze until then.
//
// A restart loses nothing: the cursor, the delivery rows and the outbox
// rows are in the database; a message recorded as sent is never sent
// again; one claimed by a process that died mid-call is sent again when its
// claim expires (at most the messages in flight at the crash), and the
// outbox's sweep picks up the rows of a send job lost with its process.
//
// The wiring builds a Broadcaster, gives its Jobs to the outbox it builds
// next (outbox.Config.Jobs), then Connects the two.
package broadcast

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"electionbot/bot/outbox"
	"electionbot/models"
)

// Config configures a Broadcaster. Zero values take the defaults in
// brackets.
type Config struct {
	Store *models.Store
	// DefaultLang is the language of contacts without one [vi].
	DefaultLang string
	// Tick is how often broadcasts are advanced and reminders fired [2s].
	Tick time.Duration
	// PageSize is the recipients of one fan-out transaction [500].
	PageSize int
	// BatchSize is the messages of one send job [100].
	BatchSize int
	// Ahead bounds the fan-out: at most Rate × Ahead messages waiting [20s].
	Ahead time.Duration
	// Workers is the broadcast queue's River workers on this replica [4].
	Workers int
	// Concurrency is how many messages one send job sends at once [32].
	Concurrency int
	// ProgressEvery is the least time between two progress messages [15s].
	ProgressEvery time.Duration
	// LateReminder: a reminder whose time passed by more than this (the
	// election was loaded late, nothing ran) is marked missed, not sent [6h].
	LateReminder time.Duration
	// Reach is how households of the voter list are reached beyond the
	// chats (reach.go): prices, ceiling, quiet hours; its ZNS and SMS are
	// set by RegisterHouseholdChannel. The zero value: chats only.
	Reach  models.ReachPlan
	Logger *slog.Logger
}

// orDefault sets *v to def when it is not positive.
func orDefault[T int | time.Duration](v *T, def T) {
	if *v <= 0 {
		*v = def
	}
}

func (c *Config) defaults() {
	if c.DefaultLang != "en" {
		c.DefaultLang = "vi"
	}
	orDefault(&c.Tick, 2*time.Second)
	orDefault(&c.PageSize, 500)
	orDefault(&c.BatchSize, 100)
	orDefault(&c.Ahead, 20*time.Second)
	orDefault(&c.Workers, 4)
	orDefault(&c.Concurrency, 32)
	orDefault(&c.ProgressEvery, 15*time.Second)
	orDefault(&c.LateReminder, 6*time.Hour)
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
}

// Outbox is the sending side broadcasts go through; *outbox.Outbox is
// the one.
type Outbox interface {
	// Enqueue inserts msgs inside tx, with the job that delivers them;
	// Kick sends them after the commit.
	Enqueue(ctx context.Context, tx *models.Store, msgs []*models.OutboxMessage) error
	Kick(msgs []*models.OutboxMessage)
	// DeliverBulk makes one attempt at each of ids, concurrency at once,
	// behind the replies, and returns how long until the earliest of those
	// that must wait can be tried again (0: all finished).
	DeliverBulk(ctx context.Context, ids []int64, concurrency int) (time.Duration, error)
	// River is the client that runs the Broadcaster's Jobs: the send jobs
	// are inserted with it, in the fan-out's transaction.
	River() *river.Client[*sql.Tx]
	// Rate is the most messages a second across all replicas.
	Rate() float64
}

// Channel is a chat channel as broadcasts reach it: bot/telegram's and
// bot/zalo's BroadcastChannel.
type Channel interface {
	// EncodeText is the outbox payload of one plain-text message to chatID:
	// one API call (a broadcast's text is at most models.MaxBroadcastText
	// long, plus its header); an error if the text does not fit in one.
	EncodeText(chatID, text string) (string, error)
	// Eligible sorts a page of the channel's reachable recipients at the
	// fan-out: it returns the reason for each contact that cannot be sent
	// a broadcast now (Zalo: outside the customer-service window), by
	// contact id (an empty reason reads "<channel>: not eligible"); the
	// others go ahead. The reasons are counted in the broadcast's report.
	// An error stops the fan-out until the next tick.
	Eligible(ctx context.Context, cs []*models.Contact) (skip map[int64]string, err error)
}

// QueueBroadcast is the River queue of the send jobs.
const QueueBroadcast = "broadcast"

// TickArgs is the periodic job that advances broadcasts.
type TickArgs struct{}

// Kind is the River job kind.
func (TickArgs) Kind() string { return "broadcast_tick" }

// SendArgs delivers some of a broadcast's outbox rows.
type SendArgs struct {
	BroadcastID int64   `json:"broadcast_id"`
	IDs         []int64 `json:"ids"`
}

// Kind is the River job kind.
func (SendArgs) Kind() string { return "broadcast_send" }

// Broadcaster runs the broadcasts and reminders.
type Broadcaster struct {
	*Texts
	cfg   Config
	store *models.Store
	log   *slog.Logger
	out   Outbox

	mu       sync.RWMutex
	channels map[string]Channel
	paid     map[string]HouseholdChannel // reach.go
	renders  map[int64]cachedRender      // reach.go
}

// New builds a Broadcaster on cfg.Store. Give its Jobs to the outbox, then
// Connect it to that outbox and register the channels.
func New(cfg Config) (*Broadcaster, error) {
	if cfg.Store == nil {
		return nil, errors.New("broadcast: Config.Store is nil")
	}
	cfg.defaults()
	texts, err := NewTexts(cfg.DefaultLang, cfg.Logger)
	if err != nil {
		return nil, err
	}
	return &Broadcaster{Texts: texts, cfg: cfg, store: cfg.Store, log: cfg.Logger,
		channels: map[string]Channel{}}, nil
}

var errNotConnected = errors.New("broadcast: not connected to an outbox")

// Connect sets the outbox the broadcasts go through: the one whose River
// client runs b's Jobs. Call it once, before that outbox starts.
func (b *Broadcaster) Connect(o Outbox) { b.out = o }

// RegisterChannel makes a channel's contacts reachable by broadcasts.
// Contacts of a channel that is not registered are skipped ("channel not
// served"). Register before the outbox starts.
func (b *Broadcaster) RegisterChannel(name string, ch Channel) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.channels[name] = ch
}

func (b *Broadcaster) channel(name string) (Channel, bool) {
	b.mu.RLock()
	defer b.mu.RUnlock()
	ch, ok := b.channels[name]
	return ch, ok && ch != nil
}

// tickUnique keeps one tick at a time: a tick still waiting or running
// makes the next insert a no-op (completed ticks do not count).
var tickUnique = river.UniqueOpts{ByArgs: true, ByState: []rivertype.JobState{
	rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRunning,
	rivertype.JobStateScheduled, rivertype.JobStateRetryable,
}}

// Jobs are the broadcasts' River jobs, for outbox.Config.Jobs: the tick,
// every Config.Tick, and the send jobs on QueueBroadcast.
func (b *Broadcaster) Jobs() outbox.Jobs {
	workers := river.NewWorkers()
	river.AddWorker(workers, &tickWorker{b: b})
	river.AddWorker(workers, &sendWorker{b: b})
	tick := river.NewPeriodicJob(river.PeriodicInterval(b.cfg.Tick),
		func() (river.JobArgs, *river.InsertOpts) {
			return TickArgs{}, &river.InsertOpts{UniqueOpts: tickUnique}
		}, &river.PeriodicJobOpts{RunOnStart: true})
	return outbox.Jobs{
		Workers:  workers,
		Periodic: []*river.PeriodicJob{tick},
		Queues:   map[string]river.QueueConfig{QueueBroadcast: {MaxWorkers: b.cfg.Workers}},
	}
}

type tickWorker struct {
	river.WorkerDefaults[TickArgs]
	b *Broadcaster
}

func (w *tickWorker) Work(ctx context.Context, _ *river.Job[TickArgs]) error {
	if err := w.b.Tick(ctx); err != nil && ctx.Err() == nil {
		// The next tick tries again; a retried tick would hold the others.
		w.b.log.Error("broadcast: tick", "err", err)
	}
	return nil
}

func (w *tickWorker) Timeout(*river.Job[TickArgs]) time.Duration { return 5 * time.Minute }

type sendWorker struct {
	river.WorkerDefaults[SendArgs]
	b *Broadcaster
}

func (w *sendWorker) Work(ctx context.Context, job *river.Job[SendArgs]) error {
	if w.b.out == nil {
		return errNotConnected
	}
	return outbox.JobResult(w.b.out.DeliverBulk(ctx, job.Args.IDs, w.b.cfg.Concurrency))
}

func (w *sendWorker) Timeout(*river.Job[SendArgs]) time.Duration { return 15 * time.Minute }

// Tick fires the reminders that are due and advances every active
// broadcast once: fan-out up to the limit ahead, progress, finish. River
// runs it every Config.Tick; tests and the command line may call it
// directly.
func (b *Broadcaster) Tick(ctx context.Context) error {
	if b.out == nil {
		return errNotConnected
	}
	if err := b.fireReminders(ctx); err != nil {
		return err
	}
	bs, err := b.store.ActiveBroadcasts(ctx)
	if err != nil {
		return err
	}
	var errs []error
	for _, bc := range bs {
		if err := b.advance(ctx, bc); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			b.log.Error("broadcast: advance", "broadcast", bc.ID, "err", err)
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// Stats is where a broadcast's deliveries are.
func (b *Broadcaster) Stats(ctx context.Context, id int64) (*models.BroadcastStats, error) {
	return b.store.BroadcastStats(ctx, id)
}

// notify queues a message to whoever started a broadcast, once per tag
// (dedupe key bc:<id>:<tag>), and kicks it.
func (b *Broadcaster) notify(ctx context.Context, bc *models.Broadcast, tag string, text func(lang string) string) error {
	c, err := b.store.ContactByID(ctx, *bc.CreatedBy)
	if models.ErrorCode(err) == models.ENOTFOUND {
		return nil
	}
	if err != nil {
		return err
	}
	ch, ok := b.channel(c.Channel)
	if !ok || !c.Reachable {
		return nil
	}
	payload, err := ch.EncodeText(c.ChatID, text(b.lang(c)))
	if err != nil {
		return err
	}
	key := fmt.Sprintf("bc:%d:%s", bc.ID, tag)
	msgs := []*models.OutboxMessage{{Channel: c.Channel, ChatID: c.ChatID, ContactID: &c.ID, Kind: models.OutboxReply,
		DedupeKey: &key, Payload: payload}}
	if err := b.store.InTx(ctx, func(tx *models.Store) error { return b.out.Enqueue(ctx, tx, msgs) }); err != nil {
		return err
	}
	b.out.Kick(msgs)
	return nil
}
