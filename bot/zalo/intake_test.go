package zalo

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"electionbot/bot"
	"electionbot/bot/intake"
	"electionbot/bot/zalo/zalotest"
	"electionbot/internal/testdb"
	"electionbot/models"
)

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
	big := []byte(`{"event_name":"user_send_text","timestamp":"1","message":{"text":"` + strings.Repeat("x", intake.MaxWebhookBody) + `"}}`)
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
			// Each answer came after its commit: the queued replies are all
			// there is to send.
			if n := e.count(t, "outbox"); n != 2 {
				t.Fatalf("%d replies queued, want 2", n)
			}
			e.fake.WaitSent(t, "u1", 1)
			e.fake.WaitSent(t, "u2", 1)
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
	routes := intake.NewRoutes()
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
	err := e.s.InTx(context.Background(), func(tx *models.Store) error {
		rows, err := routes.Encode(context.Background(), tx, bot.Outgoing{ChatID: "u9", Channel: models.ChannelZalo, Text: "hi"})
		if err != nil || len(rows) != 1 || rows[0].ChatID != "u9" || !strings.Contains(rows[0].Payload, `"user_id":"u9"`) {
			t.Errorf("the Zalo encoder in the routes: %+v %v", rows, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
