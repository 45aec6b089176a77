package zalo

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"electionbot/bot"
	"electionbot/bot/outbox"
	"electionbot/bot/zalo/zalotest"
	"electionbot/internal/testdb"
	"electionbot/models"
)

// echo answers "echo: <text or callback>" and creates the contact in the
// event's transaction, recording what it got.
type echo struct {
	mu   sync.Mutex
	got  []bot.Incoming
	outs func(in bot.Incoming) []bot.Outgoing
}

func (e *echo) Handle(ctx context.Context, tx *models.Store, in bot.Incoming) ([]bot.Outgoing, error) {
	if _, err := tx.EnsureContact(ctx, &models.Contact{Channel: in.Channel, ExternalID: in.UserID, ChatID: in.ChatID, Lang: "vi"}); err != nil {
		return nil, err
	}
	e.mu.Lock()
	e.got = append(e.got, in)
	e.mu.Unlock()
	if e.outs != nil {
		return e.outs(in), nil
	}
	return []bot.Outgoing{{ChatID: in.ChatID, Channel: in.Channel, Text: "echo: " + in.Text + in.Callback}}, nil
}

func (e *echo) calls() []bot.Incoming {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]bot.Incoming(nil), e.got...)
}

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

type env struct {
	s     *models.Store
	fake  *zalotest.Server
	c     *Channel
	ob    *outbox.Outbox
	h     *echo
	clock *clock
	url   string
}

