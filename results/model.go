// Package results serves the results of an election as the ward and the
// public watch them come in: an HTML page (GET /results/{election}), the same
// data as JSON and CSV feeds (…/{election}.json, …/{election}.csv) and PNG
// charts for the chat (ChartVotes, ChartProgress).
//
// What is public follows the law: only results the commune/ward people's
// committee has recognised (accepted tallies) and counts. Provisional
// numbers, conflicts and photos of the counting minutes are shown only in the
// officials' view, reached through a signed, expiring link (SignAdminLink).
// The split is made when the model is built (Build): a public Results holds
// no provisional number at all, so no template or feed can leak one.
package results

import (
	"context"
	"log/slog"
	"time"

	"electionbot/models"
)

// State is where an area's result stands on the page.
type State string

// Area states. StateAwaiting is the public face of StateProvisional and
// StateConflict; those two appear only in the officials' view.
const (
	StateNotReported State = "not-reported"         // no tally, or the latest one was rejected
	StateAwaiting    State = "awaiting-recognition" // public: a tally is in, not yet accepted
	StateProvisional State = "provisional"          // officials: latest tally provisional
	StateConflict    State = "conflict"             // officials: reporters disagree
	StateAccepted    State = "accepted"             // recognised, a head elected
	StateRerun       State = "rerun-needed"         // recognised, nobody elected (re-run / meeting again / undecided)
)

// View is who the page is for.
type View string

// Views.
const (
	ViewPublic View = "public"
	ViewAdmin  View = "admin"
)

// Source is what the page reads: models.Store implements it with one query.
type Source interface {
	ElectionResults(ctx context.Context, code string) (*models.Election, []*models.AreaTallies, error)
}

// Results is one election's results as one view may see them.
type Results struct {
	View View
	// Scope is the part of the election the view covers (zero: all of it).
	Scope       Scope
	Election    ElectionInfo
	GeneratedAt time.Time
	// Counting: the election has opened and some area's result is not yet
	// recognised; the page refreshes itself meanwhile.
	Counting bool
	Progress RollUp // all the areas of the page
	// RollUps are the totals by ward, city and province, in that order.
	RollUps []RollUp
	Areas   []*AreaResult
}

// ElectionInfo is the election as the page shows it.
type ElectionInfo struct {
	Code, Title, Date, Opens, Closes, Timezone, Rules, Method string
	Basis                                                     string // legal source of the rules
	OpensAt, ClosesAt                                         time.Time
	// The place of the view: the ward, city and province of its areas
	// when they are of one ward; the city and province when of one city;
	// the province otherwise.
	WardCode, Ward, City, Province string
}

// RollUp is the totals of a set of areas.
type RollUp struct {
	Level string // "ward", "city", "province"; "" for the page's total
	Name  string // the ward's, city's or province's name
	// Code is a ward's code or a city's slug (CitySlug): what ?ward= and
	// ?city= take. City is a ward's city; Province a ward's or city's.
	Code, City, Province string
	Areas                int
	// Recognised: areas whose result is accepted; Elected those with a
	// head elected, Rerun those where nobody was (re-run, meeting not
	// valid, undecided). Recognised = Elected + Rerun but for accepted
	// minutes the rules cannot decide (logged when built).
	Recognised, Elected, Rerun int
	// Received: areas with a tally in (recognised or not yet).
	Received int
	// Provisional and Conflict are counted in the officials' view only.
	Provisional, Conflict int
	Households            int // of all the areas
	RecognisedHouseholds  int // of the recognised areas (from their tallies)
	Attending             int // in the recognised areas
}

// RecognisedPercent is Recognised / Areas × 100.
func (r RollUp) RecognisedPercent() float64 { return models.PercentOf(r.Recognised, r.Areas) }

// ReceivedPercent is Received / Areas × 100.
func (r RollUp) ReceivedPercent() float64 { return models.PercentOf(r.Received, r.Areas) }

// TurnoutPercent is attending / households of the recognised areas × 100.
func (r RollUp) TurnoutPercent() float64 {
	return models.PercentOf(r.Attending, r.RecognisedHouseholds)
}

