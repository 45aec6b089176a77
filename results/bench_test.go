package results_test

import (
	"context"
	"fmt"
	"testing"
	"time"

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
	f := &models.ElectionFile{
		Election: models.FileElection{Code: "qn-2022", Title: "Bầu cử Trưởng thôn, Tổ trưởng tổ dân phố 2022",
			Date: "2022-06-05", Opens: "07:00", Closes: "11:00", Timezone: "Asia/Ho_Chi_Minh",
			Rules: models.RulesNQLT2008, Method: models.MethodSecret},
		Ward: models.FileWard{Code: "qn-bench", Name: "Phường Bench", City: "TP Hạ Long", Province: "Quảng Ninh"},
	}
	for i := 1; i <= benchAreas; i++ {
		a := models.FileArea{Code: fmt.Sprintf("a%04d", i), Name: fmt.Sprintf("Khu phố %d", i), Households: 150 + i%250,
			PollingPlace: models.FilePollingPlace{Name: fmt.Sprintf("Nhà văn hóa khu %d", i)},
			Candidates:   []string{"Nguyễn Văn An", "Trần Thị Bình"}}
		if i%3 == 0 {
			a.Candidates = append(a.Candidates, "Lê Văn Cường")
		}
		f.Areas = append(f.Areas, a)
	}
	if _, err := s.LoadElection(ctx, f); err != nil {
		tb.Fatal(err)
	}
	e, err := s.ElectionByCode(ctx, "qn-2022")
	if err != nil {
		tb.Fatal(err)
	}
	areas, err := s.Areas(ctx, e.ID)
	if err != nil {
		tb.Fatal(err)
	}
	rep, err := s.EnsureContact(ctx, &models.Contact{Channel: models.ChannelConsole, ExternalID: "bench", Lang: "vi"})
	if err != nil {
		tb.Fatal(err)
	}
	var tallies []*models.Tally
	at := time.Date(2022, 6, 5, 4, 0, 0, 0, time.UTC)
	mk := func(a *models.Area, version int, status string, winner int) *models.Tally {
		att := a.Households * 9 / 10
		t := &models.Tally{AreaID: a.ID, Version: version, ReporterID: rep.ID, Method: models.MethodSecret,
			Households: a.Households, Attending: att, Issued: ip(att), Returned: ip(att), Valid: ip(att - 2), Invalid: ip(2),
			Status: status, CreatedAt: at, PhotoRef: fmt.Sprintf("photo-%s-%d", a.Code, version)}
		rest := att - 2 - winner
		for i, c := range a.Candidates {
			v := 0
			switch i {
			case 0:
				v = winner
			case 1:
				v = rest
			}
			t.Votes = append(t.Votes, models.TallyVote{CandidateID: c.ID, Votes: v})
		}
		return t
	}
	for i, a := range areas {
		win := a.Households*6/10 + 1
		switch {
		case i%3 != 2 && i%30 == 0: // accepted, nobody over 50%
			tallies = append(tallies, mk(a, 1, models.TallyAccepted, a.Households*4/10))
		case i%3 != 2:
			tallies = append(tallies, mk(a, 1, models.TallyAccepted, win))
		case i%12 == 2:
			tallies = append(tallies, mk(a, 1, models.TallyProvisional, win), mk(a, 2, models.TallyConflict, win-5))
		case i%6 == 5:
			tallies = append(tallies, mk(a, 1, models.TallyProvisional, win))
		}
	}
	if err := s.DB(ctx).CreateInBatches(tallies, 200).Error; err != nil {
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
