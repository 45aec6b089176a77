// Command electionbot-bench is the load command: it puts every figure of
// BENCHMARKS.md next to its upper bound, measured in the same run, and
// prints them as a table. It builds the serve wiring in-process
// (cli.NewServer) against the fake Bot API of telegramtest, and runs the
// electionbot binary as a child for the memory figures. It is a binary of
// its own so that electionbot links neither the fakes nor the load
// generator (internal/loadtest).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Bench parts, in the order they run.
var benchParts = []string{"intake", "perupdate", "broadcast", "outbox", "import", "lookups", "rollup", "rss", "reach"}

// benchDefault are the parts run without --only ("outbox" measures the
// outbox's own drain, which the broadcast engine goes through anyway).
var benchDefault = []string{"intake", "perupdate", "broadcast", "import", "lookups", "rollup", "rss"}

const benchUsage = `usage: electionbot-bench [--database-url URL] [--only PARTS] [--households N] [--contacts N] …

Measures, each next to its upper bound in the same run, and prints a table:
  intake     webhook intake of Q&A updates (real serve wiring) vs a no-op handler
  perupdate  one Q&A stream through serve's webhook handler (in-process) on the
             6-area demo ward and on the 1,452-area province, rounds
             alternated: CPU time, bytes and statements per update, province
             over ward
  broadcast  an announcement to each of --broadcast-sizes residents at each of
             --broadcast-rates (the broadcast engine of serve) through a fake
             Bot API enforcing Telegram's limits strictly
  outbox     (not by default) the same number of messages put straight into
             the outbox and drained by it
  import     voter CSV of --households rows vs psql \copy of the same rows
  lookups    eligibility lookups (Store.FindVoters) on that registry vs SELECT 1
  rollup     a tally accepted → the province roll-up of 1,452 areas rebuilt
  rss        a child 'electionbot serve' (--electionbot): VmRSS idle, and after lookups
  reach      (not by default) an announcement to --reach-households households through
             the cascade of a child serve: ZNS, then SMS, against their fakes (reach.go)

PostgreSQL only: fresh schemas bench_* are created in --database-url
(default $BENCH_DATABASE_URL) and dropped at the end (unless --keep).
`

type benchOptions struct {
	dbURL       string
	only        map[string]bool
	households  int
	contacts    int
	sizes       []int
	rates       []float64
	updates     int
	warmup      int
	perUpdates  int // perupdate.go
	perRounds   int
	concurrency int
	intakeRate  float64
	pinLoad     bool
	lookups     int
	rollups     int
	rssUsers    int
	repeat      int
	global      float64
	burst       time.Duration
	perChat     float64
	keep        bool
	cpuProfile  string
	electionbot string // the binary the rss part runs
	// reach.go
	reachHouseholds             int
	reachRate, znsRate, smsRate float64
}

// usageError is bad usage: exit code 2.
type usageError struct{ error }

func usageErr(format string, args ...any) error { return usageError{fmt.Errorf(format, args...)} }

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	if len(os.Args) == 2 && os.Args[1] == "loadgen" { // the intake's pinned load generator (loadgen.go)
		err := runLoadgen(ctx, os.Stdin, os.Stdout)
		stop()
		if err != nil {
			fmt.Fprintf(os.Stderr, "electionbot-bench loadgen: %v\n", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr, os.Getenv)
	stop()
	os.Exit(code)
}

// run is the command without the process: its exit code is 0 done, 1 a
// part failed, 2 bad usage.
func run(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	o, err := parseOptions(args, stderr, getenv)
	if err == nil {
		b := &bench{opt: o, out: stdout, log: stderr, prefix: fmt.Sprintf("bench_%d", os.Getpid())}
		err = b.run(ctx)
	}
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, new(usageError)):
		fmt.Fprintf(stderr, "electionbot-bench: %v\n", err)
		return 2
	default:
		fmt.Fprintf(stderr, "electionbot-bench: %v\n", err)
		return 1
	}
}

