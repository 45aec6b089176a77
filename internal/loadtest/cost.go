package loadtest

import (
	"math"
	"runtime"
	"slices"
	"syscall"
	"time"
)

// Cost is what a run of N updates cost this process: its CPU time (user
// + system, of every goroutine: the handlers, the sends, the GC), the
// bytes and objects it allocated, the SQL statements its store sent, and
// the wall time. On a shared machine the CPU time is steadier than the
// wall time (it does not count the time spent waiting for a core), and
// the allocations and statements do not depend on the machine at all.
type Cost struct {
	N          int
	CPU, Wall  time.Duration
	Bytes      uint64
	Allocs     uint64
	Statements int64
}

// CostMeter measures a Cost from StartCost to Stop.
type CostMeter struct {
	statements func() int64
	at         time.Time
	start      Cost // the totals at the start
}

// StartCost begins a Cost; statements is the store's running count
// (models.Store.Statements).
func StartCost(statements func() int64) *CostMeter {
	m := &CostMeter{statements: statements}
	m.start = m.totals()
	m.at = time.Now()
	return m
}

// Stop is the Cost of the n updates since StartCost.
func (m *CostMeter) Stop(n int) Cost {
	wall := time.Since(m.at)
	end := m.totals()
	return Cost{N: n, Wall: wall, CPU: end.CPU - m.start.CPU, Bytes: end.Bytes - m.start.Bytes,
		Allocs: end.Allocs - m.start.Allocs, Statements: end.Statements - m.start.Statements}
}

func (m *CostMeter) totals() Cost {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return Cost{CPU: ProcessCPU(), Bytes: ms.TotalAlloc, Allocs: ms.Mallocs, Statements: m.statements()}
}

// ProcessCPU is the CPU time this process has used (getrusage: user +
// system, to the microsecond; /proc's ticks are 10 ms).
func ProcessCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// PerUpdate is a Cost divided by its updates.
type PerUpdate struct {
	CPU, Wall                 time.Duration
	Bytes, Allocs, Statements float64
}

// Per is c per update.
func (c Cost) Per() PerUpdate {
	n := float64(max(c.N, 1))
	return PerUpdate{CPU: time.Duration(float64(c.CPU) / n), Wall: time.Duration(float64(c.Wall) / n),
		Bytes: float64(c.Bytes) / n, Allocs: float64(c.Allocs) / n, Statements: float64(c.Statements) / n}
}

// CostSummary is the per-update figures of repeated runs: Best is the
// least of each figure over the runs (for CPU and wall time, the run
// least disturbed by the machine's other work), Median the middle one
// (the lower of the two middles).
type CostSummary struct {
	Runs         int
	Best, Median PerUpdate
}

// Summarize repeated runs.
func Summarize(runs []Cost) CostSummary {
	s := CostSummary{Runs: len(runs)}
	if len(runs) == 0 {
		return s
	}
	pick := func(f func(PerUpdate) float64) (best, median float64) {
		xs := make([]float64, len(runs))
		for i, r := range runs {
			xs[i] = f(r.Per())
		}
		return slices.Min(xs), Median(xs)
	}
	var b, m float64
	b, m = pick(func(p PerUpdate) float64 { return float64(p.CPU) })
	s.Best.CPU, s.Median.CPU = time.Duration(b), time.Duration(m)
	b, m = pick(func(p PerUpdate) float64 { return float64(p.Wall) })
	s.Best.Wall, s.Median.Wall = time.Duration(b), time.Duration(m)
	s.Best.Bytes, s.Median.Bytes = pick(func(p PerUpdate) float64 { return p.Bytes })
	s.Best.Allocs, s.Median.Allocs = pick(func(p PerUpdate) float64 { return p.Allocs })
	s.Best.Statements, s.Median.Statements = pick(func(p PerUpdate) float64 { return p.Statements })
	return s
}

// CostRatio is one summary's per-update figures over another's.
type CostRatio struct {
	CPU, BestCPU, Bytes, Allocs, Statements float64
}

// Ratio is s over base, each figure's median over the other's: on a
// shared machine a run's CPU time varies by ±10% with what else runs,
// and the middle of several alternated runs is steadier than the least
// (BestCPU, informative), which rests on a single quiet run of each side.
func (s CostSummary) Ratio(base CostSummary) CostRatio {
	return CostRatio{CPU: ratio(float64(s.Median.CPU), float64(base.Median.CPU)),
		BestCPU: ratio(float64(s.Best.CPU), float64(base.Best.CPU)), Bytes: ratio(s.Median.Bytes, base.Median.Bytes),
		Allocs: ratio(s.Median.Allocs, base.Median.Allocs), Statements: ratio(s.Median.Statements, base.Median.Statements)}
}

// Within tells whether the CPU time, the bytes and the statements are
// each at most limit times the base's (the allocations' count is
// informative: the bytes are what the GC pays for).
func (r CostRatio) Within(limit float64) bool {
	return r.CPU <= limit && r.Bytes <= limit && r.Statements <= limit
}

// ratio is a/b; 1 when both are 0, +Inf when only b is.
func ratio(a, b float64) float64 {
	switch {
	case b != 0:
		return a / b
	case a == 0:
		return 1
	default:
		return math.Inf(1)
	}
}
