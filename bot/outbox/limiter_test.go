package outbox_test

import (
	"context"
	"fmt"
	"math"
	"sync"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"electionbot/bot/outbox"
	"electionbot/bot/outbox/outboxtest"
)

var t0 = time.Date(2022, 6, 5, 7, 0, 0, 0, time.UTC)

// maxInAnySecond is the most times in any rolling second [t, t+1s).
func maxInAnySecond(times []time.Time) int {
	most := 0
	for i := range times {
		n := 0
		for j := i; j < len(times) && times[j].Sub(times[i]) < time.Second; j++ {
			n++
		}
		most = max(most, n)
	}
	return most
}

// withinRateAtPace fails t if more than rate of times fall in one rolling
// second, or if their pace is under 0.95 of rate.
func withinRateAtPace(t *testing.T, times []time.Time, rate float64, what string) {
	t.Helper()
	if got := maxInAnySecond(times); float64(got) > rate {
		t.Fatalf("%d sends %s in one rolling second, limit %v", got, what, rate)
	}
	pace := float64(len(times)-1) / times[len(times)-1].Sub(times[0]).Seconds()
	t.Logf("pace %.2f/s (%.3f of %v)", pace, pace/rate, rate)
	if pace < 0.95*rate {
		t.Fatalf("pace %.2f/s, want at least 0.95 of %v", pace, rate)
	}
}

// paced runs n waits of the limiter on chats chat(i), conc at once, and
// returns the times the sends arrive, in order: when the waits return
// (when the sends start), or, given call, up(i) later; a call ends down(i)
// after it arrives and tells the limiter (Done). The limiter paces on
// clk, or on a clock that wraps it (lclk: late wake-ups); the test moves
// clk to the next sleeper only once every wait or call under way sleeps,
// so none wakes later than its clock asks. It fails the test if a wait
// reports a time other than the one it returns at (PacedAt must be when
// the send starts).
func paced(t *testing.T, clk *outboxtest.Clock, lclk outbox.Clock, perSecond float64, n, conc int, chat func(i int) string,
	call func(i int) (up, down time.Duration)) []time.Time {
	t.Helper()
	if lclk == nil {
		lclk = clk
	}
	l := outbox.NewLimiter(lclk, perSecond, func(string) (rate.Limit, int) { return 1, 3 }, 100000)
	var (
		mu      sync.Mutex
		times   []time.Time
		live    int // waits under way
		spawned int
	)
	spawn := func(i int) { // under mu
		live++
		go func() {
			at, err := l.Wait(context.Background(), chat(i), true)
			now := clk.Now()
			if err != nil {
				t.Error(err)
			} else if !at.Equal(now) {
				t.Errorf("wait %d paced at %v, returned at %v", i, at.Sub(t0), now.Sub(t0))
			}
			if call != nil && err == nil {
				up, down := call(i)
				clk.Sleep(context.Background(), up)
				now = clk.Now()
				clk.Sleep(context.Background(), down)
				l.Done(at)
			}
			mu.Lock()
			times = append(times, now)
			live--
			mu.Unlock()
			clk.Events().Add()
		}()
	}
	clk.Events().WaitFor(t, "all paced", 10*n+100000, func() bool {
		mu.Lock()
		defer mu.Unlock()
		for spawned < n && live < conc {
			spawn(spawned)
			spawned++
		}
		if len(times) == n {
			return true
		}
		if live > 0 && clk.Sleepers() == live {
			clk.Step()
		}
		return false
	})
	sortTimes(times)
	return times
}

func sortTimes(ts []time.Time) {
	for i := 1; i < len(ts); i++ {
		for j := i; j > 0 && ts[j].Before(ts[j-1]); j-- {
			ts[j], ts[j-1] = ts[j-1], ts[j]
		}
	}
}