func parseOptions(args []string, stderr io.Writer, getenv func(string) string) (benchOptions, error) {
	fs := flag.NewFlagSet("electionbot-bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, benchUsage+"\nFlags:\n"); fs.PrintDefaults() }
	var o benchOptions
	fs.StringVar(&o.dbURL, "database-url", getenv("BENCH_DATABASE_URL"), "PostgreSQL database to create the bench schemas in")
	only := fs.String("only", strings.Join(benchDefault, ","), "comma-separated parts to run: "+strings.Join(benchParts, ","))
	fs.IntVar(&o.households, "households", 1_000_000, "households of the generated registry (1,452 areas)")
	fs.IntVar(&o.contacts, "contacts", 10_000, "contacts a broadcast goes to")
	rates := fs.String("broadcast-rates", "30,1000", "BROADCAST_RATE values to run the broadcast at (messages/s)")
	sizes := fs.String("broadcast-sizes", "300,10000", "recipients of the broadcasts; at a rate, the sizes under 5 s of it are skipped unless none is left")
	fs.IntVar(&o.updates, "updates", 20_000, "measured webhook updates per intake run")
	fs.IntVar(&o.warmup, "warmup", 2_000, "webhook updates sent before each measured intake run")
	fs.IntVar(&o.perUpdates, "perupdate-updates", 1_000, "perupdate: updates per run, on each side")
	fs.IntVar(&o.perRounds, "perupdate-rounds", 7, "perupdate: rounds, each a run on the ward and one on the province (the order alternating)")
	fs.IntVar(&o.concurrency, "concurrency", 40, "webhook connections (Telegram's max_connections is 40)")
	fs.Float64Var(&o.intakeRate, "intake-rate", 0, "also measure latency at this fixed rate (updates/s, open loop); 0: half the closed-loop maximum")
	fs.BoolVar(&o.pinLoad, "pin-load", true, "intake: run the load generator as a child pinned on the last CPU (taskset), the bot on the others")
	fs.IntVar(&o.lookups, "lookups", 20_000, "measured eligibility lookups")
	fs.IntVar(&o.rollups, "rollups", 200, "tallies accepted, each followed by the roll-up")
	fs.IntVar(&o.rssUsers, "rss-users", 2_000, "residents who look themselves up through the child serve before its RSS is read")
	fs.IntVar(&o.repeat, "repeat", 3, "runs of intake and import (best and median are printed)")
	fs.Float64Var(&o.global, "telegram-global", 0, "fake Bot API: messages/s across chats (default: the broadcast rate)")
	fs.Float64Var(&o.perChat, "telegram-per-chat", 1, "fake Bot API: messages/s to one chat")
	fs.DurationVar(&o.burst, "telegram-burst", 0, "fake Bot API: 0, at most the global rate in any rolling second (no burst, as strict as Telegram documents); else a token bucket with this much burst, in time at the global rate")
	fs.BoolVar(&o.keep, "keep", false, "keep the bench schemas")
	fs.StringVar(&o.cpuProfile, "cpuprofile", "", "write a CPU profile of the measured intake runs (server and client) to this file")
	fs.StringVar(&o.electionbot, "electionbot", "", "the electionbot binary the rss part runs as a child serve (default: electionbot next to this binary, else on PATH)")
	fs.IntVar(&o.reachHouseholds, "reach-households", 100_000, "households the reach part's announcement goes to")
	fs.Float64Var(&o.reachRate, "reach-broadcast-rate", 1000, "reach: BROADCAST_RATE of its child serve")
	fs.Float64Var(&o.znsRate, "zns-rate", 300, "reach: ZNS_RATE of its child serve")
	fs.Float64Var(&o.smsRate, "sms-rate", 200, "reach: SMS_RATE of its child serve")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return o, err
		}
		return o, usageError{err}
	}
	if fs.NArg() > 0 {
		return o, usageErr("the bench takes no arguments: %q", fs.Args())
	}
	if o.dbURL == "" {
		return o, usageErr("the bench needs PostgreSQL: give --database-url postgres://… or set BENCH_DATABASE_URL")
	}
	o.only = map[string]bool{}
	for _, p := range strings.Split(*only, ",") {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		if !slices.Contains(benchParts, p) {
			return o, usageErr("--only: unknown part %q (parts: %s)", p, strings.Join(benchParts, ","))
		}
		o.only[p] = true
	}
	for _, r := range strings.Split(*rates, ",") {
		v, err := strconv.ParseFloat(strings.TrimSpace(r), 64)
		if err != nil || v <= 0 || v > 1000 {
			return o, usageErr("--broadcast-rates: %q is not a rate between 1 and 1000", r)
		}
		o.rates = append(o.rates, v)
	}
	for _, v := range strings.Split(*sizes, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil || n < 2 {
			return o, usageErr("--broadcast-sizes: %q is not a number of recipients (at least 2)", v)
		}
		o.sizes = append(o.sizes, n)
	}
	switch {
	case o.households < 1452:
		return o, usageErr("--households must be at least 1452 (one per area)")
	case o.repeat < 1 || o.updates < 1 || o.concurrency < 1 || o.contacts < 1 || o.lookups < 1 || o.rollups < 1:
		return o, usageErr("--repeat, --updates, --concurrency, --contacts, --lookups and --rollups must be positive")
	case o.perUpdates < 4 || o.perRounds < 1:
		return o, usageErr("--perupdate-updates must be at least 4 and --perupdate-rounds positive")
	}
	if o.only["rss"] || o.only["reach"] {
		bin, err := findElectionbot(o.electionbot)
		if err != nil {
			return o, usageError{err}
		}
		o.electionbot = bin
	}
	return o, nil
}

// findElectionbot is the binary the rss part measures, as an absolute
// path (the child runs in a folder of its own): the one given, or
// electionbot next to this binary (as the README's build puts it), or on
// PATH.
func findElectionbot(given string) (string, error) {
	if given != "" {
		bin, err := exec.LookPath(given)
		if err != nil {
			return "", err
		}
		return filepath.Abs(bin)
	}
	if self, err := os.Executable(); err == nil {
		if bin, err := exec.LookPath(filepath.Join(filepath.Dir(self), "electionbot")); err == nil {
			return bin, nil
		}
	}
	if bin, err := exec.LookPath("electionbot"); err == nil {
		return bin, nil
	}
	return "", errors.New("the rss part runs the electionbot binary: build it (go build -o electionbot .) and give --electionbot PATH, or leave rss out of --only")
}
