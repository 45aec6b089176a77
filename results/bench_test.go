package results_test

import (
	"context"
	"testing"
	"time"

	"electionbot/internal/loadtest"
	"electionbot/internal/testdb"
	"electionbot/models"
	"electionbot/results"
)

// benchAreas is Quảng Ninh's number of village/neighbourhood elections on
// 5 June 2022.
const benchAreas = 1452

// seedBench loads an election of benchAreas areas (2 or 3 candidates each)
// with, by area number: 2 in 3 accepted (1 in 10 of those a re-run), 1 in 6
// provisional, 1 in 12 in conflict (after a provisional version), the rest
// not reported.
func seedBench(tb testing.TB, s *models.Store) {
	tb.Helper()
	ctx := context.Background()
	// The same province the load command measures (internal/loadtest), with
	// Quảng Ninh's 346,663 households of 2022.
	p := loadtest.QuangNinh(346663)
	if p.Areas != benchAreas {
		tb.Fatalf("province has %d areas, want %d", p.Areas, benchAreas)
	}
	if err := p.Load(ctx, s); err != nil {
		tb.Fatal(err)
	}
	if _, err := p.SeedTallies(ctx, s); err != nil {
		tb.Fatal(err)
	}
}

func TestBenchSeedRollUp(t *testing.T) {
	if testing.Short() {
		t.Skip("loads 1,452 areas")
	}
	s := testdb.SQLite(t)
	seedBench(t, s)
	r, err := results.Load(context.Background(), s, "qn-2022", true, time.Date(2022, 6, 5, 5, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	p := r.Progress
	if p.Areas != benchAreas || p.Recognised != 968 || p.Rerun != 49 || p.Conflict != 121 || p.Provisional != 242 {
		t.Fatalf("progress %+v", p)
	}
}

// BenchmarkResultsPage1452Areas measures GET /results/{election} of an
// election of 1,452 areas: "query" is the one roll-up query alone,
// "page-uncached" a whole page (query, outcomes, HTML) with the cache off,
// "json-uncached" the JSON feed, "page-cached" the page within the cache's
// 3 s. On SQLite always, on PostgreSQL when TEST_DATABASE_URL is set.
func BenchmarkResultsPage1452Areas(b *testing.B) {
	for _, n := range testdb.Stores(b) {
		seedBench(b, n.Store)
		now := time.Date(2022, 6, 5, 5, 0, 0, 0, time.UTC)
		bundle := testBundle(b)
		mkSrv := func(ttl time.Duration) *results.Server {
			srv, err := results.New(n.Store, testKey, results.Options{Bundle: bundle, CacheTTL: ttl, Now: func() time.Time { return now }})
			if err != nil {
				b.Fatal(err)
			}
			return srv
		}
		uncached, cached := mkSrv(-1), mkSrv(0)
		b.Run(n.Name+"/query", func(b *testing.B) {
			for b.Loop() {
				if _, areas, err := n.Store.ElectionResults(context.Background(), "qn-2022"); err != nil || len(areas) != benchAreas {
					b.Fatal(err, len(areas))
				}
			}
		})
		for _, c := range []struct {
			name   string
			srv    *results.Server
			target string
		}{
			{"page-uncached", uncached, "/results/qn-2022"},
			{"json-uncached", uncached, "/results/qn-2022.json"},
			{"page-cached", cached, "/results/qn-2022"},
		} {
			b.Run(n.Name+"/"+c.name, func(b *testing.B) {
				var size int
				for b.Loop() {
					rec := serve(c.srv, c.target)
					if rec.Code != 200 {
						b.Fatalf("%d", rec.Code)
					}
					size = rec.Body.Len()
				}
				b.ReportMetric(float64(size), "bytes/page")
			})
		}
	}
}
