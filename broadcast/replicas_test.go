package broadcast_test

import (
	"context"
	"sort"
	"sync"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"electionbot/bot/outbox"
	"electionbot/internal/testdb"
	"electionbot/models"
)

// Two replicas on one database share BROADCAST_RATE: each gets half while
// both are alive, and the flood control of the fake never answers 429. The
// replicas pace themselves on the test's clock, and the flood control
// (telegramtest.Limits{Global: limit, PerChat: 1}) is applied at the times
// on that clock their limiters let each send go: how fast the machine
// runs does not matter.
func TestTwoReplicasShareTheRate(t *testing.T) {
	for _, n := range testdb.Stores(t) {
		t.Run(n.Name, func(t *testing.T) {
			env := newBCEnv(t, n.Store, 60)
			const limit = 20
			clk := env.withClock()
			flood := &floodControl{}
			cfg, bcfg := fastConfig()
			cfg.Rate = limit
			// One progress message to the admin, and the report: the two
			// replicas do not share the pace of one chat.
			bcfg.ProgressEvery = time.Hour
			a := env.start(cfg, bcfg, flood.wrap)
			b := env.start(cfg, bcfg, flood.wrap)
			// A heartbeat each: a sees b, which saw a when it started.
			clk.Advance(time.Hour)
			env.events.WaitFor(t, "both replicas see each other", 100, func() bool {
				return a.Replicas() == 2 && b.Replicas() == 2
			})
			for _, r := range []*replica{a, b} {
				if got := r.Limiter().Share(); got != limit/2 {
					t.Errorf("share %v, want %v", got, limit/2)
				}
			}
			bc := env.announce("Hai máy chủ cùng gửi")
			start := clk.Now()
			// The clock standing still, a replica sends one message (its
			// limiter's burst) and its send jobs wait for the clock: the
			// other replica takes the jobs beyond its workers'.
			env.events.WaitFor(t, "both replicas sending", 1000, func() bool {
				return a.sent.n.Load() > 0 && b.sent.n.Load() > 0
			})
			env.waitDone(bc.ID)
			took := clk.Now().Sub(start)
			passed, tooMany := flood.stats(limit, 1)
			if tooMany != 0 {
				t.Errorf("%d answers 429 (%d passed)", tooMany, passed)
			}
			if a.sent.n.Load() == 0 || b.sent.n.Load() == 0 {
				t.Errorf("one replica did all the work: %d and %d", a.sent.n.Load(), b.sent.n.Load())
			}
			for _, chat := range env.chats {
				if got := env.sentTexts(chat, "Hai máy chủ"); got != 1 {
					t.Errorf("chat %d got %d", chat, got)
				}
			}
			t.Logf("60 messages in %v of the replicas' clock by %d + %d sends", took.Round(time.Millisecond),
				a.sent.n.Load(), b.sent.n.Load())
			// One replica leaves: the other takes the whole rate at its
			// next heartbeat.
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			env.stop(ctx, b)
			clk.Advance(time.Hour)
			env.events.WaitFor(t, "a alone", 100, func() bool { return a.Replicas() == 1 })
			if got := a.Limiter().Share(); got != limit {
				t.Errorf("share alone %v, want %v", got, limit)
			}
		})
	}
}

// floodControl is the fake Bot API's flood control (telegramtest.Limits)
// applied to the sends of several replicas at the times their limiters let
// them go (outbox.PacedAt), in the order of those times.
type floodControl struct {
	mu      sync.Mutex
	sends   []pacedSend
	unpaced int // sends the limiter did not pace: each counts as a 429
}

type pacedSend struct {
	chat string
	at   time.Time
}

func (f *floodControl) wrap(s outbox.Sender) outbox.Sender {
	return outbox.SenderFunc(func(ctx context.Context, m *models.OutboxMessage) error {
		at, ok := outbox.PacedAt(ctx)
		f.mu.Lock()
		if ok {
			f.sends = append(f.sends, pacedSend{m.ChatID, at})
		} else {
			f.unpaced++
		}
		f.mu.Unlock()
		return s.Send(ctx, m)
	})
}

// stats are the sends the flood control lets through, and those it
// answers 429: at most global in any rolling second (as Telegram documents
// it, and telegramtest's Limits.Strict), and perChat a second in a chat
// (a burst of 3); a refused message does not count. The replicas' sends
// are counted when they started on the test's clock, which moves in
// steps: a strict window, not a bucket with a small burst, is what they
// promise.
func (f *floodControl) stats(global, perChat float64) (passed, tooMany int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	sends := append([]pacedSend(nil), f.sends...)
	sort.SliceStable(sends, func(i, j int) bool { return sends[i].at.Before(sends[j].at) })
	var window []time.Time // the passed sends of the last second
	chats := map[string]*rate.Limiter{}
	for _, s := range sends {
		c := chats[s.chat]
		if c == nil {
			c = rate.NewLimiter(rate.Limit(perChat), 3)
			chats[s.chat] = c
		}
		for len(window) > 0 && !window[0].After(s.at.Add(-time.Second)) {
			window = window[1:]
		}
		if float64(len(window)) >= global || c.TokensAt(s.at) < 1 {
			tooMany++
			continue
		}
		window = append(window, s.at)
		c.AllowN(s.at, 1)
		passed++
	}
	return passed, tooMany + f.unpaced
}
