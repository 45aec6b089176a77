package cli

import (
	"context"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"electionbot/bot"
	"electionbot/bot/outbox"
	"electionbot/bot/telegram"
	"electionbot/bot/telegram/telegramtest"
	"electionbot/internal/testdb"
	"electionbot/models"
)

const testSecret = "s3cret_token-for-tests"

// harness is `electionbot serve` on a test store, talking to the fake Bot
// API, its HTTP handler on an httptest server.
type harness struct {
	t     *testing.T
	store *models.Store
	fake  *telegramtest.Server
	sv    *Server
	http  *httptest.Server
	// cancel is SIGTERM: the channels stop taking updates; stop then
	// drains and stops the server.
	cancel context.CancelFunc
	stop   func()
}

// startServe builds the real serve wiring (NewServer, Start) from env on
// top of the test defaults, the Telegram channel on fake; h nil means the
// real conversation handlers.
func startServe(t *testing.T, s *models.Store, fake *telegramtest.Server, env map[string]string, h bot.Handler) *harness {
	t.Helper()
	full := map[string]string{
		"TELEGRAM_TOKEN":        telegramtest.Token,
		"TELEGRAM_API_ENDPOINT": fake.Endpoint(),
	}
	maps.Copy(full, env)
	hs := serveHarness(t, s, full, h)
	hs.fake = fake
	return hs
}

// serveHarness builds the real serve wiring from env (the channels it
// configures) on a local listener, and stops it when the test ends.
func serveHarness(t *testing.T, s *models.Store, env map[string]string, h bot.Handler) *harness {
	t.Helper()
	full := map[string]string{"LISTEN_ADDR": "127.0.0.1:0", "LOG_LEVEL": "info"}
	maps.Copy(full, env)
	cfg, err := LoadConfig(full)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	sv, err := NewServer(ctx, cfg, s, ServerOptions{
		Logger:  newLogger(testLog(t), cfg.LogLevel, "test"),
		Handler: h,
		Outbox: outbox.Config{
			Grace:             300 * time.Millisecond,
			RetryBase:         300 * time.Millisecond,
			FetchPollInterval: time.Second,
		},
		PollTimeout: time.Second,
	})
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	ts := httptest.NewServer(sv.mux)
	if err := sv.Start(ctx); err != nil {
		cancel()
		ts.Close()
		t.Fatal(err)
	}
	var once sync.Once
	hs := &harness{t: t, store: s, sv: sv, http: ts, cancel: cancel}
	hs.stop = func() {
		once.Do(func() {
			cancel()
			ts.Close()
			sctx, done := context.WithTimeout(context.Background(), 15*time.Second)
			defer done()
			if err := sv.Stop(sctx); err != nil {
				t.Errorf("stop: %v", err)
			}
		})
	}
	t.Cleanup(hs.stop)
	return hs
}

// testLog writes a server's log lines into the test's log (shown when the
// test fails, or with -v), and drops those that come after the test.
func testLog(t *testing.T) io.Writer {
	w := &testLogWriter{t: t}
	t.Cleanup(func() { // registered first: runs after the server's stop
		w.mu.Lock()
		defer w.mu.Unlock()
		w.done = true
	})
	return w
}

type testLogWriter struct {
	mu   sync.Mutex
	t    *testing.T
	done bool
}

func (w *testLogWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.done {
		w.t.Log(strings.TrimSuffix(string(p), "\n"))
	}
	return len(p), nil
}

func webhookEnv() map[string]string {
	return map[string]string{
		"TELEGRAM_WEBHOOK_URL":    "https://bot.example.org/telegram/webhook",
		"TELEGRAM_WEBHOOK_SECRET": testSecret,
	}
}

