package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"electionbot/bot/telegram/telegramtest"
	"electionbot/cli"
	"electionbot/internal/loadtest"
	"electionbot/models"
)

// bench is one run of the load command.
type bench struct {
	opt     benchOptions
	out     io.Writer // the table
	log     io.Writer // progress
	prefix  string
	rows    []loadtest.Row
	schemas []*loadtest.Schema
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
	if b.opt.only["perupdate"] {
		err = errors.Join(err, b.perUpdate(ctx)) // perupdate.go
	}
	for _, part := range []string{"broadcast", "outbox"} {
		if b.opt.only[part] {
			for _, r := range b.opt.rates {
				err = errors.Join(err, b.sending(ctx, part, r))
			}
		}
	}
	if b.opt.only["import"] || b.opt.only["lookups"] || b.opt.only["rollup"] || b.opt.only["rss"] {
		err = errors.Join(err, b.province(ctx))
	}
	if b.opt.only["reach"] {
		err = errors.Join(err, b.reach(ctx)) // reach.go
	}
	fmt.Fprintf(b.out, "electionbot-bench — %s; took %s; load average at end %s\n\n", header,
		time.Since(started).Round(time.Second), loadtest.LoadAvg())
	loadtest.WriteMarkdown(b.out, b.rows)
	return err
}

// store opens a fresh schema for a part, migrated as serve does, with
// seed's data (nil: none). Close the store when done; the schema is
// dropped at the end of the run.
func (b *bench) store(ctx context.Context, part string, seed func(context.Context, *models.Store) error) (*loadtest.Schema, *models.Store, error) {
	sc, err := loadtest.NewSchema(ctx, b.opt.dbURL, b.prefix+"_"+part)
	if err != nil {
		return nil, nil, err
	}
	b.schemas = append(b.schemas, sc)
	st, err := cli.OpenStore(ctx, sc.URL)
	if err != nil {
		return nil, nil, err
	}
	if seed != nil {
		if err := seed(ctx, st); err != nil {
			st.Close()
			return nil, nil, err
		}
	}
	return sc, st, nil
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

// fakeBotAPI starts the fake Bot API with Telegram's limits: the
// broadcast rate (or --telegram-global) in any rolling second (or with a
// burst of --telegram-burst worth of it), --telegram-per-chat. It counts the messages, without
// keeping them. Close it when done.
func (b *bench) fakeBotAPI(rate float64) *telegramtest.Server {
	if b.opt.global > 0 {
		rate = b.opt.global
	}
	fake := telegramtest.NewServer()
	fake.CountOnly()
	fake.EnforceLimits(telegramtest.Limits{Global: rate, GlobalBurst: max(1, int(rate*b.opt.burst.Seconds())), PerChat: b.opt.perChat,
		Strict: b.opt.burst <= 0})
	return fake
}
