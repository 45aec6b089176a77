package cli

import (
	"context"
	"errors"
	"maps"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"electionbot/bot/outbox"
	"electionbot/bot/sms"
	"electionbot/bot/sms/smstest"
	"electionbot/bot/zalo"
	"electionbot/bot/zalo/zalotest"
	"electionbot/bot/zns"
	"electionbot/bot/zns/znstest"
	"electionbot/models"
)

// reachEnv is serve's environment with Zalo, ZNS and SMS on the fakes.
func reachEnv(zf *zalotest.Server, nf *znstest.Server, sf *smstest.Server) map[string]string {
	env := zaloEnv(zf)
	maps.Copy(env, map[string]string{
		"ZNS_ENDPOINT":        nf.Endpoint(),
		"ZNS_TEMPLATE_NOTICE": "301234",
		"SMS_URL":             sf.URL + smstest.SendPath,
		"SMS_BODY":            sf.Config().Body,
		"SMS_HEADERS":         "Authorization: Bearer " + smstest.Key + "; X-Brand: UBND",
		"SMS_OK":              `"queued"`,
		"SMS_EXHAUSTED":       "insufficient balance",
		"SMS_INBOUND_TOKEN":   "mo-token",
		"SMS_MAX_GSM":         "70",
	})
	return env
}

// reachRecorder records what the hooks got.
type reachRecorder struct {
	mu        sync.Mutex
	delivered []string
	optOuts   []string
	gaveUp    []string
}

func (r *reachRecorder) list(p *[]string) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), (*p)...)
}

// startReachServe builds serve (NewServer, Start) on the fakes with the
// hooks recording into rec.
func startReachServe(t *testing.T, s *models.Store, env map[string]string, rec *reachRecorder) (*Server, *httptest.Server) {
	t.Helper()
	full := map[string]string{"LISTEN_ADDR": "127.0.0.1:0"}
	maps.Copy(full, env)
	cfg, err := LoadConfig(full)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	sv, err := NewServer(ctx, cfg, s, ServerOptions{
		Logger: newLogger(testLog(t), "info", "test"),
		Outbox: outbox.Config{
			Grace: 300 * time.Millisecond, RetryBase: 300 * time.Millisecond, FetchPollInterval: time.Second,
			OnGiveUp: func(_ context.Context, m *models.OutboxMessage, status string, se *outbox.SendError) error {
				rec.mu.Lock()
				defer rec.mu.Unlock()
				rec.gaveUp = append(rec.gaveUp, m.Channel+":"+m.ChatID+":"+status+":"+se.Code)
				return nil
			},
		},
		Reach: ReachHooks{
			Delivered: func(_ context.Context, tid string, _ time.Time) error {
				rec.mu.Lock()
				defer rec.mu.Unlock()
				rec.delivered = append(rec.delivered, tid)
				return nil
			},
			OptOut: func(_ context.Context, phone string) error {
				rec.mu.Lock()
				defer rec.mu.Unlock()
				rec.optOuts = append(rec.optOuts, phone)
				return nil
			},
		},
	})
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	ts := httptest.NewServer(sv.Handler())
	if err := sv.Start(ctx); err != nil {
		cancel()
		ts.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cancel()
		ts.Close()
		sctx, done := context.WithTimeout(context.Background(), 15*time.Second)
		defer done()
		if err := sv.Stop(sctx); err != nil {
			t.Errorf("stop: %v", err)
		}
	})
	return sv, ts
}

func TestServeReach(t *testing.T) {
	t.Parallel()
	runScenarios(t, []scenario{
		{"ZNS and SMS messages go out through the outbox, receipts and opt-outs come back", testReachRoundTrip},
	})
}

