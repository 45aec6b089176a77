package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"electionbot/bot/telegram"
	"electionbot/demo"
	"electionbot/internal/loadtest"
	"electionbot/models"
	"electionbot/results"
)

// Bench parts, in the order they run.
var benchParts = []string{"intake", "broadcast", "outbox", "import", "lookups", "rollup", "rss"}

// benchDefault are the parts run without --only ("outbox" measures the
// outbox's own drain, which the broadcast engine goes through anyway).
var benchDefault = []string{"intake", "broadcast", "import", "lookups", "rollup", "rss"}

type benchOptions struct {
	dbURL       string
	only        map[string]bool
	households  int
	contacts    int
	rates       []float64
	updates     int
	warmup      int
	concurrency int
	intakeRate  float64
	lookups     int
	rollups     int
	rssUsers    int
	repeat      int
	global      float64
	burst       time.Duration
	perChat     float64
	keep        bool
	cpuProfile  string
}

// bench is one run of `electionbot bench`.
type bench struct {
	opt     benchOptions
	out     io.Writer // the table
	log     io.Writer // progress
	prefix  string
	rows    []loadtest.Row
	schemas []*loadtest.Schema
}

const benchUsage = `usage: electionbot bench [--database-url URL] [--only PARTS] [--households N] [--contacts N] …

Measures, each next to its upper bound in the same run, and prints a table:
  intake     webhook intake of Q&A updates (real serve wiring) vs a no-op handler
  broadcast  an announcement to --contacts residents at each of --broadcast-rates
             (the broadcast engine of serve) through a fake Bot API enforcing
             Telegram's limits
  outbox     (not by default) the same number of messages put straight into
             the outbox and drained by it
  import     voter CSV of --households rows vs psql \copy of the same rows
  lookups    eligibility lookups (Store.FindVoters) on that registry vs SELECT 1
  rollup     a tally accepted → the province roll-up of 1,452 areas rebuilt
  rss        a child 'electionbot serve': VmRSS idle, and after lookups

PostgreSQL only: fresh schemas bench_* are created in --database-url
(default $BENCH_DATABASE_URL) and dropped at the end (unless --keep).
`

func cmdBench(ctx context.Context, args []string, stdout, stderr io.Writer, env map[string]string) error {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, benchUsage+"\nFlags:\n"); fs.PrintDefaults() }
	var o benchOptions
	fs.StringVar(&o.dbURL, "database-url", env["BENCH_DATABASE_URL"], "PostgreSQL database to create the bench schemas in")
	only := fs.String("only", strings.Join(benchDefault, ","), "comma-separated parts to run: "+strings.Join(benchParts, ","))
	fs.IntVar(&o.households, "households", 1_000_000, "households of the generated registry (1,452 areas)")
	fs.IntVar(&o.contacts, "contacts", 10_000, "contacts a broadcast goes to")
	rates := fs.String("broadcast-rates", "30,1000", "BROADCAST_RATE values to run the broadcast at (messages/s)")
	fs.IntVar(&o.updates, "updates", 20_000, "measured webhook updates per intake run")
	fs.IntVar(&o.warmup, "warmup", 2_000, "webhook updates sent before each measured intake run")
	fs.IntVar(&o.concurrency, "concurrency", 40, "webhook connections (Telegram's max_connections is 40)")
	fs.Float64Var(&o.intakeRate, "intake-rate", 0, "also measure latency at this fixed rate (updates/s, open loop); 0: skip")
	fs.IntVar(&o.lookups, "lookups", 20_000, "measured eligibility lookups")
	fs.IntVar(&o.rollups, "rollups", 200, "tallies accepted, each followed by the roll-up")
	fs.IntVar(&o.rssUsers, "rss-users", 2_000, "residents who look themselves up through the child serve before its RSS is read")
	fs.IntVar(&o.repeat, "repeat", 3, "runs of intake and import (best and median are printed)")
	fs.Float64Var(&o.global, "telegram-global", 0, "fake Bot API: messages/s across chats (default: the broadcast rate)")
	fs.Float64Var(&o.perChat, "telegram-per-chat", 1, "fake Bot API: messages/s to one chat")
	fs.DurationVar(&o.burst, "telegram-burst", 200*time.Millisecond, "fake Bot API: the global burst, in time at the global rate (room for jitter)")
	fs.BoolVar(&o.keep, "keep", false, "keep the bench schemas")
	fs.StringVar(&o.cpuProfile, "cpuprofile", "", "write a CPU profile of the measured intake runs (server and client) to this file")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return &exitError{2, err}
	}
	if fs.NArg() > 0 {
		return usageErr("bench takes no arguments: %q", fs.Args())
	}
	if o.dbURL == "" {
		return usageErr("bench needs PostgreSQL: give --database-url postgres://… or set BENCH_DATABASE_URL")
	}
	o.only = map[string]bool{}
	for _, p := range strings.Split(*only, ",") {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		if !slices.Contains(benchParts, p) {
			return usageErr("--only: unknown part %q (parts: %s)", p, strings.Join(benchParts, ","))
		}
		o.only[p] = true
	}
	for _, r := range strings.Split(*rates, ",") {
		v, err := strconv.ParseFloat(strings.TrimSpace(r), 64)
		if err != nil || v <= 0 || v > 1000 {
			return usageErr("--broadcast-rates: %q is not a rate between 1 and 1000", r)
		}
		o.rates = append(o.rates, v)
	}
	switch {
	case o.households < 1452:
		return usageErr("--households must be at least 1452 (one per area)")
	case o.repeat < 1 || o.updates < 1 || o.concurrency < 1 || o.contacts < 1 || o.lookups < 1 || o.rollups < 1:
		return usageErr("--repeat, --updates, --concurrency, --contacts, --lookups and --rollups must be positive")
	}
	b := &bench{opt: o, out: stdout, log: stderr, prefix: fmt.Sprintf("bench_%d", os.Getpid())}
	return b.run(ctx)
}