func newEnv(t *testing.T, s *models.Store, fake *zalotest.Server, mod func(*Config)) *env {
	t.Helper()
	ctx := context.Background()
	ob, err := outbox.New(ctx, outbox.Config{Store: s, Grace: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	e := &env{s: s, fake: fake, ob: ob, h: &echo{}, clock: &clock{t: time.Now().UTC()}}
	cfg := Config{
		AppID: zalotest.AppID, AppSecret: zalotest.AppSecret, OASecretKey: zalotest.OASecretKey,
		AccessToken: zalotest.FirstAccess, RefreshToken: zalotest.FirstRefresh,
		APIEndpoint: fake.Endpoint(), OAuthEndpoint: fake.Endpoint(),
		Store: s, Handler: e.h, Outbox: ob, Now: e.clock.Now,
	}
	if mod != nil {
		mod(&cfg)
	}
	if e.c, err = New(ctx, cfg); err != nil {
		t.Fatal(err)
	}
	ob.Register(models.ChannelZalo, e.c.Sender())
	ts := httptest.NewServer(e.c.WebhookHandler())
	t.Cleanup(ts.Close)
	e.url = ts.URL
	return e
}

func (e *env) count(t *testing.T, table string) int64 {
	t.Helper()
	var n int64
	if err := e.s.DB(context.Background()).Table(table).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

func (e *env) contact(t *testing.T, uid string) *models.Contact {
	t.Helper()
	var c models.Contact
	if err := e.s.DB(context.Background()).Where("channel = ? AND external_id = ?", models.ChannelZalo, uid).Take(&c).Error; err != nil {
		t.Fatalf("contact %s: %v", uid, err)
	}
	return &c
}

func msg(payload string) *models.OutboxMessage {
	return &models.OutboxMessage{Channel: models.ChannelZalo, ChatID: "u1", Payload: payload}
}

const hello = `{"recipient":{"user_id":"u1"},"message":{"text":"xin chào"}}`

func TestWebhookSignature(t *testing.T) {
	now := time.Now().UTC()
	good := zalotest.TextEvent("u1", "m1", "hi", now)
	tamper := func(b []byte) []byte { return []byte(strings.Replace(string(b), `"hi"`, `"hj"`, 1)) }
	tests := []struct {
		name string
		body []byte
		sig  string
		want int
	}{
		{"good", good, zalotest.SignBody(good), 200},
		{"good, upper-case hex", good, "mac=" + strings.ToUpper(strings.TrimPrefix(zalotest.SignBody(good), "mac=")), 200},
		{"missing", good, "-", 401},
		{"empty", good, "", 401},
		{"without mac=", good, strings.TrimPrefix(zalotest.SignBody(good), "mac="), 401},
		{"body changed after signing", tamper(good), zalotest.SignBody(good), 401},
		{"signed with another OA's key", good, zalotest.Sign(zalotest.AppID, good, zalotest.MsString(now), "other-key"), 401},
		{"signed for another app", good, zalotest.Sign("999", good, zalotest.MsString(now), zalotest.OASecretKey), 401},
		{"signed with another timestamp", good, zalotest.Sign(zalotest.AppID, good, "1654392600000", zalotest.OASecretKey), 401},
		{"not an event", []byte(`hello`), zalotest.Sign(zalotest.AppID, []byte(`hello`), "", zalotest.OASecretKey), 401},
		{"stale (6 minutes old)", zalotest.TextEvent("u1", "m2", "hi", now.Add(-6*time.Minute)), "", 403},
		{"from the future (6 minutes ahead)", zalotest.TextEvent("u1", "m3", "hi", now.Add(6*time.Minute)), "", 403},
		{"4 minutes old is fine", zalotest.TextEvent("u1", "m4", "hi", now.Add(-4*time.Minute)), "", 200},
	}
	for _, named := range testdb.Stores(t) {
		t.Run(named.Name, func(t *testing.T) {
			for _, tc := range tests {
				t.Run(tc.name, func(t *testing.T) {
					e := newEnv(t, testStore(t, named.Name), zalotest.New(t), nil)
					e.clock.t = now
					sig := tc.sig
					if sig == "" && tc.want != 401 {
						sig = zalotest.SignBody(tc.body)
					}
					if got := zalotest.Post(t, e.url+WebhookPath, tc.body, sig); got != tc.want {
						t.Fatalf("status %d, want %d", got, tc.want)
					}
					processed := int64(0)
					if tc.want == 200 {
						processed = 1
					}
					if n := e.count(t, "channel_updates"); n != processed {
						t.Errorf("%d events recorded, want %d", n, processed)
					}
					if n := int64(len(e.h.calls())); n != processed {
						t.Errorf("handler called %d times, want %d", n, processed)
					}
					if n := e.count(t, "contacts"); n != processed {
						t.Errorf("%d contacts, want %d", n, processed)
					}
					if tc.want == 200 {
						if got := e.fake.WaitSent(t, "u1", 1)[0].Text(); got != "echo: hi" {
							t.Errorf("reply %q", got)
						}
					}
				})
			}
		})
	}
}

// testStore gives a fresh store of a dialect.
func testStore(t *testing.T, dialect string) *models.Store {
	if dialect == "postgres" {
		return testdb.Postgres(t)
	}
	return testdb.SQLite(t)
}

func TestWebhookBadRequests(t *testing.T) {
	e := newEnv(t, testdb.SQLite(t), zalotest.New(t), nil)
	big := []byte(`{"event_name":"user_send_text","timestamp":"1","message":{"text":"` + strings.Repeat("x", MaxWebhookBody) + `"}}`)
	if got := zalotest.Post(t, e.url+WebhookPath, big, zalotest.SignBody(big)); got != http.StatusRequestEntityTooLarge {
		t.Errorf("over 1 MiB: %d", got)
	}
	resp, err := http.Get(e.url + WebhookPath)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("GET: %d", resp.StatusCode)
	}
}

func TestEachEventOnce(t *testing.T) {
	for _, named := range testdb.Stores(t) {
		t.Run(named.Name, func(t *testing.T) {
			e := newEnv(t, named.Store, zalotest.New(t), nil)
			now := e.clock.Now()
			events := [][]byte{
				zalotest.TextEvent("u1", "m1", "a", now), zalotest.TextEvent("u1", "m1", "a", now),
				zalotest.FollowEvent("u2", now), zalotest.FollowEvent("u2", now),
			}
			for i, b := range events {
				if got := zalotest.Post(t, e.url+WebhookPath, b, zalotest.SignBody(b)); got != 200 {
					t.Fatalf("event %d: %d", i, got)
				}
			}
			e.fake.WaitSent(t, "u1", 1)
			e.fake.WaitSent(t, "u2", 1)
			time.Sleep(200 * time.Millisecond)
			if n := len(e.fake.Sent("u1")) + len(e.fake.Sent("u2")); n != 2 || len(e.h.calls()) != 2 {
				t.Fatalf("%d replies, %d handler calls, want 2 and 2", n, len(e.h.calls()))
			}
			if got := e.fake.Sent("u2")[0].Text(); got != "echo: /start" {
				t.Errorf("follow answered %q, want the /start answer", got)
			}
		})
	}
}

func TestDatabaseDownIs500(t *testing.T) {
	e := newEnv(t, testdb.SQLite(t), zalotest.New(t), nil)
	db := e.s.DB(context.Background())
	b := zalotest.TextEvent("u1", "m1", "hi", e.clock.Now())
	if err := db.Exec("ALTER TABLE channel_updates RENAME TO away").Error; err != nil {
		t.Fatal(err)
	}
	if got := zalotest.Post(t, e.url+WebhookPath, b, zalotest.SignBody(b)); got != 500 {
		t.Fatalf("database down: %d", got)
	}
	if err := db.Exec("ALTER TABLE away RENAME TO channel_updates").Error; err != nil {
		t.Fatal(err)
	}
	if n := e.count(t, "contacts") + e.count(t, "outbox"); n != 0 {
		t.Fatalf("a failed event left %d rows", n)
	}
	if got := zalotest.Post(t, e.url+WebhookPath, b, zalotest.SignBody(b)); got != 200 {
		t.Fatalf("database back: %d", got)
	}
	e.fake.WaitSent(t, "u1", 1)
}

func TestUnfollowAndFollowAgain(t *testing.T) {
	for _, named := range testdb.Stores(t) {
		t.Run(named.Name, func(t *testing.T) {
			e := newEnv(t, named.Store, zalotest.New(t), nil)
			ctx := context.Background()
			now := e.clock.Now()
			post := func(b []byte) {
				t.Helper()
				if got := zalotest.Post(t, e.url+WebhookPath, b, zalotest.SignBody(b)); got != 200 {
					t.Fatalf("webhook: %d", got)
				}
			}
			post(zalotest.TextEvent("u1", "m1", "hi", now))
			ct := e.contact(t, "u1")
			ct.Reminders = true
			if err := e.s.SaveContact(ctx, ct); err != nil {
				t.Fatal(err)
			}
			post(zalotest.UnfollowEvent("u1", now.Add(time.Second)))
			if ct = e.contact(t, "u1"); ct.Reminders || ct.Reachable {
				t.Fatalf("after unfollow: reminders %v, reachable %v", ct.Reminders, ct.Reachable)
			}
			if len(e.h.calls()) != 1 {
				t.Fatalf("unfollow reached the handler")
			}
			post(zalotest.FollowEvent("u1", now.Add(2*time.Second)))
			if ct = e.contact(t, "u1"); !ct.Reachable {
				t.Fatal("following again did not make the contact reachable")
			}
		})
	}
}

func TestNumberedOptions(t *testing.T) {
	e := newEnv(t, testdb.SQLite(t), zalotest.New(t), nil)
	areas := &bot.Keyboard{Inline: true}
	for _, k := range []string{"1", "2", "3", "4", "5", "6"} {
		areas.Rows = append(areas.Rows, []bot.Button{{Text: "Khu phố " + k, Data: "area:" + k}})
	}
	e.h.outs = func(in bot.Incoming) []bot.Outgoing {
		switch {
		case in.Text == "khu":
			return []bot.Outgoing{{ChatID: in.ChatID, Channel: in.Channel, Text: "Khu nào?", Keyboard: areas}}
		case in.Text == "menu":
			return []bot.Outgoing{{ChatID: in.ChatID, Channel: in.Channel, Text: "Menu", Keyboard: &bot.Keyboard{Rows: [][]bot.Button{
				{{Text: "A"}, {Text: "B"}, {Text: "C"}, {Text: "D"}, {Text: "E"}, {Text: "F"}}}}}}
		}
		return []bot.Outgoing{{ChatID: in.ChatID, Channel: in.Channel, Text: "ok"}}
	}
	now := e.clock.Now()
	for i, text := range []string{"khu", "3", "3", "menu", "6", "7"} {
		b := zalotest.TextEvent("u1", "m"+string(rune('a'+i)), text, now)
		if got := zalotest.Post(t, e.url+WebhookPath, b, zalotest.SignBody(b)); got != 200 {
			t.Fatalf("%q: %d", text, got)
		}
	}
	got := e.h.calls()
	want := []bot.Incoming{{Text: "khu"}, {Callback: "area:3"}, {Text: "3"}, {Text: "menu"}, {Text: "F"}, {Text: "7"}}
	for i := range want {
		if got[i].Text != want[i].Text || got[i].Callback != want[i].Callback {
			t.Errorf("message %d reached the handler as text %q callback %q, want %q %q", i, got[i].Text, got[i].Callback, want[i].Text, want[i].Callback)
		}
	}
}

func TestRepliesToOtherChannelsAreRouted(t *testing.T) {
	routes := outbox.NewRoutes[bot.Outgoing]()
	var routed []bot.Outgoing
	routes.Add(models.ChannelTelegram, func(ctx context.Context, tx *models.Store, o bot.Outgoing) ([]*models.OutboxMessage, error) {
		routed = append(routed, o)
		return []*models.OutboxMessage{{Channel: models.ChannelTelegram, ChatID: o.ChatID, Payload: `{}`}}, nil
	})
	e := newEnv(t, testdb.SQLite(t), zalotest.New(t), func(c *Config) { c.Routes = routes })
	e.h.outs = func(in bot.Incoming) []bot.Outgoing {
		return []bot.Outgoing{
			{ChatID: in.ChatID, Channel: in.Channel, Text: "Đã nhận"},
			{ChatID: "777", Channel: models.ChannelTelegram, Text: "Có xung đột ở KP1"},
			{ChatID: "console-1", Channel: models.ChannelConsole, Text: "no route"},
		}
	}
	b := zalotest.TextEvent("u1", "m1", "KQ KP1", e.clock.Now())
	if got := zalotest.Post(t, e.url+WebhookPath, b, zalotest.SignBody(b)); got != 200 {
		t.Fatalf("webhook %d", got)
	}
	if len(routed) != 1 || routed[0].ChatID != "777" {
		t.Fatalf("routed %+v", routed)
	}
	var rows []models.OutboxMessage
	e.s.DB(context.Background()).Order("id").Find(&rows)
	if len(rows) != 2 || rows[0].Channel != models.ChannelZalo || rows[1].Channel != models.ChannelTelegram {
		t.Fatalf("outbox rows %+v", rows)
	}
	// And the Zalo encoder serves the other channels.
	e2 := outbox.NewRoutes[bot.Outgoing]()
	e2.Add(models.ChannelZalo, e.c.encodeRoute)
	err := e.s.InTx(context.Background(), func(tx *models.Store) error {
		rows, err := e2.Encode(context.Background(), tx, models.ChannelZalo, bot.Outgoing{ChatID: "u9", Channel: models.ChannelZalo, Text: "hi"})
		if err != nil || len(rows) != 1 || rows[0].ChatID != "u9" || !strings.Contains(rows[0].Payload, `"user_id":"u9"`) {
			t.Errorf("encodeRoute: %+v %v", rows, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestSendRefreshesTheTokenOnce(t *testing.T) {
	for _, named := range testdb.Stores(t) {
		t.Run(named.Name, func(t *testing.T) {
			fake := zalotest.New(t)
			e := newEnv(t, named.Store, fake, nil)
			ctx := context.Background()
			if err := e.c.send(ctx, msg(hello)); err != nil {
				t.Fatalf("first send: %v", err)
			}
			fake.ExpireAccess()
			if err := e.c.send(ctx, msg(hello)); err != nil {
				t.Fatalf("send after expiry: %v", err)
			}
			rs := fake.Refreshes()
			if len(rs) != 1 || !rs[0].OK || rs[0].SecretKey != zalotest.AppSecret || rs[0].AppID != zalotest.AppID ||
				rs[0].GrantType != "refresh_token" || rs[0].RefreshToken != zalotest.FirstRefresh {
				t.Fatalf("refreshes %+v", rs)
			}
			calls := fake.Calls()
			if len(calls) != 3 || calls[1].Error != ErrTokenInvalid || !calls[2].OK() || calls[2].AccessToken != "access-2" {
				t.Fatalf("calls %+v", calls)
			}
			// The new pair is stored: a restart (same configured pair) uses it.
			raw, _ := e.s.ChannelState(ctx, models.ChannelZalo, stateTokens)
			if p := decodePair(raw); p.Access != "access-2" || p.Refresh != "refresh-2" || p.ExpiresAt.IsZero() {
				t.Fatalf("stored pair %s", raw)
			}
			e2 := newEnv(t, named.Store, fake, nil)
			if err := e2.c.send(ctx, msg(hello)); err != nil || len(fake.Refreshes()) != 1 {
				t.Fatalf("after restart: %v, %d refreshes", err, len(fake.Refreshes()))
			}
		})
	}
}

func TestConcurrentSendersWaitForOneRefresh(t *testing.T) {
	for _, named := range testdb.Stores(t) {
		t.Run(named.Name, func(t *testing.T) {
			fake := zalotest.New(t)
			// Two replicas on one database, each with two senders.
			a := newEnv(t, named.Store, fake, nil)
			b := newEnv(t, named.Store, fake, nil)
			fake.ExpireAccess()
			fake.SetRefreshDelay(200 * time.Millisecond)
			var wg sync.WaitGroup
			errs := make(chan error, 4)
			for _, c := range []*Channel{a.c, a.c, b.c, b.c} {
				wg.Add(1)
				go func() {
					defer wg.Done()
					errs <- c.send(context.Background(), msg(hello))
				}()
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				if err != nil {
					t.Errorf("send: %v", err)
				}
			}
			if rs := fake.Refreshes(); len(rs) != 1 || !rs[0].OK {
				t.Fatalf("%d refresh calls (%+v), want exactly 1", len(rs), rs)
			}
			if n := len(fake.Sent("u1")); n != 4 {
				t.Fatalf("%d messages sent, want 4", n)
			}
		})
	}
}

func TestSingleProcessTwoSendersOneRefresh(t *testing.T) {
	fake := zalotest.New(t)
	e := newEnv(t, testdb.SQLite(t), fake, nil)
	fake.ExpireAccess()
	fake.SetRefreshDelay(200 * time.Millisecond)
	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := e.c.send(context.Background(), msg(hello)); err != nil {
				t.Errorf("send: %v", err)
			}
		}()
	}
	wg.Wait()
	if n := len(fake.Refreshes()); n != 1 {
		t.Fatalf("%d refresh calls, want 1", n)
	}
}

func TestRefreshRefused(t *testing.T) {
	fake := zalotest.New(t)
	e := newEnv(t, testdb.SQLite(t), fake, func(c *Config) { c.RefreshToken = "spent" })
	fake.ExpireAccess()
	err := e.c.send(context.Background(), msg(hello))
	var se *outbox.SendError
	if !errors.As(err, &se) || se.Kind != outbox.Temporary || se.Code != "token_refresh" {
		t.Fatalf("send = %v, want a temporary token_refresh error", err)
	}
	// Nothing changed in the database: the pair is still the configured one.
	raw, _ := e.s.ChannelState(context.Background(), models.ChannelZalo, stateTokens)
	if p := decodePair(raw); p.Refresh != "spent" {
		t.Fatalf("stored %s", raw)
	}
}

func TestRateLimitBacksOff(t *testing.T) {
	fake := zalotest.New(t)
	e := newEnv(t, testdb.SQLite(t), fake, func(c *Config) { c.RateLimitWait = 20 * time.Second })
	fake.Inject(zalotest.RateLimited())
	ctx := context.Background()
	err := e.c.send(ctx, msg(hello))
	var se *outbox.SendError
	if !errors.As(err, &se) || se.Kind != outbox.RateLimited || se.RetryAfter != 20*time.Second || se.Code != "-32" {
		t.Fatalf("send = %#v, want RateLimited after 20s", err)
	}
	// The whole channel waits: the next send does not reach Zalo.
	e.clock.Add(5 * time.Second)
	err = e.c.send(ctx, &models.OutboxMessage{Channel: models.ChannelZalo, ChatID: "u2", Payload: `{"recipient":{"user_id":"u2"},"message":{"text":"x"}}`})
	if !errors.As(err, &se) || se.Kind != outbox.RateLimited || se.RetryAfter != 15*time.Second {
		t.Fatalf("send during the pause = %v", err)
	}
	if n := len(fake.Calls()); n != 1 {
		t.Fatalf("%d calls reached Zalo during the pause", n)
	}
	e.clock.Add(16 * time.Second)
	if err := e.c.send(ctx, msg(hello)); err != nil {
		t.Fatalf("after the pause: %v", err)
	}
}

func TestRateLimitedReplyArrivesThroughTheOutbox(t *testing.T) {
	fake := zalotest.New(t)
	e := newEnv(t, testdb.SQLite(t), fake, func(c *Config) { c.RateLimitWait = 300 * time.Millisecond; c.Now = time.Now })
	fake.Inject(zalotest.RateLimited())
	b := zalotest.TextEvent("u1", "m1", "hi", time.Now())
	if got := zalotest.Post(t, e.url+WebhookPath, b, zalotest.SignBody(b)); got != 200 {
		t.Fatalf("webhook %d", got)
	}
	sent := fake.WaitSent(t, "u1", 1)
	calls := fake.Calls()
	if len(calls) != 2 || calls[0].Error != ErrRateLimit {
		t.Fatalf("calls %+v", calls)
	}
	if gap := sent[0].At.Sub(calls[0].At); gap < 250*time.Millisecond {
		t.Fatalf("sent again %v after -32", gap)
	}
}

func TestClassify(t *testing.T) {
	fake := zalotest.New(t)
	e := newEnv(t, testdb.SQLite(t), fake, nil)
	tests := []struct {
		reply zalotest.Reply
		kind  outbox.ErrorKind
		code  string
	}{
		{zalotest.OutsideWindow(), outbox.Permanent, "-230"},
		{zalotest.NotFollower(), outbox.Unreachable, "-213"},
		{zalotest.APIError(-201, "Parameters are invalid"), outbox.Permanent, "-201"},
		{zalotest.ServerError(), outbox.Temporary, "502"},
		{zalotest.Reply{Status: 200, Body: "not json"}, outbox.Temporary, "bad_response"},
	}
	for _, tc := range tests {
		fake.Inject(tc.reply)
		err := e.c.send(context.Background(), msg(hello))
		var se *outbox.SendError
		if !errors.As(err, &se) || se.Kind != tc.kind || se.Code != tc.code {
			t.Errorf("%s: %v (%#v), want kind %d code %s", tc.reply.Body, err, se, tc.kind, tc.code)
		}
	}
	if err := e.c.send(context.Background(), msg("{")); err == nil {
		t.Error("a bad payload was sent")
	}
}

func TestTokenPairAtStart(t *testing.T) {
	s := testdb.SQLite(t)
	fake := zalotest.New(t)
	ctx := context.Background()
	stored := func() tokenPair {
		raw, _ := s.ChannelState(ctx, models.ChannelZalo, stateTokens)
		return decodePair(raw)
	}
	newEnv(t, s, fake, nil)
	if p := stored(); p.Access != zalotest.FirstAccess || p.Refresh != zalotest.FirstRefresh {
		t.Fatalf("first start stored %+v", p)
	}
	// A refreshed pair survives a restart with the same configuration.
	p := stored()
	p.Access, p.Refresh = "access-9", "refresh-9"
	s.SetChannelState(ctx, models.ChannelZalo, stateTokens, p.encode())
	e := newEnv(t, s, fake, nil)
	if e.c.current().Access != "access-9" {
		t.Fatalf("restart uses %+v", e.c.current())
	}
	// A new configured pair (the app authorised again) replaces it.
	e = newEnv(t, s, fake, func(c *Config) { c.AccessToken, c.RefreshToken = "new-a", "new-r" })
	if e.c.current().Access != "new-a" || stored().Refresh != "new-r" {
		t.Fatalf("new pair not used: %+v", stored())
	}
	// No token anywhere: no channel.
	s2 := testdb.SQLite(t)
	ob, err := outbox.New(ctx, outbox.Config{Store: s2})
	if err != nil {
		t.Fatal(err)
	}
	_, err = New(ctx, Config{AppID: "1", OASecretKey: "k", Store: s2, Handler: &echo{}, Outbox: ob})
	if !errors.Is(err, ErrNoToken) {
		t.Fatalf("New without a token: %v", err)
	}
}

func TestWindow(t *testing.T) {
	for _, named := range testdb.Stores(t) {
		t.Run(named.Name, func(t *testing.T) {
			e := newEnv(t, named.Store, zalotest.New(t), nil)
			ctx := context.Background()
			now := e.clock.Now().Truncate(time.Millisecond)
			for _, b := range [][]byte{
				zalotest.TextEvent("recent", "m1", "hi", now.Add(-time.Minute)),
				zalotest.TextEvent("old", "m2", "hi", now.Add(-4*time.Minute)),
			} {
				if got := zalotest.Post(t, e.url+WebhookPath, b, zalotest.SignBody(b)); got != 200 {
					t.Fatalf("webhook %d", got)
				}
			}
			// An older event arriving late does not move the time back.
			if err := e.s.TouchInbound(ctx, models.ChannelZalo, "recent", now.Add(-time.Hour)); err != nil {
				t.Fatal(err)
			}
			recent, old := e.contact(t, "recent"), e.contact(t, "old")
			never, err := e.s.EnsureContact(ctx, &models.Contact{Channel: models.ChannelZalo, ExternalID: "never"})
			if err != nil {
				t.Fatal(err)
			}
			tg, err := e.s.EnsureContact(ctx, &models.Contact{Channel: models.ChannelTelegram, ExternalID: "111"})
			if err != nil {
				t.Fatal(err)
			}
			last, err := e.s.LastInbound(ctx, []int64{recent.ID, old.ID, never.ID})
			if err != nil {
				t.Fatal(err)
			}
			if !last[recent.ID].Equal(now.Add(-time.Minute)) || !last[old.ID].Equal(now.Add(-4*time.Minute)) || len(last) != 2 {
				t.Fatalf("last inbound %v", last)
			}
			// 7 days later, "old" is out, "recent" still in.
			e.clock.t = now.Add(DefaultWindow - 2*time.Minute)
			in, out, err := e.c.SplitWindow(ctx, []*models.Contact{recent, old, never, tg})
			if err != nil {
				t.Fatal(err)
			}
			ids := func(cs []*models.Contact) (s []string) {
				for _, c := range cs {
					s = append(s, c.ExternalID)
				}
				return s
			}
			if strings.Join(ids(in), ",") != "recent,111" || strings.Join(ids(out), ",") != "old,never" {
				t.Fatalf("in %v, out %v", ids(in), ids(out))
			}
			for ct, want := range map[*models.Contact]bool{recent: true, old: false, never: false, tg: true} {
				if got, err := e.c.InWindow(ctx, ct); err != nil || got != want {
					t.Errorf("InWindow(%s) = %v %v, want %v", ct.ExternalID, got, err, want)
				}
			}
		})
	}
}

func TestOAuthAnswerWithNumbers(t *testing.T) {
	var a oauthAnswer
	if err := json.Unmarshal([]byte(`{"access_token":"a","refresh_token":"r","expires_in":90000}`), &a); err != nil || a.ExpiresIn != "90000" {
		t.Fatalf("%+v %v", a, err)
	}
}

func TestTokenUpkeep(t *testing.T) {
	for _, named := range testdb.Stores(t) {
		t.Run(named.Name, func(t *testing.T) {
			fake := zalotest.New(t)
			a := newEnv(t, named.Store, fake, nil)
			b := newEnv(t, named.Store, fake, nil)
			ctx := context.Background()
			// A fresh configured pair is left alone.
			if err := a.c.keepFresh(ctx); err != nil || len(fake.Refreshes()) != 0 {
				t.Fatalf("fresh pair: %v, %d refreshes", err, len(fake.Refreshes()))
			}
			// A day later both replicas find it due: one refresh.
			a.clock.Add(25 * time.Hour)
			b.clock.Add(25 * time.Hour)
			if err := a.c.keepFresh(ctx); err != nil {
				t.Fatal(err)
			}
			if err := b.c.keepFresh(ctx); err != nil {
				t.Fatal(err)
			}
			if n := len(fake.Refreshes()); n != 1 {
				t.Fatalf("%d refreshes, want 1", n)
			}
			if a.c.current().Access != "access-2" || b.c.current().Access != "access-2" {
				t.Fatalf("tokens in use: %q, %q", a.c.current().Access, b.c.current().Access)
			}
			// The new pair expires in 25 hours: renewed 30 minutes before.
			a.clock.Add(24 * time.Hour)
			a.c.keepFresh(ctx)
			if n := len(fake.Refreshes()); n != 1 {
				t.Fatalf("renewed too early: %d refreshes", n)
			}
			a.clock.Add(40 * time.Minute)
			a.c.keepFresh(ctx)
			if n := len(fake.Refreshes()); n != 2 || a.c.current().Access != "access-3" {
				t.Fatalf("not renewed before expiry: %d refreshes, %q", n, a.c.current().Access)
			}
			// Replica b takes the new pair at its next look, without a call.
			if err := b.c.send(ctx, msg(hello)); err != nil {
				t.Fatal(err)
			}
			b.c.keepFresh(ctx)
			if b.c.current().Access != "access-3" || len(fake.Refreshes()) != 2 {
				t.Fatalf("replica b uses %q after %d refreshes", b.c.current().Access, len(fake.Refreshes()))
			}
		})
	}
}

// TestRequestBodyOnTheWire checks what the OA API receives for a reply
// with buttons: the body as encoded, with the access token header.
func TestRequestBodyOnTheWire(t *testing.T) {
	fake := zalotest.New(t)
	e := newEnv(t, testdb.SQLite(t), fake, nil)
	e.h.outs = func(in bot.Incoming) []bot.Outgoing {
		return []bot.Outgoing{{ChatID: in.ChatID, Channel: in.Channel, Text: "Lưu biên bản KP1?",
			Keyboard: &bot.Keyboard{Inline: true, Rows: [][]bot.Button{{{Text: "✅ Lưu", Data: "o:ok:7"}, {Text: "✏️ Sửa", Data: "o:edit:7"}}}}}}
	}
	b := zalotest.TextEvent("u1", "m1", "KQ KP1 TD 290", e.clock.Now())
	if got := zalotest.Post(t, e.url+WebhookPath, b, zalotest.SignBody(b)); got != 200 {
		t.Fatalf("webhook %d", got)
	}
	call := fake.WaitSent(t, "u1", 1)[0]
	want := `{"recipient":{"user_id":"u1"},"message":{"text":"Lưu biên bản KP1?","attachment":{"type":"template","payload":{"buttons":[` +
		`{"title":"✅ Lưu","type":"oa.query.hide","payload":"#cb:o:ok:7"},{"title":"✏️ Sửa","type":"oa.query.hide","payload":"#cb:o:edit:7"}]}}}}`
	if string(call.Body) != want || call.AccessToken != zalotest.FirstAccess {
		t.Fatalf("on the wire (token %q):\n%s\nwant\n%s", call.AccessToken, call.Body, want)
	}
	// Pressing "✏️ Sửa" comes back as its callback.
	b = zalotest.TextEvent("u1", "m2", call.Buttons()[1].Payload, e.clock.Now())
	zalotest.Post(t, e.url+WebhookPath, b, zalotest.SignBody(b))
	if got := e.h.calls(); len(got) != 2 || got[1].Callback != "o:edit:7" || got[1].Text != "" {
		t.Fatalf("the press reached the handler as %+v", got[len(got)-1])
	}
}
