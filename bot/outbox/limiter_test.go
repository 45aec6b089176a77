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

// paced runs n waits of the limiter on chats chat(i), conc at once, the
// clock driven by the test, and returns the times they were paced at, in
// order.
func paced(t *testing.T, clk *outboxtest.Clock, l *outbox.Limiter, n, conc int, chat func(i int) string) []time.Time {
	t.Helper()
	var (
		mu    sync.Mutex
		times []time.Time
		wg    sync.WaitGroup
	)
	sem := make(chan struct{}, conc)
	for i := 0; i < n; i++ {
		sem <- struct{}{}
		wg.Add(1)
		go func(i int) {
			defer func() { <-sem; wg.Done() }()
			at, err := l.Wait(context.Background(), chat(i), true)
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			times = append(times, at)
			mu.Unlock()
			clk.Events().Add()
		}(i)
		// Let the waits pile up, then move the clock to the next sleeper.
		clk.AdvanceUntil(t, "a free sender", time.Minute, 100000, func() bool { return len(sem) < conc })
	}
	clk.AdvanceUntil(t, "all paced", time.Minute, 100000, func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(times) == n
	})
	wg.Wait()
	for i := 1; i < len(times); i++ {
		if times[i].Before(times[i-1]) {
			// Paced times come in order of the slots, not of the appends.
			mu.Lock()
			sortTimes(times)
			mu.Unlock()
			break
		}
	}
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
			l := outbox.NewLimiter(clk, tc.rate, func(string) (rate.Limit, int) { return 1, 3 }, 100000)
			times := paced(t, clk, l, tc.n, tc.conc, func(i int) string { return fmt.Sprint("c", i) })
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
