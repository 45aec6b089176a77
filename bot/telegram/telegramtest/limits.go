package telegramtest

import (
	"math"
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
	// RetryAfter is the seconds in the 429 answers; 0: the time until the
	// message would pass, rounded up to a second, as Telegram answers.
	RetryAfter int
	// Strict makes the global limit a sliding window instead of a bucket:
	// at most floor(Global) messages in any rolling second, no burst at
	// all (GlobalBurst is not used). It is the strictest reading of "30
	// messages per second": a sender that passes it passes Telegram.
	Strict bool
}

// bucket is one GCRA token bucket: tat is the theoretical arrival time of
// the next message at the bucket's rate.
type bucket struct{ tat time.Time }

func interval(perSecond float64) time.Duration {
	return time.Duration(float64(time.Second) / perSecond)
}

// wait is how long from now until one message may pass at perSecond with
// burst; 0: it may pass now.
func (b *bucket) wait(now time.Time, perSecond float64, burst int) time.Duration {
	tolerance := time.Duration(burst-1) * interval(perSecond)
	return max(0, b.tat.Add(-tolerance).Sub(now))
}

// take counts one message at now.
func (b *bucket) take(now time.Time, perSecond float64) {
	if b.tat.Before(now) {
		b.tat = now
	}
	b.tat = b.tat.Add(interval(perSecond))
}

type limiter struct {
	Limits
	global  bucket
	window  window // the global limit when Strict
	chats   map[string]*bucket
	passed  int
	tooMany int
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
	s.mu.Lock()
	defer s.mu.Unlock()
	if l.Global <= 0 && l.PerChat <= 0 {
		s.limits = nil
		return
	}
	s.limits = &limiter{Limits: l, chats: map[string]*bucket{}}
}

// Limits returns the limits flood control enforces, defaults filled in
// (zero: off).
func (s *Server) Limits() Limits {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.limits == nil {
		return Limits{}
	}
	return s.limits.Limits
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

// limitLocked applies flood control to a call addressed to a chat: a
// message passes only if both its chat's bucket and the global one allow
// it, and then takes from both.
func (s *Server) limitLocked(c Call) (Reply, bool) {
	l := s.limits
	if l == nil || !isSend(c.Method) {
		return Reply{}, false
	}
	chat := c.Get("chat_id")
	now := s.now() // under the lock: the buckets see time in order
	cb := l.chats[chat]
	if cb == nil {
		cb = &bucket{}
		l.chats[chat] = cb
	}
	chatRate := l.PerChat
	if strings.HasPrefix(chat, "-") {
		chatRate = l.GroupPerMinute / 60
	}
	var globalWait, chatWait time.Duration
	switch {
	case l.Global > 0 && l.Strict:
		globalWait = l.window.wait(now, l.Global)
	case l.Global > 0:
		globalWait = l.global.wait(now, l.Global, l.GlobalBurst)
	}
	if chatRate > 0 {
		chatWait = cb.wait(now, chatRate, l.PerChatBurst)
	}
	if wait := max(globalWait, chatWait); wait > 0 {
		l.tooMany++
		s.stats.TooMany++
		if chatWait > 0 {
			s.stats.TooManyChat++
		}
		retry := l.RetryAfter
		if retry <= 0 {
			retry = max(1, int(math.Ceil(wait.Seconds())))
		}
		return TooManyRequests(retry), true
	}
	switch {
	case l.Global > 0 && l.Strict:
		l.window.take(now)
	case l.Global > 0:
		l.global.take(now, l.Global)
	}
	if chatRate > 0 {
		cb.take(now, chatRate)
	}
	l.passed++
	return Reply{}, false
}

// window is a sliding window of the messages passed in the last second.
type window struct{ passed []time.Time }

// wait is how long from now until one more message fits: at most
// floor(perSecond) in any second (now-1s, now].
func (w *window) wait(now time.Time, perSecond float64) time.Duration {
	n := max(1, int(math.Floor(perSecond)))
	from := now.Add(-time.Second)
	i := 0
	for i < len(w.passed) && !w.passed[i].After(from) {
		i++
	}
	w.passed = w.passed[i:]
	if len(w.passed) < n {
		return 0
	}
	// The message fits once the oldest that fills the window has left it.
	return max(time.Nanosecond, w.passed[len(w.passed)-n].Add(time.Second).Sub(now))
}

func (w *window) take(now time.Time) { w.passed = append(w.passed, now) }
