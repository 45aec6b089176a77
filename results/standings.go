package results

import (
	"context"
	"fmt"
	"time"

	"electionbot/models"
)

// The page of several wards from the areas' standings: the store keeps
// each area's result as the roll-ups count it (models.AreaStanding,
// current on every accepted, replaced, withdrawn or recognised tally), so
// a province's page reads one narrow row per area, not every tally, vote
// and candidate, and decides no outcome (issue 18: a tally accepted → the
// province's page updated in well under 50 ms at 1,452 areas).

// StandingSource is a Source that keeps each area's standing.
// *models.Store implements it.
type StandingSource interface {
	Source
	// ElectionStandings is each area's standing (of one ward when wardID
	// is not 0), in load order, with the election (its Ward set when the
	// areas are of one ward); ENOTFOUND for an unknown code.
	ElectionStandings(ctx context.Context, code string, wardID int64) (*models.Election, []*models.AreaStanding, error)
}

// LoadRollUp is LoadScope without the areas: the view's progress and
// roll-ups by ward, city and province, equal to LoadScope's, and no
// Areas. It is what the page of several wards shows. Errors as LoadScope.
func LoadRollUp(ctx context.Context, src StandingSource, code string, sc Scope, admin bool, now time.Time) (*Results, error) {
	sc = sc.norm()
	e, sts, err := src.ElectionStandings(ctx, code, 0)
	if err != nil {
		return nil, err
	}
	r := &Results{View: ViewPublic, GeneratedAt: now.UTC(), Scope: sc}
	if admin {
		r.View = ViewAdmin
	}
	// As Build.
	r.Election = ElectionInfo{
		Code: e.Code, Title: e.Title, Date: e.Date, Opens: e.Opens, Closes: e.Closes,
		Timezone: e.Timezone, Rules: e.Rules, Method: e.Method,
		Basis:   models.Regimes[e.Rules].Basis,
		OpensAt: e.OpensAt, ClosesAt: e.ClosesAt,
	}
	if e.Ward != nil {
		r.Election.WardCode, r.Election.Ward = e.Ward.Code, e.Ward.Name
		r.Election.City, r.Election.Province = e.Ward.City, e.Ward.Province
	}
	areas := make([]*AreaResult, 0, len(sts))
	for _, st := range sts {
		if !sc.has(&models.Area{Ward: st.Ward}) {
			continue
		}
		areas = append(areas, standingArea(st, admin))
	}
	if !sc.IsZero() && len(areas) == 0 {
		return nil, fmt.Errorf("%w: %s %q", ErrNotInElection, sc.Level(), sc.Ward+sc.City)
	}
	if e.Ward == nil {
		r.Election.WardCode, r.Election.Ward, r.Election.City, r.Election.Province = placeOf(areas, e.Province)
	}
	r.Progress = rollUp("", "", areas, admin)
	r.RollUps = rollUps(areas, admin)
	r.Counting = !now.Before(e.OpensAt) && r.Progress.Recognised < r.Progress.Areas
	return r, nil
}

// standingArea is what rollUp reads of an area, from its standing.
func standingArea(st *models.AreaStanding, admin bool) *AreaResult {
	a := &AreaResult{State: State(st.PublicState), Households: st.PublicHouseholds}
	if admin {
		a.State, a.Households = State(st.AdminState), st.AdminHouseholds
	}
	if w := st.Ward; w != nil {
		a.WardCode, a.Ward, a.City, a.Province = w.Code, w.Name, w.City, w.Province
	}
	if a.Recognised() {
		a.Tally = &TallyResult{TallyNumbers: models.TallyNumbers{Households: st.RecognisedHouseholds, Attending: st.Attending}}
		if st.Elected {
			a.Tally.OutcomeKind = models.OutcomeElected
		}
	}
	return a
}

// pageResults is the view the HTML page shows: for a whole election of
// several wards (a province's page), the roll-up from the areas'
// standings (no area is listed there, none is loaded); otherwise the full
// view (results). A city's page could be built the same way (LoadRollUp
// takes its scope); it still reads its areas, as the feeds of its format
// share that read.
func (s *Server) pageResults(ctx context.Context, code string, scope Scope, admin bool, now time.Time) (*Results, error) {
	ss, ok := s.src.(StandingSource)
	if !ok || !scope.IsZero() {
		return s.results(ctx, code, scope, admin, now)
	}
	mk := cacheKey{code: code, scope: scope.key(), view: ViewPublic, format: "standings"}
	if admin {
		mk.view = ViewAdmin
	}
	res, err := s.models.get(ctx, mk, now, func(ctx context.Context) (*Results, error) {
		return LoadRollUp(ctx, ss, code, scope, admin, now)
	})
	if err != nil || res.MultiWard() {
		return res, err
	}
	return s.results(ctx, code, scope, admin, now)
}
