package loadtest

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// Load is a closed-loop HTTP load: Concurrency workers POST bodies one
// after the other, each waiting for its answer before the next, as the
// Bot API does over its webhook connections (at most max_connections of
// them, 40 by default).
type Load struct {
	URL    string
	Header http.Header
	// Body returns the i-th request body (0 ≤ i < Warmup+N); the warm-up
	// requests come first and are not measured.
	Body        func(i int) []byte
	N, Warmup   int
	Concurrency int
	// Rate, if > 0, paces the requests to that many a second in all
	// (open loop): latency at a given load rather than at saturation.
	Rate float64
	// OK says whether a status counts as success [200].
	OK func(status int) bool
}

// LoadResult is what a Load measured (warm-up excluded).
type LoadResult struct {
	N, Errors int
	Statuses  map[int]int
	Elapsed   time.Duration
	Latencies Latencies
	FirstErr  error
}

// PerSecond is the requests answered successfully per second.
func (r *LoadResult) PerSecond() float64 {
	return float64(r.N-r.Errors) / r.Elapsed.Seconds()
}

// NewClient is the HTTP client of a load: keep-alive connections, one per
// worker, no compression.
func NewClient(concurrency int) *http.Client {
	return &http.Client{
		Timeout: 60 * time.Second,
		Transport: &http.Transport{
			DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
			MaxIdleConns:        concurrency * 2,
			MaxIdleConnsPerHost: concurrency * 2,
			MaxConnsPerHost:     concurrency,
			DisableCompression:  true,
			IdleConnTimeout:     90 * time.Second,
		},
	}
}

// Run sends the warm-up, then the measured requests.
func (l Load) Run(ctx context.Context, client *http.Client) (*LoadResult, error) {
	if l.Concurrency <= 0 {
		l.Concurrency = 1
	}
	if l.OK == nil {
		l.OK = func(s int) bool { return s == http.StatusOK }
	}
	if l.Warmup > 0 {
		if _, err := l.phase(ctx, client, 0, l.Warmup); err != nil {
			return nil, err
		}
	}
	return l.phase(ctx, client, l.Warmup, l.N)
}

func (l Load) phase(ctx context.Context, client *http.Client, from, n int) (*LoadResult, error) {
	res := &LoadResult{N: n, Statuses: map[int]int{}, Latencies: make(Latencies, n)}
	var next atomic.Int64
	var mu sync.Mutex
	var wg sync.WaitGroup
	start := time.Now()
	var interval time.Duration
	if l.Rate > 0 {
		interval = time.Duration(float64(time.Second) / l.Rate)
	}
	for range l.Concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= n || ctx.Err() != nil {
					return
				}
				if interval > 0 {
					// Open loop: request i is due at start+i·interval; its
					// latency counts from then, so queueing shows.
					due := start.Add(time.Duration(i) * interval)
					if d := time.Until(due); d > 0 {
						time.Sleep(d)
					}
				}
				t0 := time.Now()
				if interval > 0 {
					t0 = start.Add(time.Duration(i) * interval)
				}
				status, err := l.post(ctx, client, l.Body(from+i))
				res.Latencies[i] = time.Since(t0)
				mu.Lock()
				res.Statuses[status]++
				if err != nil || !l.OK(status) {
					res.Errors++
					if res.FirstErr == nil {
						if err == nil {
							err = fmt.Errorf("HTTP %d", status)
						}
						res.FirstErr = err
					}
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	res.Elapsed = time.Since(start)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return res, nil
}

func (l Load) post(ctx context.Context, client *http.Client, body []byte) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, l.URL, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	for k, v := range l.Header {
		req.Header[k] = v
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, nil
}

// NoopHandler is the upper bound of a webhook: it reads the body and
// answers "{}" like the real one, doing nothing else.
func NoopHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, "{}\n")
	})
}
