package outbox

import (
	"math"
	"slices"
	"sync"
	"time"
)

// pace is the strict global pace (a GCRA with no burst, checked against a
// sliding window of the times the sends start):
//
//   - the slots are evenly spaced, 1/(rate × paceHeadroom) apart, from the
//     time the slot is asked for: no burst at the start, and after a pause
//     no catching up;
//   - a send starts (start) at its slot or later, and its start time is
//     what counts: the last floor(rate) starts are remembered, and a send
//     never starts within paceWindow of the floor(rate)-th start before it
//     (it waits instead): at most rate starts in any rolling second,
//     whatever the spacing and however late the senders woke;
//   - a global 429 multiplies the rate by backoffFactor (several within
//     backoffHold count once, never below minFactor of it), and the rate
//     grows back by recoverPerSecond of it each second.
//
// Slots are handed out in order, each to one caller, who sleeps until it;
// the sleep's lateness only delays that send (the next slot is counted
// from the slot, not from the late wake-up, so the pace does not drift).
// Slots missed by at most paceCatchUp (a loaded machine woke the senders
// late) are still handed out, at once: the pace catches up (at 30/s under
// one slot, at 1000/s up to 30), and they count at their starts, within
// the window's bound; slots missed by more (nothing to send) are lost.
//
// Telegram counts a message when it arrives, we when its call starts:
// paceWindow is a second and paceArrival, the room kept for the time in
// between (a network round trip, a loaded machine). The spacing's
// headroom (1 − paceHeadroom of a second, 31 ms) is more than that: a
// send that starts up to ~11 ms after its slot costs the pace nothing,
// one later delays the send floor(rate) after it. A call that took longer
// than the quickest of the last paceCalls by more than paceArrival may
// have arrived that much late: its start counts from then (ended). The
// slots handed out are remembered too (window), each moved to its send's
// start once known, so that the next slots are planned where the starts
// allow them.
type pace struct {
	mu        sync.Mutex
	share     float64     // messages/s this replica may send (its share of the global rate)
	factor    float64     // minFactor–1: the slowdown after global 429s
	factorAt  time.Time   // when factor was last brought up to date
	backoffAt time.Time   // the last backoff that took effect
	next      time.Time   // the earliest time of the next slot
	window    []time.Time // the last slots handed out (or their starts), in order, at most floor(rate)
	starts    []time.Time // the last starts, in order, at most floor(rate)
	// calls are the last calls' durations (a ring), whose least is the
	// quickest a call goes there and back now.
	calls [paceCalls]time.Duration
	ncall int
}

// The global pace's headroom and slowdown after global 429s.
const (
	paceHeadroom     = 0.97
	backoffFactor    = 0.9
	minFactor        = 0.1
	recoverPerSecond = 0.05
	backoffHold      = time.Second
	paceArrival      = 20 * time.Millisecond
	paceWindow       = time.Second + paceArrival
	paceCatchUp      = 30 * time.Millisecond
	paceCalls        = 64
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
	p.window = last(p.window, n)
	if len(p.window) == n {
		if w := p.window[0].Add(paceWindow); w.After(at) {
			at = w
		}
	}
	p.next = at.Add(time.Duration(float64(time.Second) / (r * paceHeadroom)))
	p.window = last(insert(p.window, at), n)
	return at
}

// start records that the send given the slot at starts now (read under
// the lock, so that the starts are in order) and returns now, true; or,
// if that would make more than floor(rate) starts within paceWindow, the
// time it may start instead, false: its slot is moved there, and the
// caller waits for it and starts again.
func (p *pace) start(at time.Time, clock Clock) (time.Time, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := clock.Now()
	p.recoverLocked(now)
	n := max(1, int(math.Floor(p.share*p.factor)))
	p.starts = last(p.starts, n)
	if len(p.starts) == n {
		if w := p.starts[0].Add(paceWindow); w.After(now) {
			p.moveLocked(at, w, n)
			return w, false
		}
	}
	p.starts = last(append(p.starts, now), n)
	if !now.Equal(at) {
		p.moveLocked(at, now, n)
	}
	return now, true
}

// ended records that the call of the send that started at start has
// ended now.
// A call slower than the quickest recent one may have been slow on its way
// there too (a loaded machine, the network): by up to the difference.
// Beyond what paceArrival covers, its start is moved that much later, so
// that the sends after it keep their distance from when it may have
// arrived; a call slower by less costs nothing.
func (p *pace) ended(start time.Time, clock Clock) {
	p.mu.Lock()
	defer p.mu.Unlock()
	d := clock.Now().Sub(start)
	p.calls[p.ncall%paceCalls] = d
	p.ncall++
	quickest := d
	for _, c := range p.calls[:min(p.ncall, paceCalls)] {
		quickest = min(quickest, c)
	}
	late := d - quickest - paceArrival
	if late <= 0 {
		return
	}
	i, found := slices.BinarySearchFunc(p.starts, start, time.Time.Compare)
	if !found {
		return // long gone from the window
	}
	n := max(1, int(math.Floor(p.share*p.factor)))
	p.starts = last(insert(slices.Delete(p.starts, i, i+1), start.Add(late)), n)
	p.moveLocked(start, start.Add(late), n)
}

// moveLocked moves the slot at in the window to to.
func (p *pace) moveLocked(at, to time.Time, n int) {
	i, found := slices.BinarySearchFunc(p.window, at, time.Time.Compare)
	if found {
		p.window = slices.Delete(p.window, i, i+1)
	}
	p.window = last(insert(p.window, to), n)
}

// insert adds t to the ordered ts, in order.
func insert(ts []time.Time, t time.Time) []time.Time {
	i, _ := slices.BinarySearchFunc(ts, t, time.Time.Compare)
	return slices.Insert(ts, i, t)
}

// last is the last n of ts.
func last(ts []time.Time, n int) []time.Time {
	if len(ts) > n {
		return ts[len(ts)-n:]
	}
	return ts
}

// ahead is how far the slots handed out reach beyond now.
func (p *pace) ahead(now time.Time) time.Duration {
	p.mu.Lock()
	defer p.mu.Unlock()
	return max(0, p.next.Sub(now))
}
