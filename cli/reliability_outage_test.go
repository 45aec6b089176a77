package cli

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"electionbot/models"
)

// outage makes the database unavailable to the server and back.
type outage struct {
	name       string
	store      *models.Store
	stop, back func(t *testing.T)
}

// sqliteOutage makes the embedded database refuse every write (PRAGMA
// query_only on its one connection): the webhook's transaction fails as
// it would with the database gone.
func sqliteOutage(t *testing.T) outage {
	s := freshStore(t, "sqlite")
	set := func(v int) func(t *testing.T) {
		return func(t *testing.T) {
			if err := s.DB(context.Background()).Exec(fmt.Sprintf("PRAGMA query_only = %d", v)).Error; err != nil {
				t.Fatal(err)
			}
		}
	}
	return outage{name: "sqlite", store: s, stop: set(1), back: set(0)}
}

// postgresOutage gives the test a database of its own on the server of
// TEST_DATABASE_URL, and stops it the way a crash or a restart does: new
// connections are refused (ALLOW_CONNECTIONS false, which holds for
// superusers too) and every open one is terminated. The shared server
// itself is never stopped.
func postgresOutage(t *testing.T) (outage, bool) {
	base := os.Getenv("TEST_DATABASE_URL")
	if base == "" {
		return outage{}, false
	}
	ctx := context.Background()
	admin, err := models.Open(ctx, base)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Close() })
	name := fmt.Sprintf("reliability_%d_%d", os.Getpid(), time.Now().UnixNano()%1e9)
	if err := admin.DB(ctx).Exec("CREATE DATABASE " + name).Error; err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.DB(context.Background()).Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)") })
	u, _ := url.Parse(base)
	u.Path = "/" + name
	s, err := OpenStore(ctx, u.String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	exec := func(sql string) {
		if err := admin.DB(ctx).Exec(sql).Error; err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	return outage{name: "postgres", store: s,
		stop: func(t *testing.T) {
			exec("ALTER DATABASE " + name + " ALLOW_CONNECTIONS false")
			exec("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" + name + "' AND pid <> pg_backend_pid()")
		},
		back: func(t *testing.T) { exec("ALTER DATABASE " + name + " ALLOW_CONNECTIONS true") },
	}, true
}

// TestReliabilityDatabaseOutage: updates keep coming while the database
// goes away for a while: the webhook answers 500 (Telegram delivers again),
// and once the database is back every update is processed and answered
// exactly once.
//
// The database goes away once every reply so far is sent, the connections
// held between two updates. A message being sent at that moment would be
// claimed, sent, and its sent mark lost: sent again once its claim expires
// (SendTimeout, 30 s) — the one duplicate the outbox allows, as at a crash
// (TestReliabilityKillMidDelivery). Which messages that hit depended on the
// machine's pace, and the duplicates showed when a loaded machine made the
// test outlive the claim. With nothing unsent, no message is in flight, and
// none is queued while the database is away (every update is refused).
func TestReliabilityDatabaseOutage(t *testing.T) {
	t.Parallel()
	outages := []func(t *testing.T) (outage, bool){
		func(t *testing.T) (outage, bool) { return sqliteOutage(t), true },
		postgresOutage,
	}
	n := size(200, 2000)
	const conns, refusals = 4, 3
	for i, mk := range outages {
		t.Run([]string{"sqlite", "postgres"}[i], func(t *testing.T) {
			t.Parallel()
			o, ok := mk(t)
			if !ok {
				t.Skip("TEST_DATABASE_URL is not set")
			}
			h := reliabilityServe(t, o.store, "error", &echo{})

			var ok200, got500, waiting atomic.Int64
			var next atomic.Int64
			var between sync.RWMutex    // read-held while an update is delivered
			back := make(chan struct{}) // closed when the database is back
			// deliver delivers update i until it is answered 200, as
			// Telegram does: while the database is away, refusals times
			// in a row, then once it is back.
			deliver := func(i int) bool {
				body := []byte(textUpdate(30000+i, int64(30000+i), "hỏi "+strconv.Itoa(i)))
				refused, afterBack := 0, 0
				for {
					code, err := h.tryPost(body)
					if err == nil && code == http.StatusOK {
						ok200.Add(1)
						return true
					}
					if code != http.StatusInternalServerError {
						t.Errorf("update %d: HTTP %d, %v (want 200 or 500)", i, code, err)
						return false
					}
					got500.Add(1)
					select {
					case <-back:
						if afterBack++; afterBack > 600 {
							t.Errorf("update %d: still failing after %d deliveries since the database is back", i, afterBack)
							return false
						}
					default:
						if refused++; refused == refusals {
							waiting.Add(1)
							<-back
						}
					}
				}
			}
			var wg sync.WaitGroup
			for range conns {
				wg.Add(1)
				go func() {
					defer wg.Done()
					defer waiting.Add(1) // out of updates: not delivering either
					for {
						i := int(next.Add(1) - 1)
						if i >= n {
							return
						}
						between.RLock()
						ok := deliver(i)
						between.RUnlock()
						if !ok {
							return
						}
					}
				}()
			}
			waitUntil(t, "a third of the updates in", func() bool { return ok200.Load() >= int64(n/3) })
			between.Lock()
			h.waitAllSent()
			o.stop(t)
			between.Unlock()
			waitUntil(t, "500s while the database is away", func() bool { return got500.Load() >= 5 })
			waitUntil(t, "every connection refused while the database is away", func() bool { return waiting.Load() >= conns })
			if code, _ := h.get("/healthz"); code != http.StatusServiceUnavailable && o.name == "postgres" {
				t.Errorf("/healthz while the database is away: %d, want 503", code)
			}
			o.back(t)
			close(back)
			wg.Wait()
			if t.Failed() {
				return
			}
			t.Logf("%d updates accepted; %d answers 500 while the database was away", ok200.Load(), got500.Load())
			waitUntil(t, "every update answered", func() bool { return len(sentTo(h.fake)) >= n })
			h.waitAllSent()
			for chat, k := range sentTo(h.fake) {
				if k != 1 {
					t.Errorf("chat %s got %d replies, want 1", chat, k)
				}
			}
		})
	}
}