func (b *bench) logf(format string, args ...any) {
	fmt.Fprintf(b.log, "bench: "+format+"\n", args...)
}

func (b *bench) add(r loadtest.Row) {
	r.Name += " _(load " + strings.Fields(loadtest.LoadAvg())[0] + ")_"
	b.rows = append(b.rows, r)
	b.logf("%s: %s | bound: %s | target: %s %s", r.Name, r.Measured, r.Bound, r.Target, r.Verdict())
}

func (b *bench) run(ctx context.Context) error {
	// The bench's own progress goes to b.log; the servers it starts log to
	// nowhere (but still format their records, as in production).
	prev := slog.Default()
	slog.SetDefault(slog.New(slog.NewJSONHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelInfo})))
	defer slog.SetDefault(prev)

	started := time.Now()
	header := fmt.Sprintf("date %s; machine: %s; %s (synchronous_commit=%s, fsync=%s, shared_buffers=%s); load average at start %s",
		started.UTC().Format("2006-01-02 15:04 MST"), loadtest.Machine(), loadtest.ServerVersion(ctx, b.opt.dbURL),
		loadtest.Setting(ctx, b.opt.dbURL, "synchronous_commit"), loadtest.Setting(ctx, b.opt.dbURL, "fsync"),
		loadtest.Setting(ctx, b.opt.dbURL, "shared_buffers"), loadtest.LoadAvg())
	b.logf("%s", header)
	defer b.dropSchemas()

	var err error
	if b.opt.only["intake"] {
		err = errors.Join(err, b.intake(ctx))
	}
	if b.opt.only["broadcast"] {
		for _, r := range b.opt.rates {
			err = errors.Join(err, b.broadcastEngine(ctx, r))
		}
	}
	if b.opt.only["outbox"] {
		for _, r := range b.opt.rates {
			err = errors.Join(err, b.broadcast(ctx, r))
		}
	}
	if b.opt.only["import"] || b.opt.only["lookups"] || b.opt.only["rollup"] || b.opt.only["rss"] {
		err = errors.Join(err, b.province(ctx))
	}
	fmt.Fprintf(b.out, "electionbot bench — %s; took %s; load average at end %s\n\n", header,
		time.Since(started).Round(time.Second), loadtest.LoadAvg())
	loadtest.WriteMarkdown(b.out, b.rows)
	return err
}

func (b *bench) schema(ctx context.Context, part string) (*loadtest.Schema, error) {
	s, err := loadtest.NewSchema(ctx, b.opt.dbURL, b.prefix+"_"+part)
	if err != nil {
		return nil, err
	}
	b.schemas = append(b.schemas, s)
	return s, nil
}

func (b *bench) dropSchemas() {
	if b.opt.keep {
		for _, s := range b.schemas {
			b.logf("kept schema %s", s.Name)
		}
		return
	}
	for _, s := range b.schemas {
		if err := s.Drop(context.Background()); err != nil {
			b.logf("drop schema %s: %v", s.Name, err)
		}
	}
}

const benchSecret = "bench-webhook-secret"

// benchServe is the serve wiring (newServer, start) on a TCP listener,
// talking to a fake Bot API, as `electionbot serve` runs it.
type benchServe struct {
	sv     *server
	url    string // the webhook's URL
	hs     *http.Server
	cancel context.CancelFunc
	panics *panicLog
}

func startBenchServe(ctx context.Context, s *models.Store, fake *loadtest.FakeBot, broadcastRate float64) (*benchServe, error) {
	cfg, err := LoadConfig(map[string]string{
		"TELEGRAM_TOKEN":          "777000111:BENCH-token",
		"TELEGRAM_API_ENDPOINT":   fake.Endpoint(),
		"TELEGRAM_WEBHOOK_URL":    "https://bench.invalid" + telegram.WebhookPath,
		"TELEGRAM_WEBHOOK_SECRET": benchSecret,
		"LISTEN_ADDR":             "127.0.0.1:0",
		"BROADCAST_RATE":          strconv.FormatFloat(broadcastRate, 'f', -1, 64),
	})
	if err != nil {
		return nil, err
	}
	runCtx, cancel := context.WithCancel(ctx)
	sv, err := newServer(runCtx, cfg, s, serveOptions{})
	if err != nil {
		cancel()
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		cancel()
		return nil, err
	}
	// A panic in a handler must show (slog.Default discards): counted, and
	// the first lines of the first few printed.
	pl := &panicLog{w: os.Stderr}
	hs := &http.Server{Handler: sv.mux, ReadHeaderTimeout: 10 * time.Second, ErrorLog: log.New(pl, "", 0)}
	go hs.Serve(ln)
	if err := sv.start(runCtx); err != nil {
		cancel()
		hs.Close()
		sv.stop(context.Background())
		return nil, err
	}
	return &benchServe{sv: sv, url: "http://" + ln.Addr().String() + telegram.WebhookPath, hs: hs, cancel: cancel, panics: pl}, nil
}

// panicLog is the bench servers' error log: it counts the panics net/http
// recovered, and prints the top of the first three stacks.
type panicLog struct {
	w  io.Writer
	mu sync.Mutex
	n  int
}

