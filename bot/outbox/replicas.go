package outbox

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"sync"
	"sync/atomic"
)

// lease keeps this process's row in the replicas table alive and sets the
// limiter to this replica's share of the global rate: Rate / live replicas.
//
// Every LeaseInterval (on the outbox's Clock) the replica renews its heartbeat and counts the rows
// renewed within LeaseTTL (itself included). A replica that stops cleanly
// deletes its row, so the others take its share at their next heartbeat; one
// that dies stops counting after LeaseTTL. While the count changes, the sum
// of the shares can exceed the rate for at most one LeaseInterval (a new
// replica counts itself at once; the others see it at their next
// heartbeat), by at most the share of the newcomer (each pace is strict,
// with no burst).
type lease struct {
	o        *Outbox
	id, host string
	live     atomic.Int32

	mu     sync.Mutex
	cancel context.CancelFunc
	done   chan struct{}
}

func newLease(o *Outbox) *lease {
	var b [8]byte
	_, _ = rand.Read(b[:])
	host, _ := os.Hostname()
	l := &lease{o: o, id: hex.EncodeToString(b[:]), host: host}
	l.live.Store(1)
	return l
}

// beat renews the lease and applies the share.
func (l *lease) beat(ctx context.Context) error {
	n, err := l.o.store.HeartbeatReplica(ctx, l.id, l.host, l.o.clock.Now(), l.o.cfg.LeaseTTL)
	if err != nil {
		return err
	}
	// The share first: whoever sees the new count (Replicas) sees its
	// share applied.
	l.o.lim.SetRate(l.o.cfg.Rate / float64(n))
	if old := l.live.Swap(int32(n)); old != int32(n) {
		l.o.log.Info("outbox: live replicas changed", "replica", l.id, "replicas", n, "share", l.o.cfg.Rate/float64(n))
	}
	return nil
}

// start renews the lease once (so the first sends already use the share),
// then every LeaseInterval until stop.
func (l *lease) start(ctx context.Context) {
	if err := l.beat(ctx); err != nil {
		l.o.log.Warn("outbox: replica heartbeat", "err", err)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.cancel != nil {
		return
	}
	lctx, cancel := context.WithCancel(context.Background())
	l.cancel, l.done = cancel, make(chan struct{})
	go func() {
		defer close(l.done)
		for l.o.clock.Sleep(lctx, l.o.cfg.LeaseInterval) == nil {
			if err := l.beat(lctx); err != nil && lctx.Err() == nil {
				l.o.log.Warn("outbox: replica heartbeat", "err", err)
			}
		}
	}()
}

// stop ends the heartbeats and deletes the row.
func (l *lease) stop(ctx context.Context) {
	l.mu.Lock()
	cancel, done := l.cancel, l.done
	l.cancel = nil
	l.mu.Unlock()
	if cancel == nil {
		return
	}
	cancel()
	<-done
	if err := l.o.store.RemoveReplica(context.WithoutCancel(ctx), l.id); err != nil {
		l.o.log.Warn("outbox: replica leave", "err", err)
	}
}

// Replicas is the number of live replicas at the last heartbeat.
func (o *Outbox) Replicas() int { return int(o.lease.live.Load()) }
