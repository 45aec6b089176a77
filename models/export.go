package models

import (
	"context"
	"fmt"
	"io"
	"strings"
)

// Export formats.
const (
	ExportCSV  = "csv"
	ExportXLSX = "xlsx"
)

// Area states as the results page names them (ResultsLine.State; the
// results package's State* constants are the same words).
const (
	NotReported      = "not-reported"         // no tally, or the latest one was rejected
	StateAwaiting    = "awaiting-recognition" // public: a tally is in, not yet accepted
	StateProvisional = "provisional"          // officials: latest tally provisional
	StateConflict    = "conflict"             // officials: reporters disagree
	StateAccepted    = "accepted"             // recognised, a head elected
	StateRerun       = "rerun-needed"         // recognised, nobody elected
)

// ResultsLines builds the export of an election (of one ward, by its
// code, unless ""): one line per area in load order, as the officials'
// view of the results page shows it (ResultsLineOf), with the latest
// report and its review. The results come from one query
// (ElectionResultsOf); reviews and contacts from one query each. A ward
// that does not exist, or has no area in the election, is ENOTFOUND
// naming the election's wards.
func (s Tallies) ResultsLines(ctx context.Context, electionCode, wardCode string) (*Election, []*ResultsLine, error) {
	var wardID int64
	if wardCode != "" {
		w, err := s.WardByCode(ctx, wardCode)
		switch {
		case ErrorCode(err) == ENOTFOUND:
			return nil, nil, s.noSuchWard(ctx, electionCode, wardCode)
		case err != nil:
			return nil, nil, err
		}
		wardID = w.ID
	}
	e, areas, err := s.ElectionResultsOf(ctx, electionCode, wardID)
	if err != nil {
		return nil, nil, err
	}
	if wardCode != "" && len(areas) == 0 {
		return nil, nil, s.noSuchWard(ctx, electionCode, wardCode)
	}
	var reviews map[int64][]*TallyReview
	if wardCode == "" {
		reviews, err = s.ElectionReviews(ctx, e.ID)
	} else {
		ids := make([]int64, len(areas))
		for i, at := range areas {
			ids[i] = at.Area.ID
		}
		reviews, err = s.areaReviews(ctx, ids)
	}
	if err != nil {
		return nil, nil, err
	}
	var ids []int64
	for _, at := range areas {
		if at.Latest != nil {
			ids = append(ids, at.Latest.ReporterID)
			for _, r := range reviews[at.Latest.ID] {
				if r.ContactID != nil {
					ids = append(ids, *r.ContactID)
				}
			}
		}
	}
	contacts, err := s.ContactsByID(ctx, ids)
	if err != nil {
		return nil, nil, err
	}
	name := func(id int64) string {
		if c := contacts[id]; c != nil {
			return ContactLabel(c)
		}
		return fmt.Sprintf("#%d", id)
	}
	lines := make([]*ResultsLine, 0, len(areas))
	for _, at := range areas {
		l := ResultsLineOf(e, at)
		if t := at.Latest; t != nil {
			r := &ResultsReview{LatestVersion: t.Version, LatestStatus: t.Status, Reporter: name(t.ReporterID)}
			if c := contacts[t.ReporterID]; c != nil {
				r.ReporterChannel = c.Channel
			}
			for _, rv := range reviews[t.ID] {
				switch rv.Action {
				case ReviewConfirm:
					if rv.ContactID != nil {
						r.ConfirmedBy = append(r.ConfirmedBy, name(*rv.ContactID))
					}
				case ReviewAccept, ReviewReject, ReviewWithdraw:
					r.ReviewedAt, r.Reason, r.CopyOf, r.ReviewedBy = rv.At, rv.Reason, 0, ""
					if rv.ContactID != nil {
						r.ReviewedBy = name(*rv.ContactID)
					}
					if rv.SourceVersion != nil {
						r.CopyOf = *rv.SourceVersion
					}
				}
			}
			l.Review = r
		}
		lines = append(lines, l)
	}
	return e, lines, nil
}

// ResultsLineOf is an area's line as the officials' view of the results
// page shows it (results.Build with admin): the recognised tally while
// there is one (a later report is PendingVersion), else the latest unless
// it was rejected; the state named as the page names it. Review is left
// nil.
func ResultsLineOf(e *Election, at *AreaTallies) *ResultsLine {
	a := at.Area
	l := &ResultsLine{ElectionCode: e.Code, AreaCode: a.Code, AreaName: a.Name, Households: a.Households,
		State: NotReported, Electorate: ElectorateOf(a.Electorate)}
	if w := e.Ward; w != nil {
		l.WardCode, l.Ward, l.City, l.Province = w.Code, w.Name, w.City, w.Province
	}
	if w := a.Ward; w != nil {
		l.WardCode, l.Ward, l.City, l.Province = w.Code, w.Name, w.City, w.Province
	}
	t := at.Latest
	if at.Recognised != nil {
		t = at.Recognised
		if p := at.Pending(); p != nil {
			l.PendingVersion = p.Version
		}
	}
	var n TallyNumbers
	if t != nil {
		n = TallyNumbersOf(t, a.Candidates)
	}
	for _, c := range a.Candidates {
		if _, named := n.Votes[c.BallotNo]; c.Nominated && (!named || t.Status == TallyRejected) {
			continue // nominated at a meeting the tally shown does not report
		}
		l.Candidates = append(l.Candidates, ResultsCandidate{BallotNo: c.BallotNo, Name: c.Name, Nominated: c.Nominated})
	}
	if t == nil {
		return l
	}
	switch t.Status {
	case TallyAccepted:
		l.State = StateAccepted
	case TallyProvisional, TallyWithdrawn:
		l.State = StateProvisional
	case TallyConflict:
		l.State = StateConflict
	case TallyRejected:
		return l
	default: // a status the page does not know: no number
		l.State = StateAwaiting
		return l
	}
	n.Kind = TallyKindOf(t.Kind)
	if n.Households <= 0 {
		n.Households = a.Households
	}
	tr := &ResultsTally{Version: t.Version, Status: t.Status, TallyNumbers: n, ReportedAt: t.CreatedAt, PhotoRef: t.PhotoRef}
	if o, err := DecideOutcome(e.Rules, n, a.Candidates); err == nil {
		tr.Outcome = string(o.Kind)
		tr.Winner = o.Winner
		if tr.Winner == nil && t.Status != TallyAccepted {
			tr.Winner = o.Leader // not yet recognised: who leads so far
		}
		tr.RerunWithinDays, tr.InterimUntilElected = o.RerunWithinDays, o.InterimUntilElected
	}
	if t.Status == TallyAccepted && tr.Outcome != "" && tr.Outcome != string(OutcomeElected) {
		l.State = StateRerun
	}
	l.Tally = tr
	l.Households = n.Households
	for i := range l.Candidates {
		v := n.Votes[l.Candidates[i].BallotNo]
		l.Candidates[i].Votes = &v
	}
	return l
}

