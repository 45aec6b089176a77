package cli

import (
	"context"
	"errors"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"electionbot/bot"
	"electionbot/bot/telegram/telegramtest"
	"electionbot/bot/zalo"
	"electionbot/bot/zalo/zalotest"
	"electionbot/demo"
	"electionbot/models"
)

// zaloEnv is the environment of serve with the Zalo channel on the fake.
func zaloEnv(fake *zalotest.Server) map[string]string {
	return map[string]string{
		"ZALO_APP_ID":         zalotest.AppID,
		"ZALO_APP_SECRET":     zalotest.AppSecret,
		"ZALO_OA_SECRET_KEY":  zalotest.OASecretKey,
		"ZALO_ACCESS_TOKEN":   zalotest.FirstAccess,
		"ZALO_REFRESH_TOKEN":  zalotest.FirstRefresh,
		"ZALO_API_ENDPOINT":   fake.Endpoint(),
		"ZALO_OAUTH_ENDPOINT": fake.Endpoint(),
	}
}

// startZaloServe builds the real serve wiring (NewServer, Start) with
// only the Zalo channel; h nil means the real conversation handlers.
func startZaloServe(t *testing.T, s *models.Store, env map[string]string, h bot.Handler) (*Server, *httptest.Server) {
	t.Helper()
	hs := serveHarness(t, s, env, h)
	return hs.sv, hs.http
}

func postZalo(t *testing.T, ts *httptest.Server, body []byte) {
	t.Helper()
	if code := zalotest.Post(t, ts.URL+zalo.WebhookPath, body, zalotest.SignBody(body)); code != 200 {
		t.Fatalf("zalo webhook: %d", code)
	}
}

func TestServeZalo(t *testing.T) {
	t.Parallel()
	runScenarios(t, []scenario{
		{"a signed question about the date gets the answer", testZaloElectionDate},
		{"unsigned and stale events are refused", testZaloRefused},
		{"an expired token is refreshed once", testZaloTokenRefresh},
		{"replies reach contacts of the other channel", testZaloCrossChannel},
	})
}

func testZaloElectionDate(t *testing.T, s *models.Store) {
	ctx := context.Background()
	if err := demo.Load(ctx, s); err != nil {
		t.Fatal(err)
	}
	fake := zalotest.New(t)
	sv, ts := startZaloServe(t, s, zaloEnv(fake), nil) // the real conversation handlers
	if sv.tg != nil || sv.zalo == nil {
		t.Fatalf("channels: telegram %v, zalo %v", sv.tg != nil, sv.zalo != nil)
	}
	postZalo(t, ts, zalotest.TextEvent("8842017", "msg-1", "ngay bau cu", time.Now()))
	sent := fake.WaitSent(t, "8842017", 1)
	var all []string
	for _, c := range sent {
		all = append(all, c.Text())
	}
	t.Logf("answer on Zalo:\n%s", strings.Join(all, "\n---\n"))
	if !strings.Contains(strings.Join(all, "\n"), "05/06/2022") {
		t.Fatalf("the answer lacks the date 05/06/2022:\n%s", strings.Join(all, "\n---\n"))
	}
	if got := sent[0].AccessToken; got != zalotest.FirstAccess {
		t.Errorf("sent with access token %q", got)
	}
	// The areas were offered as numbered options: "3" picks Khu phố 3,
	// whose polling place comes as text with a map link.
	postZalo(t, ts, zalotest.TextEvent("8842017", "msg-2", "3", time.Now()))
	sent = fake.WaitSent(t, "8842017", len(sent)+1)
	place := sent[len(sent)-1].Text()
	t.Logf("after \"3\":\n%s", place)
	if !strings.Contains(place, "Khu phố 3") || !strings.Contains(place, "https://www.google.com/maps/search/?api=1&query=") {
		t.Fatalf("the answer to \"3\" is not Khu phố 3's polling place:\n%s", place)
	}
	// The contact is a Zalo contact in the customer-service window.
	var c models.Contact
	if err := s.DB(ctx).Where("channel = ? AND external_id = ?", models.ChannelZalo, "8842017").Take(&c).Error; err != nil {
		t.Fatal(err)
	}
	if in, err := sv.zalo.InWindow(ctx, &c); err != nil || !in {
		t.Fatalf("InWindow = %v, %v", in, err)
	}
	// A follow is welcomed with the /start answer.
	postZalo(t, ts, zalotest.FollowEvent("5550001", time.Now()))
	if w := fake.WaitSent(t, "5550001", 1); strings.TrimSpace(w[0].Text()) == "" {
		t.Fatal("empty welcome")
	}
}

func testZaloRefused(t *testing.T, s *models.Store) {
	fake := zalotest.New(t)
	e := &echo{}
	_, ts := startZaloServe(t, s, zaloEnv(fake), e)
	body := zalotest.TextEvent("u1", "m1", "hi", time.Now())
	stale := zalotest.TextEvent("u1", "m2", "hi", time.Now().Add(-10*time.Minute))
	for _, tc := range []struct {
		body []byte
		sig  string
		want int
	}{
		{body, "-", 401},
		{body, "mac=" + strings.Repeat("0", 64), 401},
		{stale, zalotest.SignBody(stale), 403},
	} {
		if code := zalotest.Post(t, ts.URL+zalo.WebhookPath, tc.body, tc.sig); code != tc.want {
			t.Errorf("%d, want %d", code, tc.want)
		}
	}
	var n int64
	s.DB(context.Background()).Table("channel_updates").Count(&n)
	if n != 0 || len(e.calls()) != 0 {
		t.Fatalf("refused events were processed: %d recorded, %d handler calls", n, len(e.calls()))
	}
}

