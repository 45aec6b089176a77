// Package outbox sends what the bot has to say, durably and at the
// channels' pace: a transactional outbox (rows inserted in the same
// transaction as the effects that produced them) drained right after the
// commit by an in-process fast path and, for anything that path did not
// send (crash, network error, 5xx, 429 with a long wait), by River jobs on
// the same database, with bounded retries and backoff.
//
// A message is claimed (status sending, locked for SendTimeout) before its
// API call and marked sent after it, so two senders never send it at the
// same time; a process that dies between the call and the mark leaves it to
// be sent again when the lock expires: at most the messages in flight at a
// crash are duplicated.
package outbox

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/riverqueue/river"
	"golang.org/x/time/rate"

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

// Config configures an Outbox. Zero values take the defaults in brackets.
type Config struct {
	Store *models.Store
	// Rate is the most messages per second across all chats (BROADCAST_RATE) [30].
	Rate float64
	// ChatLimit gives a chat's pace; its argument is "channel:chatID"
	// [1 message/s, burst 3].
	ChatLimit func(chat string) (rate.Limit, int)
	// MaxAttempts bounds the attempts at one message [10].
	MaxAttempts int
	// RetryBase and RetryMax shape the backoff after temporary errors:
	// RetryBase·2^(attempt-1), at most RetryMax, ±20% [5s, 10m].
	RetryBase, RetryMax time.Duration
	// Grace is how long after the commit the durable job looks at the
	// messages the fast path should have sent [10s].
	Grace time.Duration
	// InlineWait is the longest retry_after the fast path waits itself;
	// longer waits go to the durable job [5s].
	InlineWait time.Duration
	// SendTimeout bounds one API call and is how long a claim lasts [30s].
	SendTimeout time.Duration
	// Concurrency is how many chats the fast path sends to at once [64].
	Concurrency int
	// SweepInterval is how often a River periodic job sends what was left
	// behind (pending long past its time) and prunes old rows [1m].
	SweepInterval time.Duration
	// Retention is how long finished messages and processed update ids are
	// kept [7 days].
	Retention time.Duration
	// FetchPollInterval is how often River looks for jobs [1s].
	FetchPollInterval time.Duration
	// Workers and PeriodicJobs add River jobs of other packages
	// (broadcasts, reminders) to the same client.
	Workers      *river.Workers
	PeriodicJobs []*river.PeriodicJob
	// LeaseInterval is how often this replica renews its row in the
	// replicas table; Rate is shared equally among the replicas renewed
	// within LeaseTTL [2s, 10s].
	LeaseInterval, LeaseTTL time.Duration
	// Broadcasts, when set, runs broadcasts and reminders on this outbox
	// (see Broadcaster).
	Broadcasts *BroadcastConfig
	// BroadcastOnly makes this River client work only the broadcast queue
	// (`electionbot broadcast`, which may not run every channel): the
	// replies' jobs stay for the serve replicas. It still schedules the
	// periodic jobs when it is River's leader; call Broadcaster().Tick to
	// advance broadcasts without a serve.
	BroadcastOnly bool
	Logger        *slog.Logger
	Registerer    prometheus.Registerer
}

func (c *Config) defaults() {
	if c.Rate <= 0 {
		c.Rate = 30
	}
	if c.ChatLimit == nil {
		c.ChatLimit = func(string) (rate.Limit, int) { return 1, 3 }
	}
	if c.MaxAttempts <= 0 {
		c.MaxAttempts = 10
	}
	if c.RetryBase <= 0 {
		c.RetryBase = 5 * time.Second
	}
	if c.RetryMax <= 0 {
		c.RetryMax = 10 * time.Minute
	}
	if c.Grace <= 0 {
		c.Grace = 10 * time.Second
	}
	if c.InlineWait <= 0 {
		c.InlineWait = 5 * time.Second
	}
	if c.SendTimeout <= 0 {
		c.SendTimeout = 30 * time.Second
	}
	if c.Concurrency <= 0 {
		c.Concurrency = 64
	}
	if c.SweepInterval <= 0 {
		c.SweepInterval = time.Minute
	}
	if c.Retention <= 0 {
		c.Retention = 7 * 24 * time.Hour
	}
	if c.FetchPollInterval <= 0 {
		c.FetchPollInterval = time.Second
	}
	if c.LeaseInterval <= 0 {
		c.LeaseInterval = 2 * time.Second
	}
	if c.LeaseTTL <= c.LeaseInterval {
		c.LeaseTTL = 5 * c.LeaseInterval
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
}

// Outbox is the sending side of every channel.
type Outbox struct {
	cfg     Config
	store   *models.Store
	log     *slog.Logger
	lim     *Limiter
	river   *river.Client[*sql.Tx]
	metrics *metrics
	senders map[string]Sender
	lease   *lease
	bc      *Broadcaster

	mu       sync.Mutex
	queues   map[string]*chatQueue
	wg       sync.WaitGroup
	sem      chan struct{}
	ctx      context.Context
	cancel   context.CancelFunc
	stopping bool
}

type chatQueue struct {
	batches [][]int64
}

// New builds an Outbox on cfg.Store, applying River's migrations to the
// store's database. Register the channels' senders, then Start it.
func New(ctx context.Context, cfg Config) (*Outbox, error) {
	if cfg.Store == nil {
		return nil, errors.New("outbox: Config.Store is nil")
	}
	cfg.defaults()
	o := &Outbox{
		cfg:     cfg,
		store:   cfg.Store,
		log:     cfg.Logger,
		lim:     NewLimiter(cfg.Rate, max(1, int(cfg.Rate/10)), cfg.ChatLimit, 10000),
		metrics: newMetrics(cfg.Registerer),
		senders: map[string]Sender{},
		queues:  map[string]*chatQueue{},
		sem:     make(chan struct{}, cfg.Concurrency),
	}
	var err error
	o.ctx, o.cancel = context.WithCancel(context.Background())
	o.lease = newLease(o)
	if cfg.Broadcasts != nil {
		if o.bc, err = newBroadcaster(o, *cfg.Broadcasts); err != nil {
			return nil, err
		}
	}
	client, err := newRiverClient(ctx, o)
	if err != nil {
		return nil, err
	}
	o.river = client
	return o, nil
}

// Register sets the sender of a channel's messages (before Start).
func (o *Outbox) Register(channel string, s Sender) { o.senders[channel] = s }

// River is the River client, for packages that add their own jobs.
func (o *Outbox) River() *river.Client[*sql.Tx] { return o.river }

// Limiter is the shared pace of all sends.
func (o *Outbox) Limiter() *Limiter { return o.lim }

// Broadcaster runs broadcasts and reminders (nil without
// Config.Broadcasts).
func (o *Outbox) Broadcaster() *Broadcaster { return o.bc }

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
		ScheduledAt: time.Now().Add(o.cfg.Grace),
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
		q2 := q
		if !ok {
			q2 = &chatQueue{}
			o.queues[k] = q2
		}
		q2.batches = append(q2.batches, byChat[k])
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
			if Sleep(ctx, out.wait) != nil {
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
			if wait == 0 || out.wait < wait {
				wait = max(out.wait, 10*time.Millisecond)
			}
		}
	}
	return wait, nil
}

