package broadcast_test

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"electionbot/bot"
	"electionbot/bot/outbox"
	"electionbot/bot/sms"
	"electionbot/bot/sms/smstest"
	"electionbot/bot/telegram"
	"electionbot/bot/telegram/telegramtest"
	"electionbot/bot/zns"
	"electionbot/bot/zns/znstest"
	"electionbot/broadcast"
	"electionbot/internal/testdb"
	"electionbot/models"
)

// households is a voter list made for the cascade: chat households
// (a Telegram contact shared the list's phone), phones on Zalo, phones
// not on Zalo, households without a phone — in that order of index.
type households struct {
	chat, zalo, offZalo, noPhone int
}

func (h households) total() int { return h.chat + h.zalo + h.offZalo + h.noPhone }

// phone84 is household i's phone in 84… form.
func phone84(i int) string { return fmt.Sprintf("8491%07d", i) }

// reachEnv is bcEnv with a voter list of households, the ZNS and SMS
// fakes, and one replica whose broadcaster reaches households.
type reachEnv struct {
	*bcEnv
	hh    households
	zns   *znstest.Server
	sms   *smstest.Server
	voter []int64 // voter id by household index
	clock *storeClock
	ob    *outbox.Outbox
	bc    *broadcast.Broadcaster
}

// storeClock is the store's clock (quiet hours), moved by the test.
type storeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *storeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *storeClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

func newReachEnv(t *testing.T, s *models.Store, hh households, now time.Time) *reachEnv {
	t.Helper()
	ctx := context.Background()
	env := &reachEnv{bcEnv: newBCEnv(t, s, 0), hh: hh, zns: znstest.New(t), sms: smstest.New(t),
		clock: &storeClock{now: now}}
	s.Now = env.clock.Now
	// The demo's list is replaced by households of known kinds.
	if err := s.DB(ctx).Exec("DELETE FROM voters").Error; err != nil {
		t.Fatal(err)
	}
	var vs []*models.Voter
	for i := 0; i < hh.total(); i++ {
		v := &models.Voter{AreaID: env.areas[i%len(env.areas)].ID, HouseholdNo: "H" + strconv.Itoa(i+1),
			FullName: "Nguyễn Văn Hộ " + strconv.Itoa(i+1), NameFolded: "nguyen van ho", BirthYear: 1960,
			Address: "Số " + strconv.Itoa(i+1) + " đường Ka Long"}
		if i < hh.chat+hh.zalo+hh.offZalo {
			p := "+" + phone84(i)
			v.Phone = &p
		}
		if hh.chat+hh.zalo <= i && i < hh.chat+hh.zalo+hh.offZalo {
			env.zns.NotOnZalo(phone84(i))
		}
		vs = append(vs, v)
	}
	if err := s.DB(ctx).CreateInBatches(vs, 500).Error; err != nil {
		t.Fatal(err)
	}
	var cs []*models.Contact
	for i, v := range vs {
		env.voter = append(env.voter, v.ID)
		if i < hh.chat {
			id := strconv.Itoa(firstChat + i)
			area := v.AreaID
			cs = append(cs, &models.Contact{Channel: models.ChannelTelegram, ExternalID: id, ChatID: id, Lang: "vi",
				AreaID: &area, Reachable: true, Phone: v.Phone, CreatedAt: now, UpdatedAt: now})
			env.chats = append(env.chats, int64(firstChat+i))
		}
	}
	if len(cs) > 0 {
		if err := s.DB(ctx).CreateInBatches(cs, 500).Error; err != nil {
			t.Fatal(err)
		}
	}
	return env
}

// build makes the replica (not started): Telegram, ZNS and SMS senders
// against the fakes, each send an event; the broadcaster reaches
// households with plan's prices, ceiling and quiet hours.
func (env *reachEnv) build(plan models.ReachPlan) {
	t := env.t
	ctx := context.Background()
	cfg, bcfg := fastConfig()
	cfg.Store, bcfg.Store, bcfg.Reach = env.s, env.s, plan
	cfg.ChatLimit = func(string) (rate.Limit, int) { return 1000, 10 }
	bc, err := broadcast.New(bcfg)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Jobs, cfg.OnGiveUp = bc.Jobs(), bc.OnGiveUp
	ob, err := outbox.New(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	bc.Connect(ob)
	tr := &http.Transport{MaxIdleConnsPerHost: 64}
	client := &http.Client{Transport: tr, Timeout: 30 * time.Second}
	t.Cleanup(tr.CloseIdleConnections)
	tg, err := telegram.New(ctx, telegram.Config{
		Token: telegramtest.Token, Endpoint: env.fake.Endpoint(), Store: env.s, Outbox: ob, HTTPClient: client,
		Handler: bot.HandlerFunc(func(context.Context, *models.Store, bot.Incoming) ([]bot.Outgoing, error) { return nil, nil }),
	})
	if err != nil {
		t.Fatal(err)
	}
	zs, err := zns.New(zns.Config{Endpoint: env.zns.Endpoint(), HTTPClient: client,
		Token: func(context.Context) (string, error) { return znstest.AccessToken, nil }})
	if err != nil {
		t.Fatal(err)
	}
	sc := env.sms.Config()
	sc.HTTPClient = client
	ss, err := sms.New(sc)
	if err != nil {
		t.Fatal(err)
	}
	event := func(s outbox.Sender) outbox.Sender {
		return outbox.SenderFunc(func(ctx context.Context, m *models.OutboxMessage) error {
			defer env.events.Add()
			return s.Send(ctx, m)
		})
	}
	ob.Register(models.ChannelTelegram, event(tg.Sender()))
	ob.Register(models.ChannelZNS, event(zs))
	ob.Register(models.ChannelSMS, event(ss))
	bc.RegisterChannel(models.ChannelTelegram, telegram.BroadcastChannel{})
	bc.RegisterHouseholdChannel(models.ChannelZNS, broadcast.HouseholdChannelFunc(func(m broadcast.HouseholdMessage) (string, error) {
		return zns.Payload("tpl-notice", map[string]string{"area": m.Area, "date": m.Date}, m.ID), nil
	}))
	bc.RegisterHouseholdChannel(models.ChannelSMS, broadcast.HouseholdChannelFunc(func(m broadcast.HouseholdMessage) (string, error) {
		return sms.Payload(m.Text), nil
	}))
	env.ob, env.bc = ob, bc
}

func (env *reachEnv) start() {
	env.t.Helper()
	if err := env.ob.Start(context.Background()); err != nil {
		env.t.Fatal(err)
	}
	env.t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		env.stop(ctx, &replica{Outbox: env.ob, bc: env.bc})
	})
}