func (p *panicLog) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !bytes.Contains(b, []byte("panic serving")) {
		fmt.Fprintf(p.w, "bench: serve: %s", b)
		return len(b), nil
	}
	p.n++
	if p.n <= 3 {
		lines := strings.SplitN(string(b), "\n", 16)
		var keep []string
		for _, l := range lines[:min(len(lines), 15)] {
			if strings.Contains(l, "panic") || strings.Contains(l, "electionbot/") || strings.Contains(l, "golang.org/x/") {
				keep = append(keep, strings.TrimSpace(l))
			}
		}
		fmt.Fprintf(p.w, "bench: serve: %s\n", strings.Join(keep[:min(len(keep), 5)], " ← "))
	}
	return len(b), nil
}

// Panics is how many requests panicked.
func (p *panicLog) Panics() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.n
}

// close stops it without waiting for the outbox to drain: what is left
// stays in the database.
func (bs *benchServe) close() {
	bs.cancel()
	bs.hs.Close()
	ctx, done := context.WithTimeout(context.Background(), 3*time.Second)
	defer done()
	bs.sv.stop(ctx)
}

func webhookHeader() http.Header {
	return http.Header{"Content-Type": {"application/json"}, telegram.SecretHeader: {benchSecret}}
}

// intake: Q&A updates posted to the webhook of the real serve wiring on
// PostgreSQL (the demo election, the conversation handlers, replies to the
// outbox) next to a no-op handler and a one-row commit, same machine.
func (b *bench) intake(ctx context.Context) error {
	b.logf("intake: %d updates × %d runs at %d connections", b.opt.updates, b.opt.repeat, b.opt.concurrency)
	sc, err := b.schema(ctx, "intake")
	if err != nil {
		return err
	}
	st, err := openStore(ctx, sc.URL)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := demo.Load(ctx, st); err != nil {
		return err
	}
	fake := loadtest.NewFakeBot(b.limits(30))
	defer fake.Close()
	srv, err := startBenchServe(ctx, st, fake, 30)
	if err != nil {
		return err
	}
	defer srv.close()
	noopLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	noop := &http.Server{Handler: loadtest.NoopHandler()}
	go noop.Serve(noopLn)
	defer noop.Close()

	users := max(1, b.opt.updates/4)
	nextID := 1
	load := func(url string, rate float64) loadtest.Load {
		first := nextID
		nextID += b.opt.warmup + b.opt.updates
		return loadtest.Load{
			URL: url, Header: webhookHeader(), N: b.opt.updates, Warmup: b.opt.warmup,
			Concurrency: b.opt.concurrency, Rate: rate,
			Body: func(i int) []byte { return loadtest.QuestionUpdate(first+i, i, 100_000_000, users) },
		}
	}
	var botRates, noopRates []float64
	var cpuNote, errNote string
	var botRuns, noopRuns []*loadtest.LoadResult
	for run := range b.opt.repeat {
		client := loadtest.NewClient(b.opt.concurrency)
		res, err := load("http://"+noopLn.Addr().String()+telegram.WebhookPath, 0).Run(ctx, client)
		if err != nil {
			return err
		}
		noopRates, noopRuns = append(noopRates, res.PerSecond()), append(noopRuns, res)
		client = loadtest.NewClient(b.opt.concurrency)
		cpu0 := loadtest.ReadCPUTimes()
		if b.opt.cpuProfile != "" && run == 0 {
			f, err := os.Create(b.opt.cpuProfile)
			if err != nil {
				return err
			}
			if err := pprof.StartCPUProfile(f); err != nil {
				return err
			}
			defer f.Close()
		}
		res, err = load(srv.url, 0).Run(ctx, client)
		if b.opt.cpuProfile != "" && run == 0 {
			pprof.StopCPUProfile()
		}
		if err != nil {
			return err
		}
		self, machine := loadtest.ReadCPUTimes().Since(cpu0)
		cpuNote = fmt.Sprintf("CPU during the run: %.2f of %d cores busy, %.2f of them the bench process (server and client), the rest PostgreSQL and other users",
			machine, runtime.NumCPU(), self)
		if res.Errors > 0 {
			errNote = fmt.Sprintf("%d of %d updates failed (statuses %v; 0 = connection closed), first: %v; %d panics in the server so far",
				res.Errors, res.N, res.Statuses, res.FirstErr, srv.panics.Panics())
			b.logf("intake run %d: %s", run+1, errNote)
		}
		botRates, botRuns = append(botRates, res.PerSecond()), append(botRuns, res)
		b.logf("intake run %d: %s (%s); no-op %s (%s); %s; load %s", run+1,
			loadtest.Rate(res.PerSecond()), res.Latencies.Summary(), loadtest.Rate(noopRates[run]),
			noopRuns[run].Latencies.Summary(), cpuNote, loadtest.LoadAvg())
	}
	bestBot := botRuns[slices.Index(botRates, loadtest.Best(botRates))]
	bestNoop := noopRuns[slices.Index(noopRates, loadtest.Best(noopRates))]
	commits, commitLat, err := loadtest.CommitBound(ctx, sc, b.opt.concurrency, 3*time.Second)
	if err != nil {
		return err
	}
	p99 := bestBot.Latencies.Percentile(0.99)
	rate := loadtest.Best(botRates)
	b.add(loadtest.Row{
		Name: fmt.Sprintf("webhook intake, Q&A updates, PostgreSQL, %d connections", b.opt.concurrency),
		Measured: fmt.Sprintf("**%s** (median %s); %s", loadtest.Rate(rate), loadtest.Rate(loadtest.Median(botRates)),
			bestBot.Latencies.Summary()),
		Bound: fmt.Sprintf("no-op handler %s (%s); 1-row INSERT+COMMIT %s (%s)",
			loadtest.Rate(loadtest.Best(noopRates)), bestNoop.Latencies.Summary(), loadtest.Rate(commits), commitLat.Summary()),
		Target: "≥ 3,000/s, p99 < 20 ms",
		Met:    loadtest.Bool(rate >= 3000 && p99 < 20*time.Millisecond && errNote == ""),
		Note:   strings.TrimPrefix(errNote+"; ", "; ") + cpuNote + " (last run)",
	})
	if b.opt.intakeRate > 0 {
		client := loadtest.NewClient(b.opt.concurrency)
		l := load(srv.url, b.opt.intakeRate)
		res, err := l.Run(ctx, client)
		if err != nil {
			return err
		}
		p99 := res.Latencies.Percentile(0.99)
		b.add(loadtest.Row{
			Name:     fmt.Sprintf("webhook intake at a fixed %s (open loop)", loadtest.Rate(b.opt.intakeRate)),
			Measured: fmt.Sprintf("%s answered, %d errors; %s", loadtest.Rate(res.PerSecond()), res.Errors, res.Latencies.Summary()),
			Bound:    fmt.Sprintf("closed-loop maximum of the same run: %s", loadtest.Rate(rate)),
			Target:   "p99 < 20 ms",
			Met:      loadtest.Bool(res.Errors == 0 && p99 < 20*time.Millisecond),
		})
	}
	return nil
}