// outcome of one attempt at one message: done (sent or given up), or try
// again after wait.
type outcome struct {
	chat        string // chatKey of the message
	done        bool
	wait        time.Duration
	rateLimited bool
}

func (o *Outbox) now() time.Time { return o.store.Now().UTC() }

func chatKey(m *models.OutboxMessage) string { return m.Channel + ":" + m.ChatID }

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
	if err := o.lim.Wait(ctx, key, m.Kind != models.OutboxAck); err != nil {
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
	sctx, cancel := context.WithTimeout(ctx, o.cfg.SendTimeout)
	serr := sender.Send(sctx, m)
	cancel()
	// Record the result even if we are being stopped.
	return o.finish(context.WithoutCancel(ctx), m, serr)
}

func (o *Outbox) finish(ctx context.Context, m *models.OutboxMessage, serr error) (outcome, error) {
	log := o.log.With("outbox_id", m.ID, "channel", m.Channel, "chat_id", m.ChatID, "kind", m.Kind, "attempt", m.Attempts)
	if serr == nil {
		o.metrics.sent.WithLabelValues(m.Channel, m.Kind).Inc()
		return outcome{chat: chatKey(m), done: true}, o.store.OutboxSent(ctx, m.ID)
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
	switch se.Kind {
	case Unreachable:
		log.Info("outbox: chat unreachable", "code", se.Code, "err", se.Error())
		o.metrics.givenUp.WithLabelValues(m.Channel, models.OutboxUnreachable).Inc()
		if err := o.store.OutboxGiveUp(ctx, m.ID, models.OutboxUnreachable, reason); err != nil {
			return outcome{}, err
		}
		if _, err := o.store.MarkUnreachable(ctx, m.Channel, m.ChatID); err != nil {
			return outcome{}, err
		}
		_, err := o.store.OutboxCloseChat(ctx, m.Channel, m.ChatID, models.OutboxUnreachable, reason)
		return outcome{chat: chatKey(m), done: true}, err
	case Permanent:
		log.Warn("outbox: refused", "code", se.Code, "err", se.Error())
		o.metrics.givenUp.WithLabelValues(m.Channel, models.OutboxFailed).Inc()
		return outcome{chat: chatKey(m), done: true}, o.store.OutboxGiveUp(ctx, m.ID, models.OutboxFailed, reason)
	}
	if m.Attempts >= o.cfg.MaxAttempts {
		log.Warn("outbox: giving up", "code", se.Code, "err", se.Error())
		o.metrics.givenUp.WithLabelValues(m.Channel, models.OutboxFailed).Inc()
		return outcome{chat: chatKey(m), done: true}, o.store.OutboxGiveUp(ctx, m.ID, models.OutboxFailed, reason)
	}
	var wait time.Duration
	if se.Kind == RateLimited {
		wait = max(se.RetryAfter, time.Second)
		o.lim.Pause(chatKey(m), wait)
		o.lim.Backoff() // the whole pace slows, and recovers gradually
	} else {
		wait = o.backoff(m.Attempts)
	}
	log.Info("outbox: will retry", "code", se.Code, "err", se.Error(), "in", wait)
	if err := o.store.OutboxRetryAt(ctx, m.ID, o.now().Add(wait), reason); err != nil {
		return outcome{}, err
	}
	return outcome{chat: chatKey(m), wait: wait, rateLimited: se.Kind == RateLimited}, nil
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

type metrics struct {
	sent    *prometheus.CounterVec
	errors  *prometheus.CounterVec
	givenUp *prometheus.CounterVec
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		sent: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "electionbot_outbox_sent_total",
			Help: "Messages delivered (replies, acknowledgements, broadcasts), by channel and kind.",
		}, []string{"channel", "kind"}),
		errors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "electionbot_outbox_send_errors_total",
			Help: "Failed send attempts, by channel and error code (429, 403, 500, network…).",
		}, []string{"channel", "code"}),
		givenUp: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "electionbot_outbox_given_up_total",
			Help: "Messages not delivered, by channel and final status (failed, unreachable).",
		}, []string{"channel", "status"}),
	}
	if reg != nil {
		reg.MustRegister(m.sent, m.errors, m.givenUp)
	}
	return m
}
