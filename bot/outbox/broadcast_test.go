package outbox_test

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"electionbot/bot"
	"electionbot/bot/outbox"
	"electionbot/bot/telegram"
	"electionbot/bot/telegram/telegramtest"
	"electionbot/demo"
	"electionbot/internal/testdb"
	"electionbot/models"
)

// bcEnv is a store with the Ka Long 2022 election and Telegram contacts,
// the fake Bot API, and outboxes that broadcast through it.
type bcEnv struct {
	t     testing.TB
	s     *models.Store
	fake  *telegramtest.Server
	e     *models.Election
	areas []*models.Area
	chats []int64 // recipients' chat ids, in contact order
	admin *models.Contact
}

const firstChat = 5000

func newBCEnv(t testing.TB, s *models.Store, recipients int) *bcEnv {
	t.Helper()
	ctx := context.Background()
	if err := demo.Load(ctx, s); err != nil {
		t.Fatal(err)
	}
	e, err := s.ElectionByCode(ctx, "ka-long-2022")
	if err != nil {
		t.Fatal(err)
	}
	areas, err := s.Areas(ctx, e.ID)
	if err != nil {
		t.Fatal(err)
	}
	env := &bcEnv{t: t, s: s, fake: telegramtest.New(t), e: e, areas: areas}
	var cs []*models.Contact
	now := time.Now().UTC()
	for i := 0; i < recipients; i++ {
		id := strconv.Itoa(firstChat + i)
		area := areas[i%len(areas)].ID
		cs = append(cs, &models.Contact{Channel: models.ChannelTelegram, ExternalID: id, ChatID: id, Lang: "vi",
			AreaID: &area, Reachable: true, CreatedAt: now, UpdatedAt: now})
		env.chats = append(env.chats, int64(firstChat+i))
	}
	if err := s.DB(ctx).CreateInBatches(cs, 500).Error; err != nil {
		t.Fatal(err)
	}
	env.admin, err = s.EnsureContact(ctx, &models.Contact{Channel: models.ChannelTelegram, ExternalID: "42", Lang: "vi"})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Grant(ctx, &models.RoleGrant{ContactID: &env.admin.ID, Role: models.RoleAdmin, WardID: &e.WardID}); err != nil {
		t.Fatal(err)
	}
	return env
}

// countingSender counts the sends of one replica.
type countingSender struct {
	outbox.Sender
	n atomic.Int64
}

func (c *countingSender) Send(ctx context.Context, m *models.OutboxMessage) error {
	c.n.Add(1)
	return c.Sender.Send(ctx, m)
}

// start builds and starts an outbox with broadcasts, sending to the fake
// through a real Telegram channel.
func (env *bcEnv) start(cfg outbox.Config) (*outbox.Outbox, *countingSender) {
	env.t.Helper()
	ctx := context.Background()
	cfg.Store = env.s
	if cfg.ChatLimit == nil {
		cfg.ChatLimit = telegram.ChatLimit
	}
	if cfg.Broadcasts == nil {
		cfg.Broadcasts = &outbox.BroadcastConfig{}
	}
	ob, err := outbox.New(ctx, cfg)
	if err != nil {
		env.t.Fatal(err)
	}
	tr := &http.Transport{MaxIdleConnsPerHost: 256}
	tg, err := telegram.New(ctx, telegram.Config{
		Token: telegramtest.Token, Endpoint: env.fake.Endpoint(), Store: env.s, Outbox: ob,
		Handler:    bot.HandlerFunc(func(context.Context, *models.Store, bot.Incoming) ([]bot.Outgoing, error) { return nil, nil }),
		HTTPClient: &http.Client{Transport: tr, Timeout: 30 * time.Second},
	})
	if err != nil {
		env.t.Fatal(err)
	}
	cs := &countingSender{Sender: tg.Sender()}
	ob.Register(models.ChannelTelegram, cs)
	ob.Broadcaster().RegisterChannel(models.ChannelTelegram, telegram.BroadcastChannel())
	if err := ob.Start(ctx); err != nil {
		env.t.Fatal(err)
	}
	env.t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		ob.Stop(ctx)
		tr.CloseIdleConnections()
	})
	return ob, cs
}