func testZaloTokenRefresh(t *testing.T, s *models.Store) {
	fake := zalotest.New(t)
	_, ts := startZaloServe(t, s, zaloEnv(fake), &echo{})
	fake.ExpireAccess()
	postZalo(t, ts, zalotest.TextEvent("u1", "m1", "a", time.Now()))
	postZalo(t, ts, zalotest.TextEvent("u2", "m2", "b", time.Now()))
	fake.WaitSent(t, "u1", 1)
	fake.WaitSent(t, "u2", 1)
	if rs := fake.Refreshes(); len(rs) != 1 || !rs[0].OK {
		t.Fatalf("refreshes %+v, want one", rs)
	}
	raw, _ := s.ChannelState(context.Background(), models.ChannelZalo, "tokens")
	if !strings.Contains(raw, `"access_token":"access-2"`) {
		t.Fatalf("stored pair %s", raw)
	}
}

// testZaloCrossChannel runs both channels: a Zalo message whose handler
// also writes to a Telegram contact (an official told about a conflict)
// reaches that contact on Telegram, and the other way round.
func testZaloCrossChannel(t *testing.T, s *models.Store) {
	zfake := zalotest.New(t)
	tfake := telegramtest.New(t)
	h := bot.HandlerFunc(func(ctx context.Context, tx *models.Store, in bot.Incoming) ([]bot.Outgoing, error) {
		if _, err := tx.EnsureContact(ctx, &models.Contact{Channel: in.Channel, ExternalID: in.UserID, ChatID: in.ChatID}); err != nil {
			return nil, err
		}
		outs := []bot.Outgoing{{ChatID: in.ChatID, Channel: in.Channel, Text: "ok: " + in.Text}}
		if in.Channel == models.ChannelZalo {
			outs = append(outs, bot.Outgoing{ChatID: "111", Channel: models.ChannelTelegram, Text: "from zalo"})
		} else {
			outs = append(outs, bot.Outgoing{ChatID: "u7", Channel: models.ChannelZalo, Text: "from telegram"})
		}
		return outs, nil
	})
	env := zaloEnv(zfake)
	for k, v := range webhookEnv() {
		env[k] = v
	}
	hs := startServe(t, s, tfake, env, h)
	if hs.sv.zalo == nil || hs.sv.tg == nil {
		t.Fatal("both channels should run")
	}
	postZalo(t, hs.http, zalotest.TextEvent("u7", "m1", "KQ KP1", time.Now()))
	if got := tfake.WaitSent(t, 111, 1)[0].Get("text"); got != "from zalo" {
		t.Fatalf("telegram got %q", got)
	}
	if code := hs.post(textUpdate(9301, 111, "hi"), testSecret); code != 200 {
		t.Fatalf("telegram webhook %d", code)
	}
	sent := zfake.WaitSent(t, "u7", 2)
	if sent[0].Text() != "ok: KQ KP1" || sent[1].Text() != "from telegram" {
		t.Fatalf("zalo got %q, %q", sent[0].Text(), sent[1].Text())
	}
	// Both channels count their intake in the same series.
	hs.checkMetrics(
		`electionbot_updates_received_total{channel="telegram",type="message"} 1`,
		`electionbot_updates_received_total{channel="zalo",type="user_send_text"} 1`,
		`electionbot_updates_duplicate_total{channel="zalo"} 0`,
		`electionbot_handler_seconds_count{channel="zalo"} 1`,
		`electionbot_webhook_requests_total{channel="telegram",status="200"} 1`,
		`electionbot_webhook_requests_total{channel="zalo",status="200"} 1`,
	)
}

func TestServeZaloConfig(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		env  map[string]string
		want string // the variable named in the error; "" = no error
	}{
		{map[string]string{}, ""},
		{map[string]string{"ZALO_APP_ID": "1"}, "ZALO_OA_SECRET_KEY"},
		{map[string]string{"ZALO_OA_SECRET_KEY": "k", "ZALO_ACCESS_TOKEN": "a"}, "ZALO_APP_ID"},
	} {
		cfg, err := LoadConfig(tc.env)
		if err != nil {
			t.Fatal(err)
		}
		_, err = zaloEnabled(cfg)
		var ce *ConfigError
		if tc.want == "" && err != nil || tc.want != "" && (!errors.As(err, &ce) || ce.Var != tc.want) {
			t.Errorf("%v: %v, want an error naming %q", tc.env, err, tc.want)
		}
	}
	// Credentials without any token: serve does not start.
	cfg, _ := LoadConfig(map[string]string{"ZALO_APP_ID": "1", "ZALO_OA_SECRET_KEY": "k", "LISTEN_ADDR": "127.0.0.1:0"})
	s := freshStore(t, "sqlite")
	if _, err := NewServer(context.Background(), cfg, s, ServerOptions{}); !errors.Is(err, zalo.ErrNoToken) {
		t.Fatalf("NewServer without a Zalo token: %v", err)
	}
}