// AreaResult is one area's line on the page.
type AreaResult struct {
	Code, Name                     string
	WardCode, Ward, City, Province string
	Households                     int // on the list (the tally's when it has one)
	State                          State
	Candidates                     []CandidateResult // by ballot number; Votes nil when not shown
	// Tally is the tally shown: the accepted one in every view, the
	// provisional or conflicting one in the officials' view; nil otherwise.
	Tally *TallyResult
	// Previous is, for a conflict (officials only), the version the latest
	// one disagrees with.
	Previous *TallyResult
	// Pending is, in the officials' view, a later report that differs
	// from the recognised result and awaits the ward's review; the public
	// view never has it (docs/design.md §3: only the ward changes what is
	// recognised).
	Pending *TallyResult
	// Electorate is who votes: models.ElectorateHouseholds or
	// ElectorateVoters (Households then counts voters).
	Electorate string
}

// TallyResult is a tally's numbers and the outcome they give under the
// election's rules.
type TallyResult struct {
	Version int
	Status  string
	// The numbers; Households is the list's when the tally has none, Votes
	// are by ballot number.
	models.TallyNumbers
	ReportedAt time.Time
	PhotoRef   string // officials' view only
	// Outcome; OutcomeKind is "" when the numbers could not be decided
	// (inconsistent minutes).
	OutcomeKind         models.OutcomeKind
	Winner              *models.Candidate // elected (or, provisional, leading) candidate; Nominated: at the meeting
	WinnerVotes         int
	WinnerPercent       float64 // of the area's WHOLE electorate
	RerunWithinDays     int
	InterimUntilElected bool
}

// HouseholdBallot reports whether the numbers are of ballots sent to every
// household (NĐ 59/2023 Mẫu số 04) rather than of a meeting.
func (t *TallyResult) HouseholdBallot() bool { return t.Kind == models.TallyKindHouseholdBallot }

// TurnoutPercent is attending / households × 100.
func (t *TallyResult) TurnoutPercent() float64 { return models.PercentOf(t.Attending, t.Households) }

// CandidateResult is a candidate and, when shown, their votes. Nominated:
// named at the meeting, not in the election file (shown without a ballot
// number, and only with the tally that names them).
type CandidateResult struct {
	BallotNo  int
	Name      string
	Votes     *int
	Percent   float64 // of the whole electorate
	Winner    bool
	Nominated bool
}

// Recognised reports whether the area's result is accepted.
func (a *AreaResult) Recognised() bool { return a.State == StateAccepted || a.State == StateRerun }

// Area returns the area with the code, or nil.
func (r *Results) Area(code string) *AreaResult {
	for _, a := range r.Areas {
		if a.Code == code {
			return a
		}
	}
	return nil
}

// Load reads an election's results from src and builds the view of them:
// public unless admin. now is the clock (for Counting and GeneratedAt).
func Load(ctx context.Context, src Source, code string, admin bool, now time.Time) (*Results, error) {
	e, areas, err := src.ElectionResults(ctx, code)
	if err != nil {
		return nil, err
	}
	return Build(e, areas, admin, now), nil
}

// newResults is an election's view with no area yet: its facts, the
// view (public or the officials'), the time it was made.
func newResults(e *models.Election, admin bool, now time.Time) *Results {
	r := &Results{View: ViewPublic, GeneratedAt: now.UTC()}
	if admin {
		r.View = ViewAdmin
	}
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
	return r
}

// Build turns the store's rows into a view. The public view keeps the
// numbers of accepted tallies only; a provisional or conflicting tally shows
// as StateAwaiting with no number, and photo references are dropped.
func Build(e *models.Election, areas []*models.AreaTallies, admin bool, now time.Time) *Results {
	r := newResults(e, admin, now)
	r.Areas = make([]*AreaResult, 0, len(areas))
	for _, at := range areas {
		r.Areas = append(r.Areas, buildArea(r.Election, e.Rules, at, admin))
	}
	if e.Ward == nil {
		r.Election.WardCode, r.Election.Ward, r.Election.City, r.Election.Province = placeOf(r.Areas, e.Province)
	}
	r.Progress = rollUp("", "", r.Areas, admin)
	r.RollUps = rollUps(r.Areas, admin)
	r.Counting = !now.Before(e.OpensAt) && r.Progress.Recognised < r.Progress.Areas
	return r
}