// ContactLabel is how officials see a contact: its display name, else its
// phone, else its channel and id.
func ContactLabel(c *Contact) string {
	switch {
	case c.DisplayName != "":
		return c.DisplayName
	case c.Phone != nil && *c.Phone != "":
		return *c.Phone
	}
	return c.Channel + ":" + c.ExternalID
}

// noSuchWard is the error of an export of a ward the election does not
// have: it names the election's wards (the first few of a province's).
func (s Tallies) noSuchWard(ctx context.Context, electionCode, wardCode string) error {
	e, err := s.ElectionByCode(ctx, electionCode)
	if err != nil {
		return err
	}
	ws, err := s.ElectionWards(ctx, e.ID)
	if err != nil {
		return err
	}
	var codes []string
	for i, w := range ws {
		if i == 10 {
			codes = append(codes, fmt.Sprintf("… (%d in all)", len(ws)))
			break
		}
		codes = append(codes, w.Code)
	}
	return Errorf(ENOTFOUND, "election %q has no ward %q (its wards: %s)", electionCode, wardCode, strings.Join(codes, ", "))
}

// areaReviews are the reviews of the tallies of some areas, by tally id
// (ElectionReviews of a part of the election).
func (s Tallies) areaReviews(ctx context.Context, areaIDs []int64) (map[int64][]*TallyReview, error) {
	var rs []*TallyReview
	err := s.DB(ctx).Joins("JOIN tallies ON tallies.id = tally_reviews.tally_id").
		Where("tallies.area_id IN ?", areaIDs).Order("tally_reviews.id").Find(&rs).Error
	if err != nil {
		return nil, Wrap(EINTERNAL, err, "reviews of %d areas", len(areaIDs))
	}
	out := map[int64][]*TallyReview{}
	for _, r := range rs {
		r.At = r.At.UTC()
		out[r.TallyID] = append(out[r.TallyID], r)
	}
	return out, nil
}

// ExportResults writes an election's results in the one layout of the
// results (ResultsColumns: the results page's CSV feed has the same), one
// row per area as the officials see it, then its latest report and the
// review, as CSV (UTF-8, header row) or XLSX (one sheet "results", the
// numbers as numbers). An unknown format is EINVALID, an unknown election
// ENOTFOUND.
func (s Tallies) ExportResults(ctx context.Context, electionCode, format string, w io.Writer) error {
	return s.ExportResultsOf(ctx, electionCode, "", format, w)
}

// ExportResultsOf is ExportResults of one ward (by its code; "" for the
// whole election); a ward the election does not have is ENOTFOUND.
func (s Tallies) ExportResultsOf(ctx context.Context, electionCode, wardCode, format string, w io.Writer) error {
	if format != ExportCSV && format != ExportXLSX {
		return Errorf(EINVALID, "export format %q: want csv or xlsx", format)
	}
	var xlsx SheetFormat
	if format == ExportXLSX {
		var err error
		if xlsx, err = sheetFormat(format); err != nil {
			return err
		}
	}
	_, lines, err := s.ResultsLines(ctx, electionCode, wardCode)
	if err != nil {
		return err
	}
	table := make([][]string, 0, len(lines)+1)
	table = append(table, ResultsColumns)
	for _, l := range lines {
		table = append(table, l.Cells())
	}
	if format == ExportCSV {
		cw := NewCSVWriter(w)
		if err := cw.WriteAll(table); err != nil {
			return Wrap(EINTERNAL, err, "write csv")
		}
		return nil
	}
	return xlsx.Write(w, "results", table, isNumberCell)
}

// isNumberCell: numeric columns (counts, versions, percentages); codes and
// names stay text even when they look like numbers.
func isNumberCell(header, v string) bool {
	if v == "" {
		return false
	}
	switch header {
	case "households", "version", "attending", "issued", "returned", "valid", "invalid", "turnout_percent",
		"winner_ballot_no", "winner_votes", "winner_percent", "rerun_within_days", "pending_version",
		"latest_version", "copy_of_version":
		return true
	}
	return false
}
