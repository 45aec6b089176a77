package broadcast_test

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"electionbot/bot/telegram/telegramtest"
	"electionbot/internal/testdb"
	"electionbot/locales"
	"electionbot/models"
)

// Every recipient gets exactly one message, or is reported unreachable or
// failed with its reason, whatever the Bot API answers: 429 with
// retry_after, 403 blocked, 400 chat not found, 500s until the attempts run
// out, one 500 then success.
func TestBroadcastExactlyOnceWith429And403(t *testing.T) {
	for _, n := range testdb.Stores(t) {
		t.Run(n.Name, func(t *testing.T) {
			ctx := context.Background()
			env := newBCEnv(t, n.Store, 40)
			c := env.chats
			env.fake.InjectChat(c[3], telegramtest.TooManyRequests(1))
			env.fake.InjectChat(c[4], telegramtest.TooManyRequests(1), telegramtest.TooManyRequests(1))
			env.fake.Block(c[5])
			env.fake.InjectChat(c[6], telegramtest.ChatNotFound())
			env.fake.InjectChat(c[7], telegramtest.ServerError(), telegramtest.ServerError(), telegramtest.ServerError())
			env.fake.InjectChat(c[8], telegramtest.ServerError())
			env.fake.InjectChat(c[9], telegramtest.Deactivated())
			// Known unreachable before the broadcast, and one who said /stop.
			if _, err := env.s.MarkUnreachable(ctx, models.ChannelTelegram, strconv.FormatInt(c[10], 10)); err != nil {
				t.Fatal(err)
			}
			var stopped models.Contact
			env.s.DB(ctx).Where("chat_id = ?", strconv.FormatInt(c[11], 10)).Take(&stopped)
			now := time.Now()
			if err := env.s.SaveSubscription(ctx, &models.Subscription{ContactID: stopped.ID, StoppedAt: &now}); err != nil {
				t.Fatal(err)
			}

			b := env.announce("Họp khẩn tại nhà văn hóa lúc 19:00 <b>hôm nay</b> & mang CCCD.")
			env.withClock()
			r := env.start(fastConfig())
			env.waitDone(b.ID)

			failed := map[int64]bool{c[5]: true, c[6]: true, c[7]: true, c[9]: true, c[10]: true, c[11]: true}
			for _, chat := range c {
				got := env.sentTexts(chat, "Họp khẩn")
				want := 1
				if failed[chat] {
					want = 0
				}
				if got != want {
					t.Errorf("chat %d got the announcement %d times, want %d", chat, got, want)
				}
			}
			st, err := r.bc.Stats(ctx, b.ID)
			if err != nil {
				t.Fatal(err)
			}
			// 40 contacts of the areas + the admin; the one who said /stop
			// is not addressed.
			want := models.BroadcastStats{Total: 40, Sent: 35, Unreachable: 4, Failed: 1,
				Reasons: []models.ReasonCount{{Reason: "500: Internal Server Error", Count: 1}}}
			if fmt.Sprintf("%+v", *st) != fmt.Sprintf("%+v", want) {
				t.Errorf("stats %+v\nwant  %+v", *st, want)
			}
			// The text arrives as written (escaped for HTML, shown as is).
			if got := env.fake.Sent(c[0])[0].Get("text"); !strings.Contains(got, "&lt;b&gt;hôm nay&lt;/b&gt; &amp; mang CCCD") ||
				!strings.HasPrefix(got, "📢 Thông báo của Phường Ka Long:") {
				t.Errorf("text %q", got)
			}
			// The blocked contacts are now unreachable.
			for _, chat := range []int64{c[5], c[6], c[9]} {
				var ct models.Contact
				env.s.DB(ctx).Where("chat_id = ?", strconv.FormatInt(chat, 10)).Take(&ct)
				if ct.Reachable {
					t.Errorf("chat %d still reachable", chat)
				}
			}
			// The admin is told the result.
			env.waitFor("the report", 100, func() bool { return env.sentTexts(42, "đã gửi xong") == 1 })
			var report string
			for _, call := range env.fake.Sent(42) {
				if strings.Contains(call.Get("text"), "đã gửi xong") {
					report = call.Get("text")
				}
			}
			for _, w := range []string{"40 người nhận", "Đã gửi: 35", "Không liên lạc được (đã chặn Kênh hỏi đáp): 4", "Lỗi: 1", "500: Internal Server Error: 1"} {
				if !strings.Contains(report, w) {
					t.Errorf("report lacks %q:\n%s", w, report)
				}
			}
		})
	}
}

