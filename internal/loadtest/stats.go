// Package loadtest is the measuring side of the load command
// (cmd/electionbot-bench): a closed-loop HTTP load generator, latency
// percentiles, fresh PostgreSQL schemas, the Quảng Ninh-sized election used
// by the database figures, and the process figures (RSS, load average)
// printed next to them. The fake Bot API it sends to is
// bot/telegram/telegramtest's.
//
// Nothing here knows the serve wiring: the load command builds the server
// (cli.NewServer) and hands this package URLs, stores and functions to
// time. Only the load command and tests import it: it is not linked into
// electionbot.
package loadtest

import (
	"fmt"
	"math"
	"os"
	"slices"
	"strings"
	"time"

	"electionbot/locales"
)

// Latencies are the durations of individual operations.
type Latencies []time.Duration

// Percentile returns the q-quantile (0 ≤ q ≤ 1, nearest rank) of the
// sorted copy of l; 0 for no samples.
func (l Latencies) Percentile(q float64) time.Duration {
	if len(l) == 0 {
		return 0
	}
	s := slices.Clone(l)
	slices.Sort(s)
	i := int(math.Ceil(q*float64(len(s)))) - 1
	return s[min(max(i, 0), len(s)-1)]
}

// Summary is "p50 1.2 ms, p99 4.5 ms".
func (l Latencies) Summary() string {
	return fmt.Sprintf("p50 %s, p99 %s", Ms(l.Percentile(0.50)), Ms(l.Percentile(0.99)))
}

// Stalls describes when the slow answers of an open-loop run at rate
// came, l being in the order the requests were due: the windows of width
// whose slowest answer took longer than over, out of all, and the worst
// one's start from the run's start. A tail from a few stalls (a
// checkpoint, a pause) reads differently from one spread over the run.
func (l Latencies) Stalls(rate float64, width, over time.Duration) string {
	per := max(1, int(rate*width.Seconds()))
	var slow, all int
	var worst time.Duration
	var at int
	for i := 0; i < len(l); i += per {
		w := slices.Max(l[i:min(i+per, len(l))])
		all++
		if w > over {
			slow++
		}
		if w > worst {
			worst, at = w, i
		}
	}
	return fmt.Sprintf("windows of %s whose slowest answer took over %s: %d of %d (worst %s, at %.1f s)",
		width, over, slow, all, Ms(worst), float64(at)/rate)
}

// Ms formats a duration in milliseconds with 2–3 significant digits.
func Ms(d time.Duration) string {
	ms := float64(d) / float64(time.Millisecond)
	switch {
	case ms >= 100:
		return fmt.Sprintf("%.0f ms", ms)
	case ms >= 10:
		return fmt.Sprintf("%.1f ms", ms)
	case ms >= 1:
		return fmt.Sprintf("%.2f ms", ms)
	default:
		return fmt.Sprintf("%.3f ms", ms)
	}
}

// Thousands formats n as the bench's English table does: 1234567 →
// "1,234,567".
func Thousands(n int64) string { return locales.Number("en", int(n)) }

// Rate formats a per-second figure: "3,120/s".
func Rate(perSecond float64) string {
	return Thousands(int64(math.Round(perSecond))) + "/s"
}

// MiB formats bytes as mebibytes.
func MiB(bytes int64) string { return fmt.Sprintf("%.1f MiB", float64(bytes)/(1<<20)) }

// LoadAvg is the 1-, 5- and 15-minute load average ("1.23 0.98 0.70"), or
// "?" where /proc/loadavg cannot be read.
func LoadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}

// Best and Median of repeated figures (larger is better for Best).
func Best(xs []float64) float64 { return slices.Max(xs) }

// Median is the middle figure (the lower of the two middles).
func Median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[(len(s)-1)/2]
}
