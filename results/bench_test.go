package results_test

import (
	"context"
	"fmt"
	"strings"
	"syscall"
	"testing"
	"time"

	"electionbot/internal/loadtest"
	"electionbot/internal/testdb"
	"electionbot/models"
	"electionbot/results"
)

// benchAreas is Quảng Ninh's number of village/neighbourhood elections on
// 5 June 2022, held in 177 wards and communes of 13 cities, towns and
// districts.
const (
	benchAreas  = 1452
	benchWards  = 177
	benchCities = 13
)

// benchCityNames are Quảng Ninh's 13 district-level units of 2022.
var benchCityNames = []string{"TP Hạ Long", "TP Móng Cái", "TP Cẩm Phả", "TP Uông Bí", "TX Quảng Yên",
	"TX Đông Triều", "Huyện Vân Đồn", "Huyện Hải Hà", "Huyện Đầm Hà", "Huyện Tiên Yên", "Huyện Bình Liêu",
	"Huyện Ba Chẽ", "Huyện Cô Tô"}

// provinceFile is the load command's province (internal/loadtest) in the
// shape of a real one: its areas spread over benchWards wards of
// benchCities cities, in order (ward i holds areas i·1452/177 …). A
// generator that already gives several wards is taken as it is.
func provinceFileOf(p loadtest.Province) *models.ElectionFile {
	f := p.ElectionFile()
	if len(f.Wards) > 1 {
		return f
	}
	areas, prov := f.Areas, f.Ward.Province
	f.Ward, f.Areas, f.Province = models.FileWard{}, nil, prov
	for i := range benchWards {
		lo, hi := i*len(areas)/benchWards, (i+1)*len(areas)/benchWards
		name := fmt.Sprintf("Phường %d", i+1)
		if i%3 == 2 {
			name = fmt.Sprintf("Xã %d", i+1)
		}
		f.Wards = append(f.Wards, models.FileWard{Code: fmt.Sprintf("w%03d", i+1), Name: name,
			City: benchCityNames[i*benchCities/benchWards], Areas: areas[lo:hi]})
	}
	return f
}

// seedBench loads an election of benchAreas areas (2 or 3 candidates each)
// with, by area number: 2 in 3 accepted (1 in 10 of those a re-run), 1 in 6
// provisional, 1 in 12 in conflict (after a provisional version), the rest
// not reported. It returns the election file.
func seedBench(tb testing.TB, s *models.Store) *models.ElectionFile {
	tb.Helper()
	ctx := context.Background()
	// The same province the load command measures (internal/loadtest), with
	// Quảng Ninh's 346,663 households of 2022.
	p := loadtest.QuangNinh(346663)
	f := provinceFileOf(p)
	if n := f.AreaCount(); n != benchAreas || len(f.Wards) != benchWards {
		tb.Fatalf("province has %d areas in %d wards, want %d in %d", n, len(f.Wards), benchAreas, benchWards)
	}
	if _, err := s.LoadElection(ctx, f); err != nil {
		tb.Fatal(err)
	}
	if _, err := p.SeedTallies(ctx, s); err != nil {
		tb.Fatal(err)
	}
	return f
}

