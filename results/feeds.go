package results

import (
	"encoding/json"
	"io"
	"math"
	"time"

	"electionbot/models"
)

// The feeds' field names are a public interface (docs/results.md): add
// fields freely, never rename or remove one.

// FeedVersion is the version of the feeds' format.
// 2 (issue 15): interim_max_months gave way to interim_until_elected; a
// tally has its kind (meeting, household-ballot), a candidate may be
// nominated at the meeting, an area has its electorate and, in the
// officials' view, a later report pending the ward's review.
const FeedVersion = 2

// Feed is the JSON document of GET /results/{election}.json.
type Feed struct {
	FormatVersion int       `json:"format_version"`
	View          View      `json:"view"`
	GeneratedAt   time.Time `json:"generated_at"`
	Counting      bool      `json:"counting"`
	// Scope is the part of the election the feed covers (?ward=, ?city=).
	Scope    FeedScope      `json:"scope"`
	Election FeedElection   `json:"election"`
	Progress FeedRollUp     `json:"progress"`
	RollUps  []FeedRollUp   `json:"rollups"`
	Areas    []FeedAreaItem `json:"areas"`
}

// FeedScope is the part of the election a feed covers: level "election"
// (all of it), "city" (code: the city's slug) or "ward" (code: the ward's
// code). The rollups are of that part: every ward's, city's and the
// province's, the wards naming their code and city.
type FeedScope struct {
	Level string `json:"level"`
	Code  string `json:"code,omitempty"`
}

// FeedElection is the election.
type FeedElection struct {
	Code     string   `json:"code"`
	Title    string   `json:"title"`
	Date     string   `json:"date"`
	Opens    string   `json:"opens"`
	Closes   string   `json:"closes"`
	Timezone string   `json:"timezone"`
	OpensAt  string   `json:"opens_at"`
	ClosesAt string   `json:"closes_at"`
	Rules    string   `json:"rules"`
	Basis    string   `json:"basis"`
	Method   string   `json:"method"`
	Ward     FeedWard `json:"ward"`
}

// FeedWard is the ward of the election.
type FeedWard struct {
	Code     string `json:"code"`
	Name     string `json:"name"`
	City     string `json:"city"`
	Province string `json:"province"`
}

// FeedRollUp is the totals of a set of areas.
type FeedRollUp struct {
	Level                string  `json:"level,omitempty"`
	Name                 string  `json:"name,omitempty"`
	Code                 string  `json:"code,omitempty"`     // a ward's code, a city's slug
	City                 string  `json:"city,omitempty"`     // a ward's city
	Province             string  `json:"province,omitempty"` // a ward's or city's province
	Areas                int     `json:"areas"`
	Recognised           int     `json:"recognised"`
	Elected              int     `json:"elected"`
	RerunNeeded          int     `json:"rerun_needed"`
	Received             int     `json:"received"`
	Provisional          *int    `json:"provisional,omitempty"` // officials' view only
	Conflict             *int    `json:"conflict,omitempty"`    // officials' view only
	Households           int     `json:"households"`
	RecognisedHouseholds int     `json:"recognised_households"`
	Attending            int     `json:"attending"`
	RecognisedPercent    float64 `json:"recognised_percent"`
	TurnoutPercent       float64 `json:"turnout_percent"`
}

// FeedAreaItem is one area.
type FeedAreaItem struct {
	Code       string          `json:"code"`
	Name       string          `json:"name"`
	Ward       string          `json:"ward"`
	WardCode   string          `json:"ward_code"`
	City       string          `json:"city"`
	Households int             `json:"households"`
	State      State           `json:"state"`
	Candidates []FeedCandidate `json:"candidates"`
	Tally      *FeedTally      `json:"tally,omitempty"`
	Previous   *FeedTally      `json:"previous,omitempty"` // officials' view, conflict only
	Pending    *FeedTally      `json:"pending,omitempty"`  // officials' view: a later report awaiting review
	Electorate string          `json:"electorate"`         // households | voters (households then counts voters)
}

