package models

import (
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The one CSV layout of an election's results (issue 20): the results
// page's feed (GET /results/{election}.csv) and the export (electionbot
// export results, /xuat; the XLSX has the same header) write the same
// columns in the same order, each row a ResultsLine. The feed's columns
// are a public interface: add columns at the end, never rename, remove or
// move one.

// ResultsColumns is the header row.
var ResultsColumns = slices.Concat(resultsAreaColumns, resultsTallyColumns, resultsListColumns, resultsReviewColumns)

var (
	// The area and its state (State* of package results).
	resultsAreaColumns = []string{"election_code", "province", "city", "ward", "area_code", "area_name", "households", "state"}
	// The tally shown: its ballot fields named and ordered by TallyFields.
	resultsTallyColumns = slices.Concat(
		[]string{"version", "status", "method", TallyFieldAttending, "turnout_percent"},
		ballotFieldKeys(),
		[]string{"outcome", "winner_ballot_no", "winner_name", "winner_votes", "winner_percent",
			"rerun_within_days", "interim_until_elected"})
	// The candidates and their votes as lists; tally_kind, electorate and
	// nominated came with issue 15, ward_code and pending_version with
	// issue 20: last, so the columns before keep their places.
	resultsListColumns = []string{"candidates", "votes", "reported_at", "photo_ref", "tally_kind", "electorate", "nominated",
		"ward_code", "pending_version"}
	// The latest report and its review: the export's (officials only);
	// the feed leaves them empty.
	resultsReviewColumns = []string{"latest_version", "latest_status", "reporter", "reporter_channel", "confirmed_by",
		"reviewed_by", "reviewed_at", "reject_reason", "copy_of_version"}
)

// ResultsReviewColumns are the columns only the export fills.
func ResultsReviewColumns() []string { return slices.Clone(resultsReviewColumns) }

// ballotFieldKeys are the keys of the ballot fields, in the minutes' order.
func ballotFieldKeys() []string {
	var keys []string
	for _, f := range TallyFields {
		if f.Ballot {
			keys = append(keys, f.Key)
		}
	}
	return keys
}

// ResultsLine is one area's row of the layout.
type ResultsLine struct {
	ElectionCode                                       string
	Province, City, Ward, WardCode, AreaCode, AreaName string
	// Households is the shown tally's when it has one, else the list's.
	Households int
	// State is the area's state as the results page names it:
	// not-reported, awaiting-recognition, provisional, conflict,
	// accepted, rerun-needed.
	State      string
	Electorate string
	Candidates []ResultsCandidate // by ballot number; nominated ones only with the tally that names them
	// Tally is the tally shown (the recognised one, or in the officials'
	// view the latest unless rejected); nil: no number shown.
	Tally *ResultsTally
	// PendingVersion is a later report awaiting the ward's review
	// (officials' view), 0 when none.
	PendingVersion int
	// Review is the latest report and its review: the export's; nil in
	// the feed.
	Review *ResultsReview
}

// ResultsCandidate is a candidate of a line; Votes only with a tally.
type ResultsCandidate struct {
	BallotNo  int
	Name      string
	Votes     *int
	Nominated bool
}

// ResultsTally is the numbers of a line's tally and their outcome.
type ResultsTally struct {
	Version int
	Status  string
	TallyNumbers
	Outcome string // OutcomeKind; "" when the numbers cannot be decided
	// Winner is the elected candidate, or in the officials' view of a
	// tally not yet recognised the one leading; nil when none.
	Winner              *Candidate
	RerunWithinDays     int
	InterimUntilElected bool
	ReportedAt          time.Time
	PhotoRef            string // officials' view only
}

// ResultsReview is the latest report of an area and what the ward did
// with it.
type ResultsReview struct {
	LatestVersion             int
	LatestStatus              string
	Reporter, ReporterChannel string
	ConfirmedBy               []string
	ReviewedBy                string
	ReviewedAt                time.Time
	Reason                    string // of a rejection
	CopyOf                    int    // accepted as a copy of this older version
}

// Cells is the line as the layout's cells. Empty cells: not shown or not
// applicable. Percentages have 2 decimals, times are RFC 3339 in UTC,
// lists are joined by ";" (candidates "ballot_no:name", votes
// "ballot_no:votes").
func (l *ResultsLine) Cells() []string {
	var cands, votes, nominated []string
	for _, c := range l.Candidates {
		cands = append(cands, strconv.Itoa(c.BallotNo)+":"+c.Name)
		if c.Nominated {
			nominated = append(nominated, c.Name)
		}
		if l.Tally != nil && c.Votes != nil {
			votes = append(votes, strconv.Itoa(c.BallotNo)+":"+strconv.Itoa(*c.Votes))
		}
	}
	row := make([]string, 0, len(ResultsColumns))
	row = append(row, l.ElectionCode, l.Province, l.City, l.Ward, l.AreaCode, l.AreaName,
		strconv.Itoa(l.Households), l.State)
	if t := l.Tally; t != nil {
		row = append(row, strconv.Itoa(t.Version), t.Status, t.Method, strconv.Itoa(t.Attending),
			percentCell(PercentOf(t.Attending, t.Households)))
		for _, k := range ballotFieldKeys() {
			v, given := t.Number(k)
			if given {
				row = append(row, strconv.Itoa(v))
			} else {
				row = append(row, "")
			}
		}
		row = append(row, t.Outcome)
		if w := t.Winner; w != nil {
			v := t.Votes[w.BallotNo]
			row = append(row, strconv.Itoa(w.BallotNo), w.Name, strconv.Itoa(v), percentCell(PercentOf(v, t.Households)))
		} else {
			row = append(row, "", "", "", "")
		}
		interim := ""
		if t.InterimUntilElected {
			interim = "true"
		}
		row = append(row, optPositive(t.RerunWithinDays), interim,
			strings.Join(cands, ";"), strings.Join(votes, ";"), timeCell(t.ReportedAt), t.PhotoRef, TallyKindOf(t.Kind))
	} else {
		row = append(row, make([]string, len(resultsTallyColumns))...)
		row = append(row, strings.Join(cands, ";"), "", "", "", "")
	}
	if l.Tally == nil {
		nominated = nil // named by a tally not shown
	}
	row = append(row, l.Electorate, strings.Join(nominated, ";"), l.WardCode, optPositive(l.PendingVersion))
	if r := l.Review; r != nil {
		row = append(row, optPositive(r.LatestVersion), r.LatestStatus, r.Reporter, r.ReporterChannel,
			strings.Join(r.ConfirmedBy, "; "), r.ReviewedBy, timeCell(r.ReviewedAt), r.Reason, optPositive(r.CopyOf))
	} else {
		row = append(row, make([]string, len(resultsReviewColumns))...)
	}
	return row
}

// percentCell is a percentage rounded to 2 decimals.
func percentCell(x float64) string {
	return strconv.FormatFloat(math.Round(x*100)/100, 'f', 2, 64)
}

func optPositive(n int) string {
	if n <= 0 {
		return ""
	}
	return strconv.Itoa(n)
}

func timeCell(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}
