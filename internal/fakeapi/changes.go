// Package fakeapi is what the fake APIs of the channels' tests
// (bot/telegram/telegramtest, bot/zalo/zalotest) share: a way to wait for
// what they record, woken by each change instead of polling on a clock.
package fakeapi

import (
	"context"
	"sync"
	"time"
)

// Changes wakes those waiting for a fake's record to change. The zero
// value is ready to use; it is safe for concurrent use.
type Changes struct {
	mu sync.Mutex
	ch chan struct{} // closed and replaced by Notify
}

// C is closed at the next Notify.
func (c *Changes) C() <-chan struct{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ch == nil {
		c.ch = make(chan struct{})
	}
	return c.ch
}

// Notify wakes every waiter: the record changed.
func (c *Changes) Notify() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ch != nil {
		close(c.ch)
	}
	c.ch = make(chan struct{})
}

// Await calls cond now and after every change until it holds, and tells
// whether it did before timeout passed.
func (c *Changes) Await(timeout time.Duration, cond func() bool) bool {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	return c.AwaitContext(ctx, cond) == nil
}

// AwaitContext calls cond now and after every change until it holds (nil)
// or ctx is done (ctx's error).
func (c *Changes) AwaitContext(ctx context.Context, cond func() bool) error {
	for {
		ch := c.C() // before cond: a change while cond runs wakes us
		if cond() {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}