// post sends an update to the webhook with a secret header (none if "-").
func (h *harness) post(body, secret string) int {
	h.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, h.http.URL+telegram.WebhookPath, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if secret != "-" {
		req.Header.Set(telegram.SecretHeader, secret)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

func (h *harness) get(path string) (int, string) {
	h.t.Helper()
	resp, err := http.Get(h.http.URL + path)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func (h *harness) count(table string) int64 {
	h.t.Helper()
	var n int64
	if err := h.store.DB(context.Background()).Table(table).Count(&n).Error; err != nil {
		h.t.Fatalf("count %s: %v", table, err)
	}
	return n
}

func (h *harness) contact(id int64) *models.Contact {
	h.t.Helper()
	var c models.Contact
	err := h.store.DB(context.Background()).Where("channel = ? AND external_id = ?", models.ChannelTelegram, strconv.FormatInt(id, 10)).Take(&c).Error
	if err != nil {
		h.t.Fatalf("contact %d: %v", id, err)
	}
	return &c
}

func textUpdate(id int, user int64, text string) string {
	return fmt.Sprintf(`{"update_id":%d,"message":{"message_id":%d,"date":1654387200,`+
		`"chat":{"id":%d,"type":"private","first_name":"An"},`+
		`"from":{"id":%d,"is_bot":false,"first_name":"An","language_code":"vi"},"text":%q}}`, id, id, user, user, text)
}

// echo is a Handler that records what it gets, creates the contact inside
// the update's transaction, and answers "echo: <text or callback>".
type echo struct {
	mu    sync.Mutex
	got   []bot.Incoming
	gate  chan struct{} // if set, Handle waits for it
	enter chan struct{} // if set, Handle signals it
}

func (e *echo) Handle(ctx context.Context, tx *models.Store, in bot.Incoming) ([]bot.Outgoing, error) {
	if e.enter != nil {
		e.enter <- struct{}{}
	}
	if e.gate != nil {
		<-e.gate
	}
	if _, err := tx.EnsureContact(ctx, &models.Contact{Channel: in.Channel, ExternalID: in.UserID, ChatID: in.ChatID}); err != nil {
		return nil, err
	}
	e.mu.Lock()
	e.got = append(e.got, in)
	e.mu.Unlock()
	return []bot.Outgoing{{ChatID: in.ChatID, Text: "echo: " + in.Text + in.Callback}}, nil
}

func (e *echo) calls() []bot.Incoming {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]bot.Incoming(nil), e.got...)
}

// stores gives each scenario a fresh store of every dialect under test.
func stores(t *testing.T) []string {
	if os.Getenv("TEST_DATABASE_URL") != "" {
		return []string{"sqlite", "postgres"}
	}
	return []string{"sqlite"}
}

func freshStore(t *testing.T, dialect string) *models.Store {
	if dialect == "postgres" {
		return testdb.Postgres(t)
	}
	return testdb.SQLite(t)
}

// waitUntil polls cond (state in the database, which tells no one when it
// changes) until it holds; the deadline only stops a test that hangs.
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	if !waitWithin(t, 60*time.Second, cond) {
		t.Fatalf("waited 60s for %s", what)
	}
}

// waitWithin polls cond until it holds (true) or d has passed (false).
func waitWithin(t *testing.T, d time.Duration, cond func() bool) bool {
	t.Helper()
	deadline := time.Now().Add(d)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		if time.Now().After(deadline) {
			return false
		}
		<-tick.C
	}
	return true
}

// unsent counts the Telegram messages in the outbox waiting to be sent or
// being sent (a console contact's stay there: no process sends them).
func unsent(t *testing.T, s *models.Store) int64 {
	t.Helper()
	var n int64
	err := s.DB(context.Background()).Model(&models.OutboxMessage{}).Where("channel = ? AND status IN ?",
		models.ChannelTelegram, []string{models.OutboxPending, models.OutboxSending}).Count(&n).Error
	if err != nil {
		t.Fatalf("outbox: %v", err)
	}
	return n
}

// waitAllSent waits until no Telegram message is left to send or being
// sent. A message sent is never sent again, so after it a test can count
// what was delivered, duplicates included, without waiting out a grace
// period.
func (h *harness) waitAllSent() {
	h.t.Helper()
	waitUntil(h.t, "every message sent", func() bool { return unsent(h.t, h.store) == 0 })
}

// scenario is a test of serve, run on a fresh store.
type scenario struct {
	name string
	run  func(t *testing.T, s *models.Store)
}

// eachStore runs test on a fresh store of every dialect under test (a
// subtest each), side by side with the other parallel tests.
func eachStore(t *testing.T, test func(t *testing.T, s *models.Store)) {
	for _, dialect := range stores(t) {
		t.Run(dialect, func(t *testing.T) {
			t.Parallel()
			test(t, freshStore(t, dialect))
		})
	}
}

// runScenarios runs each scenario on a fresh store of every dialect under
// test, side by side with the other parallel tests (each has its own store,
// fake and server; most of their time is spent waiting).
func runScenarios(t *testing.T, scenarios []scenario) {
	for _, dialect := range stores(t) {
		for _, sc := range scenarios {
			t.Run(dialect+"/"+sc.name, func(t *testing.T) {
				t.Parallel()
				sc.run(t, freshStore(t, dialect))
			})
		}
	}
}

// checkMetrics fails the test for each series /metrics lacks.
func (h *harness) checkMetrics(series ...string) {
	h.t.Helper()
	_, body := h.get("/metrics")
	for _, want := range series {
		if !strings.Contains(body, want) {
			h.t.Errorf("/metrics lacks %s", want)
		}
	}
}