// announce queues an announcement to everyone from the admin.
func (env *bcEnv) announce(text string) *models.Broadcast {
	env.t.Helper()
	ctx := context.Background()
	b := &models.Broadcast{ElectionID: env.e.ID, Kind: models.BroadcastAnnouncement, Audience: models.AudienceAll,
		Body: text, CreatedBy: &env.admin.ID}
	if err := env.s.CreateBroadcast(ctx, b); err != nil {
		env.t.Fatal(err)
	}
	q, err := env.s.QueueBroadcast(ctx, b.ID, &env.admin.ID)
	if err != nil {
		env.t.Fatal(err)
	}
	return q
}

func (env *bcEnv) waitDone(id int64, within time.Duration) *models.Broadcast {
	env.t.Helper()
	deadline := time.Now().Add(within)
	for {
		b, err := env.s.Broadcast(context.Background(), id)
		if err != nil {
			env.t.Fatal(err)
		}
		if b.Status == models.BroadcastDone {
			return b
		}
		if time.Now().After(deadline) {
			st, _ := env.s.BroadcastStats(context.Background(), id)
			env.t.Fatalf("broadcast %d still %s after %v: %+v", id, b.Status, within, st)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// sentTexts counts the announcement messages delivered to a chat.
func (env *bcEnv) sentTexts(chat int64, substr string) int {
	n := 0
	for _, c := range env.fake.Sent(chat) {
		if strings.Contains(c.Get("text"), substr) {
			n++
		}
	}
	return n
}

func fastConfig() outbox.Config {
	return outbox.Config{
		Rate:              200,
		MaxAttempts:       3,
		RetryBase:         100 * time.Millisecond,
		RetryMax:          time.Second,
		Grace:             300 * time.Millisecond,
		SendTimeout:       2 * time.Second,
		SweepInterval:     time.Second,
		FetchPollInterval: 50 * time.Millisecond,
		LeaseInterval:     200 * time.Millisecond,
		Broadcasts: &outbox.BroadcastConfig{
			Tick: 100 * time.Millisecond, BatchSize: 10, PageSize: 25, ProgressEvery: 100 * time.Millisecond,
		},
	}
}

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
			ob, _ := env.start(fastConfig())
			env.waitDone(b.ID, 30*time.Second)

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
			st, err := ob.Broadcaster().Stats(ctx, b.ID)
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
			env.fake.WaitFor(t, "the report", func([]telegramtest.Call) bool {
				return env.sentTexts(42, "đã gửi xong") == 1
			})
			var report string
			for _, call := range env.fake.Sent(42) {
				if strings.Contains(call.Get("text"), "đã gửi xong") {
					report = call.Get("text")
				}
			}
			for _, w := range []string{"40 người nhận", "Đã gửi: 35", "Không liên lạc được (đã chặn bot): 4", "Lỗi: 1", "500: Internal Server Error: 1"} {
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
			cfg := fastConfig()
			cfg.Rate = 40
			cfg.ChatLimit = func(string) (rate.Limit, int) { return rate.Inf, 1 }
			b := env.announce("Lịch họp tổ dân phố")
			first, _ := env.start(cfg)
			waitFor(t, "a quarter sent", func() bool { return len(env.fake.Calls("sendMessage")) >= 20 })
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			if err := first.Stop(ctx); err != nil {
				t.Fatal(err)
			}
			cancel()
			sentBefore := len(env.fake.Calls("sendMessage"))
			if sentBefore >= 80 {
				t.Fatalf("everything was sent before the stop (%d): nothing to resume", sentBefore)
			}
			if got, _ := env.s.Broadcast(context.Background(), b.ID); got.Status == models.BroadcastDone {
				t.Fatal("done before the restart")
			}
			env.start(cfg)
			env.waitDone(b.ID, 30*time.Second)
			for _, chat := range env.chats {
				if got := env.sentTexts(chat, "Lịch họp"); got != 1 {
					t.Errorf("chat %d got %d messages, want 1", chat, got)
				}
			}
			t.Logf("%d sent before the stop, %d after", sentBefore, len(env.fake.Calls("sendMessage"))-sentBefore)
		})
	}
}

