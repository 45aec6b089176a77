package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"runtime"
	"runtime/pprof"
	"slices"
	"strings"
	"time"

	"electionbot/bot/telegram"
	"electionbot/demo"
	"electionbot/internal/loadtest"
)

// intake: Q&A updates posted to the webhook of the real serve wiring on
// PostgreSQL (the demo election, the conversation handlers, replies to the
// outbox) next to its bounds in the same run, at the same concurrency: a
// no-op handler (the HTTP path) and a bare one-row INSERT+COMMIT (the
// database's commits). The load generator runs pinned on a CPU of its own
// (loadgen.go), so that the bot's CPUs are measured honestly; then the
// latency at half the best rate (open loop).
func (b *bench) intake(ctx context.Context) error {
	pin := newPinning(b.opt.pinLoad)
	b.logf("intake: %d updates × %d runs at %d connections; %s", b.opt.updates, b.opt.repeat, b.opt.concurrency, pin)
	sc, st, err := b.store(ctx, "intake", demo.Load)
	if err != nil {
		return err
	}
	defer st.Close()
	if pin.on() {
		if err := pinSelf(pin.bot); err != nil {
			return err
		}
		defer pinSelf("")
	}
	fake := b.fakeBotAPI(30)
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
	spec := func(url string, rate float64) loadSpec {
		first := nextID
		nextID += b.opt.warmup + b.opt.updates
		return loadSpec{URL: url, Header: webhookHeader(), N: b.opt.updates, Warmup: b.opt.warmup,
			Concurrency: b.opt.concurrency, Rate: rate, First: first, User0: 100_000_000, Users: users}
	}
	var botRates, noopRates []float64
	var cpuNote, errNote string
	var botRuns, noopRuns []*loadtest.LoadResult
	var stmts float64
	for run := range b.opt.repeat {
		res, err := pin.runLoad(ctx, spec("http://"+noopLn.Addr().String()+telegram.WebhookPath, 0))
		if err != nil {
			return err
		}
		noopRates, noopRuns = append(noopRates, res.PerSecond()), append(noopRuns, res)
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
		n0 := st.Statements()
		res, err = pin.runLoad(ctx, spec(srv.url, 0))
		stmts = float64(st.Statements()-n0) / float64(b.opt.warmup+b.opt.updates)
		if b.opt.cpuProfile != "" && run == 0 {
			pprof.StopCPUProfile()
		}
		if err != nil {
			return err
		}
		self, machine := loadtest.ReadCPUTimes().Since(cpu0)
		cpuNote = fmt.Sprintf("CPU during the run: %.2f of %d cores busy, %.2f of them the bench process (the bot%s), the rest PostgreSQL, the load generator and other users",
			machine, runtime.NumCPU(), self, map[bool]string{false: " and the load generator", true: ""}[pin.on()])
		if res.Errors > 0 {
			errNote = fmt.Sprintf("%d of %d updates failed (statuses %v; 0 = connection closed), first: %v; %d panics in the server so far",
				res.Errors, res.N, res.Statuses, res.FirstErr, srv.panics.Panics())
			b.logf("intake run %d: %s", run+1, errNote)
		}
		botRates, botRuns = append(botRates, res.PerSecond()), append(botRuns, res)
		b.logf("intake run %d: %s (%s); no-op %s (%s); %.1f statements per update (GORM, without BEGIN/COMMIT); %s; load %s", run+1,
			loadtest.Rate(res.PerSecond()), res.Latencies.Summary(), loadtest.Rate(noopRates[run]),
			noopRuns[run].Latencies.Summary(), stmts, cpuNote, loadtest.LoadAvg())
	}
	bestBot := botRuns[slices.Index(botRates, loadtest.Best(botRates))]
	bestNoop := noopRuns[slices.Index(noopRates, loadtest.Best(noopRates))]
	commits, commitLat, err := loadtest.CommitBound(ctx, sc, b.opt.concurrency, 3*time.Second)
	if err != nil {
		return err
	}
	rate := loadtest.Best(botRates)
	noopRate := loadtest.Best(noopRates)
	ofCommit := rate / commits
	b.add(loadtest.Row{
		Name: fmt.Sprintf("webhook intake, Q&A updates, PostgreSQL, %d connections", b.opt.concurrency),
		Measured: fmt.Sprintf("**%s** (median %s); %s; **%.2f × the commit bound**, %.3f × the no-op handler; %.1f statements per update",
			loadtest.Rate(rate), loadtest.Rate(loadtest.Median(botRates)), bestBot.Latencies.Summary(),
			ofCommit, rate/noopRate, stmts),
		Bound: fmt.Sprintf("1-row INSERT+COMMIT %s (%s); no-op handler %s (%s)",
			loadtest.Rate(commits), commitLat.Summary(), loadtest.Rate(noopRate), bestNoop.Latencies.Summary()),
		Target: "≥ 0.5 × the 1-row INSERT+COMMIT bound",
		Met:    loadtest.Bool(ofCommit >= 0.5 && errNote == ""),
		Note:   strings.TrimPrefix(errNote+"; ", "; ") + pin.String() + "; " + cpuNote + " (last run)",
	})
	fixed := b.opt.intakeRate
	if fixed <= 0 {
		fixed = rate / 2
	}
	res, err := pin.runLoad(ctx, spec(srv.url, fixed))
	if err != nil {
		return err
	}
	p99 := res.Latencies.Percentile(0.99)
	b.add(loadtest.Row{
		Name:     fmt.Sprintf("webhook intake at a fixed %s (open loop)", loadtest.Rate(fixed)),
		Measured: fmt.Sprintf("%s answered, %d errors; %s", loadtest.Rate(res.PerSecond()), res.Errors, res.Latencies.Summary()),
		Bound:    fmt.Sprintf("closed-loop maximum of the same run: %s", loadtest.Rate(rate)),
		Target:   "p99 < 20 ms at half the maximum",
		Met:      loadtest.Bool(res.Errors == 0 && p99 < 20*time.Millisecond),
		Note:     pin.String() + "; " + res.Latencies.Stalls(fixed, 100*time.Millisecond, 20*time.Millisecond),
	})
	return nil
}