func buildArea(el ElectionInfo, rules string, at *models.AreaTallies, admin bool) *AreaResult {
	a := &AreaResult{
		Code: at.Area.Code, Name: at.Area.Name, Households: at.Area.Households,
		WardCode: el.WardCode, Ward: el.Ward, City: el.City, Province: el.Province,
		State: StateNotReported, Electorate: models.ElectorateOf(at.Area.Electorate),
	}
	if w := at.Area.Ward; w != nil {
		a.WardCode, a.Ward, a.City, a.Province = w.Code, w.Name, w.City, w.Province
	}
	t := at.Latest
	if at.Recognised != nil {
		// The recognised result stands until the ward withdraws it or
		// recognises another version; a later report is the officials'.
		t = at.Recognised
		if p := at.Pending(); p != nil && admin {
			a.Pending = buildTally(rules, p, at.Area, admin)
		}
	}
	shown := map[int]bool{} // the nominees of the tally shown
	if t != nil && t.Status != models.TallyRejected {
		for _, c := range models.NomineesOf(at.Area.Candidates, models.TallyNumbersOf(t, at.Area.Candidates)) {
			shown[c.BallotNo] = true
		}
	}
	for _, c := range at.Area.Candidates {
		if !c.Nominated || shown[c.BallotNo] {
			a.Candidates = append(a.Candidates, CandidateResult{BallotNo: c.BallotNo, Name: c.Name, Nominated: c.Nominated})
		}
	}
	if t == nil {
		return a
	}
	switch t.Status {
	case models.TallyRejected:
		return a
	case models.TallyAccepted:
		a.Tally = buildTally(rules, t, at.Area, admin)
		a.State = StateAccepted
		if a.Tally.OutcomeKind != "" && a.Tally.OutcomeKind != models.OutcomeElected {
			a.State = StateRerun
		}
	case models.TallyProvisional, models.TallyConflict, models.TallyWithdrawn:
		if !admin {
			a.State = StateAwaiting
			return a
		}
		a.State = StateProvisional
		a.Tally = buildTally(rules, t, at.Area, admin)
		if t.Status == models.TallyConflict {
			a.State = StateConflict
			if at.Previous != nil {
				a.Previous = buildTally(rules, at.Previous, at.Area, admin)
			}
		}
	default: // a status this page does not know: say nothing of its numbers
		a.State = StateAwaiting
		return a
	}
	if a.Tally.Households > 0 {
		a.Households = a.Tally.Households
	}
	for i := range a.Candidates {
		c := &a.Candidates[i]
		v := a.Tally.Votes[c.BallotNo]
		c.Votes = &v
		c.Percent = models.PercentOf(v, a.Tally.Households)
		c.Winner = a.Tally.OutcomeKind == models.OutcomeElected && a.Tally.Winner != nil && a.Tally.Winner.BallotNo == c.BallotNo
	}
	return a
}

func buildTally(rules string, t *models.Tally, area *models.Area, admin bool) *TallyResult {
	tr := &TallyResult{
		Version: t.Version, Status: t.Status, ReportedAt: t.CreatedAt,
		TallyNumbers: models.TallyNumbers{Kind: models.TallyKindOf(t.Kind), Method: t.Method, Households: t.Households, Attending: t.Attending,
			Issued: t.Issued, Returned: t.Returned, Valid: t.Valid, Invalid: t.Invalid, Votes: map[int]int{}},
	}
	if tr.Households <= 0 {
		tr.Households = area.Households
	}
	if admin {
		tr.PhotoRef = t.PhotoRef
	}
	byID := make(map[int64]*models.Candidate, len(area.Candidates))
	for _, c := range area.Candidates {
		byID[c.ID] = c
	}
	for _, v := range t.Votes {
		if c := byID[v.CandidateID]; c != nil {
			tr.Votes[c.BallotNo] = v.Votes
		}
	}
	o, err := models.DecideOutcome(rules, tr.TallyNumbers, area.Candidates)
	if err != nil {
		// Minutes that were accepted should be consistent; if not, the page
		// shows the numbers without an outcome and the log says why.
		slog.Warn("results: cannot decide outcome", "area", area.Code, "version", t.Version, "err", err)
		return tr
	}
	tr.OutcomeKind = o.Kind
	tr.WinnerVotes, tr.WinnerPercent = o.Votes, o.Percent
	tr.Winner = o.Winner
	if tr.Winner == nil && t.Status != models.TallyAccepted {
		tr.Winner = o.Leader // provisional: who leads so far
	}
	tr.RerunWithinDays, tr.InterimUntilElected = o.RerunWithinDays, o.InterimUntilElected
	return tr
}
