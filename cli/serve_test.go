package cli

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"electionbot/bot/intake"
	"electionbot/bot/telegram"
	"electionbot/bot/telegram/telegramtest"
	"electionbot/models"
)

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
		strings.Repeat("x", intake.MaxWebhookBody) + `"}}`
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