// A crash: the worker's jobs are cancelled in the middle of their calls
// and its queued jobs are lost; the next worker finishes the broadcast
// (the sweep finds the rows whose job is gone). Duplicates are bounded by
// the calls in flight at the crash.
func TestBroadcastSurvivesACrash(t *testing.T) {
	env := newBCEnv(t, testdb.SQLite(t), 60)
	cfg := fastConfig()
	cfg.Rate = 30
	cfg.ChatLimit = func(string) (rate.Limit, int) { return rate.Inf, 1 }
	b := env.announce("Kiểm tra danh sách cử tri")
	first, _ := env.start(cfg)
	waitFor(t, "some sent", func() bool { return len(env.fake.Calls("sendMessage")) >= 15 })
	expired, cancel := context.WithCancel(context.Background())
	cancel()
	first.Stop(expired) // cancels the sends in flight
	// The jobs that had not run are lost with the process.
	if err := env.s.DB(context.Background()).Exec("DELETE FROM river_job WHERE kind = ?", "broadcast_send").Error; err != nil {
		t.Fatal(err)
	}
	env.start(cfg)
	env.waitDone(b.ID, 60*time.Second)
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

// Two replicas on one database share BROADCAST_RATE: each gets half while
// both are alive, and the flood control of the fake never answers 429.
func TestTwoReplicasShareTheRate(t *testing.T) {
	for _, n := range testdb.Stores(t) {
		t.Run(n.Name, func(t *testing.T) {
			env := newBCEnv(t, n.Store, 60)
			const limit = 20
			env.fake.EnforceLimits(telegramtest.Limits{Global: limit, PerChat: 1})
			cfg := fastConfig()
			cfg.Rate = limit
			// Progress to the admin at most every 2 s: the two replicas do
			// not share the pace of one chat.
			cfg.Broadcasts.ProgressEvery = 2 * time.Second
			a, sa := env.start(cfg)
			b, sb := env.start(cfg)
			waitFor(t, "both replicas see each other", func() bool {
				return a.Replicas() == 2 && b.Replicas() == 2
			})
			for _, o := range []*outbox.Outbox{a, b} {
				if got := o.Limiter().Share(); got != limit/2 {
					t.Errorf("share %v, want %v", got, limit/2)
				}
			}
			bc := env.announce("Hai máy chủ cùng gửi")
			start := time.Now()
			env.waitDone(bc.ID, 30*time.Second)
			took := time.Since(start)
			passed, tooMany := env.fake.FloodStats()
			if tooMany != 0 {
				t.Errorf("%d answers 429 (%d passed)", tooMany, passed)
			}
			if sa.n.Load() == 0 || sb.n.Load() == 0 {
				t.Errorf("one replica did all the work: %d and %d", sa.n.Load(), sb.n.Load())
			}
			for _, chat := range env.chats {
				if got := env.sentTexts(chat, "Hai máy chủ"); got != 1 {
					t.Errorf("chat %d got %d", chat, got)
				}
			}
			t.Logf("60 messages in %v by %d + %d sends", took.Round(time.Millisecond), sa.n.Load(), sb.n.Load())
			// One replica leaves: the other takes the whole rate.
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			b.Stop(ctx)
			waitFor(t, "a alone", func() bool { return a.Replicas() == 1 })
			if got := a.Limiter().Share(); got != limit {
				t.Errorf("share alone %v, want %v", got, limit)
			}
		})
	}
}

func TestLimiterBackoffRecovers(t *testing.T) {
	l := outbox.NewLimiter(100, 10, nil, 10)
	l.SetRate(50)
	if got := l.Rate(); got != 50 {
		t.Fatalf("rate %v", got)
	}
	l.Backoff()
	l.Backoff() // within a second: counts once
	if got := l.Rate(); got < 25 || got > 25.5 {
		t.Fatalf("after a 429: %v, want 25", got)
	}
	time.Sleep(300 * time.Millisecond)
	if got := l.Rate(); got <= 25 || got >= 50 {
		t.Fatalf("recovering: %v", got)
	}
	for i := 0; i < 10; i++ {
		l.Backoff()
		time.Sleep(1100 * time.Millisecond / 10) // not enough to count each
	}
	if got := l.Rate(); got < 5 {
		t.Fatalf("below a tenth: %v", got)
	}
}

func TestFormatCount(t *testing.T) {
	for _, tc := range []struct {
		lang string
		n    int
		want string
	}{{"vi", 1200, "1.200"}, {"vi", 3400, "3.400"}, {"en", 1200, "1,200"}, {"vi", 999, "999"}, {"vi", 1234567, "1.234.567"}, {"en", 0, "0"}} {
		if got := outbox.FormatCount(tc.lang, tc.n); got != tc.want {
			t.Errorf("FormatCount(%s, %d) = %q, want %q", tc.lang, tc.n, got, tc.want)
		}
	}
}
