package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"electionbot/bot/telegram"
	"electionbot/bot/telegram/telegramtest"
	"electionbot/demo"
	"electionbot/models"
)

// buildElectionbot builds the binary once per test run.
var buildOnce struct {
	sync.Once
	path string
	err  error
}

func buildElectionbot(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "electionbot-reliability-")
		if err != nil {
			buildOnce.err = err
			return
		}
		buildOnce.path = filepath.Join(dir, "electionbot")
		out, err := exec.Command("go", "build", "-o", buildOnce.path, "electionbot").CombinedOutput()
		if err != nil {
			buildOnce.err = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildOnce.err != nil {
		t.Fatal(buildOnce.err)
	}
	return buildOnce.path
}

// slowProxy forwards to the fake Bot API, holding each sendMessage for
// delay before forwarding it: sends are in flight when the process dies.
func slowProxy(t *testing.T, fake *telegramtest.Server, delay time.Duration) string {
	target, _ := url.Parse(fake.URL)
	rp := httputil.NewSingleHostReverseProxy(target)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/sendMessage") {
			time.Sleep(delay)
		}
		rp.ServeHTTP(w, r)
	})}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return "http://" + ln.Addr().String() + "/bot%s/%s"
}

type serveProcess struct {
	cmd  *exec.Cmd
	url  string
	log  *bytes.Buffer
	done chan error
}

// startServeProcess runs `bin serve` and waits until it answers /healthz
// and has set its webhook at the fake.
func startServeProcess(t *testing.T, bin string, fake *telegramtest.Server, env map[string]string) *serveProcess {
	t.Helper()
	hooks := len(fake.Calls("setWebhook"))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	cmd := exec.Command(bin, "serve")
	cmd.Dir = t.TempDir()
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"), "LISTEN_ADDR=" + addr, "LOG_LEVEL=info"}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	p := &serveProcess{cmd: cmd, url: "http://" + addr, log: &bytes.Buffer{}, done: make(chan error, 1)}
	cmd.Stdout, cmd.Stderr = p.log, p.log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.done <- cmd.Wait() }()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-p.done
		if t.Failed() {
			t.Logf("serve log:\n%s", p.log.String())
		}
	})
	waitUntil(t, "serve answering /healthz", func() bool {
		resp, err := http.Get(p.url + "/healthz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK && len(fake.Calls("setWebhook")) > hooks
	})
	return p
}

// TestReliabilityKillMidDelivery: a serve process is killed with SIGKILL
// in the middle of sending, then started again on the same database: every
// message arrives, and only those in flight at the kill (claimed: status
// sending) may arrive twice. "replies": a burst of replies queued in the
// outbox by the webhook (~25 s: a claim of the dead process expires after
// the outbox's SendTimeout, River's leadership after its TTL);
// "broadcast" (with -reliability.long): an announcement to every resident,
// queued as `electionbot broadcast` does and sent by the broadcast engine.
// A broadcast_send job running at the kill stays "running" in River (its
// rescuer waits an hour), so its rows wait for the outbox's sweep: about
// 2½ minutes — too long for every `go test` until that is shortened.
func TestReliabilityKillMidDelivery(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	modes := []string{"replies"}
	if *reliabilityLong {
		modes = append(modes, "broadcast")
	}
	for _, mode := range modes {
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			testKillMidDelivery(t, mode)
		})
	}
}

