package outbox

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"electionbot/locales"
	"electionbot/models"
)

// Broadcasts (an admin's announcement, a reminder of the election's
// schedule, an officials' deadline) go out through the outbox like every
// other message, with three River jobs on the same database:
//
//   - broadcast_tick, periodic (every BroadcastConfig.Tick, one at a time
//     across the replicas): fires the reminders that are due, fans the
//     active broadcasts out and reports their progress, and finishes them
//     with a report to whoever started them;
//   - the fan-out (inside the tick) takes the audience page by page, in
//     contact id order; each page is one transaction that moves the
//     broadcast's cursor (only from where it was: two workers never fan out
//     the same page), inserts a delivery row per recipient (unique per
//     broadcast and contact) and an outbox row per message (dedupe key
//     bc:<broadcast>:<contact>), and the broadcast_send jobs of those rows.
//     It stays at most Rate × Ahead messages ahead of the sending, so the
//     outbox never holds more than a few seconds' worth of a large
//     broadcast, and a broadcast that is stopped half-way costs nothing;
//   - broadcast_send delivers its outbox rows like the durable job of
//     replies (claim, send, record), several at once, at the pace of the
//     limiter, on the broadcast queue of every replica; a message that has
//     to wait (429, 5xx backoff) makes the job snooze until then.
//
// A restart loses nothing: the cursor, the delivery rows and the outbox
// rows are in the database; a message recorded as sent is never sent
// again; one claimed by a process that died mid-call is sent again when its
// claim expires (at most the messages in flight at the crash), and the
// outbox's sweep picks up the rows of a send job lost with its process.

// BroadcastConfig configures the broadcaster. Zero values take the defaults
// in brackets.
type BroadcastConfig struct {
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
}

func (c *BroadcastConfig) defaults() {
	if c.DefaultLang != "en" {
		c.DefaultLang = "vi"
	}
	if c.Tick <= 0 {
		c.Tick = 2 * time.Second
	}
	if c.PageSize <= 0 {
		c.PageSize = 500
	}
	if c.BatchSize <= 0 {
		c.BatchSize = 100
	}
	if c.Ahead <= 0 {
		c.Ahead = 20 * time.Second
	}
	if c.Workers <= 0 {
		c.Workers = 4
	}
	if c.Concurrency <= 0 {
		c.Concurrency = 32
	}
	if c.ProgressEvery <= 0 {
		c.ProgressEvery = 15 * time.Second
	}
	if c.LateReminder <= 0 {
		c.LateReminder = 6 * time.Hour
	}
}

// EligibleFunc sorts a page of a channel's recipients at the fan-out: it
// returns the reason for each contact that cannot be sent a broadcast now
// (Zalo: outside the customer-service window), by contact id; the others
// go ahead. The reasons are counted in the broadcast's report. An error
// stops the fan-out until the next tick.
type EligibleFunc func(ctx context.Context, cs []*models.Contact) (skip map[int64]string, err error)

// BroadcastChannel is what the broadcaster needs of a channel.
type BroadcastChannel struct {
	// Encode makes the outbox payload of a plain text message to chatID
	// (one API call: the texts are at most models.MaxBroadcastText long).
	Encode func(chatID, text string) (string, error)
	// Eligible, when set, is asked about the channel's reachable
	// recipients, a page at a time.
	Eligible EligibleFunc
}

// QueueBroadcast is the River queue of the send jobs.
const QueueBroadcast = "broadcast"

// BroadcastTickArgs is the periodic job that advances broadcasts.
type BroadcastTickArgs struct{}

// Kind is the River job kind.
func (BroadcastTickArgs) Kind() string { return "broadcast_tick" }

// BroadcastSendArgs delivers some of a broadcast's outbox rows.
type BroadcastSendArgs struct {
	BroadcastID int64   `json:"broadcast_id"`
	IDs         []int64 `json:"ids"`
}

// Kind is the River job kind.
func (BroadcastSendArgs) Kind() string { return "broadcast_send" }

// Broadcaster runs the broadcasts and reminders of an Outbox.
type Broadcaster struct {
	*Texts
	o     *Outbox
	cfg   BroadcastConfig
	store *models.Store
	log   *slog.Logger

	mu       sync.RWMutex
	channels map[string]BroadcastChannel
	// gate makes this replica's broadcast sends wait for the global pace
	// one at a time: replies go ahead of all but one of them.
	gate chan struct{}
}