// A simulated broadcast never has more than the rate in any rolling
// second, from the first one (no burst at the start), at the full pace
// less the headroom.
func TestLimiterNeverExceedsTheRateInAnySecond(t *testing.T) {
	for _, tc := range []struct {
		rate float64
		n    int
		conc int
	}{{30, 400, 32}, {30, 50, 1}, {1000, 3000, 64}, {7.5, 60, 8}} {
		t.Run(fmt.Sprint(tc.rate), func(t *testing.T) {
			clk := outboxtest.NewClock(t0)
			times := paced(t, clk, nil, tc.rate, tc.n, tc.conc, func(i int) string { return fmt.Sprint("c", i) }, nil)
			if got := maxInAnySecond(times); float64(got) > tc.rate {
				t.Fatalf("%d sends in one rolling second, limit %v", got, tc.rate)
			}
			if got := maxInAnySecond(times[:min(len(times), int(tc.rate)+1)]); float64(got) > tc.rate {
				t.Fatalf("a burst at the start: %d in the first second", got)
			}
			// At most floor(rate) in a second: 7 at 7.5/s.
			full := math.Floor(tc.rate)
			pace := float64(len(times)-1) / times[len(times)-1].Sub(times[0]).Seconds()
			if pace < 0.95*full || pace > tc.rate {
				t.Fatalf("pace %.2f/s, want 0.95–1 of %v", pace, full)
			}
		})
	}
}

// lateClock wakes some sleepers late: those whose deadline is the
// late(i)-th slot of a pace of every, by extra. A loaded machine does the
// same to a sender between its slot and its call.
type lateClock struct {
	*outboxtest.Clock
	every time.Duration
	extra time.Duration
	late  func(slot int) bool
}

func (c lateClock) Sleep(ctx context.Context, d time.Duration) error {
	if d > 0 && c.late(int(math.Round(float64(c.Now().Add(d).Sub(t0))/float64(c.every)))) {
		d += c.extra
	}
	return c.Clock.Sleep(ctx, d)
}

// Sends that start late (a wake-up 40 ms after the slot, some 0.2 ms) still
// never make more than the rate in a rolling second at the times they
// start, which is what Telegram counts: the pace is kept on those times,
// not on the slots it handed out. Before, a send 40 ms late and the one
// 30 slots after it on time made 31 in one second at 30/s.
func TestLimiterLateSendsStayWithinTheRate(t *testing.T) {
	for _, tc := range []struct {
		rate  float64
		n     int
		conc  int
		extra time.Duration
		late  func(slot int) bool
	}{
		{30, 300, 32, 40 * time.Millisecond, func(i int) bool { return i%7 == 3 }},
		{30, 300, 32, 40 * time.Millisecond, func(i int) bool { return i == 40 }},
		{30, 300, 2, 200 * time.Microsecond, func(int) bool { return true }},
		{1000, 3000, 64, 40 * time.Millisecond, func(i int) bool { return i%97 == 5 }},
		{1000, 3000, 64, 60 * time.Millisecond, func(i int) bool { return i >= 100 && i < 150 }}, // a stall
	} {
		t.Run(fmt.Sprint(tc.rate, "/", tc.extra), func(t *testing.T) {
			clk := outboxtest.NewClock(t0)
			every := time.Duration(float64(time.Second) / (tc.rate * 0.97))
			lclk := lateClock{Clock: clk, every: every, extra: tc.extra, late: tc.late}
			times := paced(t, clk, lclk, tc.rate, tc.n, tc.conc, func(i int) string { return fmt.Sprint("c", i) }, nil)
			withinRateAtPace(t, times, tc.rate, "started")
		})
	}
}