// FeedCandidate is a candidate; votes only with a shown tally.
type FeedCandidate struct {
	BallotNo int      `json:"ballot_no"`
	Name     string   `json:"name"`
	Votes    *int     `json:"votes,omitempty"`
	Percent  *float64 `json:"percent,omitempty"`
	Elected  bool     `json:"elected,omitempty"`
	// Nominated: at the meeting, not in the election file (its ballot_no
	// is only a key, above 100).
	Nominated bool `json:"nominated,omitempty"`
}

// FeedTally is the numbers of the tally shown and its outcome.
type FeedTally struct {
	Version         int         `json:"version"`
	Status          string      `json:"status"`
	Kind            string      `json:"kind"` // meeting | household-ballot (NĐ 59/2023 Mẫu số 04)
	Method          string      `json:"method"`
	Households      int         `json:"households"`
	Attending       int         `json:"attending"`
	TurnoutPercent  float64     `json:"turnout_percent"`
	Issued          *int        `json:"issued,omitempty"`
	Returned        *int        `json:"returned,omitempty"`
	Valid           *int        `json:"valid,omitempty"`
	Invalid         *int        `json:"invalid,omitempty"`
	Outcome         string      `json:"outcome,omitempty"`
	Winner          *FeedWinner `json:"winner,omitempty"`
	RerunWithinDays int         `json:"rerun_within_days,omitempty"`
	// InterimUntilElected: nobody elected under luat-10-2022; an interim
	// head may serve until a new head is elected.
	InterimUntilElected bool       `json:"interim_until_elected,omitempty"`
	ReportedAt          *time.Time `json:"reported_at,omitempty"`
	PhotoRef            string     `json:"photo_ref,omitempty"` // officials' view only
}

// FeedWinner is the elected candidate (in the officials' view, for a
// provisional tally, the one leading).
type FeedWinner struct {
	BallotNo int     `json:"ballot_no"`
	Name     string  `json:"name"`
	Votes    int     `json:"votes"`
	Percent  float64 `json:"percent"`
}

// ToFeed converts a view to its JSON document.
func ToFeed(r *Results) *Feed {
	f := &Feed{
		FormatVersion: FeedVersion, View: r.View, GeneratedAt: r.GeneratedAt, Counting: r.Counting,
		Scope: FeedScope{Level: "election"},
		Election: FeedElection{
			Code: r.Election.Code, Title: r.Election.Title, Date: r.Election.Date,
			Opens: r.Election.Opens, Closes: r.Election.Closes, Timezone: r.Election.Timezone,
			OpensAt: r.Election.OpensAt.UTC().Format(time.RFC3339), ClosesAt: r.Election.ClosesAt.UTC().Format(time.RFC3339),
			Rules: r.Election.Rules, Basis: r.Election.Basis, Method: r.Election.Method,
			Ward: FeedWard{Code: r.Election.WardCode, Name: r.Election.Ward, City: r.Election.City, Province: r.Election.Province},
		},
		Progress: feedRollUp(r.Progress, r.View),
		RollUps:  make([]FeedRollUp, 0, len(r.RollUps)),
		Areas:    make([]FeedAreaItem, 0, len(r.Areas)),
	}
	if l := r.Scope.Level(); l != "" {
		f.Scope = FeedScope{Level: l, Code: r.Scope.Ward + r.Scope.City}
	}
	for _, ru := range r.RollUps {
		f.RollUps = append(f.RollUps, feedRollUp(ru, r.View))
	}
	for _, a := range r.Areas {
		it := FeedAreaItem{Code: a.Code, Name: a.Name, Ward: a.Ward, WardCode: a.WardCode, City: a.City,
			Households: a.Households, State: a.State, Electorate: a.Electorate,
			Candidates: make([]FeedCandidate, 0, len(a.Candidates))}
		for _, c := range a.Candidates {
			fc := FeedCandidate{BallotNo: c.BallotNo, Name: c.Name, Nominated: c.Nominated}
			if a.Tally != nil && c.Votes != nil {
				v, p := *c.Votes, round2(c.Percent)
				fc.Votes, fc.Percent = &v, &p
				fc.Elected = c.Winner
			}
			it.Candidates = append(it.Candidates, fc)
		}
		it.Tally = feedTally(a.Tally, a.Candidates)
		it.Previous = feedTally(a.Previous, a.Candidates)
		it.Pending = feedTally(a.Pending, a.Candidates)
		f.Areas = append(f.Areas, it)
	}
	return f
}