func TestBenchSeedRollUp(t *testing.T) {
	if testing.Short() {
		t.Skip("loads 1,452 areas")
	}
	s := testdb.SQLite(t)
	f := seedBench(t, s)
	r, err := results.Load(context.Background(), s, "qn-2022", true, time.Date(2022, 6, 5, 5, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	p := r.Progress
	if p.Areas != benchAreas || p.Recognised != 968 || p.Rerun != 49 || p.Conflict != 121 || p.Provisional != 242 {
		t.Fatalf("progress %+v", p)
	}
	cities := r.Cities()
	wards := 0
	for _, c := range cities {
		wards += len(c.Wards)
	}
	fileCities := map[string]bool{}
	for _, w := range f.Wards {
		fileCities[w.City] = true
	}
	if len(cities) != len(fileCities) || len(cities) < 2 || wards != benchWards || !r.MultiWard() {
		t.Fatalf("%d cities, %d wards", len(cities), wards)
	}
	// The page is the roll-up: a row per ward and city, not per area.
	srv, err := results.New(s, testKey, results.Options{Bundle: testBundle(t), Now: func() time.Time { return r.GeneratedAt }})
	if err != nil {
		t.Fatal(err)
	}
	page := serve(srv, "/results/qn-2022").Body.String()
	if n := strings.Count(page, `class="lv-ward"`); n != benchWards || strings.Contains(page, `id="area-`) {
		t.Fatalf("province page: %d ward rows, areas listed: %v", n, strings.Contains(page, `id="area-`))
	}
	t.Logf("province page: %d bytes", len(page))
}

// BenchmarkResultsPage1452Areas measures GET /results/{election} of an
// election of 1,452 areas in 177 wards: "query" is the one query of every
// area's tallies alone, "accept-then-page" a tally recognised and the
// page read again, "page-uncached" a whole page (the areas' standings, the
// roll-up by city and ward in HTML) with the cache off, "build-only" that page on
// rows already read (no database), "json-uncached" the JSON feed
// (every area), "page-cached" the page within the cache's 3 s, and
// "ward-page-…" one ward's page (?ward=: its areas, read alone). On SQLite
// always, on PostgreSQL when TEST_DATABASE_URL is set.
func BenchmarkResultsPage1452Areas(b *testing.B) {
	for _, n := range testdb.Stores(b) {
		ward := "/results/qn-2022?ward=" + seedBench(b, n.Store).Wards[0].Code
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
		// The page's build alone (outcomes, roll-up, HTML) on rows read
		// once: what the database's speed does not blur.
		mem := memSourceOf(b, n.Store, "qn-2022")
		built, err := results.New(mem, testKey, results.Options{Bundle: bundle, CacheTTL: -1, Now: func() time.Time { return now }})
		if err != nil {
			b.Fatal(err)
		}
		b.Run(n.Name+"/query", func(b *testing.B) {
			cpu := cpuTime()
			for b.Loop() {
				if _, areas, err := n.Store.ElectionResults(context.Background(), "qn-2022"); err != nil || len(areas) != benchAreas {
					b.Fatal(err, len(areas))
				}
			}
			reportCPU(b, cpu)
		})
		// A tally recognised, then the province's page read again (no
		// cache): the "tally accepted → page updated". The area's
		// recognition is withdrawn between rounds, off the clock.
		b.Run(n.Name+"/accept-then-page", func(b *testing.B) {
			ctx := context.Background()
			admin, err := n.Store.EnsureContact(ctx, &models.Contact{Channel: models.ChannelConsole, ExternalID: "bench-admin", Lang: "vi"})
			if err != nil {
				b.Fatal(err)
			}
			_, ats, err := n.Store.ElectionResults(ctx, "qn-2022")
			if err != nil {
				b.Fatal(err)
			}
			var area int64
			for _, at := range ats {
				if at.Latest != nil && at.Latest.Status == models.TallyProvisional {
					area = at.Area.ID
					break
				}
			}
			cpu := cpuTime()
			for b.Loop() {
				if _, err := n.Store.ReviewTally(ctx, models.ReviewRequest{AreaID: area, Accept: true, By: admin.ID}); err != nil {
					b.Fatal(err)
				}
				if rec := serve(uncached, "/results/qn-2022"); rec.Code != 200 {
					b.Fatalf("%d", rec.Code)
				}
				b.StopTimer()
				if _, err := n.Store.WithdrawRecognition(ctx, models.WithdrawRequest{AreaID: area, Reason: "bench", By: admin.ID}); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
			}
			reportCPU(b, cpu) // the withdrawals included
		})
		for _, c := range []struct {
			name   string
			srv    *results.Server
			target string
		}{
			{"page-uncached", uncached, "/results/qn-2022"},
			{"build-only", built, "/results/qn-2022"},
			{"json-uncached", uncached, "/results/qn-2022.json"},
			{"page-cached", cached, "/results/qn-2022"},
			{"ward-page-uncached", uncached, ward},
			{"ward-page-cached", cached, ward},
		} {
			b.Run(n.Name+"/"+c.name, func(b *testing.B) {
				var size int
				cpu := cpuTime()
				for b.Loop() {
					rec := serve(c.srv, c.target)
					if rec.Code != 200 {
						b.Fatalf("%d", rec.Code)
					}
					size = rec.Body.Len()
				}
				reportCPU(b, cpu)
				b.ReportMetric(float64(size), "bytes/page")
			})
		}
	}
}

// cpuTime is the process's CPU time so far (user + system): on a shared,
// loaded machine the CPU a page costs says more than its wall time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportCPU reports the process's CPU ms per operation since start (the
// database's too on SQLite, in process; not PostgreSQL's server).
func reportCPU(b *testing.B, start time.Duration) {
	b.ReportMetric(float64(cpuTime()-start)/float64(time.Millisecond)/float64(b.N), "cpu-ms/op")
}

// BenchmarkResultsPage6Areas is the page of the Ka Long election (one
// ward, 6 areas): uncached, its build alone, cached.
func BenchmarkResultsPage6Areas(b *testing.B) {
	for _, n := range testdb.Stores(b) {
		seedKaLong(b, n.Store)
		bundle := testBundle(b)
		mem := memSourceOf(b, n.Store, "ka-long-2022")
		for _, c := range []struct {
			name string
			src  results.Source
			ttl  time.Duration
		}{{"page-uncached", n.Store, -1}, {"build-only", mem, -1}, {"page-cached", n.Store, 0}} {
			srv, err := results.New(c.src, testKey, results.Options{Bundle: bundle, CacheTTL: c.ttl, Now: func() time.Time { return electionDay }})
			if err != nil {
				b.Fatal(err)
			}
			b.Run(n.Name+"/"+c.name, func(b *testing.B) {
				var size int
				cpu := cpuTime()
				for b.Loop() {
					rec := serve(srv, "/results/ka-long-2022")
					if rec.Code != 200 {
						b.Fatalf("%d", rec.Code)
					}
					size = rec.Body.Len()
				}
				reportCPU(b, cpu)
				b.ReportMetric(float64(size), "bytes/page")
			})
		}
	}
}

// memSource serves rows read once from a store: a page built on it costs
// the build alone.
type memSource struct {
	e     *models.Election
	areas []*models.AreaTallies
}

func memSourceOf(tb testing.TB, s *models.Store, code string) *memSource {
	tb.Helper()
	e, areas, err := s.ElectionResults(context.Background(), code)
	if err != nil {
		tb.Fatal(err)
	}
	return &memSource{e, areas}
}

func (m *memSource) ElectionResults(ctx context.Context, code string) (*models.Election, []*models.AreaTallies, error) {
	return m.e, m.areas, nil
}
