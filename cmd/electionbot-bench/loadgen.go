package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"time"

	"electionbot/internal/loadtest"
)

// The intake's load generator may run as a child process of its own
// (`electionbot-bench loadgen`, a loadSpec on stdin, a loadOutcome on
// stdout), pinned with taskset on the last CPU while the bench process —
// the bot — is pinned on the others: the bot's cores are then measured
// without the generator's HTTP work on them.

// loadSpec is a Q&A load (loadtest.QuestionUpdate bodies).
type loadSpec struct {
	URL         string
	Header      http.Header
	N, Warmup   int
	Concurrency int
	Rate        float64
	First       int   // the first update_id
	User0       int64 // the first user id
	Users       int
}

func (s loadSpec) load() loadtest.Load {
	return loadtest.Load{
		URL: s.URL, Header: s.Header, N: s.N, Warmup: s.Warmup, Concurrency: s.Concurrency, Rate: s.Rate,
		Body: func(i int) []byte { return loadtest.QuestionUpdate(s.First+i, i, s.User0, s.Users) },
	}
}

// loadOutcome is a loadtest.LoadResult as JSON.
type loadOutcome struct {
	N, Errors int
	Statuses  map[int]int
	Elapsed   time.Duration
	Latencies loadtest.Latencies
	FirstErr  string
}

// runLoadgen is the child: one load, its result on stdout.
func runLoadgen(ctx context.Context, stdin io.Reader, stdout io.Writer) error {
	var spec loadSpec
	if err := json.NewDecoder(stdin).Decode(&spec); err != nil {
		return fmt.Errorf("loadgen: %w", err)
	}
	res, err := spec.load().Run(ctx, loadtest.NewClient(spec.Concurrency))
	if err != nil {
		return err
	}
	out := loadOutcome{N: res.N, Errors: res.Errors, Statuses: res.Statuses, Elapsed: res.Elapsed, Latencies: res.Latencies}
	if res.FirstErr != nil {
		out.FirstErr = res.FirstErr.Error()
	}
	return json.NewEncoder(stdout).Encode(out)
}

// pinning is where the generator and the bot run: cpus is "" when they
// share every CPU (no taskset, or one CPU).
type pinning struct {
	gen, bot string // taskset CPU lists
}

// newPinning puts the generator on the last CPU and the bot on the
// others, when taskset is there and the machine has two CPUs or more.
func newPinning(enabled bool) pinning {
	n := runtime.NumCPU()
	if !enabled || n < 2 {
		return pinning{}
	}
	if _, err := exec.LookPath("taskset"); err != nil {
		return pinning{}
	}
	bot := "0"
	if n > 2 {
		bot = "0-" + strconv.Itoa(n-2)
	}
	return pinning{gen: strconv.Itoa(n - 1), bot: bot}
}

func (p pinning) on() bool { return p.gen != "" }

func (p pinning) String() string {
	if !p.on() {
		return "load generator in the bench process, on every CPU"
	}
	return fmt.Sprintf("load generator pinned on CPU %s (taskset), the bot on CPU %s", p.gen, p.bot)
}

// pinSelf pins every thread of this process on cpus ("" : all of them).
func pinSelf(cpus string) error {
	if cpus == "" {
		cpus = "0-" + strconv.Itoa(runtime.NumCPU()-1)
	}
	out, err := exec.Command("taskset", "-a", "-p", "-c", cpus, strconv.Itoa(os.Getpid())).CombinedOutput()
	if err != nil {
		return fmt.Errorf("taskset: %v: %s", err, out)
	}
	return nil
}

// runLoad runs spec in a pinned child, or in this process without pinning.
func (p pinning) runLoad(ctx context.Context, spec loadSpec) (*loadtest.LoadResult, error) {
	if !p.on() {
		return spec.load().Run(ctx, loadtest.NewClient(spec.Concurrency))
	}
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	in, _ := json.Marshal(spec)
	var out, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, "taskset", "-c", p.gen, self, "loadgen")
	cmd.Stdin, cmd.Stdout, cmd.Stderr = bytes.NewReader(in), &out, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("load generator: %v: %s", err, stderr.String())
	}
	var o loadOutcome
	if err := json.Unmarshal(out.Bytes(), &o); err != nil {
		return nil, fmt.Errorf("load generator: %w", err)
	}
	res := &loadtest.LoadResult{N: o.N, Errors: o.Errors, Statuses: o.Statuses, Elapsed: o.Elapsed, Latencies: o.Latencies}
	if o.FirstErr != "" {
		res.FirstErr = errors.New(o.FirstErr)
	}
	return res, nil
}
