package broadcast_test

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"electionbot/bot"
	"electionbot/bot/outbox"
	"electionbot/bot/outbox/outboxtest"
	"electionbot/bot/telegram"
	"electionbot/bot/telegram/telegramtest"
	"electionbot/broadcast"
	"electionbot/demo"
	"electionbot/models"
)

// bcEnv is a store with the Ka Long 2022 election and Telegram contacts,
// the fake Bot API, and replicas (an outbox and its broadcaster) that
// broadcast through it.
type bcEnv struct {
	t     testing.TB
	s     *models.Store
	fake  *telegramtest.Server
	e     *models.Election
	areas []*models.Area
	chats []int64 // recipients' chat ids, in contact order
	admin *models.Contact
	// clk, when set, paces the replicas (outbox.Config.Clock): the test
	// drives it. events wake the waits: the sends, and clk's events.
	clk    *outboxtest.Clock
	events *outboxtest.Events
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
	env := &bcEnv{t: t, s: s, fake: telegramtest.New(t), e: e, areas: areas, events: &outboxtest.Events{}}
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
	if err := s.Grant(ctx, &models.RoleGrant{ContactID: &env.admin.ID, Role: models.RoleAdmin, WardID: e.WardID}); err != nil {
		t.Fatal(err)
	}
	return env
}

// withClock makes the replicas started from now on pace themselves on a
// clock the test drives (waitFor), their heartbeats an hour apart on it.
func (env *bcEnv) withClock() *outboxtest.Clock {
	env.clk = outboxtest.NewClock(time.Date(2022, 6, 5, 7, 0, 0, 0, models.VietnamTime))
	env.events = env.clk.Events()
	return env.clk
}

// countingSender counts the sends of one replica, and is the sends' event.
type countingSender struct {
	outbox.Sender
	env *bcEnv
	n   atomic.Int64
}

func (c *countingSender) Send(ctx context.Context, m *models.OutboxMessage) error {
	defer c.env.events.Add()
	c.n.Add(1)
	return c.Sender.Send(ctx, m)
}

// replica is one process that broadcasts: its outbox, its broadcaster and
// the sender that counts its sends.
type replica struct {
	*outbox.Outbox
	bc   *broadcast.Broadcaster
	sent *countingSender
}

// start builds and starts a replica, sending to the fake through a real
// Telegram channel; wrap, when set, wraps its sender.
func (env *bcEnv) start(cfg outbox.Config, bcfg broadcast.Config, wrap ...func(outbox.Sender) outbox.Sender) *replica {
	env.t.Helper()
	ctx := context.Background()
	cfg.Store, bcfg.Store = env.s, env.s
	if cfg.ChatLimit == nil {
		cfg.ChatLimit = telegram.ChatLimit
	}
	if env.clk != nil {
		// The heartbeats wait for the test to move the clock.
		cfg.Clock, cfg.LeaseInterval = env.clk, time.Hour
	}
	bc, err := broadcast.New(bcfg)
	if err != nil {
		env.t.Fatal(err)
	}
	cfg.Jobs = bc.Jobs()
	ob, err := outbox.New(ctx, cfg)
	if err != nil {
		env.t.Fatal(err)
	}
	bc.Connect(ob)
	tr := &http.Transport{MaxIdleConnsPerHost: 256}
	tg, err := telegram.New(ctx, telegram.Config{
		Token: telegramtest.Token, Endpoint: env.fake.Endpoint(), Store: env.s, Outbox: ob,
		Handler:    bot.HandlerFunc(func(context.Context, *models.Store, bot.Incoming) ([]bot.Outgoing, error) { return nil, nil }),
		HTTPClient: &http.Client{Transport: tr, Timeout: 30 * time.Second},
	})
	if err != nil {
		env.t.Fatal(err)
	}
	var sender outbox.Sender = tg.Sender()
	for _, w := range wrap {
		sender = w(sender)
	}
	cs := &countingSender{Sender: sender, env: env}
	ob.Register(models.ChannelTelegram, cs)
	bc.RegisterChannel(models.ChannelTelegram, telegram.BroadcastChannel{})
	if err := ob.Start(ctx); err != nil {
		env.t.Fatal(err)
	}
	r := &replica{Outbox: ob, bc: bc, sent: cs}
	env.t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		env.stop(ctx, r)
		tr.CloseIdleConnections()
	})
	return r
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

// waitFor waits until cond holds, looking again at each send (and, with a
// clock, driving it); it fails after perMessage events for each recipient
// without cond.
func (env *bcEnv) waitFor(what string, perMessage int, cond func() bool) {
	env.t.Helper()
	maxEvents := perMessage * (len(env.chats) + 10)
	if env.clk != nil {
		// The limiters' waits are short; a replica's heartbeat waits for
		// the test to move the clock (Advance).
		env.clk.AdvanceUntil(env.t, what, 10*time.Second, maxEvents, cond)
		return
	}
	env.events.WaitFor(env.t, what, maxEvents, cond)
}

// waitDone waits until broadcast id is done: the last message of a
// broadcast, its report, follows that.
func (env *bcEnv) waitDone(id int64) *models.Broadcast {
	env.t.Helper()
	var b *models.Broadcast
	env.waitFor(fmt.Sprintf("broadcast %d done", id), 100, func() bool {
		var err error
		if b, err = env.s.Broadcast(context.Background(), id); err != nil {
			env.t.Fatal(err)
		}
		return b.Status == models.BroadcastDone
	})
	return b
}

// stop stops r, the clock going on while it finishes what it was sending.
func (env *bcEnv) stop(ctx context.Context, r *replica) error {
	env.t.Helper()
	stopped := make(chan error, 1)
	go func() {
		stopped <- r.Stop(ctx)
		env.events.Add()
	}()
	var err error
	env.waitFor("the stop", 100, func() bool {
		select {
		case err = <-stopped:
			return true
		default:
			return false
		}
	})
	return err
}

// sentCalls is the number of sendMessage calls so far.
func (env *bcEnv) sentCalls() int { return len(env.fake.Calls("sendMessage")) }

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

func fastConfig() (outbox.Config, broadcast.Config) {
	return outbox.Config{
			Rate:              200,
			MaxAttempts:       3,
			RetryBase:         100 * time.Millisecond,
			RetryMax:          time.Second,
			Grace:             300 * time.Millisecond,
			SweepInterval:     time.Second,
			FetchPollInterval: 50 * time.Millisecond,
			LeaseInterval:     200 * time.Millisecond,
		}, broadcast.Config{
			Tick: 100 * time.Millisecond, BatchSize: 10, PageSize: 25, ProgressEvery: 100 * time.Millisecond,
		}
}
