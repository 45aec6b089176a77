package results_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"

	"electionbot/internal/testdb"
	"electionbot/models"
	"electionbot/results"
)

// The standings kept on each tally (area_results) must give the page of
// several wards exactly what a full recompute from every tally gives:
// tallies submitted, confirmed, accepted (the latest or an older version),
// rejected and withdrawn in a random order through the store, and now and
// then written directly (as a seeder or another tool would), compared after
// every step in both views, for the whole election, a city and a ward.
func TestStandingsEqualRecompute(t *testing.T) {
	for _, n := range testdb.Stores(t) {
		t.Run(n.Name, func(t *testing.T) {
			s := n.Store
			ctx := context.Background()
			seedProvince(t, s) // direct inserts: stale rows, computed on the first read
			compareStandings(t, s, "seeded")
			e, err := s.ElectionByCode(ctx, provinceCode)
			if err != nil {
				t.Fatal(err)
			}
			areas, err := s.Areas(ctx, e.ID)
			if err != nil {
				t.Fatal(err)
			}
			var reporters []int64
			for i := range 3 {
				c, err := s.EnsureContact(ctx, &models.Contact{Channel: models.ChannelConsole, ExternalID: fmt.Sprintf("rep-%d", i), Lang: "vi"})
				if err != nil {
					t.Fatal(err)
				}
				reporters = append(reporters, c.ID)
			}
			admin := reporters[0]
			rng := rand.New(rand.NewPCG(18, 1452))
			sent := map[int64][]models.TallyNumbers{} // by area: numbers sent, to send again (confirmations)
			numbers := func(a *models.Area) models.TallyNumbers {
				if prev := sent[a.ID]; len(prev) > 0 && rng.IntN(3) == 0 {
					return prev[rng.IntN(len(prev))]
				}
				hh := a.Households - rng.IntN(4) // the minutes may count fewer than the list
				att := hh/3 + rng.IntN(hh-hh/3+1)
				inv := rng.IntN(4)
				valid := att - inv
				v1 := rng.IntN(valid + 1)
				v2 := rng.IntN(valid - v1 + 1)
				nm := models.TallyNumbers{Method: models.MethodSecret, Households: hh, Attending: att,
					Issued: ip(att), Returned: ip(att), Valid: ip(valid), Invalid: ip(inv),
					Votes: map[int]int{a.Candidates[0].BallotNo: v1, a.Candidates[1].BallotNo: v2}}
				sent[a.ID] = append(sent[a.ID], nm)
				return nm
			}
			for step := range 120 {
				a := areas[rng.IntN(len(areas))]
				var (
					what   string
					err    error
					direct bool
				)
				switch op := rng.IntN(10); {
				case op < 4:
					what = "submit"
					_, err = s.SubmitTally(ctx, models.TallySubmission{AreaID: a.ID, ReporterID: reporters[rng.IntN(len(reporters))], Numbers: numbers(a)})
				case op < 7:
					what = "accept"
					_, err = s.ReviewTally(ctx, models.ReviewRequest{AreaID: a.ID, Version: rng.IntN(3), Accept: true, By: admin})
				case op == 7:
					what = "reject"
					_, err = s.ReviewTally(ctx, models.ReviewRequest{AreaID: a.ID, Reason: "sai số liệu", By: admin})
				case op == 8:
					what = "withdraw"
					_, err = s.WithdrawRecognition(ctx, models.WithdrawRequest{AreaID: a.ID, Reason: "kiểm lại", By: admin})
				default:
					what, direct = "direct status write", true
					st := []string{models.TallyProvisional, models.TallyAccepted, models.TallyRejected}[rng.IntN(3)]
					err = s.DB(ctx).Exec(`UPDATE tallies SET status = ? WHERE area_id = ? AND version = (SELECT MAX(version) FROM tallies WHERE area_id = ?)`,
						st, a.ID, a.ID).Error
				}
				switch models.ErrorCode(err) {
				case "", models.ENOTFOUND, models.ECONFLICT:
				default:
					t.Fatalf("step %d %s %s/%s: %v", step, what, a.Ward.Code, a.Code, err)
				}
				if !direct {
					// Kept in the transaction of the change: nothing left for a read to redo.
					var stale int64
					if err := s.DB(ctx).Raw("SELECT COUNT(*) FROM area_results WHERE version <> built_version").Scan(&stale).Error; err != nil {
						t.Fatal(err)
					}
					if stale != 0 {
						t.Fatalf("step %d %s %s/%s: %d areas' standings not updated with the tally", step, what, a.Ward.Code, a.Code, stale)
					}
				}
				compareStandings(t, s, fmt.Sprintf("step %d %s %s/%s", step, what, a.Ward.Code, a.Code))
			}

			// The migration's backfill: rows for every area, computed on the
			// first read.
			if err := s.MigrateDownTo(ctx, 10); err != nil {
				t.Fatal(err)
			}
			if err := s.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			compareStandings(t, s, "after the backfill")
		})
	}
}

// compareStandings compares LoadRollUp with LoadScope (less its areas).
func compareStandings(t *testing.T, s *models.Store, when string) {
	t.Helper()
	ctx := context.Background()
	for _, sc := range []results.Scope{{}, {City: "TP Móng Cái"}, {Ward: "tan-lap"}} {
		for _, admin := range []bool{false, true} {
			want, err := results.LoadScope(ctx, s, provinceCode, sc, admin, electionDay)
			if err != nil {
				t.Fatal(err)
			}
			got, err := results.LoadRollUp(ctx, s, provinceCode, sc, admin, electionDay)
			if err != nil {
				t.Fatal(err)
			}
			want.Areas = nil
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("%s, scope %+v, admin %v:\nstandings %+v\nrecompute %+v", when, sc, admin, got, want)
			}
		}
	}
}
