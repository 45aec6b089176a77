package outbox

import (
	"context"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Limiter paces sends: one global rate across all chats (BROADCAST_RATE)
// and one per chat. The per-chat limiters live in a bounded map: a limiter
// that has been idle long enough to be full again is the same as a new one,
// so such entries are evicted when the map grows past its bound.
type Limiter struct {
	global    *rate.Limiter
	chatLimit func(chat string) (rate.Limit, int)
	max       int

	mu    sync.Mutex
	chats map[string]*chatLimiter
}

type chatLimiter struct {
	lim         *rate.Limiter
	pausedUntil time.Time
}

// NewLimiter paces at most perSecond sends in total (with a burst of
// burst), and per chat as chatLimit says; it keeps at most maxChats idle
// chat limiters.
func NewLimiter(perSecond float64, burst int, chatLimit func(chat string) (rate.Limit, int), maxChats int) *Limiter {
	if burst < 1 {
		burst = 1
	}
	if maxChats < 1 {
		maxChats = 10000
	}
	return &Limiter{
		global:    rate.NewLimiter(rate.Limit(perSecond), burst),
		chatLimit: chatLimit,
		max:       maxChats,
		chats:     map[string]*chatLimiter{},
	}
}

// Wait blocks until one message may go to chat (a key unique across
// channels); perChat false skips the per-chat pace (callback answers).
func (l *Limiter) Wait(ctx context.Context, chat string, perChat bool) error {
	if perChat {
		c := l.chat(chat)
		l.mu.Lock()
		until := c.pausedUntil
		l.mu.Unlock()
		if d := time.Until(until); d > 0 {
			if err := sleep(ctx, d); err != nil {
				return err
			}
		}
		if err := c.lim.Wait(ctx); err != nil {
			return err
		}
	}
	return l.global.Wait(ctx)
}

// Pause holds a chat for d (after a 429 with retry_after).
func (l *Limiter) Pause(chat string, d time.Duration) {
	c := l.chat(chat)
	l.mu.Lock()
	if until := time.Now().Add(d); until.After(c.pausedUntil) {
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
	now := time.Now()
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

func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
