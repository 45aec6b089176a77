// Package outbox sends what the bot has to say, durably and at the
// channels' pace: a transactional outbox (rows inserted in the same
// transaction as the effects that produced them) drained right after the
// commit by an in-process fast path and, for anything that path did not
// send (crash, network error, 5xx, 429 with a long wait), by the sweep, a
// periodic River job on the same database that finds those messages in
// the outbox itself, with bounded retries and backoff.
//
// A message is claimed (status sending, locked for SendTimeout and the
// wait for its slot of the pace) before it takes its slot of the global
// pace, and marked sent after its call (a broadcast's by the batch, within
// a quarter of a second), so two senders never send it at the same time:
// the call times out before the claim ends. A process that dies between
// the call and the mark leaves it to be sent again when the lock expires:
// at most the messages claimed at a crash are duplicated, and none on a
// channel whose Sender is AtMostOnce (given up as uncertain instead).
//
// The outbox only sends: what to send in bulk (broadcasts, reminders) is
// package broadcast's, which adds its jobs to the outbox's River client
// (Config.Jobs) and delivers through DeliverBulk. See docs/design.md §4.
package outbox

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/riverqueue/river"

	"electionbot/models"
)

// Sender makes the API call of one outbox message on its channel. An error
// that is not a *SendError counts as temporary (retried with backoff).
type Sender interface {
	Send(ctx context.Context, m *models.OutboxMessage) error
}

// SenderFunc adapts a function to Sender.
type SenderFunc func(ctx context.Context, m *models.OutboxMessage) error

// Send calls f.
func (f SenderFunc) Send(ctx context.Context, m *models.OutboxMessage) error { return f(ctx, m) }

// ErrorKind says what to do after a failed send.
type ErrorKind int

// Error kinds.
const (
	Temporary   ErrorKind = iota // network, 5xx: retry with backoff
	RateLimited                  // 429: retry after RetryAfter, slow the chat down
	Unreachable                  // blocked, deactivated, chat not found: no retry, contact unreachable
	Permanent                    // any other refusal: no retry
	// Exhausted: the channel itself cannot send any more for now (a ZNS
	// quota spent, an SMS account out of credit): no retry of this message
	// on this channel; Config.OnGiveUp decides what comes next.
	Exhausted
)

// SendError is a classified send failure.
type SendError struct {
	Kind       ErrorKind
	Code       string // for metrics and logs: "429", "403", "500", "network"…
	RetryAfter time.Duration
	Err        error
}

func (e *SendError) Error() string {
	if e.Err == nil {
		return "send failed: " + e.Code
	}
	return e.Err.Error()
}

func (e *SendError) Unwrap() error { return e.Err }

// Outbox is the sending side of every channel.
type Outbox struct {
	cfg     Config
	store   *models.Store
	log     *slog.Logger
	clock   Clock
	lim     *Limiter
	river   *river.Client[*sql.Tx]
	metrics *metrics
	senders map[string]Sender
	once    []string // the channels whose senders are at most once (AtMostOnce)
	lease   *lease
	// bulk makes this replica's bulk sends (DeliverBulk) wait for the
	// global pace one at a time: replies go ahead of all but one of them.
	bulk chan struct{}

	// claimed counts the messages claimed but not yet at their slot of
	// the pace: how long a new claim must last (leaseFor).
	claimed   atomic.Int64
	unclaimed chan struct{} // a claimed message took its slot (capacity 1)

	mu       sync.Mutex
	queues   map[string]*chatQueue
	fast     map[int64]struct{} // the ids in queues or being sent by the fast path
	prunedAt time.Time
	wg       sync.WaitGroup
	sem      chan struct{}
	ctx      context.Context
	cancel   context.CancelFunc
	stopping bool
}

type chatQueue struct {
	batches [][]queued
}

// New builds an Outbox on cfg.Store, applying River's migrations to the
// store's database. Register the channels' senders, then Start it.
func New(ctx context.Context, cfg Config) (*Outbox, error) {
	if cfg.Store == nil {
		return nil, errors.New("outbox: Config.Store is nil")
	}
	cfg.defaults()
	o := &Outbox{
		cfg:       cfg,
		store:     cfg.Store,
		log:       cfg.Logger,
		clock:     cfg.Clock,
		lim:       NewLimiter(cfg.Clock, cfg.Rate, cfg.ChatLimit, 10000),
		metrics:   newMetrics(cfg.Registerer),
		senders:   map[string]Sender{},
		bulk:      make(chan struct{}, 1),
		queues:    map[string]*chatQueue{},
		fast:      map[int64]struct{}{},
		unclaimed: make(chan struct{}, 1),
		sem:       make(chan struct{}, cfg.Concurrency),
	}
	o.ctx, o.cancel = context.WithCancel(context.Background())
	o.lease = newLease(o)
	client, err := newRiverClient(ctx, o)
	if err != nil {
		return nil, err
	}
	o.river = client
	return o, nil
}

// Register sets the sender of a channel's messages (before Start).
func (o *Outbox) Register(channel string, s Sender) {
	o.senders[channel] = s
	o.once = o.atMostOnce()
}

// River is the River client, for packages that add their own jobs.
func (o *Outbox) River() *river.Client[*sql.Tx] { return o.river }

// Limiter is the shared pace of all sends.
func (o *Outbox) Limiter() *Limiter { return o.lim }

// Rate is the most messages a second across all replicas
// (Config.Rate, BROADCAST_RATE); this replica sends its share of it.
func (o *Outbox) Rate() float64 { return o.cfg.Rate }

// Start joins the replicas' lease (this replica's share of Rate) and
// starts River's workers.
func (o *Outbox) Start(ctx context.Context) error {
	o.lease.start(ctx)
	if err := o.river.Start(ctx); err != nil {
		o.lease.stop(ctx)
		return fmt.Errorf("outbox: start river: %w", err)
	}
	return nil
}

// Stop lets the fast path finish what it is sending (until ctx is done,
// then cancels it: unfinished messages stay in the outbox for the next
// start), then stops River.
func (o *Outbox) Stop(ctx context.Context) error {
	o.mu.Lock()
	o.stopping = true
	o.mu.Unlock()
	done := make(chan struct{})
	go func() { o.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
		o.cancel()
		<-done
	}
	o.cancel()
	defer o.lease.stop(ctx)
	if err := o.river.Stop(ctx); err != nil {
		_ = o.river.StopAndCancel(context.WithoutCancel(ctx))
		if !errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, context.Canceled) {
			return err
		}
	}
	return nil
}

func (o *Outbox) now() time.Time { return o.store.Now().UTC() }

func chatKey(m *models.OutboxMessage) string { return m.Channel + ":" + m.ChatID }