// A worker stopped in the middle of a broadcast and another started later
// finish it: every recipient gets exactly one message.
func TestBroadcastResumesAfterStop(t *testing.T) {
	for _, n := range testdb.Stores(t) {
		t.Run(n.Name, func(t *testing.T) {
			env := newBCEnv(t, n.Store, 80)
			env.withClock()
			cfg, bcfg := fastConfig()
			cfg.Rate = 40
			cfg.ChatLimit = func(string) (rate.Limit, int) { return rate.Inf, 1 }
			b := env.announce("Lịch họp tổ dân phố")
			first := env.start(cfg, bcfg)
			env.waitFor("a quarter sent", 100, func() bool { return env.sentCalls() >= 20 })
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			if err := env.stop(ctx, first); err != nil {
				t.Fatal(err)
			}
			cancel()
			sentBefore := env.sentCalls()
			if sentBefore >= 80 {
				t.Fatalf("everything was sent before the stop (%d): nothing to resume", sentBefore)
			}
			if got, _ := env.s.Broadcast(context.Background(), b.ID); got.Status == models.BroadcastDone {
				t.Fatal("done before the restart")
			}
			env.start(cfg, bcfg)
			env.waitDone(b.ID)
			for _, chat := range env.chats {
				if got := env.sentTexts(chat, "Lịch họp"); got != 1 {
					t.Errorf("chat %d got %d messages, want 1", chat, got)
				}
			}
			t.Logf("%d sent before the stop, %d after", sentBefore, env.sentCalls()-sentBefore)
		})
	}
}

// A crash: the worker's jobs are cancelled in the middle of their calls
// and its queued jobs are lost; the next worker finishes the broadcast
// (the sweep finds the rows whose job is gone). Duplicates are bounded by
// the calls in flight at the crash.
func TestBroadcastSurvivesACrash(t *testing.T) {
	env := newBCEnv(t, testdb.SQLite(t), 60)
	env.withClock()
	cfg, bcfg := fastConfig()
	cfg.Rate = 30
	cfg.ChatLimit = func(string) (rate.Limit, int) { return rate.Inf, 1 }
	// The claims of the sends cut short by the crash expire soon.
	cfg.SendTimeout = 2 * time.Second
	b := env.announce("Kiểm tra danh sách cử tri")
	first := env.start(cfg, bcfg)
	env.waitFor("some sent", 100, func() bool { return env.sentCalls() >= 15 })
	expired, cancel := context.WithCancel(context.Background())
	cancel()
	first.Stop(expired) // cancels the sends in flight
	// The jobs that had not run are lost with the process.
	if err := env.s.DB(context.Background()).Exec("DELETE FROM river_job WHERE kind = ?", "broadcast_send").Error; err != nil {
		t.Fatal(err)
	}
	env.start(cfg, bcfg)
	env.waitDone(b.ID)
	dups := 0
	for _, chat := range env.chats {
		got := env.sentTexts(chat, "Kiểm tra")
		if got < 1 {
			t.Errorf("chat %d got nothing", chat)
		}
		dups += max(0, got-1)
	}
	inFlight := 4 * 32 // Workers × Concurrency (defaults)
	if dups > inFlight {
		t.Errorf("%d duplicates, more than the %d calls that can be in flight", dups, inFlight)
	}
	t.Logf("%d duplicates after the crash", dups)
}

// The broadcasts' counts are written with the language's thousands
// separator: 3.400 in Vietnamese, 3,400 in English.
func TestFormatCount(t *testing.T) {
	for _, tc := range []struct {
		lang string
		n    int
		want string
	}{{"vi", 1200, "1.200"}, {"vi", 3400, "3.400"}, {"en", 1200, "1,200"}, {"vi", 999, "999"}, {"vi", 1234567, "1.234.567"}, {"en", 0, "0"}} {
		if got := locales.Number(tc.lang, tc.n); got != tc.want {
			t.Errorf("Number(%s, %d) = %q, want %q", tc.lang, tc.n, got, tc.want)
		}
	}
}
