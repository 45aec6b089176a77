// Package outboxtest helps test what paces itself on an outbox.Clock: a
// clock the test moves, and waits whose deadline is counted in events (a
// sleeper comes, the time moves, a message is sent), not in the machine's
// seconds.
package outboxtest

import (
	"context"
	"sync"
	"testing"
	"time"
)

// Clock is an outbox.Clock that moves only when the test moves it
// (Advance, Set, AdvanceUntil). Its Sleep returns once the clock has
// reached the sleeper's deadline. Safe for concurrent use.
type Clock struct {
	mu       sync.Mutex
	now      time.Time
	sleepers []*sleeper
	events   Events // a sleeper comes, the time moves
}

type sleeper struct {
	until time.Time
	wake  chan struct{}
}

// NewClock is a clock at t.
func NewClock(t time.Time) *Clock { return &Clock{now: t} }

// Now is the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Sleep waits until the clock has moved d on, or ctx is done.
func (c *Clock) Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	c.mu.Lock()
	s := &sleeper{until: c.now.Add(d), wake: make(chan struct{})}
	c.sleepers = append(c.sleepers, s)
	c.mu.Unlock()
	c.events.Add()
	select {
	case <-s.wake:
		return nil
	case <-ctx.Done():
		c.mu.Lock()
		for i, o := range c.sleepers {
			if o == s {
				c.sleepers = append(c.sleepers[:i], c.sleepers[i+1:]...)
				break
			}
		}
		c.mu.Unlock()
		return ctx.Err()
	}
}

// Advance moves the clock d on, waking the sleepers it reaches.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.setLocked(c.now.Add(d))
	c.mu.Unlock()
	c.events.Add()
}

// Set moves the clock to t (never back: an earlier t is ignored), waking
// the sleepers it reaches.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	c.setLocked(t)
	c.mu.Unlock()
	c.events.Add()
}

func (c *Clock) setLocked(t time.Time) {
	if t.Before(c.now) {
		return
	}
	c.now = t
	keep := c.sleepers[:0]
	for _, s := range c.sleepers {
		if s.until.After(t) {
			keep = append(keep, s)
		} else {
			close(s.wake)
		}
	}
	clear(c.sleepers[len(keep):])
	c.sleepers = keep
}

// Events are the clock's events (a sleeper comes, the time moves); a test
// adds its own (a message sent) to wake the same waiters.
func (c *Clock) Events() *Events { return &c.events }

// AdvanceUntil drives the clock until cond holds: whenever the earliest
// sleeper's deadline is at most within of now, it moves the clock there,
// else it waits for the next event; cond is checked again after each. It
// fails the test after maxEvents events without cond. Time passes as fast
// as the sleepers ask for it, never further than within at once (a sleeper
// further off, a heartbeat, waits for Advance), and only while the test
// drives it: once AdvanceUntil returns, the clock stands still.
func (c *Clock) AdvanceUntil(t testing.TB, what string, within time.Duration, maxEvents int, cond func() bool) {
	t.Helper()
	c.events.WaitFor(t, what, maxEvents, func() bool {
		if cond() {
			return true
		}
		c.step(within)
		return false
	})
}

// Sleepers is how many sleepers wait for the clock now: a test that
// knows how many of its goroutines may sleep moves the clock (Step) only
// once all of them do, so that none is woken late.
func (c *Clock) Sleepers() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.sleepers)
}

// Step moves the clock to the earliest sleeper's deadline, waking it (and
// those with the same deadline); false if none sleeps.
func (c *Clock) Step() bool { return c.step(-1) }

// step moves the clock to the earliest sleeper's deadline if it is at
// most within ahead (within < 0: however far), and tells whether it moved.
func (c *Clock) step(within time.Duration) bool {
	c.mu.Lock()
	next, ok := c.nextLocked()
	moved := ok && (within < 0 || next.Sub(c.now) <= within)
	if moved {
		c.setLocked(next)
	}
	c.mu.Unlock()
	if moved {
		c.events.Add()
	}
	return moved
}

func (c *Clock) nextLocked() (time.Time, bool) {
	var next time.Time
	for i, s := range c.sleepers {
		if i == 0 || s.until.Before(next) {
			next = s.until
		}
	}
	return next, len(c.sleepers) > 0
}

// Events counts the events a test waits on and wakes the waiters at each.
// The zero value is ready.
type Events struct {
	mu sync.Mutex
	n  int
	ch chan struct{} // closed at the next event
}

// Add records one event.
func (e *Events) Add() {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.n++
	if e.ch != nil {
		close(e.ch)
		e.ch = nil
	}
}

// changed is closed at the next event.
func (e *Events) changed() <-chan struct{} {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.ch == nil {
		e.ch = make(chan struct{})
	}
	return e.ch
}

// Count is the events so far.
func (e *Events) Count() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.n
}

// WaitFor waits until cond holds, checking it again after each event; it
// fails the test after maxEvents events without cond. The deadline is
// counted in events, not in seconds: a slow machine only makes the wait
// longer, while code that keeps going round without getting there fails
// (a wait for events that never come is ended by go test -timeout).
func (e *Events) WaitFor(t testing.TB, what string, maxEvents int, cond func() bool) {
	t.Helper()
	start := e.Count()
	for {
		ch := e.changed()
		if cond() {
			return
		}
		if n := e.Count() - start; n > maxEvents {
			t.Fatalf("waited %d events for %s", n, what)
		}
		<-ch
	}
}