// delivered counts, per household, the messages of broadcast id the
// fakes delivered to it: Telegram sendMessage to its chat with substr,
// ZNS accepted and SMS sent with the broadcast's tracking / idempotency
// key (hh:<id>:…).
func (env *reachEnv) delivered(id int64, substr string) (byChannel map[string]int, perHousehold []int) {
	byChannel = map[string]int{}
	perHousehold = make([]int, env.hh.total())
	prefix := "hh:" + strconv.FormatInt(id, 10) + ":"
	for i := range perHousehold {
		if i < env.hh.chat {
			n := env.sentTexts(int64(firstChat+i), substr)
			byChannel[models.ChannelTelegram] += n
			perHousehold[i] += n
		}
		if i >= env.hh.chat+env.hh.zalo+env.hh.offZalo {
			continue
		}
		for _, c := range env.zns.Sent(phone84(i)) {
			if strings.HasPrefix(c.TrackingID, prefix) {
				byChannel[models.ChannelZNS]++
				perHousehold[i]++
			}
		}
		for _, c := range env.sms.Sent(phone84(i)) {
			if c.Sent() && strings.HasPrefix(c.ID, prefix) {
				byChannel[models.ChannelSMS]++
				perHousehold[i]++
			}
		}
	}
	return byChannel, perHousehold
}

// ledger counts a broadcast's ledger rows sent by channel, and the
// households with a final outcome other than sent, by outcome.
func (env *reachEnv) ledger(id int64) (sent map[string]int, other map[string]int) {
	env.t.Helper()
	as, err := env.s.ReachAttempts(context.Background(), id)
	if err != nil {
		env.t.Fatal(err)
	}
	sent, other = map[string]int{}, map[string]int{}
	for _, a := range as {
		switch a.Outcome {
		case models.ReachSent:
			sent[a.Channel]++
		case models.ReachNoChannel, models.ReachCeiling, models.ReachOptedOut:
			other[a.Outcome]++
		}
	}
	return sent, other
}

var daytime = time.Date(2022, 6, 1, 9, 0, 0, 0, models.VietnamTime)

func plan() models.ReachPlan {
	return models.ReachPlan{ZNSCostVND: 300, SMSCostVND: 800, Quiet: models.DefaultQuietHours}
}

// TestReachCascade: every household gets one message by the cheapest
// channel that works; the ledger says the same as the fakes' logs; the
// unreached are the households without a phone.
func TestReachCascade(t *testing.T) {
	for _, db := range testdb.Stores(t) {
		t.Run(db.Name, func(t *testing.T) {
			hh := households{chat: 30, zalo: 40, offZalo: 20, noPhone: 10}
			env := newReachEnv(t, db.Store, hh, daytime)
			env.build(plan())
			env.start()
			bc := env.announce("Họp tổ dân phố lúc 19:00")
			env.waitDone(bc.ID)
			env.waitFor("the households' report", 100, func() bool { return env.sentTexts(42, "hộ gia đình đã nhận") == 1 })

			got, per := env.delivered(bc.ID, "Họp tổ dân phố")
			want := map[string]int{models.ChannelTelegram: 30, models.ChannelZNS: 40, models.ChannelSMS: 20}
			for ch, n := range want {
				if got[ch] != n {
					t.Errorf("%s delivered %d, want %d (all: %v)", ch, got[ch], n, got)
				}
			}
			for i, n := range per {
				if i < 90 && n != 1 {
					t.Errorf("household %d got %d messages", i, n)
				}
			}
			sent, other := env.ledger(bc.ID)
			for ch, n := range want {
				if sent[ch] != n {
					t.Errorf("ledger: %s sent %d, fakes %d", ch, sent[ch], n)
				}
			}
			if other[models.ReachNoChannel] != 10 {
				t.Errorf("ledger: no channel %d, want 10", other[models.ReachNoChannel])
			}
			un, err := env.s.UnreachedHouseholds(context.Background(), bc.ID, nil)
			if err != nil {
				t.Fatal(err)
			}
			if len(un) != 10 {
				t.Fatalf("unreached %d, want 10", len(un))
			}
			for _, u := range un {
				if u.Voter.Phone != nil {
					t.Errorf("unreached household %s has a phone", u.Voter.HouseholdNo)
				}
			}
			cost, err := env.s.ReachCost(context.Background(), bc.ID)
			if err != nil {
				t.Fatal(err)
			}
			// The 20 off Zalo were tried on ZNS first (not charged: not
			// sent): 40 ZNS + 20 SMS.
			if cost != 40*300+20*800 {
				t.Errorf("cost %d", cost)
			}
			if r := env.sentTexts(42, "ZNS: 40"); r != 1 {
				t.Errorf("the admin's report does not say ZNS: 40: %v", env.fake.Sent(42))
			}
		})
	}
}
