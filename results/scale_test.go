package results_test

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"testing"
	"time"

	"electionbot/internal/testdb"
	"electionbot/models"
	"electionbot/results"
)

// What a city's or a ward's view reads (issue 18): the areas of its own
// wards, never the province's; and what the same election costs at 20
// and at 200 areas.

// wholeOnly is a Source that reads the whole election only: LoadScope on
// it filters every area, as it did before a city's areas were read alone.
type wholeOnly struct{ s *models.Store }

func (w wholeOnly) ElectionResults(ctx context.Context, code string) (*models.Election, []*models.AreaTallies, error) {
	return w.s.ElectionResults(ctx, code)
}

// A city's and a ward's views read alone are the views filtered from the
// whole election, areas and all, in both views; and the errors of a
// scope or an election that is not there are the same.
func TestScopeReadAloneEqualsFiltered(t *testing.T) {
	for _, n := range testdb.Stores(t) {
		t.Run(n.Name, func(t *testing.T) {
			seedProvince(t, n.Store)
			ctx := context.Background()
			for _, c := range []struct {
				code string
				sc   results.Scope
			}{
				{provinceCode, results.Scope{}},
				{provinceCode, results.Scope{City: "tp-mong-cai"}},
				{provinceCode, results.Scope{City: "TP Móng Cái"}},
				{provinceCode, results.Scope{City: "huyen-dam-ha"}}, // a city of one ward
				{provinceCode, results.Scope{Ward: "tan-lap"}},
				{provinceCode, results.Scope{City: "nowhere"}},
				{provinceCode, results.Scope{Ward: "nowhere"}},
				{"no-such-election", results.Scope{City: "tp-mong-cai"}},
				{"no-such-election", results.Scope{Ward: "tan-lap"}},
				{"no-such-election", results.Scope{Ward: "nowhere"}},
			} {
				for _, admin := range []bool{false, true} {
					want, werr := results.LoadScope(ctx, wholeOnly{n.Store}, c.code, c.sc, admin, electionDay)
					got, gerr := results.LoadScope(ctx, n.Store, c.code, c.sc, admin, electionDay)
					if errors.Is(werr, results.ErrNotInElection) != errors.Is(gerr, results.ErrNotInElection) ||
						models.ErrorCode(werr) != models.ErrorCode(gerr) || (werr == nil) != (gerr == nil) {
						t.Errorf("%s %+v: error %v, filtered %v", c.code, c.sc, gerr, werr)
						continue
					}
					if !reflect.DeepEqual(got, want) {
						t.Errorf("%s %+v admin %v:\nread alone %+v\nfiltered   %+v", c.code, c.sc, admin, got, want)
					}
				}
			}
		})
	}
}

// scaleFile is an election of `areas` areas in wards of 5, 4 wards a
// city: the city "TP 1" has 20 areas however large the election.
func scaleFile(areas int) *models.ElectionFile {
	f := provinceFile()
	f.Wards = testdb.ScaleWards(areas)
	return f
}

// seedScale loads scaleFile(areas) with, in every ward, kp1 and kp2
// accepted, kp3 provisional, kp4 in conflict, kp5 not reported.
func seedScale(t testing.TB, s *models.Store, areas int) {
	t.Helper()
	ctx := context.Background()
	if _, err := s.LoadElection(ctx, scaleFile(areas)); err != nil {
		t.Fatal(err)
	}
	e, err := s.ElectionByCode(ctx, provinceCode)
	if err != nil {
		t.Fatal(err)
	}
	as, err := s.Areas(ctx, e.ID)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := s.EnsureContact(ctx, &models.Contact{Channel: models.ChannelConsole, ExternalID: "scale-reporter", Lang: "vi"})
	if err != nil {
		t.Fatal(err)
	}
	testdb.SeedTalliesByPlace(t, s, as, rep.ID, electionDay)
}

// areaReads counts the areas whose tallies a Source returned.
type areaReads struct {
	*models.Store
	areas int
}

func (r *areaReads) ElectionResults(ctx context.Context, code string) (*models.Election, []*models.AreaTallies, error) {
	e, ats, err := r.Store.ElectionResults(ctx, code)
	r.areas += len(ats)
	return e, ats, err
}

func (r *areaReads) ElectionResultsOf(ctx context.Context, code string, wardID int64) (*models.Election, []*models.AreaTallies, error) {
	e, ats, err := r.Store.ElectionResultsOf(ctx, code, wardID)
	r.areas += len(ats)
	return e, ats, err
}

func (r *areaReads) ElectionResultsOfWards(ctx context.Context, code string, wardIDs []int64) (*models.Election, []*models.AreaTallies, error) {
	e, ats, err := r.Store.ElectionResultsOfWards(ctx, code, wardIDs)
	r.areas += len(ats)
	return e, ats, err
}

// requestCost is what one uncached request costs: statements sent and
// areas' tallies read.
type requestCost struct{ statements, areas int64 }

// measureFeeds serves each target once on an election of `areas` areas
// (after a first request, not counted, that brings the stored standings
// up to the tallies written directly) and returns the cost of each.
func measureFeeds(t *testing.T, s *models.Store, areas int, targets []string) map[string]requestCost {
	t.Helper()
	seedScale(t, s, areas)
	src := &areaReads{Store: s}
	srv, err := results.New(src, testKey, results.Options{Bundle: testBundle(t), CacheTTL: -1,
		Now: func() time.Time { return electionDay }})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]requestCost{}
	for _, target := range targets {
		serve(srv, target)
		before := s.Statements()
		src.areas = 0
		if rec := serve(srv, target); rec.Code != 200 {
			t.Fatalf("%s → %d", target, rec.Code)
		}
		out[target] = requestCost{statements: s.Statements() - before, areas: int64(src.areas)}
	}
	return out
}

// The feeds and pages of a city, and the province's page, cost the same
// statements at 20 and at 200 areas, and a city's read only its own
// areas (20 in both) — its page none; the whole election's feed has a
// line per area, so it reads them all, in as many statements.
func TestFeedCostIndependentOfAreas(t *testing.T) {
	const base = "/results/" + provinceCode
	targets := map[string]int64{ // → areas read at either size (-1: all of them)
		base:                     0,
		base + "?city=tp-1":      0,
		base + ".json?city=tp-1": 20,
		base + ".csv?city=tp-1":  20,
		base + ".json?ward=w01":  5,
		base + "?ward=w01":       5,
		base + ".json":           -1,
	}
	var list []string
	for target := range targets {
		list = append(list, target)
	}
	slices.Sort(list)
	for _, n := range testdb.Stores(t) {
		t.Run(n.Name, func(t *testing.T) {
			fresh := func() *models.Store {
				if n.Name == "postgres" {
					return testdb.Postgres(t)
				}
				return testdb.SQLite(t)
			}
			small, large := measureFeeds(t, fresh(), 20, list), measureFeeds(t, fresh(), 200, list)
			for _, target := range list {
				s, l, want := small[target], large[target], targets[target]
				t.Logf("%s: 20 areas %+v, 200 areas %+v", target, s, l)
				wantS, wantL := want, want
				if want == -1 {
					wantS, wantL = 20, 200
				}
				if s.statements != l.statements || s.areas != wantS || l.areas != wantL {
					t.Errorf("%s: 20 areas %+v, 200 areas %+v; want the same statements, %d and %d areas read",
						target, s, l, wantS, wantL)
				}
			}
		})
	}
}