func testKillMidDelivery(t *testing.T, mode string) {
	n, delay, dialect := 90, time.Duration(0), "sqlite"
	if *reliabilityLong {
		n, delay = 600, 150*time.Millisecond
		if os.Getenv("TEST_DATABASE_URL") != "" {
			dialect = "postgres"
		}
	}
	bin := buildElectionbot(t)
	ctx := context.Background()
	var dbURL string
	var s *models.Store
	if dialect == "postgres" {
		o, _ := postgresOutage(t)
		s = o.store
		dbURL = postgresURLOf(t, s)
	} else {
		dbURL = "sqlite://" + filepath.Join(t.TempDir(), "kill.db")
		var err error
		if s, err = OpenStore(ctx, dbURL); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
	}
	if err := demo.Load(ctx, s); err != nil {
		t.Fatal(err)
	}
	fake := telegramtest.New(t)
	endpoint := fake.Endpoint()
	if delay > 0 {
		endpoint = slowProxy(t, fake, delay)
	}
	env := map[string]string{
		"DATABASE_URL":            dbURL,
		"TELEGRAM_TOKEN":          telegramtest.Token,
		"TELEGRAM_API_ENDPOINT":   endpoint,
		"TELEGRAM_WEBHOOK_URL":    "https://bot.example.org/telegram/webhook",
		"TELEGRAM_WEBHOOK_SECRET": testSecret,
		"BROADCAST_RATE":          "20",
	}
	users := make([]int64, n)
	for i := range users {
		users[i] = int64(40000 + i)
	}
	var bc *models.Broadcast
	if mode == "broadcast" {
		e, err := s.CurrentElection(ctx)
		if err != nil {
			t.Fatal(err)
		}
		areas, err := s.Areas(ctx, e.ID)
		if err != nil {
			t.Fatal(err)
		}
		var cs []*models.Contact
		for i, u := range users {
			id := strconv.FormatInt(u, 10)
			cs = append(cs, &models.Contact{Channel: models.ChannelTelegram, ExternalID: id, ChatID: id, Lang: "vi",
				AreaID: &areas[i%len(areas)].ID, Reachable: true})
		}
		if err := s.DB(ctx).CreateInBatches(cs, 200).Error; err != nil {
			t.Fatal(err)
		}
		admin, err := s.EnsureContact(ctx, &models.Contact{Channel: models.ChannelConsole, ExternalID: "admin", Lang: "vi"})
		if err != nil {
			t.Fatal(err)
		}
		bc = &models.Broadcast{ElectionID: e.ID, Kind: models.BroadcastAnnouncement, Audience: models.AudienceAll,
			Body: "Nhắc lịch: Chủ nhật 05/06/2022 bầu Trưởng khu phố, 07:00–11:00.", Status: models.BroadcastQueued,
			Source: "cli", CreatedBy: &admin.ID}
		if err := s.CreateBroadcast(ctx, bc); err != nil {
			t.Fatal(err)
		}
	}
	p := startServeProcess(t, bin, fake, env)
	if mode == "replies" {
		for _, u := range users {
			req, _ := http.NewRequest(http.MethodPost, p.url+telegram.WebhookPath, strings.NewReader(textUpdate(int(u), u, "/start")))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set(telegram.SecretHeader, testSecret)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("webhook: %d", resp.StatusCode)
			}
		}
	}
	// Kill it a third of the way through the sending.
	waitUntil(t, "a third of the messages sent", func() bool { return len(sentTo(fake)) >= n/3 })
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-p.done
	p.done <- errors.New("killed") // for the cleanup
	var inFlight, pending int64
	s.DB(ctx).Model(&models.OutboxMessage{}).Where("status = ?", models.OutboxSending).Count(&inFlight)
	s.DB(ctx).Model(&models.OutboxMessage{}).Where("status = ?", models.OutboxPending).Count(&pending)
	var jobs []struct {
		Kind, State string
		N           int
	}
	s.DB(ctx).Raw("SELECT kind, state, count(*) AS n FROM river_job GROUP BY kind, state ORDER BY kind, state").Scan(&jobs)
	before := len(sentTo(fake))
	t.Logf("killed with %d of %d delivered; outbox: %d in flight (claimed), %d pending; River jobs %+v", before, n, inFlight, pending, jobs)
	if before >= n {
		t.Fatal("everything was sent before the kill: the test did not test anything")
	}

	restarted := time.Now()
	startServeProcess(t, bin, fake, env)
	// A claim of the killed process expires after the outbox's SendTimeout (30 s).
	missing := 0
	ok := waitWithin(t, 300*time.Second, func() bool {
		got := sentTo(fake)
		missing = 0
		for _, u := range users {
			if got[strconv.FormatInt(u, 10)] == 0 {
				missing++
			}
		}
		return missing == 0
	})
	if !ok {
		t.Fatalf("%d of %d residents never got the message after the restart", missing, n)
	}
	all := time.Since(restarted)
	// Late duplicates: a message still claimed or queued may go again.
	waitUntil(t, "every message sent", func() bool { return unsent(t, s) == 0 })
	dups := 0
	for _, k := range sentTo(fake) {
		dups += k - 1
	}
	if int64(dups) > inFlight {
		t.Fatalf("%d messages arrived twice, more than the %d in flight at the kill", dups, inFlight)
	}
	if bc != nil {
		waitUntil(t, "the broadcast done", func() bool {
			cur, err := s.Broadcast(ctx, bc.ID)
			return err == nil && cur.Status == models.BroadcastDone
		})
	}
	t.Logf("%s after the restart: all %d delivered, %d twice (bound: %d in flight)",
		all.Round(100*time.Millisecond), n, dups, inFlight)
}

// postgresURLOf is the URL of the database a store is connected to.
func postgresURLOf(t *testing.T, s *models.Store) string {
	var name string
	if err := s.DB(context.Background()).Raw("SELECT current_database()").Scan(&name).Error; err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(os.Getenv("TEST_DATABASE_URL"))
	u.Path = "/" + name
	return u.String()
}
