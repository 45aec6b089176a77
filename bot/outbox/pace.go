package outbox

import (
	"math"
	"sync"
	"time"
)

// pace is the strict global pace (a GCRA with no burst, checked against a
// sliding window):
//
//   - the slots are evenly spaced, 1/(rate × paceHeadroom) apart, from the
//     time the slot is asked for: no burst at the start, and after a pause
//     no catching up;
//   - the last floor(rate) slots are remembered, and a slot is never
//     within a second of the floor(rate)-th before it: at most rate slots
//     in any rolling second, whatever the spacing;
//   - a global 429 multiplies the rate by backoffFactor (several within
//     backoffHold count once, never below minFactor of it), and the rate
//     grows back by recoverPerSecond of it each second.
//
// Slots are handed out in order, each to one caller, who sleeps until it;
// the sleep's lateness only delays that send (the next slot is counted
// from the slot, not from the late wake-up, so the pace does not drift).
// Slots missed by at most paceCatchUp (a loaded machine woke the senders
// late) are still handed out, at once: the pace catches up, within the
// window's bound; slots missed by more (nothing to send) are lost.
// paceCatchUp is the headroom's worth of a second (30 ms): what is caught
// up at once stays within the room left for the API's jitter, so at
// 30/s (under one slot) nothing is, at 1000/s up to 30 slots.
//
// paceHeadroom leaves the API room for the jitter between our clock and
// its own (a network round trip, a loaded machine): Telegram counts when
// a request arrives, we when it leaves.
type pace struct {
	mu        sync.Mutex
	share     float64     // messages/s this replica may send (its share of the global rate)
	factor    float64     // minFactor–1: the slowdown after global 429s
	factorAt  time.Time   // when factor was last brought up to date
	backoffAt time.Time   // the last backoff that took effect
	next      time.Time   // the earliest time of the next slot
	window    []time.Time // the last slots, oldest first, at most floor(rate)
}

// The global pace's headroom and slowdown after global 429s.
const (
	paceHeadroom     = 0.97
	backoffFactor    = 0.9
	minFactor        = 0.1
	recoverPerSecond = 0.05
	backoffHold      = time.Second
	paceWindow       = time.Second
	paceCatchUp      = time.Duration((1 - paceHeadroom) * float64(time.Second))
)

func (p *pace) init(now time.Time, share float64) {
	p.share, p.factor, p.factorAt = max(share, 1e-3), 1, now
}

func (p *pace) setShare(now time.Time, share float64) {
	if share <= 0 {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.recoverLocked(now)
	p.share = share
}

func (p *pace) shareNow() float64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.share
}

func (p *pace) rate(now time.Time) float64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.recoverLocked(now)
	return p.share * p.factor
}

func (p *pace) backoff(now time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.recoverLocked(now)
	if !p.backoffAt.IsZero() && now.Sub(p.backoffAt) < backoffHold {
		return
	}
	p.backoffAt = now
	p.factor = max(minFactor, p.factor*backoffFactor)
}

func (p *pace) recoverLocked(now time.Time) {
	if p.factor < 1 && now.After(p.factorAt) {
		p.factor = min(1, p.factor+now.Sub(p.factorAt).Seconds()*recoverPerSecond)
	}
	if now.After(p.factorAt) {
		p.factorAt = now
	}
}

// reserve takes the next slot (at or after now) and returns its time.
func (p *pace) reserve(now time.Time) time.Time {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.recoverLocked(now)
	r := p.share * p.factor
	n := max(1, int(math.Floor(r)))
	// The next slot, unless it was missed by more than paceCatchUp (the
	// pace was idle): then from now, with no burst.
	at := p.next
	if at.Before(now.Add(-paceCatchUp)) {
		at = now
	}
	if len(p.window) > n {
		p.window = p.window[len(p.window)-n:]
	}
	if len(p.window) == n {
		if w := p.window[0].Add(paceWindow); w.After(at) {
			at = w
		}
	}
	p.next = at.Add(time.Duration(float64(time.Second) / (r * paceHeadroom)))
	p.window = append(p.window, at)
	if len(p.window) > n {
		p.window = p.window[1:]
	}
	return at
}

// ahead is how far the slots handed out reach beyond now.
func (p *pace) ahead(now time.Time) time.Duration {
	p.mu.Lock()
	defer p.mu.Unlock()
	return max(0, p.next.Sub(now))
}