func feedRollUp(r RollUp, v View) FeedRollUp {
	f := FeedRollUp{Level: r.Level, Name: r.Name, Code: r.Code, City: r.City, Province: r.Province,
		Areas: r.Areas, Recognised: r.Recognised,
		Elected: r.Elected, RerunNeeded: r.Rerun, Received: r.Received, Households: r.Households,
		RecognisedHouseholds: r.RecognisedHouseholds, Attending: r.Attending,
		RecognisedPercent: round2(r.RecognisedPercent()), TurnoutPercent: round2(r.TurnoutPercent())}
	if v == ViewAdmin {
		p, c := r.Provisional, r.Conflict
		f.Provisional, f.Conflict = &p, &c
	}
	return f
}

func feedTally(t *TallyResult, cands []CandidateResult) *FeedTally {
	if t == nil {
		return nil
	}
	f := &FeedTally{Version: t.Version, Status: t.Status, Kind: models.TallyKindOf(t.Kind), Method: t.Method, Households: t.Households,
		Attending: t.Attending, TurnoutPercent: round2(t.TurnoutPercent()),
		Issued: t.Issued, Returned: t.Returned, Valid: t.Valid, Invalid: t.Invalid,
		Outcome: string(t.OutcomeKind), RerunWithinDays: t.RerunWithinDays, InterimUntilElected: t.InterimUntilElected,
		PhotoRef: t.PhotoRef}
	if !t.ReportedAt.IsZero() {
		at := t.ReportedAt.UTC()
		f.ReportedAt = &at
	}
	if t.Winner != nil {
		f.Winner = &FeedWinner{BallotNo: t.Winner.BallotNo, Name: t.Winner.Name,
			Votes: t.Votes[t.Winner.BallotNo], Percent: round2(models.PercentOf(t.Votes[t.Winner.BallotNo], t.Households))}
	}
	return f
}

func writeJSON(w io.Writer, r *Results) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", " ")
	return enc.Encode(ToFeed(r))
}

func writeJSONError(w io.Writer, status int, title, body string) {
	json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{"status": status, "title": title, "message": body}})
}

// CSVHeader is the header row of GET /results/{election}.csv: one row per
// area, in the one layout of the results (models.ResultsColumns), which
// the export (electionbot export results, /xuat) writes too. votes is
// "ballot_no:votes" pairs joined by ";" and candidates "ballot_no:name"
// pairs joined by ";". Empty cells: not shown / not applicable; the
// review columns (models.ResultsReviewColumns) are the export's only.
var CSVHeader = models.ResultsColumns

func writeCSV(w io.Writer, r *Results) error {
	cw := models.NewCSVWriter(w)
	if err := cw.Write(CSVHeader); err != nil {
		return err
	}
	for _, a := range r.Areas {
		if err := cw.Write(csvLine(r, a).Cells()); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// csvLine is an area of the view as a line of the layout.
func csvLine(r *Results, a *AreaResult) *models.ResultsLine {
	l := &models.ResultsLine{ElectionCode: r.Election.Code, Province: a.Province, City: a.City, Ward: a.Ward,
		WardCode: a.WardCode, AreaCode: a.Code, AreaName: a.Name, Households: a.Households, State: string(a.State),
		Electorate: a.Electorate}
	for _, c := range a.Candidates {
		l.Candidates = append(l.Candidates, models.ResultsCandidate{BallotNo: c.BallotNo, Name: c.Name, Votes: c.Votes, Nominated: c.Nominated})
	}
	if t := a.Tally; t != nil {
		l.Tally = &models.ResultsTally{Version: t.Version, Status: t.Status, TallyNumbers: t.TallyNumbers,
			Outcome: string(t.OutcomeKind), Winner: t.Winner, RerunWithinDays: t.RerunWithinDays,
			InterimUntilElected: t.InterimUntilElected, ReportedAt: t.ReportedAt, PhotoRef: t.PhotoRef}
	}
	if a.Pending != nil {
		l.PendingVersion = a.Pending.Version
	}
	return l
}

func round2(x float64) float64 { return math.Round(x*100) / 100 }
