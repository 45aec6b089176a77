package fakeapi

import (
	"context"
	"sync/atomic"
	"testing"
	"time"
)

func TestAwaitWakesOnNotify(t *testing.T) {
	var c Changes
	var n atomic.Int64
	done := make(chan bool)
	go func() { done <- c.Await(time.Minute, func() bool { return n.Load() >= 3 }) }()
	for range 3 {
		n.Add(1)
		c.Notify()
	}
	if !<-done {
		t.Fatal("Await gave up although the condition held")
	}
}

func TestAwaitContextStopsWhenDone(t *testing.T) {
	var c Changes
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := c.AwaitContext(ctx, func() bool { return false }); err != context.Canceled {
		t.Fatalf("AwaitContext = %v, want context.Canceled", err)
	}
	if err := c.AwaitContext(ctx, func() bool { return true }); err != nil {
		t.Fatalf("a condition that holds: %v", err)
	}
}
