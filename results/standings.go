package results

import (
	"context"
	"fmt"
	"time"

	"electionbot/models"
)

// The page of several wards from the areas' standings: the store keeps
// each area's result as the roll-ups count it (models.AreaStanding,
// current on every accepted, replaced, withdrawn or recognised tally) and
// sums them by ward, so a province's page reads one row per ward, not
// every tally, vote and candidate, and decides no outcome (issue 18: a tally accepted → the
// province's page updated in well under 50 ms at 1,452 areas).

// StandingSource is a Source that keeps each area's standing.
// *models.Store implements it.
type StandingSource interface {
	Source
	// ElectionWardStandings is the areas' standings summed by ward, in
	// the order of each ward's first area, with the election (its Ward
	// set when the areas are of one ward); ENOTFOUND for an unknown code.
	ElectionWardStandings(ctx context.Context, code string) (*models.Election, []*models.WardStanding, error)
}

// LoadRollUp is LoadScope without the areas: the view's progress and
// roll-ups by ward, city and province, equal to LoadScope's, and no
// Areas; one row per ward read. It is what the page of several wards
// shows. Errors as LoadScope.
func LoadRollUp(ctx context.Context, src StandingSource, code string, sc Scope, admin bool, now time.Time) (*Results, error) {
	e, ws, err := src.ElectionWardStandings(ctx, code)
	if err != nil {
		return nil, err
	}
	return RollUpOf(e, ws, sc, admin, now)
}

// RollUpOf is LoadRollUp of standings already read (e and ws as
// ElectionWardStandings gives them).
func RollUpOf(e *models.Election, ws []*models.WardStanding, sc Scope, admin bool, now time.Time) (*Results, error) {
	sc = sc.norm()
	r := newResults(e, admin, now)
	r.Scope = sc
	var (
		places []*AreaResult // one per ward: what placeOf reads
		wards  []RollUp
	)
	for _, w := range ws {
		if !sc.has(&models.Area{Ward: w.Ward}) {
			continue
		}
		places = append(places, &AreaResult{WardCode: w.Ward.Code, Ward: w.Ward.Name, City: w.Ward.City, Province: w.Ward.Province})
		wards = append(wards, wardRollUp(w, admin))
	}
	if !sc.IsZero() && len(wards) == 0 {
		return nil, fmt.Errorf("%w: %s %q", ErrNotInElection, sc.Level(), sc.Ward+sc.City)
	}
	if e.Ward == nil {
		r.Election.WardCode, r.Election.Ward, r.Election.City, r.Election.Province = placeOf(places, e.Province)
	}
	// The cities and provinces in order of first appearance, as rollUps.
	var cities, provinces []RollUp
	cityAt, provAt := map[string]int{}, map[string]int{}
	r.Progress = RollUp{}
	for _, w := range wards {
		addRollUp(&r.Progress, w)
		k := w.Province + "\x00" + w.City
		i, ok := cityAt[k]
		if !ok {
			i = len(cities)
			cityAt[k] = i
			cities = append(cities, RollUp{Level: "city", Name: w.City, Code: CitySlug(w.City), Province: w.Province})
		}
		addRollUp(&cities[i], w)
		j, ok := provAt[w.Province]
		if !ok {
			j = len(provinces)
			provAt[w.Province] = j
			provinces = append(provinces, RollUp{Level: "province", Name: w.Province})
		}
		addRollUp(&provinces[j], w)
	}
	r.RollUps = append(append(wards, cities...), provinces...)
	r.Counting = !now.Before(e.OpensAt) && r.Progress.Recognised < r.Progress.Areas
	return r, nil
}

// wardRollUp is a ward's line of the roll-up, in the view.
func wardRollUp(w *models.WardStanding, admin bool) RollUp {
	r := RollUp{Level: "ward", Name: w.Ward.Name, Code: w.Ward.Code, City: w.Ward.City, Province: w.Ward.Province,
		Areas: w.Areas, Recognised: w.Recognised, Elected: w.Elected, Rerun: w.Rerun, Received: w.Received,
		Households: w.PublicHouseholds, RecognisedHouseholds: w.RecognisedHouseholds, Attending: w.Attending}
	if admin {
		r.Households, r.Provisional, r.Conflict = w.AdminHouseholds, w.Provisional, w.Conflict
	}
	return r
}

// addRollUp adds a ward's counts to a total.
func addRollUp(to *RollUp, w RollUp) {
	to.Areas += w.Areas
	to.Recognised += w.Recognised
	to.Elected += w.Elected
	to.Rerun += w.Rerun
	to.Received += w.Received
	to.Provisional += w.Provisional
	to.Conflict += w.Conflict
	to.Households += w.Households
	to.RecognisedHouseholds += w.RecognisedHouseholds
	to.Attending += w.Attending
}

// pageResults is the view the HTML page shows: for a view of several
// wards (a province's page, a city's), the roll-up from the areas'
// standings (no area is listed there, none is loaded); otherwise the full
// view (results), of one ward's areas.
func (s *Server) pageResults(ctx context.Context, code string, scope Scope, admin bool, now time.Time) (*Results, error) {
	ss, ok := s.src.(StandingSource)
	if !ok || scope.norm().Ward != "" {
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