// limits are the fake Bot API's: the broadcast rate (or --telegram-global)
// with a burst of --telegram-burst worth of it, --telegram-per-chat.
func (b *bench) limits(rate float64) loadtest.Limits {
	if b.opt.global > 0 {
		rate = b.opt.global
	}
	return loadtest.Limits{Global: rate, GlobalBurst: max(1, int(rate*b.opt.burst.Seconds())), PerChat: b.opt.perChat}
}

// broadcastEngine: an announcement to every resident of the demo election
// (--contacts of them, spread over its 6 areas), queued as `electionbot
// broadcast` or /thongbao do, fanned out and sent by the broadcast engine
// of the serve wiring (River jobs, the outbox, its limiter) to a fake Bot
// API that enforces the same limits as Telegram (429 when exceeded).
func (b *bench) broadcastEngine(ctx context.Context, rate float64) error {
	n := b.opt.contacts
	b.logf("broadcast: %d residents at %v/s (about %s)", n, rate, time.Duration(float64(n)/rate*float64(time.Second)).Round(time.Second))
	sc, err := b.schema(ctx, fmt.Sprintf("broadcast_%d", int(rate)))
	if err != nil {
		return err
	}
	st, err := openStore(ctx, sc.URL)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := demo.Load(ctx, st); err != nil {
		return err
	}
	e, err := st.CurrentElection(ctx)
	if err != nil {
		return err
	}
	areas, err := st.Areas(ctx, e.ID)
	if err != nil {
		return err
	}
	limits := b.limits(rate)
	fake := loadtest.NewFakeBot(limits)
	defer fake.Close()
	srv, err := startBenchServe(ctx, st, fake, rate)
	if err != nil {
		return err
	}
	defer srv.close()
	contacts := make([]*models.Contact, n)
	for i := range contacts {
		id := strconv.Itoa(200_000_000 + i)
		area := areas[i%len(areas)].ID
		contacts[i] = &models.Contact{Channel: models.ChannelTelegram, ExternalID: id, ChatID: id, Lang: "vi", AreaID: &area, Reachable: true}
	}
	if err := st.DB(ctx).CreateInBatches(contacts, 1000).Error; err != nil {
		return err
	}
	// Started by a console admin: its progress messages are not sent to
	// Telegram, so the fake counts the residents' messages only.
	admin, err := st.EnsureContact(ctx, &models.Contact{Channel: models.ChannelConsole, ExternalID: "bench-admin", Lang: "vi"})
	if err != nil {
		return err
	}
	bc := &models.Broadcast{ElectionID: e.ID, Kind: models.BroadcastAnnouncement, Audience: models.AudienceAll,
		Body:   "Nhắc lịch bầu cử: Chủ nhật 05/06/2022, 07:00–11:00, bầu Trưởng khu phố tại nhà văn hóa khu phố.",
		Status: models.BroadcastQueued, Source: "cli", CreatedBy: &admin.ID}
	queued := time.Now()
	if err := st.CreateBroadcast(ctx, bc); err != nil {
		return err
	}
	timeout := time.Duration(float64(n)/rate*1.5*float64(time.Second)) + time.Minute
	if !fake.WaitSent(ctx, int64(n), timeout) {
		stats, _ := st.BroadcastStats(ctx, bc.ID)
		return fmt.Errorf("broadcast at %v/s: %d of %d delivered after %s (%d × 429); deliveries %+v",
			rate, fake.Stats().Sent, n, timeout, fake.Stats().TooMany, stats)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		cur, err := st.Broadcast(ctx, bc.ID)
		if err != nil {
			return err
		}
		if cur.Status == models.BroadcastDone || time.Now().After(deadline) {
			bc = cur
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	bst, err := st.BroadcastStats(ctx, bc.ID)
	if err != nil {
		return err
	}
	stats := fake.Stats()
	pace := float64(stats.Sent-1) / stats.Last.Sub(stats.First).Seconds()
	ratio := pace / rate
	b.add(loadtest.Row{
		Name: fmt.Sprintf("broadcast to %s residents at BROADCAST_RATE=%v (broadcast engine → fake Bot API)", loadtest.Thousands(int64(n)), rate),
		Measured: fmt.Sprintf("**%.3f** of allowed (%.1f/s, first to last message); %d × 429 (%d per chat); %s delivered to %s chats, %d duplicates; first message %s after queueing, last %s; broadcast %s (sent %d, pending %d, failed %d)",
			ratio, pace, stats.TooMany, stats.TooManyChat, loadtest.Thousands(stats.Sent), loadtest.Thousands(int64(stats.Chats)), stats.Duplicates,
			stats.First.Sub(queued).Round(100*time.Millisecond), stats.Last.Sub(queued).Round(100*time.Millisecond), bc.Status, bst.Sent, bst.Pending, bst.Failed),
		Bound:  fmt.Sprintf("allowed %v/s global (burst %d), %v/s per chat: the fake's limits", limits.Global, fake.Limits().GlobalBurst, limits.PerChat),
		Target: "≥ 0.95, zero 429s",
		Met:    loadtest.Bool(ratio >= 0.95 && stats.TooMany == 0 && stats.Duplicates == 0 && stats.Chats == n),
	})
	return nil
}

// broadcast: --contacts messages queued in the outbox at once, delivered
// by the serve wiring's outbox through its rate limiter to a fake Bot API
// that enforces the same limits as Telegram (429 when exceeded).
func (b *bench) broadcast(ctx context.Context, rate float64) error {
	n := b.opt.contacts
	b.logf("outbox: %d messages at %v/s (about %s)", n, rate, time.Duration(float64(n)/rate*float64(time.Second)).Round(time.Second))
	sc, err := b.schema(ctx, fmt.Sprintf("outbox_%d", int(rate)))
	if err != nil {
		return err
	}
	st, err := openStore(ctx, sc.URL)
	if err != nil {
		return err
	}
	defer st.Close()
	limits := b.limits(rate)
	fake := loadtest.NewFakeBot(limits)
	defer fake.Close()
	srv, err := startBenchServe(ctx, st, fake, rate)
	if err != nil {
		return err
	}
	defer srv.close()

	contacts := make([]*models.Contact, n)
	for i := range contacts {
		id := strconv.Itoa(200_000_000 + i)
		contacts[i] = &models.Contact{Channel: models.ChannelTelegram, ExternalID: id, ChatID: id, Lang: "vi", Reachable: true, Reminders: true}
	}
	if err := st.DB(ctx).CreateInBatches(contacts, 1000).Error; err != nil {
		return err
	}
	text := "🔔 <b>Nhắc lịch bầu cử</b>: Chủ nhật 05/06/2022, 07:00–11:00, bầu Trưởng khu phố tại nhà văn hóa khu phố."
	enqStart := time.Now()
	var batches [][]*models.OutboxMessage
	for from := 0; from < n; from += 1000 {
		var msgs []*models.OutboxMessage
		for _, c := range contacts[from:min(n, from+1000)] {
			payload, _ := json.Marshal(telegram.Call{Method: "sendMessage", Params: map[string]string{
				"chat_id": c.ChatID, "text": text, "parse_mode": "HTML"}})
			id := c.ID
			msgs = append(msgs, &models.OutboxMessage{Channel: models.ChannelTelegram, ChatID: c.ChatID, ContactID: &id,
				Kind: models.OutboxReply, Payload: string(payload)})
		}
		err := st.InTx(ctx, func(tx *models.Store) error { return srv.sv.outbox.Enqueue(ctx, tx, msgs) })
		if err != nil {
			return err
		}
		batches = append(batches, msgs)
	}
	enqTook := time.Since(enqStart)
	start := time.Now()
	for _, msgs := range batches {
		srv.sv.outbox.Kick(msgs)
	}
	timeout := time.Duration(float64(n)/rate*1.5*float64(time.Second)) + time.Minute
	if !fake.WaitSent(ctx, int64(n), timeout) {
		var counts []struct {
			Status string
			N      int
		}
		st.DB(ctx).Raw("SELECT status, count(*) AS n FROM outbox GROUP BY status ORDER BY status").Scan(&counts)
		var errs []string
		st.DB(ctx).Raw("SELECT DISTINCT last_error FROM outbox WHERE last_error <> '' LIMIT 5").Scan(&errs)
		stats := fake.Stats()
		return fmt.Errorf("broadcast at %v/s: %d of %d delivered after %s (%d × 429); outbox rows by status %+v; errors %q",
			rate, stats.Sent, n, timeout, stats.TooMany, counts, errs)
	}
	// Late duplicates would show within the outbox's grace.
	time.Sleep(time.Second)
	stats := fake.Stats()
	took := stats.Last.Sub(start)
	achieved := float64(stats.Sent) / took.Seconds()
	ratio := achieved / rate
	b.add(loadtest.Row{
		Name: fmt.Sprintf("%s messages put in the outbox at once, BROADCAST_RATE=%v (outbox → fake Bot API)", loadtest.Thousands(int64(n)), rate),
		Measured: fmt.Sprintf("**%.3f** of allowed (%.1f/s over %s); %d × 429 (%d per chat); %s delivered to %s chats, %d duplicates; enqueue %s",
			ratio, achieved, took.Round(100*time.Millisecond), stats.TooMany, stats.TooManyChat, loadtest.Thousands(stats.Sent),
			loadtest.Thousands(int64(stats.Chats)), stats.Duplicates, enqTook.Round(time.Millisecond)),
		Bound:  fmt.Sprintf("allowed %v/s global (burst %d), %v/s per chat: the fake's limits", limits.Global, fake.Limits().GlobalBurst, limits.PerChat),
		Target: "≥ 0.95, zero 429s",
		Met:    loadtest.Bool(ratio >= 0.95 && stats.TooMany == 0 && stats.Duplicates == 0 && stats.Chats == n),
	})
	return nil
}

// province: the Quảng Ninh-shaped election with a generated registry of
// --households: its import next to psql \copy, lookups, the roll-up after
// an accepted tally, and a child serve's memory on it.
func (b *bench) province(ctx context.Context) error {
	p := loadtest.QuangNinh(b.opt.households)
	sc, err := b.schema(ctx, "province")
	if err != nil {
		return err
	}
	st, err := openStore(ctx, sc.URL)
	if err != nil {
		return err
	}
	defer st.Close()
	t0 := time.Now()
	if err := p.Load(ctx, st); err != nil {
		return err
	}
	b.logf("province: election of %d areas loaded in %s; generating %s voters", p.Areas, time.Since(t0).Round(time.Millisecond), loadtest.Thousands(int64(p.Households)))
	csv, err := p.VoterCSV()
	if err != nil {
		return err
	}
	b.logf("province: voter CSV %.0f MB", float64(len(csv))/1e6)
	importOnce := func() (time.Duration, error) {
		if err := st.DB(ctx).Exec("TRUNCATE voters").Error; err != nil {
			return 0, err
		}
		start := time.Now()
		rep, err := st.ImportVoters(ctx, bytes.NewReader(csv), "csv", models.ImportOptions{ElectionCode: p.Code})
		if err != nil {
			return 0, err
		}
		if rep.Rows != p.Households {
			return 0, fmt.Errorf("import: %d rows, want %d", rep.Rows, p.Households)
		}
		return time.Since(start), nil
	}
	if b.opt.only["import"] {
		if err := b.importVsCopy(ctx, p, st, importOnce); err != nil {
			return err
		}
	} else if _, err := importOnce(); err != nil {
		return err
	}
	csv = nil
	if b.opt.only["lookups"] {
		if err := b.lookups(ctx, st); err != nil {
			return err
		}
	}
	if b.opt.only["rollup"] {
		if err := b.rollup(ctx, p, st); err != nil {
			return err
		}
	}
	if b.opt.only["rss"] {
		if err := b.rss(ctx, sc, st, p); err != nil {
			return err
		}
	}
	return nil
}

func (b *bench) importVsCopy(ctx context.Context, p loadtest.Province, st *models.Store, importOnce func() (time.Duration, error)) error {
	n := int64(p.Households)
	b.logf("import: %s rows × %d runs, each next to psql \\copy of the same rows", loadtest.Thousands(n), b.opt.repeat)
	if _, err := importOnce(); err != nil { // the rows psql will copy
		return err
	}
	dir, err := os.MkdirTemp("", "electionbot-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	dump := filepath.Join(dir, "voters_table.csv")
	if err := loadtest.DumpVoters(ctx, st, dump); err != nil {
		return err
	}
	cs, err := b.schema(ctx, "copy")
	if err != nil {
		return err
	}
	cst, err := openStore(ctx, cs.URL)
	if err != nil {
		return err
	}
	err = p.Load(ctx, cst)
	cst.Close()
	if err != nil {
		return err
	}
	copyCmd := fmt.Sprintf(`\copy voters (%s) from '%s' csv`, loadtest.VoterColumns, dump)
	var imports, copies []float64
	for run := range b.opt.repeat {
		d, err := importOnce()
		if err != nil {
			return err
		}
		imports = append(imports, d.Seconds())
		if err := loadtest.Exec(ctx, cs.URL, "TRUNCATE voters"); err != nil {
			return err
		}
		c, err := cs.Psql(ctx, copyCmd)
		if err != nil {
			return err
		}
		copies = append(copies, c.Seconds())
		b.logf("import run %d: %.1f s; psql \\copy %.1f s; load %s", run+1, d.Seconds(), c.Seconds(), loadtest.LoadAvg())
	}
	bestImp, bestCopy := slices.Min(imports), slices.Min(copies)
	ratio := bestCopy / bestImp
	b.add(loadtest.Row{
		Name: fmt.Sprintf("import of a %s-row voter CSV (fresh table, 1,452 areas)", loadtest.Thousands(n)),
		Measured: fmt.Sprintf("**%.1f s** (median %.1f s), %s rows/s; **%.2f×** psql", bestImp, loadtest.Median(imports),
			loadtest.Thousands(int64(float64(n)/bestImp)), ratio),
		Bound:  fmt.Sprintf("psql \\copy of the same table rows: %.1f s (median %.1f s)", bestCopy, loadtest.Median(copies)),
		Target: "≥ 0.5× psql",
		Met:    loadtest.Bool(ratio >= 0.5),
	})
	return nil
}

func (b *bench) lookups(ctx context.Context, st *models.Store) error {
	keys, err := loadtest.SampleVoters(ctx, st, 10_000)
	if err != nil {
		return err
	}
	n := b.opt.lookups
	b.logf("lookups: %d FindVoters of random existing voters (%d sampled)", n, len(keys))
	rng := rand.New(rand.NewPCG(1, 2))
	one := func() (time.Duration, error) {
		k := keys[rng.IntN(len(keys))]
		t0 := time.Now()
		vs, err := st.FindVoters(ctx, k.AreaID, k.Folded, k.BirthYear)
		d := time.Since(t0)
		if err == nil && len(vs) == 0 {
			err = fmt.Errorf("voter %q %d of area %d not found", k.Folded, k.BirthYear, k.AreaID)
		}
		return d, err
	}
	for range min(n, 2000) { // warm the pool and the caches
		if _, err := one(); err != nil {
			return err
		}
	}
	lat := make(loadtest.Latencies, n)
	for i := range lat {
		if lat[i], err = one(); err != nil {
			return err
		}
	}
	ping := make(loadtest.Latencies, n/4+1)
	for i := range ping {
		t0 := time.Now()
		var one int
		if err := st.DB(ctx).Raw("SELECT 1").Scan(&one).Error; err != nil {
			return err
		}
		ping[i] = time.Since(t0)
	}
	// Throughput with 8 at once (informative).
	var wg sync.WaitGroup
	var mu sync.Mutex
	par := 0
	start := time.Now()
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(g), 7))
			for range n / 8 {
				k := keys[r.IntN(len(keys))]
				if _, err := st.FindVoters(ctx, k.AreaID, k.Folded, k.BirthYear); err == nil {
					mu.Lock()
					par++
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	parRate := float64(par) / time.Since(start).Seconds()
	var count int64
	st.DB(ctx).Table("voters").Count(&count)
	b.add(loadtest.Row{
		Name: fmt.Sprintf("eligibility lookup (area, folded name, birth year) in %s households", loadtest.Thousands(count)),
		Measured: fmt.Sprintf("**%s** one at a time; %s with 8 at once",
			lat.Summary(), loadtest.Rate(parRate)),
		Bound:  fmt.Sprintf("SELECT 1 on the same pool: %s", ping.Summary()),
		Target: "p99 < 2 ms",
		Met:    loadtest.Bool(lat.Percentile(0.99) < 2*time.Millisecond),
	})
	return nil
}

// rollup: an admin accepts an area's provisional tally (Store.ReviewTally),
// then the public results of the 1,452 areas with the ward/city/province
// roll-ups are rebuilt from the database (results.Load: one query + Build),
// as the results page does once its cache expires.
func (b *bench) rollup(ctx context.Context, p loadtest.Province, st *models.Store) error {
	if _, err := p.SeedTallies(ctx, st); err != nil {
		return err
	}
	admin, err := st.EnsureContact(ctx, &models.Contact{Channel: models.ChannelConsole, ExternalID: "bench-admin", Lang: "vi"})
	if err != nil {
		return err
	}
	_, areas, err := st.ElectionResults(ctx, p.Code)
	if err != nil {
		return err
	}
	var todo []int64
	for _, a := range areas {
		if a.Latest != nil && (a.Latest.Status == models.TallyProvisional || a.Latest.Status == models.TallyConflict) {
			todo = append(todo, a.Area.ID)
		}
	}
	todo = todo[:min(len(todo), b.opt.rollups)]
	b.logf("rollup: %d tallies accepted, each followed by the roll-up of %d areas", len(todo), len(areas))
	// The query alone, nothing changed: the floor of a refresh.
	query := make(loadtest.Latencies, 20)
	for i := range query {
		t0 := time.Now()
		if _, _, err := st.ElectionResults(ctx, p.Code); err != nil {
			return err
		}
		query[i] = time.Since(t0)
	}
	var total, accept, load loadtest.Latencies
	prev := -1
	for _, id := range todo {
		t0 := time.Now()
		if _, err := st.ReviewTally(ctx, models.ReviewRequest{AreaID: id, Accept: true, By: admin.ID}); err != nil {
			return err
		}
		t1 := time.Now()
		r, err := results.Load(ctx, st, p.Code, false, t1)
		if err != nil {
			return err
		}
		t2 := time.Now()
		total, accept, load = append(total, t2.Sub(t0)), append(accept, t1.Sub(t0)), append(load, t2.Sub(t1))
		done := r.Progress.Recognised + r.Progress.Rerun
		if prev >= 0 && done != prev+1 {
			return fmt.Errorf("rollup: %d areas recognised after accepting one more, was %d", done, prev)
		}
		prev = done
		if len(r.RollUps) == 0 {
			return errors.New("rollup: no roll-ups built")
		}
	}
	b.add(loadtest.Row{
		Name: fmt.Sprintf("tally accepted → province roll-up of %s areas rebuilt", loadtest.Thousands(int64(len(areas)))),
		Measured: fmt.Sprintf("**%s** (accept %s; roll-up %s), %d tallies",
			total.Summary(), loadtest.Ms(accept.Percentile(0.5)), loadtest.Ms(load.Percentile(0.5)), len(total)),
		Bound:  fmt.Sprintf("the roll-up query alone: %s", query.Summary()),
		Target: "< 50 ms (p99)",
		Met:    loadtest.Bool(total.Percentile(0.99) < 50*time.Millisecond),
	})
	return nil
}

// rss: a child `electionbot serve` (this binary) on the database with the
// registry, webhook mode, talking to a fake Bot API: VmRSS once idle, then
// VmRSS and its peak (VmHWM) after residents looked themselves up. Next to
// it, the floor: the same binary serving with no channel on an empty
// embedded database.
func (b *bench) rss(ctx context.Context, sc *loadtest.Schema, st *models.Store, p loadtest.Province) error {
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "electionbot-bench-rss-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	fake := loadtest.NewFakeBot(b.limits(30))
	defer fake.Close()

	floor, err := startChildServe(ctx, exe, dir, "floor", map[string]string{"DATABASE_URL": "sqlite://" + filepath.Join(dir, "empty.db")}, nil)
	if err != nil {
		return err
	}
	time.Sleep(3 * time.Second)
	floorMem, err := loadtest.ReadProcMem(floor.cmd.Process.Pid)
	floor.stop()
	if err != nil {
		return err
	}

	child, err := startChildServe(ctx, exe, dir, "serve", map[string]string{
		"DATABASE_URL":            sc.URL,
		"TELEGRAM_TOKEN":          "777000111:BENCH-token",
		"TELEGRAM_API_ENDPOINT":   fake.Endpoint(),
		"TELEGRAM_WEBHOOK_URL":    "https://bench.invalid" + telegram.WebhookPath,
		"TELEGRAM_WEBHOOK_SECRET": benchSecret,
	}, func() bool { u, _ := fake.Webhook(); return u != "" })
	if err != nil {
		return err
	}
	defer child.stop()
	time.Sleep(5 * time.Second)
	idle, err := loadtest.ReadProcMem(child.cmd.Process.Pid)
	if err != nil {
		return err
	}
	users := b.opt.rssUsers
	keys, err := loadtest.SampleVoters(ctx, st, users)
	if err != nil {
		return err
	}
	b.logf("rss: idle %s; %d residents look themselves up through the child", loadtest.MiB(idle.RSS), len(keys))
	var bodies [][]byte
	id := 1
	for i, k := range keys {
		user := int64(300_000_000 + i)
		bodies = append(bodies, loadtest.TextUpdate(id, user, "/start "+k.AreaCode), loadtest.TextUpdate(id+1, user, fmt.Sprintf("%s %d", k.FullName, k.BirthYear)))
		id += 2
	}
	for i := range keys {
		bodies = append(bodies, loadtest.TextUpdate(id, int64(300_000_000+i), loadtest.Questions[i%len(loadtest.Questions)]))
		id++
	}
	// In order per resident: first the /start of everyone, then the
	// lookups, then a question.
	order := make([][]byte, 0, len(bodies))
	for phase := range 2 {
		for i := range keys {
			order = append(order, bodies[2*i+phase])
		}
	}
	order = append(order, bodies[2*len(keys):]...)
	res, err := loadtest.Load{URL: child.url + telegram.WebhookPath, Header: webhookHeader(), N: len(order), Concurrency: 8,
		Body: func(i int) []byte { return order[i] }}.Run(ctx, loadtest.NewClient(8))
	if err != nil {
		return err
	}
	failNote := ""
	if res.Errors > 0 {
		failNote = fmt.Sprintf("%d of %d updates failed (statuses %v; 0 = connection closed: a panic in the child), first: %v",
			res.Errors, res.N, res.Statuses, res.FirstErr)
		b.logf("rss: %s", failNote)
	}
	var audits int64
	st.DB(ctx).Model(&models.AuditEvent{}).Where("action = ?", "eligibility.lookup").Count(&audits)
	time.Sleep(2 * time.Second)
	after, err := loadtest.ReadProcMem(child.cmd.Process.Pid)
	if err != nil {
		return err
	}
	b.add(loadtest.Row{
		Name:     "RSS of `electionbot serve`, idle (webhook mode, PostgreSQL with the registry)",
		Measured: fmt.Sprintf("**%s**", loadtest.MiB(idle.RSS)),
		Bound:    fmt.Sprintf("the same binary serving no channel on an empty SQLite file: %s", loadtest.MiB(floorMem.RSS)),
		Target:   "< 64 MiB",
		Met:      loadtest.Bool(idle.RSS < 64<<20),
	})
	b.add(loadtest.Row{
		Name: fmt.Sprintf("RSS after %s lookups in the %s-household registry (+%s updates in all, %s)",
			loadtest.Thousands(audits), loadtest.Thousands(int64(p.Households)), loadtest.Thousands(int64(res.N)), loadtest.Rate(res.PerSecond())),
		Measured: fmt.Sprintf("**%s**, peak %s", loadtest.MiB(after.RSS), loadtest.MiB(after.HWM)),
		Bound:    fmt.Sprintf("idle: %s", loadtest.MiB(idle.RSS)),
		Target:   "< 128 MiB",
		Met:      loadtest.Bool(after.HWM < 128<<20),
		Note:     failNote,
	})
	return nil
}

type childServe struct {
	cmd  *exec.Cmd
	url  string
	done chan struct{}
}

// startChildServe runs `exe serve` with env (on top of PATH and HOME) on a
// free port and waits for /healthz (and ready, if given).
func startChildServe(ctx context.Context, exe, dir, name string, env map[string]string, ready func() bool) (*childServe, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	addr := ln.Addr().String()
	ln.Close()
	logf, err := os.Create(filepath.Join(dir, name+".log"))
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(exe, "serve")
	cmd.Dir = dir
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"), "LISTEN_ADDR=" + addr, "LOG_LEVEL=warn"}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		logf.Close()
		return nil, err
	}
	c := &childServe{cmd: cmd, url: "http://" + addr, done: make(chan struct{})}
	go func() { cmd.Wait(); logf.Close(); close(c.done) }()
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := http.Get(c.url + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 && (ready == nil || ready()) {
				return c, nil
			}
		}
		select {
		case <-c.done:
			log, _ := os.ReadFile(logf.Name())
			return nil, fmt.Errorf("child serve exited: %s", strings.TrimSpace(string(log)))
		case <-ctx.Done():
			c.stop()
			return nil, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			c.stop()
			return nil, errors.New("child serve did not answer /healthz within 60 s")
		}
	}
}

// stop sends SIGTERM, and SIGKILL after 10 s.
func (c *childServe) stop() {
	select {
	case <-c.done:
		return
	default:
	}
	c.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-c.done:
	case <-time.After(10 * time.Second):
		c.cmd.Process.Kill()
		<-c.done
	}
}