func newBroadcaster(o *Outbox, cfg BroadcastConfig) (*Broadcaster, error) {
	cfg.defaults()
	texts, err := NewTexts(cfg.DefaultLang, o.log)
	if err != nil {
		return nil, err
	}
	return &Broadcaster{Texts: texts, o: o, cfg: cfg, store: o.store, log: o.log,
		channels: map[string]BroadcastChannel{}, gate: make(chan struct{}, 1)}, nil
}

// Texts renders the broadcasts' messages (locales/broadcast.*.yaml).
type Texts struct {
	defLang string
	locs    *locales.Localizers
	log     *slog.Logger
}

// NewTexts loads the catalogs; defaultLang is for contacts without a
// language.
func NewTexts(defaultLang string, log *slog.Logger) (*Texts, error) {
	bundle, err := locales.NewBundle()
	if err != nil {
		return nil, err
	}
	if defaultLang != "en" {
		defaultLang = "vi"
	}
	if log == nil {
		log = slog.Default()
	}
	return &Texts{defLang: defaultLang, locs: locales.NewLocalizers(bundle, defaultLang), log: log}, nil
}

// RegisterChannel makes a channel's contacts reachable by broadcasts.
// Contacts of a channel that is not registered are skipped ("channel not
// served"). Register before Start.
func (b *Broadcaster) RegisterChannel(channel string, ch BroadcastChannel) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.channels[channel] = ch
}

// SetEligible sets (or replaces) a registered channel's eligibility check,
// e.g. Zalo's customer-service window.
func (b *Broadcaster) SetEligible(channel string, fn EligibleFunc) {
	b.mu.Lock()
	defer b.mu.Unlock()
	ch := b.channels[channel]
	ch.Eligible = fn
	b.channels[channel] = ch
}

func (b *Broadcaster) channel(name string) (BroadcastChannel, bool) {
	b.mu.RLock()
	defer b.mu.RUnlock()
	ch, ok := b.channels[name]
	return ch, ok && ch.Encode != nil
}

func (b *Broadcaster) register(workers *river.Workers, queues map[string]river.QueueConfig) error {
	if err := river.AddWorkerSafely(workers, &tickWorker{b: b}); err != nil {
		return fmt.Errorf("outbox: %w", err)
	}
	if err := river.AddWorkerSafely(workers, &sendWorker{b: b}); err != nil {
		return fmt.Errorf("outbox: %w", err)
	}
	queues[QueueBroadcast] = river.QueueConfig{MaxWorkers: b.cfg.Workers}
	return nil
}

// tickUnique keeps one tick at a time: a tick still waiting or running
// makes the next insert a no-op (completed ticks do not count).
var tickUnique = river.UniqueOpts{ByArgs: true, ByState: []rivertype.JobState{
	rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRunning,
	rivertype.JobStateScheduled, rivertype.JobStateRetryable,
}}

func (b *Broadcaster) periodicJobs() []*river.PeriodicJob {
	return []*river.PeriodicJob{river.NewPeriodicJob(river.PeriodicInterval(b.cfg.Tick),
		func() (river.JobArgs, *river.InsertOpts) {
			return BroadcastTickArgs{}, &river.InsertOpts{UniqueOpts: tickUnique}
		}, &river.PeriodicJobOpts{RunOnStart: true})}
}

type tickWorker struct {
	river.WorkerDefaults[BroadcastTickArgs]
	b *Broadcaster
}

func (w *tickWorker) Work(ctx context.Context, _ *river.Job[BroadcastTickArgs]) error {
	if err := w.b.Tick(ctx); err != nil && ctx.Err() == nil {
		// The next tick tries again; a retried tick would hold the others.
		w.b.log.Error("broadcast: tick", "err", err)
	}
	return nil
}

func (w *tickWorker) Timeout(*river.Job[BroadcastTickArgs]) time.Duration { return 5 * time.Minute }

type sendWorker struct {
	river.WorkerDefaults[BroadcastSendArgs]
	b *Broadcaster
}

func (w *sendWorker) Work(ctx context.Context, job *river.Job[BroadcastSendArgs]) error {
	wait, err := w.b.send(ctx, job.Args.IDs)
	if err != nil {
		return err
	}
	if wait > 0 {
		return river.JobSnooze(wait)
	}
	return nil
}

func (w *sendWorker) Timeout(*river.Job[BroadcastSendArgs]) time.Duration { return 15 * time.Minute }

