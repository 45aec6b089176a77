package telegramtest

import (
	"strings"
	"time"
)

// Limits makes the fake answer like Telegram's flood control: a message
// (any send* method) that comes faster than these rates is refused with
// 429 Too Many Requests and retry_after. Each rate is a token bucket (GCRA):
// over any long stretch at most Rate messages a second pass, and at most
// Burst of them at once; a refused message does not count.
//
// Telegram documents "about 30 messages per second" for a bot overall, one
// message a second in a private chat ("short bursts are tolerated") and 20 a
// minute in a group. The default bursts give a sender that paces itself at
// exactly the rate room for 200 ms of network jitter overall and for bursts
// of 3 in a chat.
type Limits struct {
	Global       float64 // messages a second across all chats (0: no global limit)
	GlobalBurst  int     // [max(3, Global/5)]
	PerChat      float64 // messages a second in one private chat (0: no per-chat limit)
	PerChatBurst int     // [3]
	// GroupPerMinute is the pace in a group chat (a negative chat id) [20].
	GroupPerMinute float64
	RetryAfter     int // seconds in the 429 answers [1]
}

type bucket struct{ tat time.Time }

// allow is GCRA: one message at now, at rate per second with burst.
func (b *bucket) allow(now time.Time, perSecond float64, burst int) bool {
	interval := time.Duration(float64(time.Second) / perSecond)
	tolerance := time.Duration(burst-1) * interval
	if now.Before(b.tat.Add(-tolerance)) {
		return false
	}
	if b.tat.Before(now) {
		b.tat = now
	}
	b.tat = b.tat.Add(interval)
	return true
}

type limiter struct {
	Limits
	global bucket
	chats  map[string]*bucket
	tooMany,
	passed int
}

// EnforceLimits turns flood control on (zero Limits turn it off).
func (s *Server) EnforceLimits(l Limits) {
	if l.GlobalBurst <= 0 {
		l.GlobalBurst = max(3, int(l.Global/5))
	}
	if l.PerChatBurst <= 0 {
		l.PerChatBurst = 3
	}
	if l.GroupPerMinute <= 0 {
		l.GroupPerMinute = 20
	}
	if l.RetryAfter <= 0 {
		l.RetryAfter = 1
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if l.Global <= 0 && l.PerChat <= 0 {
		s.limits = nil
		return
	}
	s.limits = &limiter{Limits: l, chats: map[string]*bucket{}}
}

// FloodStats returns how many messages flood control let through and how
// many it refused with 429 since EnforceLimits.
func (s *Server) FloodStats() (passed, tooMany int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.limits == nil {
		return 0, 0
	}
	return s.limits.passed, s.limits.tooMany
}

// limitLocked applies flood control to a call addressed to a chat.
func (s *Server) limitLocked(c Call) (Reply, bool) {
	l := s.limits
	if l == nil || !strings.HasPrefix(c.Method, "send") {
		return Reply{}, false
	}
	chat := c.Get("chat_id")
	now := time.Now()
	cb := l.chats[chat]
	if cb == nil {
		cb = &bucket{}
		l.chats[chat] = cb
	}
	// Check both before taking from either.
	g, k := l.global, *cb
	ok := true
	if l.Global > 0 {
		ok = g.allow(now, l.Global, l.GlobalBurst)
	}
	if ok && strings.HasPrefix(chat, "-") {
		ok = k.allow(now, l.GroupPerMinute/60, l.PerChatBurst)
	} else if ok && l.PerChat > 0 {
		ok = k.allow(now, l.PerChat, l.PerChatBurst)
	}
	if !ok {
		l.tooMany++
		return TooManyRequests(l.RetryAfter), true
	}
	l.global, *cb = g, k
	l.passed++
	return Reply{}, false
}
