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
// outbox) next to a no-op handler and a one-row commit, same machine.
func (b *bench) intake(ctx context.Context) error {
	b.logf("intake: %d updates × %d runs at %d connections", b.opt.updates, b.opt.repeat, b.opt.concurrency)
	sc, st, err := b.store(ctx, "intake", demo.Load)
	if err != nil {
		return err
	}
	defer st.Close()
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