// send makes one attempt at each of ids (Concurrency at once, at the
// limiter's pace) and returns how long until the earliest of those that
// must wait can be tried again (0: all finished).
func (b *Broadcaster) send(ctx context.Context, ids []int64) (time.Duration, error) {
	var (
		mu       sync.Mutex
		wg       sync.WaitGroup
		wait     time.Duration
		firstErr error
	)
	sem := make(chan struct{}, b.cfg.Concurrency)
	ctx = withGate(ctx, b.gate)
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
			out, err := b.o.deliverOne(ctx, id)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err != nil:
				if firstErr == nil {
					firstErr = err
				}
			case !out.done:
				if w := max(out.wait, 10*time.Millisecond); wait == 0 || w < wait {
					wait = w
				}
			}
		}(id)
	}
	wg.Wait()
	if firstErr != nil {
		return 0, firstErr
	}
	return wait, ctx.Err()
}

// Tick fires the reminders that are due and advances every active
// broadcast once: fan-out up to the limit ahead, progress, finish. River
// runs it every Tick; tests and the command line may call it directly.
func (b *Broadcaster) Tick(ctx context.Context) error {
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

// advance moves one broadcast on.
func (b *Broadcaster) advance(ctx context.Context, bc *models.Broadcast) error {
	if bc.Status == models.BroadcastQueued {
		if _, err := b.store.StartBroadcast(ctx, bc.ID); err != nil {
			return err
		}
		bc.Status = models.BroadcastSending
		b.log.Info("broadcast: started", "broadcast", bc.ID, "kind", bc.Kind, "audience", bc.Audience)
	}
	st, err := b.store.BroadcastStats(ctx, bc.ID)
	if err != nil {
		return err
	}
	if !bc.FannedOut {
		ahead := max(b.cfg.PageSize, int(b.o.cfg.Rate*b.cfg.Ahead.Seconds()))
		budget := time.Now().Add(max(b.cfg.Tick, 10*time.Second))
		var rc *renderCtx
		for !bc.FannedOut && st.Pending < ahead && time.Now().Before(budget) {
			if rc == nil {
				if rc, err = b.renderContext(ctx, bc); err != nil {
					return err
				}
			}
			n, err := b.fanOutPage(ctx, bc, rc)
			if err != nil {
				return err
			}
			st.Pending += n
		}
		if st, err = b.store.BroadcastStats(ctx, bc.ID); err != nil {
			return err
		}
	}
	if bc.FannedOut && st.Pending == 0 {
		return b.finish(ctx, bc, st)
	}
	return b.progress(ctx, bc, st)
}

var errPageTaken = errors.New("fan-out page taken by another worker")

// fanOutPage gives the next page of recipients their delivery rows and
// messages, with their send jobs, in one transaction; it returns the
// messages queued.
func (b *Broadcaster) fanOutPage(ctx context.Context, bc *models.Broadcast, rc *renderCtx) (int, error) {
	cs, err := b.store.BroadcastRecipients(ctx, bc, bc.FanoutCursor, b.cfg.PageSize)
	if err != nil {
		return 0, err
	}
	if len(cs) == 0 {
		ok, err := b.store.AdvanceFanout(ctx, bc.ID, bc.FanoutCursor, bc.FanoutCursor, 0, true)
		if err != nil {
			return 0, err
		}
		if !ok {
			return 0, b.reload(ctx, bc)
		}
		bc.FannedOut = true
		b.log.Info("broadcast: fanned out", "broadcast", bc.ID, "recipients", bc.Total)
		return 0, nil
	}
	skip, err := b.eligible(ctx, cs)
	if err != nil {
		return 0, err
	}
	var ds []*models.BroadcastDelivery
	var msgs []*models.OutboxMessage
	byContact := map[int64]*models.BroadcastDelivery{}
	for _, c := range cs {
		d := &models.BroadcastDelivery{BroadcastID: bc.ID, ContactID: c.ID, Status: models.DeliveryQueued}
		ch, served := b.channel(c.Channel)
		switch {
		case !c.Reachable:
			d.Status, d.Reason = models.DeliverySkipped, models.ReasonUnreachable
		case !served:
			d.Status, d.Reason = models.DeliverySkipped, "channel not served: "+c.Channel
		case skip[c.ID] != "":
			d.Status, d.Reason = models.DeliverySkipped, skip[c.ID]
		}
		if d.Status == models.DeliveryQueued {
			text, ok := b.render(rc, bc, c)
			if !ok {
				continue // not addressed by this broadcast (nothing to tell them)
			}
			payload, err := ch.Encode(c.ChatID, text)
			if err != nil {
				d.Status, d.Reason = models.DeliverySkipped, models.ShortReason("encode: "+err.Error())
			} else {
				key, id := bc.DedupeKey(c.ID), c.ID
				msgs = append(msgs, &models.OutboxMessage{Channel: c.Channel, ChatID: c.ChatID, ContactID: &id,
					Kind: models.OutboxBroadcast, DedupeKey: &key, Payload: payload})
			}
		}
		ds = append(ds, d)
		byContact[c.ID] = d
	}
	last := cs[len(cs)-1].ID
	err = b.store.InTx(ctx, func(tx *models.Store) error {
		ok, err := tx.AdvanceFanout(ctx, bc.ID, bc.FanoutCursor, last, len(ds), false)
		if err != nil {
			return err
		}
		if !ok {
			return errPageTaken
		}
		if err := tx.InsertBroadcastMessages(ctx, msgs); err != nil {
			return err
		}
		for _, m := range msgs {
			id := m.ID
			byContact[*m.ContactID].OutboxID = &id
		}
		if err := tx.InsertDeliveries(ctx, ds); err != nil {
			return err
		}
		var jobs []river.InsertManyParams
		for i := 0; i < len(msgs); i += b.cfg.BatchSize {
			var ids []int64
			for _, m := range msgs[i:min(i+b.cfg.BatchSize, len(msgs))] {
				ids = append(ids, m.ID)
			}
			jobs = append(jobs, river.InsertManyParams{Args: BroadcastSendArgs{BroadcastID: bc.ID, IDs: ids},
				InsertOpts: &river.InsertOpts{Queue: QueueBroadcast}})
		}
		if len(jobs) == 0 {
			return nil
		}
		if _, err := b.o.river.InsertManyTx(ctx, tx.SQLTx(), jobs); err != nil {
			return models.Wrap(models.EINTERNAL, err, "schedule the sending of broadcast %d", bc.ID)
		}
		return nil
	})
	if errors.Is(err, errPageTaken) {
		return 0, b.reload(ctx, bc)
	}
	if err != nil {
		return 0, err
	}
	bc.FanoutCursor = last
	bc.Total += len(ds)
	return len(msgs), nil
}

// eligible asks each channel's Eligible about its reachable recipients in
// cs: the reasons of those to skip, by contact id.
func (b *Broadcaster) eligible(ctx context.Context, cs []*models.Contact) (map[int64]string, error) {
	byChannel := map[string][]*models.Contact{}
	for _, c := range cs {
		if c.Reachable {
			byChannel[c.Channel] = append(byChannel[c.Channel], c)
		}
	}
	skip := map[int64]string{}
	for name, group := range byChannel {
		ch, ok := b.channel(name)
		if !ok || ch.Eligible == nil {
			continue
		}
		out, err := ch.Eligible(ctx, group)
		if err != nil {
			return nil, fmt.Errorf("broadcast: %s eligibility: %w", name, err)
		}
		for id, reason := range out {
			if reason == "" {
				reason = name + ": not eligible"
			}
			skip[id] = reason
		}
	}
	return skip, nil
}

// reload refreshes bc after another worker moved it on.
func (b *Broadcaster) reload(ctx context.Context, bc *models.Broadcast) error {
	fresh, err := b.store.Broadcast(ctx, bc.ID)
	if err != nil {
		return err
	}
	*bc = *fresh
	return nil
}

// finish marks a broadcast done (once, whoever gets there first) and
// reports to whoever started it.
func (b *Broadcaster) finish(ctx context.Context, bc *models.Broadcast, st *models.BroadcastStats) error {
	ok, err := b.store.FinishBroadcast(ctx, bc.ID)
	if err != nil || !ok {
		return err
	}
	bc.Status = models.BroadcastDone
	b.log.Info("broadcast: done", "broadcast", bc.ID, "recipients", st.Total, "sent", st.Sent,
		"unreachable", st.Unreachable, "failed", st.Failed, "skipped", st.Skipped)
	if bc.CreatedBy == nil {
		return nil
	}
	return b.notify(ctx, bc, "report", func(lang string) string { return b.ReportText(lang, bc, st) })
}

// progress tells whoever started a broadcast how far it got, at most every
// ProgressEvery.
func (b *Broadcaster) progress(ctx context.Context, bc *models.Broadcast, st *models.BroadcastStats) error {
	if bc.CreatedBy == nil || st.Finished() == 0 {
		return nil
	}
	if bc.ProgressAt != nil && b.store.Now().Sub(*bc.ProgressAt) < b.cfg.ProgressEvery {
		return nil
	}
	total := st.Total
	if !bc.FannedOut {
		cnt, err := b.store.CountAudience(ctx, bc)
		if err != nil {
			return err
		}
		total = max(total, cnt.Reachable+cnt.Unreachable)
	}
	ok, err := b.store.BumpProgress(ctx, bc.ID, bc.ProgressSeq)
	if err != nil || !ok {
		return err
	}
	bc.ProgressSeq++
	now := b.store.Now()
	bc.ProgressAt = &now
	done := st.Finished()
	return b.notify(ctx, bc, fmt.Sprintf("p%d", bc.ProgressSeq), func(lang string) string {
		return b.ProgressText(lang, bc, done, total)
	})
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
	payload, err := ch.Encode(c.ChatID, text(b.lang(c)))
	if err != nil {
		return err
	}
	key := fmt.Sprintf("bc:%d:%s", bc.ID, tag)
	msgs := []*models.OutboxMessage{{Channel: c.Channel, ChatID: c.ChatID, ContactID: &c.ID, Kind: models.OutboxReply,
		DedupeKey: &key, Payload: payload}}
	if err := b.store.InTx(ctx, func(tx *models.Store) error { return b.o.Enqueue(ctx, tx, msgs) }); err != nil {
		return err
	}
	b.o.Kick(msgs)
	return nil
}

func (b *Texts) lang(c *models.Contact) string {
	if c != nil && (c.Lang == "vi" || c.Lang == "en") {
		return c.Lang
	}
	return b.defLang
}

// Header is the first line of an announcement ("📢 Thông báo của Phường
// Ka Long:") in lang.
func (b *Texts) Header(lang, ward string) string {
	return b.tr(lang, "bc_header", map[string]any{"Ward": ward})
}

func (b *Texts) tr(lang, id string, data map[string]any) string {
	s, err := b.locs.Localize(lang, id, data)
	if err != nil {
		b.log.Error("broadcast: missing message", "id", id, "lang", lang, "err", err)
	}
	return s
}

// ProgressText is "📤 Thông báo #12: đã gửi 1.200/3.400" in lang.
func (b *Texts) ProgressText(lang string, bc *models.Broadcast, done, total int) string {
	return b.tr(lang, "bc_progress", map[string]any{"ID": bc.ID, "Done": FormatCount(lang, done), "Total": FormatCount(lang, total)})
}

// ReportText is a finished broadcast's report in lang: sent, unreachable,
// skipped and failed, with the reasons.
func (b *Texts) ReportText(lang string, bc *models.Broadcast, st *models.BroadcastStats) string {
	var reasons strings.Builder
	for _, r := range st.Reasons {
		fmt.Fprintf(&reasons, "\n  – %s: %s", r.Reason, FormatCount(lang, r.Count))
	}
	return b.tr(lang, "bc_report", map[string]any{
		"ID": bc.ID, "Total": FormatCount(lang, st.Total), "Sent": FormatCount(lang, st.Sent),
		"Unreachable": FormatCount(lang, st.Unreachable), "Skipped": FormatCount(lang, st.Skipped),
		"Failed": FormatCount(lang, st.Failed), "Pending": FormatCount(lang, st.Pending), "Reasons": reasons.String(),
	})
}

// FormatCount writes n with the language's thousands separator: 3.400 in
// Vietnamese, 3,400 in English.
func FormatCount(lang string, n int) string {
	sep := "."
	if lang == "en" {
		sep = ","
	}
	s := fmt.Sprint(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var out []string
	for len(s) > 3 {
		out = append([]string{s[len(s)-3:]}, out...)
		s = s[:len(s)-3]
	}
	out = append([]string{s}, out...)
	r := strings.Join(out, sep)
	if neg {
		r = "-" + r
	}
	return r
}

// Stats is where a broadcast's deliveries are.
func (b *Broadcaster) Stats(ctx context.Context, id int64) (*models.BroadcastStats, error) {
	return b.store.BroadcastStats(ctx, id)
}