func testReachRoundTrip(t *testing.T, s *models.Store) {
	ctx := context.Background()
	zf, nf, sf := zalotest.New(t), znstest.New(t), smstest.New(t)
	nf.SetToken(func() string { a, _ := zf.Tokens(); return a })
	nf.NotOnZalo("84987654321")
	rec := &reachRecorder{}
	sv, ts := startReachServe(t, s, reachEnv(zf, nf, sf), rec)
	if sv.ZNS() == nil || sv.SMS() == nil {
		t.Fatalf("senders: zns %v, sms %v", sv.ZNS() != nil, sv.SMS() != nil)
	}
	data := map[string]string{"area": "Khu phố 1", "date": "05/06/2022", "time": "07:00", "place": "Nhà văn hóa khu phố 1"}
	long := "Kính mời ông/bà đến Nhà văn hóa khu phố 1 lúc 07:00 ngày 05/06/2022 bầu Trưởng khu phố."
	msgs := []*models.OutboxMessage{
		{Channel: zns.Channel, ChatID: "84912345678", Payload: zns.Payload("301234", data, "reach-1")},
		{Channel: zns.Channel, ChatID: "84987654321", Payload: zns.Payload("301234", data, "reach-2")},
		{Channel: sms.Channel, ChatID: "84987654321", Payload: sms.Payload(long)},
	}
	if err := s.InTx(ctx, func(tx *models.Store) error { return sv.Outbox().Enqueue(ctx, tx, msgs) }); err != nil {
		t.Fatal(err)
	}
	sv.Outbox().Kick(msgs)
	got := nf.WaitSent(t, 1)
	if got[0].Phone != "84912345678" || got[0].TemplateData["place"] != data["place"] || got[0].TrackingID != "reach-1" {
		t.Fatalf("ZNS sent %+v", got[0])
	}
	parts := sv.SMS().Parts(long)
	smsSent := sf.WaitSent(t, len(parts))
	if len(parts) < 2 || len(smsSent) != len(parts) || !strings.HasPrefix(smsSent[0].Text, "Kinh moi ong/ba") || !strings.HasSuffix(smsSent[0].Text, "(1/2)") {
		t.Fatalf("SMS parts %q, sent %+v", parts, smsSent)
	}
	// The phone without Zalo is given up on ZNS, for the cascade to move on.
	waitUntil(t, "the ZNS message to the phone without Zalo given up", func() bool {
		return len(rec.list(&rec.gaveUp)) == 1
	})
	if g := rec.list(&rec.gaveUp)[0]; g != "zns:84987654321:"+models.OutboxUnreachable+":"+zns.CodeNoUser {
		t.Fatalf("given up: %s", g)
	}

	// The receipt comes to the OA's webhook; a second one to /zns/webhook.
	if n, err := nf.Deliver(ctx, ts.URL+zalo.WebhookPath); err != nil || n != 1 {
		t.Fatalf("delivery on /zalo/webhook: %d, %v", n, err)
	}
	body, sig := znstest.Event(got[0], time.Now())
	if st := zalotest.Post(t, ts.URL+zns.WebhookPath, body, sig); st != 200 {
		t.Fatalf("/zns/webhook answered %d", st)
	}
	if st := zalotest.Post(t, ts.URL+zns.WebhookPath, body, "mac=00"); st != 401 {
		t.Fatalf("a receipt with a wrong signature answered %d", st)
	}
	if d := rec.list(&rec.delivered); len(d) != 2 || d[0] != "reach-1" || d[1] != "reach-1" {
		t.Fatalf("delivered %v", d)
	}

	// SMS replies: STOP is an opt-out, anything else is not; no token, 401.
	for _, c := range []struct {
		url, text string
		status    int
	}{
		{ts.URL + sms.InboundPath + "?token=mo-token", "Từ chối", 200},
		{ts.URL + sms.InboundPath + "?token=mo-token", "cảm ơn", 200},
		{ts.URL + sms.InboundPath + "?token=wrong", "STOP", 401},
	} {
		if st, err := smstest.MO(ctx, c.url, "0987654321", c.text); err != nil || st != c.status {
			t.Fatalf("reply %q: %d %v, want %d", c.text, st, err, c.status)
		}
	}
	if o := rec.list(&rec.optOuts); len(o) != 1 || o[0] != "84987654321" {
		t.Fatalf("opt-outs %v", o)
	}
}

func TestLoadConfigReach(t *testing.T) {
	c, err := LoadConfig(map[string]string{})
	if err != nil {
		t.Fatal(err)
	}
	if c.ZNSEndpoint != zns.DefaultEndpoint || c.ZNSEnabled() || c.SMSEnabled() || c.SMSMaxGSM != 160 || c.SMSMethod != "POST" ||
		c.CostVND(zns.Channel) != 300 || c.CostVND(sms.Channel) != 800 || c.CostVND(models.ChannelTelegram) != 0 || c.ZNSRate != 10 || c.SMSRate != 10 {
		t.Fatalf("reach defaults = %+v", c.ReachConfig)
	}
	zf := zalotest.New(t)
	ok := zaloEnv(zf)
	maps.Copy(ok, map[string]string{"ZNS_TEMPLATE_REMINDER": "1", "SMS_URL": "https://sms.example.vn/send?to={{.Phone}}&msg={{.Text}}&id={{.ID}}",
		"SMS_METHOD": "get", "ZNS_COST_VND": "150"})
	if c, err = LoadConfig(ok); err != nil || !c.ZNSEnabled() || !c.SMSEnabled() || c.CostVND(zns.Channel) != 150 {
		t.Fatalf("a good reach configuration: %v", err)
	}
	for _, tc := range []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"ZNS_TEMPLATE_NOTICE": "1"}, "ZNS_TEMPLATE_NOTICE"}, // without Zalo
		{map[string]string{"ZNS_RATE": "0"}, "ZNS_RATE"},
		{map[string]string{"ZNS_RATE": "many"}, "ZNS_RATE"},
		{map[string]string{"ZNS_ENDPOINT": "business.openapi.zalo.me"}, "ZNS_ENDPOINT"},
		{map[string]string{"SMS_MAX_GSM": "10"}, "SMS_MAX_GSM"},
		{map[string]string{"SMS_COST_VND": "-1"}, "SMS_COST_VND"},
		{map[string]string{"SMS_BODY": `{"t":"{{.Text}}"}`}, "SMS_URL"}, // body without URL
		{map[string]string{"SMS_URL": "sms.example.vn/send"}, "SMS_URL"},
		{map[string]string{"SMS_URL": "https://sms.example.vn/send", "SMS_METHOD": "DELETE"}, "SMS_METHOD"},
		{map[string]string{"SMS_URL": "https://sms.example.vn/send", "SMS_BODY": `{"t":"{{.Txt}}"}`}, "SMS_BODY"},
		{map[string]string{"SMS_URL": "https://sms.example.vn/send", "SMS_BODY": `{"t":{{.Text}}}`}, "SMS_BODY"}, // not JSON once filled
		{map[string]string{"SMS_URL": "https://sms.example.vn/send", "SMS_HEADERS": "Authorization Bearer x"}, "SMS_HEADERS"},
		{map[string]string{"SMS_URL": "https://sms.example.vn/send?x={{.Phone", "SMS_METHOD": "GET"}, "SMS_URL"},
	} {
		_, err := LoadConfig(tc.env)
		var ce *ConfigError
		if !errors.As(err, &ce) || ce.Var != tc.want {
			t.Errorf("LoadConfig(%v) = %v, want a ConfigError naming %s", tc.env, err, tc.want)
		}
	}
}
