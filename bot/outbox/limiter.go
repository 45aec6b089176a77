package outbox

import (
	"context"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Limiter paces sends: one global pace across all chats (BROADCAST_RATE,
// or this replica's share of it, see SetRate) and one per chat. The
// per-chat limiters live in a bounded map: a limiter that has been idle
// long enough to be full again is the same as a new one, so such entries
// are evicted when the map grows past its bound.
//
// The global pace is strict (see pace.go): never more than the rate in
// any rolling second, no burst at the start, the slots evenly spaced. A
// 429 slows it only when it is not the chat's own doing (GlobalLimited);
// it then recovers within seconds.
//
// All of it is measured on the limiter's Clock: a test moves that clock
// and checks the pace in its time.
type Limiter struct {
	clock     Clock
	global    pace
	chatLimit func(chat string) (rate.Limit, int)
	max       int

	mu    sync.Mutex
	chats map[string]*chatLimiter
}

type chatLimiter struct {
	lim         *rate.Limiter
	pausedUntil time.Time
	// starts are the chat's last paced sends (newest last): whether a 429
	// is the chat's own doing.
	starts [3]time.Time
}

// NewLimiter paces at most perSecond sends in total, and per chat as
// chatLimit says, on clock (nil: the machine's); it keeps at most
// maxChats idle chat limiters.
func NewLimiter(clock Clock, perSecond float64, chatLimit func(chat string) (rate.Limit, int), maxChats int) *Limiter {
	if clock == nil {
		clock = SystemClock{}
	}
	if maxChats < 1 {
		maxChats = 10000
	}
	l := &Limiter{clock: clock, chatLimit: chatLimit, max: maxChats, chats: map[string]*chatLimiter{}}
	l.global.init(clock.Now(), perSecond)
	return l
}

// SetRate sets the global pace to perSecond (a replica's share of
// BROADCAST_RATE), keeping a slowdown in progress.
func (l *Limiter) SetRate(perSecond float64) { l.global.setShare(l.clock.Now(), perSecond) }

// Backoff slows the global pace after a global 429 (×0.9, down to a
// tenth; several within a second count once); it recovers by 5% of the
// rate a second.
func (l *Limiter) Backoff() { l.global.backoff(l.clock.Now()) }

// Rate is the global pace now (messages/s).
func (l *Limiter) Rate() float64 { return l.global.rate(l.clock.Now()) }

// Share is the pace set by SetRate, without the slowdown.
func (l *Limiter) Share() float64 { return l.global.shareNow() }

// Wait blocks until one message may go to chat (a key unique across
// channels); perChat false skips the per-chat pace (callback answers). It
// returns the time on the limiter's clock the message starts: the caller
// sends it at once.
func (l *Limiter) Wait(ctx context.Context, chat string, perChat bool) (time.Time, error) {
	if perChat {
		if err := l.WaitChat(ctx, chat); err != nil {
			return time.Time{}, err
		}
	}
	at, err := l.WaitGlobal(ctx)
	if err != nil {
		return time.Time{}, err
	}
	if perChat {
		l.started(chat, at)
	}
	return at, nil
}

// WaitChat waits for chat's own pace (and the end of a pause after its
// 429), not for the global one.
func (l *Limiter) WaitChat(ctx context.Context, chat string) error {
	c := l.chat(chat)
	l.mu.Lock()
	until := c.pausedUntil
	l.mu.Unlock()
	if err := l.clock.Sleep(ctx, until.Sub(l.clock.Now())); err != nil {
		return err
	}
	now := l.clock.Now()
	r := c.lim.ReserveN(now, 1)
	if !r.OK() {
		return nil // a burst below one: no per-chat pace
	}
	if err := l.clock.Sleep(ctx, r.DelayFrom(now)); err != nil {
		r.CancelAt(l.clock.Now())
		return err
	}
	return nil
}

// WaitGlobal waits for a slot of the global pace and returns the time the
// send starts: its slot, or later if it woke late (the caller makes its
// call at once).
// Bulk sends (ctx from withGate) take their slots one at a time, and only
// while the slots already handed out reach at most bulkHorizon ahead: a
// reply, which takes the next free slot at once, waits behind at most
// that much of a broadcast, and the broadcast keeps a few slots in hand
// so that a late wake-up does not cost its pace.
func (l *Limiter) WaitGlobal(ctx context.Context) (time.Time, error) {
	var at time.Time
	if gate, ok := ctx.Value(gateKey{}).(chan struct{}); ok {
		select {
		case gate <- struct{}{}:
		case <-ctx.Done():
			return time.Time{}, ctx.Err()
		}
		horizon := max(bulkHorizon, 2*time.Duration(float64(time.Second)/max(l.Rate(), 1e-3)))
		for {
			now := l.clock.Now()
			wait := l.global.ahead(now) - horizon
			if wait <= 0 {
				at = l.global.reserve(now)
				break
			}
			if err := l.clock.Sleep(ctx, wait); err != nil {
				<-gate
				return time.Time{}, err
			}
		}
		<-gate
	} else {
		at = l.global.reserve(l.clock.Now())
	}
	for {
		if err := l.clock.Sleep(ctx, at.Sub(l.clock.Now())); err != nil {
			// The slot stays taken: the pace is only ever slower for it.
			return time.Time{}, err
		}
		// Counted when the send starts, not at its slot: a late wake-up
		// must not put more than the rate in a second where Telegram
		// counts (at arrival).
		start, ok := l.global.start(at, l.clock)
		if ok {
			return start, nil
		}
		at = start
	}
}

// Done tells the global pace that the call of the send that started at
// at (WaitGlobal's time) has ended, whatever its outcome: a slow call
// counts as late as it may have arrived.
func (l *Limiter) Done(at time.Time) { l.global.ended(at, l.clock) }

// bulkHorizon is how far ahead bulk sends may hold slots of the global
// pace (at least two slots).
const bulkHorizon = 20 * time.Millisecond

// started records that a message to chat was paced at at.
func (l *Limiter) started(chat string, at time.Time) {
	c := l.chat(chat)
	l.mu.Lock()
	defer l.mu.Unlock()
	copy(c.starts[:], c.starts[1:])
	c.starts[len(c.starts)-1] = at
}

// GlobalLimited tells whether a 429 to the message paced at at for chat
// was the global limit's: it was, unless the chat had another message
// paced within one interval of its own pace (1 s for a private chat)
// before it. A chat that sent nothing for that long has at least one
// message of allowance again (its pace is a bucket filling at that
// rate), so its 429 cannot be its own: the bot as a whole went too fast.
func (l *Limiter) GlobalLimited(chat string, at time.Time) bool {
	c := l.chat(chat)
	l.mu.Lock()
	defer l.mu.Unlock()
	iv := time.Second
	if r := c.lim.Limit(); r != rate.Inf && r > 0 {
		iv = time.Duration(float64(time.Second) / float64(r))
	}
	for _, s := range c.starts {
		if !s.IsZero() && s.Before(at) && at.Sub(s) < iv {
			return false
		}
	}
	return true
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

// PausedFor is how long chat is still paced after a 429 (0: not paused).
func (l *Limiter) PausedFor(chat string) time.Duration {
	c := l.chat(chat)
	l.mu.Lock()
	defer l.mu.Unlock()
	return max(0, c.pausedUntil.Sub(l.clock.Now()))
}

type gateKey struct{}

// withGate marks ctx's sends as bulk: they take the global pace through
// gate (a channel of capacity 1), one at a time.
func withGate(ctx context.Context, gate chan struct{}) context.Context {
	return context.WithValue(ctx, gateKey{}, gate)
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
