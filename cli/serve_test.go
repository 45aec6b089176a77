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
func startServe(t *testing.T, s *models.Store, fake *telegramtest.Server, env map[string]string, h telegram.Handler) *harness {
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
func serveHarness(t *testing.T, s *models.Store, env map[string]string, h telegram.Handler) *harness {
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

func TestServeTelegram(t *testing.T) {
	t.Parallel()
	runScenarios(t, []scenario{
		{"webhook update gets its reply", testWebhookReply},
		{"polling update gets its reply, offset survives restart", testPollingReply},
		{"wrong or missing secret is 401 and changes nothing", testWebhookSecret},
		{"bad webhook requests", testWebhookBadRequests},
		{"same update_id twice gives one reply", testDuplicateUpdate},
		{"database unavailable is 500, processed when sent again", testDatabaseDown},
		{"429 reply arrives after retry_after", testRateLimited},
		{"500 reply is retried from the durable queue", testServerError},
		{"403 marks the contact unreachable", testBlocked},
		{"blocking the bot (my_chat_member) marks the contact unreachable", testMyChatMember},
		{"callback is answered and its message edited", testCallback},
		{"group messages need a command or a mention", testGroup},
		{"ADMIN_TELEGRAM_IDS are granted admin at first message", testAdminGrant},
		{"polling finishes the update in flight on stop", testPollingGracefulStop},
		{"metrics and healthz", testMetrics},
	})
}

func testWebhookReply(t *testing.T, s *models.Store) {
	fake := telegramtest.New(t)
	h := startServe(t, s, fake, webhookEnv(), nil) // the real conversation handlers
	url, secret := fake.Webhook()
	if url != "https://bot.example.org/telegram/webhook" || secret != testSecret {
		t.Fatalf("setWebhook url=%q secret=%q", url, secret)
	}
	sw := fake.Calls("setWebhook")[0]
	if sw.Get("max_connections") != "40" || !strings.Contains(sw.Get("allowed_updates"), `"callback_query"`) {
		t.Fatalf("setWebhook params %v", sw.Params)
	}
	if n := len(fake.Calls("setMyCommands")); n != 3 {
		t.Fatalf("setMyCommands called %d times, want 3 (default, vi, en)", n)
	}
	if code := h.post(textUpdate(1001, 111, "/start"), testSecret); code != 200 {
		t.Fatalf("webhook = %d", code)
	}
	sent := fake.WaitSent(t, 111, 1)
	if sent[0].Get("parse_mode") != "HTML" || strings.TrimSpace(sent[0].Get("text")) == "" {
		t.Fatalf("reply %v", sent[0].Params)
	}
	if h.contact(111).Lang != "vi" {
		t.Fatalf("contact not stored by the handler in the update's transaction")
	}
	if code := h.post(textUpdate(1002, 111, "/help"), testSecret); code != 200 {
		t.Fatalf("webhook = %d", code)
	}
	sent = fake.WaitSent(t, 111, 2)
	if !strings.Contains(sent[len(sent)-1].Get("text"), "/ngaybau") {
		t.Fatalf("/help reply = %q", sent[len(sent)-1].Get("text"))
	}
}

func testPollingReply(t *testing.T, s *models.Store) {
	fake := telegramtest.New(t)
	h := startServe(t, s, fake, nil, nil)
	id := fake.AddUpdate(textUpdate(0, 111, "/start"))
	fake.WaitSent(t, 111, 1)
	if len(fake.Calls("deleteWebhook")) == 0 {
		t.Fatal("polling did not delete a leftover webhook")
	}
	ctx := context.Background()
	waitUntil(t, "offset stored", func() bool {
		v, _ := s.ChannelState(ctx, models.ChannelTelegram, "offset")
		return v == strconv.Itoa(id+1)
	})
	h.stop()

	// Restart: polling goes on from the stored offset.
	before := len(fake.Calls("getUpdates"))
	h = startServe(t, s, fake, nil, nil)
	fake.WaitFor(t, "getUpdates after restart", func(c []telegramtest.Call) bool {
		return len(fake.Calls("getUpdates")) > before
	})
	if got := fake.Calls("getUpdates")[before].Get("offset"); got != strconv.Itoa(id+1) {
		t.Fatalf("getUpdates offset after restart = %s, want %d", got, id+1)
	}
	h.stop()

	// A crash lost the offset: the update comes again and is not
	// processed twice.
	if err := s.SetChannelState(ctx, models.ChannelTelegram, "offset", "0"); err != nil {
		t.Fatal(err)
	}
	fake.AddUpdate(textUpdate(id, 111, "/start"))
	next := fake.AddUpdate(textUpdate(id+1, 111, "/help"))
	h = startServe(t, s, fake, nil, nil)
	fake.WaitSent(t, 111, 2)
	waitUntil(t, "redelivered updates confirmed", func() bool {
		v, _ := s.ChannelState(ctx, models.ChannelTelegram, "offset")
		return v == strconv.Itoa(next+1)
	})
	h.waitAllSent()
	if n := len(fake.Sent(111)); n != 2 {
		t.Fatalf("%d replies, want 2 (/start once, /help once)", n)
	}
}

func testWebhookSecret(t *testing.T, s *models.Store) {
	fake := telegramtest.New(t)
	e := &echo{}
	h := startServe(t, s, fake, webhookEnv(), e)
	for _, secret := range []string{"-", "", "wrong", strings.ToUpper(testSecret), testSecret + "x"} {
		if code := h.post(textUpdate(2001, 111, "hi"), secret); code != http.StatusUnauthorized {
			t.Errorf("secret %q: %d, want 401", secret, code)
		}
	}
	if n := h.count("channel_updates"); n != 0 {
		t.Errorf("%d updates recorded", n)
	}
	if n := h.count("contacts"); n != 0 {
		t.Errorf("%d contacts created", n)
	}
	if n := h.count("outbox"); n != 0 {
		t.Errorf("%d outbox rows", n)
	}
	if len(e.calls()) != 0 {
		t.Errorf("handler called %d times", len(e.calls()))
	}
	if code := h.post(textUpdate(2001, 111, "hi"), testSecret); code != 200 {
		t.Fatalf("right secret: %d", code)
	}
	fake.WaitSent(t, 111, 1)
}

func testWebhookBadRequests(t *testing.T, s *models.Store) {
	fake := telegramtest.New(t)
	e := &echo{}
	h := startServe(t, s, fake, webhookEnv(), e)
	big := `{"update_id":3001,"message":{"message_id":1,"date":1,"chat":{"id":111,"type":"private"},"from":{"id":111,"is_bot":false,"first_name":"A"},"text":"` +
		strings.Repeat("x", telegram.MaxWebhookBody) + `"}}`
	for _, tc := range []struct {
		name, body string
		want       int
	}{
		{"over 1 MiB", big, http.StatusRequestEntityTooLarge},
		{"not JSON", "update?", http.StatusBadRequest},
		{"no update_id", `{"message":{"text":"x"}}`, http.StatusBadRequest},
		{"wrong secret beats size", big, http.StatusUnauthorized},
	} {
		secret := testSecret
		if tc.want == http.StatusUnauthorized {
			secret = "wrong"
		}
		if code := h.post(tc.body, secret); code != tc.want {
			t.Errorf("%s: %d, want %d", tc.name, code, tc.want)
		}
	}
	if code, _ := h.get(telegram.WebhookPath); code != http.StatusMethodNotAllowed {
		t.Errorf("GET webhook: %d, want 405", code)
	}
	if n := h.count("channel_updates"); n != 0 || len(e.calls()) != 0 {
		t.Errorf("bad requests were processed: %d updates, %d handler calls", n, len(e.calls()))
	}
}

func testDuplicateUpdate(t *testing.T, s *models.Store) {
	fake := telegramtest.New(t)
	e := &echo{}
	h := startServe(t, s, fake, webhookEnv(), e)
	for i := 0; i < 3; i++ {
		if code := h.post(textUpdate(4001, 111, "ngày bầu"), testSecret); code != 200 {
			t.Fatalf("delivery %d: %d", i+1, code)
		}
	}
	fake.WaitSent(t, 111, 1)
	h.waitAllSent()
	if n := len(fake.Sent(111)); n != 1 || len(e.calls()) != 1 {
		t.Fatalf("%d replies and %d handler calls, want 1 and 1", n, len(e.calls()))
	}
}

func testDatabaseDown(t *testing.T, s *models.Store) {
	fake := telegramtest.New(t)
	e := &echo{}
	h := startServe(t, s, fake, webhookEnv(), e)
	db := s.DB(context.Background())
	if err := db.Exec("ALTER TABLE channel_updates RENAME TO channel_updates_away").Error; err != nil {
		t.Fatal(err)
	}
	if code := h.post(textUpdate(5001, 111, "hi"), testSecret); code != http.StatusInternalServerError {
		t.Fatalf("database down: %d, want 500", code)
	}
	if err := db.Exec("ALTER TABLE channel_updates_away RENAME TO channel_updates").Error; err != nil {
		t.Fatal(err)
	}
	if n := h.count("contacts") + h.count("outbox"); n != 0 {
		t.Fatalf("a failed update left %d rows", n)
	}
	if code := h.post(textUpdate(5001, 111, "hi"), testSecret); code != 200 {
		t.Fatalf("database back: %d, want 200", code)
	}
	sent := fake.WaitSent(t, 111, 1)
	if sent[0].Get("text") != "echo: hi" {
		t.Fatalf("reply %q", sent[0].Get("text"))
	}
}

func testRateLimited(t *testing.T, s *models.Store) {
	fake := telegramtest.New(t)
	fake.InjectChat(111, telegramtest.TooManyRequests(1))
	h := startServe(t, s, fake, webhookEnv(), &echo{})
	if code := h.post(textUpdate(6001, 111, "hi"), testSecret); code != 200 {
		t.Fatalf("webhook: %d", code)
	}
	fake.WaitSent(t, 111, 1)
	var tries []telegramtest.Call
	for _, c := range fake.Calls("sendMessage") {
		if c.Get("chat_id") == "111" {
			tries = append(tries, c)
		}
	}
	if len(tries) != 2 || tries[0].OK || !tries[1].OK {
		t.Fatalf("sendMessage tries: %d", len(tries))
	}
	if gap := tries[1].At.Sub(tries[0].At); gap < 950*time.Millisecond {
		t.Fatalf("retried %v after a 429 with retry_after 1", gap)
	}
}

func testServerError(t *testing.T, s *models.Store) {
	fake := telegramtest.New(t)
	fake.InjectChat(111, telegramtest.ServerError(), telegramtest.BadGateway())
	h := startServe(t, s, fake, webhookEnv(), &echo{})
	if code := h.post(textUpdate(6101, 111, "hi"), testSecret); code != 200 {
		t.Fatalf("webhook: %d", code)
	}
	fake.WaitSent(t, 111, 1)
	if n := len(fake.Calls("sendMessage")); n != 3 {
		t.Fatalf("sendMessage tries: %d, want 3 (500, 502, ok)", n)
	}
}

func testBlocked(t *testing.T, s *models.Store) {
	fake := telegramtest.New(t)
	fake.Block(111)
	h := startServe(t, s, fake, webhookEnv(), nil) // real handlers create the contact
	if code := h.post(textUpdate(7001, 111, "/start"), testSecret); code != 200 {
		t.Fatalf("webhook: %d", code)
	}
	waitUntil(t, "contact unreachable", func() bool { return !h.contact(111).Reachable })
	var pending int64
	s.DB(context.Background()).Model(&models.OutboxMessage{}).Where("status IN ?", []string{"pending", "sending"}).Count(&pending)
	if pending != 0 {
		t.Fatalf("%d messages still queued for a blocked chat", pending)
	}
	if len(fake.Sent(111)) != 0 {
		t.Fatal("a blocked chat received a message")
	}
}

func testMyChatMember(t *testing.T, s *models.Store) {
	fake := telegramtest.New(t)
	h := startServe(t, s, fake, webhookEnv(), &echo{})
	if code := h.post(textUpdate(7101, 111, "hi"), testSecret); code != 200 {
		t.Fatalf("webhook: %d", code)
	}
	member := func(id int, status string) string {
		return fmt.Sprintf(`{"update_id":%d,"my_chat_member":{"chat":{"id":111,"type":"private"},"from":{"id":111,"is_bot":false,"first_name":"An"},"date":1,`+
			`"old_chat_member":{"user":{"id":123456,"is_bot":true,"first_name":"B"},"status":"member"},`+
			`"new_chat_member":{"user":{"id":123456,"is_bot":true,"first_name":"B"},"status":%q}}}`, id, status)
	}
	if code := h.post(member(7102, "kicked"), testSecret); code != 200 || h.contact(111).Reachable {
		t.Fatalf("kicked: %d, reachable %v", code, h.contact(111).Reachable)
	}
	if code := h.post(textUpdate(7103, 111, "again"), testSecret); code != 200 || !h.contact(111).Reachable {
		t.Fatalf("writing again: %d, reachable %v", code, h.contact(111).Reachable)
	}
}

func testCallback(t *testing.T, s *models.Store) {
	fake := telegramtest.New(t)
	e := &echo{}
	h := startServe(t, s, fake, webhookEnv(), e)
	cb := `{"update_id":8001,"callback_query":{"id":"cbq-1","from":{"id":111,"is_bot":false,"first_name":"An","language_code":"en"},` +
		`"chat_instance":"ci","data":"tally:ok:3","message":{"message_id":55,"date":1,"chat":{"id":111,"type":"private"},` +
		`"text":"Save the tally of <Khu phố 1>?","reply_markup":{"inline_keyboard":[[{"text":"✅ Save","callback_data":"tally:ok:3"}]]}}}}`
	if code := h.post(cb, testSecret); code != 200 {
		t.Fatalf("webhook: %d", code)
	}
	calls := fake.WaitFor(t, "answer, edit and reply", func(c []telegramtest.Call) bool { return len(fake.Sent(111)) >= 1 })
	var methods []string
	for _, c := range calls {
		switch c.Method {
		case "answerCallbackQuery", "editMessageText", "sendMessage":
			methods = append(methods, c.Method)
		}
	}
	if strings.Join(methods, ",") != "answerCallbackQuery,editMessageText,sendMessage" {
		t.Fatalf("calls %v", methods)
	}
	if got := fake.Calls("answerCallbackQuery")[0].Get("callback_query_id"); got != "cbq-1" {
		t.Fatalf("answered %q", got)
	}
	edit := fake.Calls("editMessageText")[0]
	if edit.Get("message_id") != "55" || edit.Get("text") != "Save the tally of &lt;Khu phố 1&gt;?\n\n✓ ✅ Save" {
		t.Fatalf("edit %v", edit.Params)
	}
	if in := e.calls(); len(in) != 1 || in[0].Callback != "tally:ok:3" || in[0].Lang != "en" {
		t.Fatalf("handler got %+v", in)
	}
}

func testGroup(t *testing.T, s *models.Store) {
	fake := telegramtest.New(t)
	e := &echo{}
	h := startServe(t, s, fake, webhookEnv(), e)
	group := func(id int, text string) string {
		return fmt.Sprintf(`{"update_id":%d,"message":{"message_id":%d,"date":1,"chat":{"id":-1001,"type":"supergroup","title":"KP1"},`+
			`"from":{"id":111,"is_bot":false,"first_name":"An"},"text":%q}}`, id, id, text)
	}
	for i, text := range []string{"chào cả nhà", "/ngaybau@otherbot", "/ngaybau@electionbot_test", "@electionbot_test ở đâu bầu?"} {
		if code := h.post(group(9001+i, text), testSecret); code != 200 {
			t.Fatalf("%q: %d", text, code)
		}
	}
	fake.WaitSent(t, -1001, 2)
	in := e.calls()
	if len(in) != 2 || in[0].Text != "/ngaybau" || in[1].Text != "ở đâu bầu?" || !in[0].Group || !in[0].Mention || in[0].ChatID != "-1001" {
		t.Fatalf("handler got %+v", in)
	}
}

func testAdminGrant(t *testing.T, s *models.Store) {
	fake := telegramtest.New(t)
	env := webhookEnv()
	env["ADMIN_TELEGRAM_IDS"] = "111,999"
	h := startServe(t, s, fake, env, &echo{})
	for i, user := range []int64{111, 222, 111} {
		if code := h.post(textUpdate(9101+i, user, "hi"), testSecret); code != 200 {
			t.Fatalf("webhook: %d", code)
		}
	}
	ctx := context.Background()
	for user, want := range map[int64]int{111: 1, 222: 0} {
		gs, err := s.ActiveGrants(ctx, h.contact(user).ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(gs) != want || (want == 1 && gs[0].Role != models.RoleAdmin) {
			t.Errorf("user %d grants %+v, want %d admin", user, gs, want)
		}
	}
}

func testPollingGracefulStop(t *testing.T, s *models.Store) {
	fake := telegramtest.New(t)
	e := &echo{gate: make(chan struct{}), enter: make(chan struct{}, 1)}
	h := startServe(t, s, fake, nil, e)
	id := fake.AddUpdate(textUpdate(0, 111, "in flight"))
	select {
	case <-e.enter:
	case <-time.After(60 * time.Second):
		t.Fatal("the update never reached the handler")
	}
	h.cancel() // SIGTERM while the update is in the handler
	stopped := make(chan struct{})
	go func() { h.stop(); close(stopped) }()
	close(e.gate)
	select {
	case <-stopped:
	case <-time.After(60 * time.Second):
		t.Fatal("serve did not stop")
	}
	ctx := context.Background()
	if ok, _ := s.UpdateProcessed(ctx, models.ChannelTelegram, strconv.Itoa(id)); !ok {
		t.Fatal("the update in flight was not finished")
	}
	if v, _ := s.ChannelState(ctx, models.ChannelTelegram, "offset"); v != strconv.Itoa(id+1) {
		t.Fatalf("offset %q, want %d", v, id+1)
	}
	// Its reply, if the stop came before it was sent, goes out at the next start.
	startServe(t, s, fake, nil, &echo{})
	fake.WaitSent(t, 111, 1)
}

func testMetrics(t *testing.T, s *models.Store) {
	fake := telegramtest.New(t)
	fake.InjectChat(111, telegramtest.ServerError())
	h := startServe(t, s, fake, webhookEnv(), &echo{})
	if code, body := h.get("/healthz"); code != 200 || body != "ok\n" {
		t.Fatalf("/healthz = %d %q", code, body)
	}
	h.post(textUpdate(9201, 111, "hi"), testSecret)
	h.post(textUpdate(9201, 111, "hi"), testSecret)
	h.post(textUpdate(9202, 111, "hi"), "wrong")
	fake.WaitSent(t, 111, 1)
	waitUntil(t, "sent counted", func() bool {
		_, body := h.get("/metrics")
		return strings.Contains(body, `electionbot_outbox_sent_total{channel="telegram",kind="reply"} 1`)
	})
	h.checkMetrics(
		`electionbot_updates_received_total{channel="telegram",type="message"} 2`,
		`electionbot_updates_duplicate_total{channel="telegram"} 1`,
		`electionbot_handler_seconds_count{channel="telegram"} 1`,
		`electionbot_webhook_requests_total{channel="telegram",status="401"} 1`,
		`electionbot_outbox_send_errors_total{channel="telegram",code="500"} 1`,
	)
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
