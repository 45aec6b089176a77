package outbox

import (
	"context"
	"errors"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Limiter paces sends: one global rate across all chats (BROADCAST_RATE,
// or this replica's share of it, see SetRate) and one per chat. The
// per-chat limiters live in a bounded map: a limiter that has been idle
// long enough to be full again is the same as a new one, so such entries
// are evicted when the map grows past its bound.
//
// After a 429 the global pace slows (Backoff: halved, at most once a
// second, down to a tenth) and recovers gradually (5% of the rate a
// second, so from half to full in 10 s).
//
// All of it is measured on the limiter's Clock: a test moves that clock
// and checks the pace in its time.
type Limiter struct {
	clock     Clock
	global    *rate.Limiter
	chatLimit func(chat string) (rate.Limit, int)
	max       int

	mu    sync.Mutex
	chats map[string]*chatLimiter

	pmu       sync.Mutex
	share     float64   // messages/s this limiter may send (its share of the global rate)
	factor    float64   // 0.1–1: the slowdown after 429s
	factorAt  time.Time // when factor was last brought up to date
	backoffAt time.Time // the last Backoff that took effect
}

// The global pace's slowdown after 429s.
const (
	backoffFactor    = 0.5
	minFactor        = 0.1
	recoverPerSecond = 0.05
	backoffHold      = time.Second // 429s within this time of a backoff count once
)

type chatLimiter struct {
	lim         *rate.Limiter
	pausedUntil time.Time
}

// NewLimiter paces at most perSecond sends in total (with a burst of
// burst), and per chat as chatLimit says, on clock (nil: the machine's);
// it keeps at most maxChats idle chat limiters.
func NewLimiter(clock Clock, perSecond float64, burst int, chatLimit func(chat string) (rate.Limit, int), maxChats int) *Limiter {
	if clock == nil {
		clock = SystemClock{}
	}
	if burst < 1 {
		burst = 1
	}
	if maxChats < 1 {
		maxChats = 10000
	}
	return &Limiter{
		clock:     clock,
		global:    rate.NewLimiter(rate.Limit(perSecond), burst),
		chatLimit: chatLimit,
		max:       maxChats,
		chats:     map[string]*chatLimiter{},
		share:     perSecond,
		factor:    1,
		factorAt:  clock.Now(),
	}
}

// SetRate sets the global pace to perSecond (a replica's share of
// BROADCAST_RATE), keeping a slowdown in progress; the burst becomes a
// tenth of a second's worth, at least 1.
func (l *Limiter) SetRate(perSecond float64) {
	if perSecond <= 0 {
		return
	}
	l.pmu.Lock()
	defer l.pmu.Unlock()
	l.share = perSecond
	l.global.SetBurst(max(1, int(perSecond/10)))
	l.applyLocked(l.clock.Now())
}

// Backoff slows the global pace after a 429: halved, down to a tenth of
// the rate; several 429s within a second count as one.
func (l *Limiter) Backoff() {
	l.pmu.Lock()
	defer l.pmu.Unlock()
	now := l.clock.Now()
	l.recoverLocked(now)
	if !l.backoffAt.IsZero() && now.Sub(l.backoffAt) < backoffHold {
		return
	}
	l.backoffAt = now
	l.factor = max(minFactor, l.factor*backoffFactor)
	l.applyLocked(now)
}

// Rate is the global pace now (messages/s).
func (l *Limiter) Rate() float64 {
	l.pmu.Lock()
	defer l.pmu.Unlock()
	l.recoverLocked(l.clock.Now())
	return l.share * l.factor
}

// Share is the pace set by SetRate, without the slowdown.
func (l *Limiter) Share() float64 {
	l.pmu.Lock()
	defer l.pmu.Unlock()
	return l.share
}

// pace brings a slowdown's recovery up to date before a send.
func (l *Limiter) pace() {
	l.pmu.Lock()
	defer l.pmu.Unlock()
	if l.factor < 1 {
		l.applyLocked(l.clock.Now())
	}
}

func (l *Limiter) recoverLocked(now time.Time) {
	if l.factor < 1 {
		l.factor = min(1, l.factor+now.Sub(l.factorAt).Seconds()*recoverPerSecond)
	}
	l.factorAt = now
}

func (l *Limiter) applyLocked(now time.Time) {
	l.recoverLocked(now)
	if r := rate.Limit(l.share * l.factor); l.global.Limit() != r {
		l.global.SetLimitAt(now, r)
	}
}

// Wait blocks until one message may go to chat (a key unique across
// channels); perChat false skips the per-chat pace (callback answers). It
// returns the time on the limiter's clock the message was paced for.
func (l *Limiter) Wait(ctx context.Context, chat string, perChat bool) (time.Time, error) {
	if perChat {
		c := l.chat(chat)
		l.mu.Lock()
		until := c.pausedUntil
		l.mu.Unlock()
		if err := l.clock.Sleep(ctx, until.Sub(l.clock.Now())); err != nil {
			return time.Time{}, err
		}
		if _, err := l.take(ctx, c.lim); err != nil {
			return time.Time{}, err
		}
	}
	l.pace()
	if gate, ok := ctx.Value(gateKey{}).(chan struct{}); ok {
		// Bulk sends wait for the global pace one at a time, so a reply
		// queues behind at most one of them, not behind all.
		select {
		case gate <- struct{}{}:
		case <-ctx.Done():
			return time.Time{}, ctx.Err()
		}
		defer func() { <-gate }()
	}
	return l.take(ctx, l.global)
}

var errNoToken = errors.New("outbox: the limiter's burst is below one message")

// take waits on the limiter's clock for one token of lim and returns when
// it was due.
func (l *Limiter) take(ctx context.Context, lim *rate.Limiter) (time.Time, error) {
	now := l.clock.Now()
	r := lim.ReserveN(now, 1)
	if !r.OK() {
		return time.Time{}, errNoToken
	}
	d := r.DelayFrom(now)
	if err := l.clock.Sleep(ctx, d); err != nil {
		r.CancelAt(l.clock.Now())
		return time.Time{}, err
	}
	return now.Add(d), nil
}

type gateKey struct{}

// withGate marks ctx's sends as bulk: they take the global pace through
// gate (a channel of capacity 1), one at a time.
func withGate(ctx context.Context, gate chan struct{}) context.Context {
	return context.WithValue(ctx, gateKey{}, gate)
}

// Pause holds a chat for d (after a 429 with retry_after).
func (l *Limiter) Pause(chat string, d time.Duration) {
	c := l.chat(chat)
	l.mu.Lock()
	if until := l.clock.Now().Add(d); until.After(c.pausedUntil) {
		c.pausedUntil = until
	}
	l.mu.Unlock()
}

// Len is the number of chat limiters held.
func (l *Limiter) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.chats)
}

func (l *Limiter) chat(chat string) *chatLimiter {
	l.mu.Lock()
	defer l.mu.Unlock()
	if c, ok := l.chats[chat]; ok {
		return c
	}
	if len(l.chats) >= l.max {
		l.evictLocked()
	}
	r, b := rate.Limit(1), 1
	if l.chatLimit != nil {
		r, b = l.chatLimit(chat)
	}
	c := &chatLimiter{lim: rate.NewLimiter(r, b)}
	l.chats[chat] = c
	return c
}

// evictLocked drops the chat limiters that are full again and not paused;
// if none is, it drops an arbitrary half (the pace of those chats restarts
// from a full bucket: at worst a short burst more).
func (l *Limiter) evictLocked() {
	now := l.clock.Now()
	for k, c := range l.chats {
		if now.After(c.pausedUntil) && c.lim.TokensAt(now) >= float64(c.lim.Burst()) {
			delete(l.chats, k)
		}
	}
	if len(l.chats) < l.max {
		return
	}
	n := len(l.chats) / 2
	for k := range l.chats {
		if n == 0 {
			break
		}
		delete(l.chats, k)
		n--
	}
}