// A call that reaches the API late (a loaded machine held it 60 ms on its
// way) still leaves at most the rate in any rolling second where the API
// counts: once it ends, 60 ms later than the quickest calls, the pace
// counts it from as late as it may have arrived. Before, the send 30
// slots after it arrived within the same second at 30/s.
func TestLimiterSlowCallsStayWithinTheRate(t *testing.T) {
	const ms = time.Millisecond
	for _, tc := range []struct {
		rate float64
		n    int
		call func(i int) (up, down time.Duration)
	}{
		{30, 300, func(i int) (time.Duration, time.Duration) {
			if i%7 == 3 {
				return 60 * ms, ms / 2
			}
			return ms / 2, ms / 2
		}},
		{30, 300, func(int) (time.Duration, time.Duration) { return 150 * ms, 150 * ms }}, // a distant API: no cost
		{1000, 3000, func(i int) (time.Duration, time.Duration) {
			if i >= 100 && i < 150 {
				return 60 * ms, ms / 2
			}
			return ms / 2, ms / 2
		}},
	} {
		t.Run(fmt.Sprint(tc.rate), func(t *testing.T) {
			clk := outboxtest.NewClock(t0)
			conc := min(int(tc.rate)+2, 100)
			arrived := paced(t, clk, nil, tc.rate, tc.n, conc, func(i int) string { return fmt.Sprint("c", i) }, tc.call)
			withinRateAtPace(t, arrived, tc.rate, "arrived")
		})
	}
}

// A 429 that the chat explains (it had a message paced within its own
// interval before) pauses that chat only: the global pace is unchanged.
// One that the chat does not explain slows the global pace by a tenth,
// and it recovers within a few seconds.
func TestLimiter429(t *testing.T) {
	clk := outboxtest.NewClock(t0)
	l := outbox.NewLimiter(clk, 30, func(string) (rate.Limit, int) { return 1, 3 }, 100)
	ctx := context.Background()
	// Chat a: two messages 100 ms apart, the second refused.
	if _, err := l.Wait(ctx, "a", true); err != nil {
		t.Fatal(err)
	}
	clk.Advance(100 * time.Millisecond)
	at, err := l.Wait(ctx, "a", true)
	if err != nil {
		t.Fatal(err)
	}
	if l.GlobalLimited("a", at) {
		t.Fatal("a chat's second message within its second: the 429 is the chat's")
	}
	// Chat b: one message, its first in a while, refused: global.
	clk.Advance(2 * time.Second)
	atB, err := l.Wait(ctx, "b", true)
	if err != nil {
		t.Fatal(err)
	}
	if !l.GlobalLimited("b", atB) {
		t.Fatal("a chat's first message: the 429 is the global limit's")
	}
	// The same with a 1.5 s gap in chat a: it had its allowance back.
	clk.Advance(1500 * time.Millisecond)
	atA, _ := l.Wait(ctx, "a", true)
	if !l.GlobalLimited("a", atA) {
		t.Fatal("a chat idle for 1.5 s: the 429 is the global limit's")
	}
}

// The outbox applies the rule: a per-chat 429 pauses the chat and leaves
// the global pace as it was; a global one slows it ×0.9, and it is back
// to the full pace within a few seconds of the clock.
func TestLimiterBackoffRecovers(t *testing.T) {
	clk := outboxtest.NewClock(t0)
	l := outbox.NewLimiter(clk, 100, nil, 10)
	l.SetRate(50)
	if got := l.Rate(); got != 50 {
		t.Fatalf("rate %v", got)
	}
	l.Pause("a", time.Second) // a per-chat 429
	if got := l.Rate(); got != 50 {
		t.Fatalf("a chat's pause changed the global pace: %v", got)
	}
	if got := l.PausedFor("a"); got != time.Second {
		t.Fatalf("chat paused for %v", got)
	}
	l.Backoff()
	l.Backoff() // within a second: counts once
	if got := l.Rate(); got < 44.9 || got > 45.1 {
		t.Fatalf("after a global 429: %v, want 45", got)
	}
	clk.Advance(time.Second)
	if got := l.Rate(); got <= 45 || got >= 50 {
		t.Fatalf("recovering: %v", got)
	}
	clk.Advance(time.Second)
	if got := l.Rate(); got != 50 {
		t.Fatalf("2 s after: %v, want 50", got)
	}
	for i := 0; i < 100; i++ {
		l.Backoff()
		clk.Advance(1100 * time.Millisecond)
	}
	if got := l.Rate(); got < 5 {
		t.Fatalf("below a tenth: %v", got)
	}
}
