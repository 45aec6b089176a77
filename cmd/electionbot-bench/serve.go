package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"electionbot/bot/telegram"
	"electionbot/bot/telegram/telegramtest"
	"electionbot/cli"
	"electionbot/models"
)

const benchSecret = "bench-webhook-secret"

// telegramEnv is the environment of a serve in webhook mode on the fake
// Bot API.
func telegramEnv(fake *telegramtest.Server) map[string]string {
	return map[string]string{
		"TELEGRAM_TOKEN":          telegramtest.Token,
		"TELEGRAM_API_ENDPOINT":   fake.Endpoint(),
		"TELEGRAM_WEBHOOK_URL":    "https://bench.invalid" + telegram.WebhookPath,
		"TELEGRAM_WEBHOOK_SECRET": benchSecret,
		// The bench plays thousands of residents looking themselves up
		// at once, each a fresh account: the enumeration defences
		// (README, privacy) would refuse most of them.
		"LOOKUP_COOLDOWN":      "0s",
		"LOOKUP_AREA_BUDGET":   "0",
		"LOOKUP_GLOBAL_BUDGET": "0",
		"PURGE_AFTER_DAYS":     "0",
	}
}

func webhookHeader() http.Header {
	return http.Header{"Content-Type": {"application/json"}, telegram.SecretHeader: {benchSecret}}
}

// benchServe is the serve wiring (cli.NewServer, Start) on a TCP
// listener, talking to a fake Bot API, as `electionbot serve` runs it.
type benchServe struct {
	sv     *cli.Server
	url    string // the webhook's URL
	hs     *http.Server
	cancel context.CancelFunc
	panics *panicLog
}

func startBenchServe(ctx context.Context, s *models.Store, fake *telegramtest.Server, broadcastRate float64) (*benchServe, error) {
	env := telegramEnv(fake)
	env["LISTEN_ADDR"] = "127.0.0.1:0"
	env["BROADCAST_RATE"] = strconv.FormatFloat(broadcastRate, 'f', -1, 64)
	cfg, err := cli.LoadConfig(env)
	if err != nil {
		return nil, err
	}
	runCtx, cancel := context.WithCancel(ctx)
	sv, err := cli.NewServer(runCtx, cfg, s, cli.ServerOptions{})
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
	hs := &http.Server{Handler: sv.Handler(), ReadHeaderTimeout: 10 * time.Second, ErrorLog: log.New(pl, "", 0)}
	go hs.Serve(ln)
	if err := sv.Start(runCtx); err != nil {
		cancel()
		hs.Close()
		sv.Stop(context.Background())
		return nil, err
	}
	return &benchServe{sv: sv, url: "http://" + ln.Addr().String() + telegram.WebhookPath, hs: hs, cancel: cancel, panics: pl}, nil
}

// close stops it without waiting for the outbox to drain: what is left
// stays in the database.
func (bs *benchServe) close() {
	bs.cancel()
	bs.hs.Close()
	ctx, done := context.WithTimeout(context.Background(), 3*time.Second)
	defer done()
	bs.sv.Stop(ctx)
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

// childServe is `electionbot serve` run as a process of its own.
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
