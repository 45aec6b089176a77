package models

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// Export formats.
const (
	ExportCSV  = "csv"
	ExportXLSX = "xlsx"
)

// ExportRow is one area of an election's results as exported: the area,
// its latest tally version (every field), the outcome those numbers give
// under the election's rules, who reported it and when, and the ward's
// review.
type ExportRow struct {
	Election, Ward, AreaCode, AreaName string
	WardCode, City, Province           string // the area's ward's
	ListHouseholds                     int
	Status                             string // the latest version's status, or "not-reported"
	Version                            int    // 0: nothing reported
	Versions                           int    // how many versions the area has (latest number)
	TallyNumbers                              // of the latest version (zero when none)
	Candidates                         []ExportCandidate
	Outcome                            string // OutcomeKind, "" when nothing (consistent) was reported
	Winner                             string // elected, or leading when not elected
	WinnerVotes                        int
	WinnerPercent                      float64
	Reporter                           string
	ReporterChannel                    string
	ConfirmedBy                        []string
	ReportedAt                         time.Time
	ReviewedBy                         string
	ReviewedAt                         time.Time
	Reason                             string // of a rejection
	CopyOf                             int    // accepted as a copy of this older version
	PhotoRef                           string
	// The law as applied (issue 15): who votes, the recognised version
	// (which may be older than the latest while a later report awaits the
	// ward's review) and the candidates nominated at the meeting.
	Electorate        string
	RecognisedVersion int
	Nominated         []string
}

// ExportCandidate is a candidate's line in an export row.
type ExportCandidate struct {
	BallotNo  int
	Name      string
	Votes     *int // nil when nothing was reported
	Nominated bool // ứng cử tại hội nghị
}

// NotReported is the Status of an area without a tally.
const NotReported = "not-reported"

// ExportRows builds the export of an election: one row per area, in load
// order. The results come from one query (ElectionResults); reviews and
// contacts from one query each.
func (s Tallies) ExportRows(ctx context.Context, electionCode string) (*Election, []*ExportRow, error) {
	return s.ExportRowsOf(ctx, electionCode, "")
}

// ExportRowsOf is ExportRows of one ward's areas (by its code; "" for the
// whole election): the ward's areas and their reviews are read alone. A
// ward that does not exist, or has no area in the election, is ENOTFOUND
// naming the election's wards.
func (s Tallies) ExportRowsOf(ctx context.Context, electionCode, wardCode string) (*Election, []*ExportRow, error) {
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
	loc := e.Location()
	rows := make([]*ExportRow, 0, len(areas))
	for _, at := range areas {
		a := at.Area
		r := &ExportRow{Election: e.Code, AreaCode: a.Code, AreaName: a.Name,
			ListHouseholds: a.Households, Status: NotReported, Province: e.Province,
			Electorate: ElectorateOf(a.Electorate)}
		if at.Recognised != nil {
			r.RecognisedVersion = at.Recognised.Version
		}
		if w := a.Ward; w != nil {
			r.Ward, r.WardCode, r.City = w.Name, w.Code, w.City
			if w.Province != "" {
				r.Province = w.Province
			}
		}
		t := at.Latest
		if t == nil {
			for _, c := range a.Candidates {
				if !c.Nominated {
					r.Candidates = append(r.Candidates, ExportCandidate{BallotNo: c.BallotNo, Name: c.Name})
				}
			}
			rows = append(rows, r)
			continue
		}
		r.Status, r.Version, r.Versions = t.Status, t.Version, t.Version
		r.PhotoRef = t.PhotoRef
		r.ReportedAt = t.CreatedAt.In(loc)
		r.Reporter = name(t.ReporterID)
		if c := contacts[t.ReporterID]; c != nil {
			r.ReporterChannel = c.Channel
		}
		n := TallyNumbersOf(t, a.Candidates)
		r.TallyNumbers = n
		for _, c := range a.Candidates {
			v, given := n.Votes[c.BallotNo]
			if c.Nominated && !given {
				continue // nominated at a meeting this version does not report
			}
			r.Candidates = append(r.Candidates, ExportCandidate{BallotNo: c.BallotNo, Name: c.Name, Votes: &v, Nominated: c.Nominated})
			if c.Nominated {
				r.Nominated = append(r.Nominated, c.Name)
			}
		}
		if n.Households <= 0 {
			n.Households = a.Households
		}
		if o, err := DecideOutcome(e.Rules, n, a.Candidates); err == nil {
			r.Outcome = string(o.Kind)
			if w := o.Winner; w != nil {
				r.Winner = w.Name
			} else if o.Leader != nil {
				r.Winner = o.Leader.Name
			}
			r.WinnerVotes, r.WinnerPercent = o.Votes, o.Percent
		}
		for _, rv := range reviews[t.ID] {
			switch rv.Action {
			case ReviewConfirm:
				if rv.ContactID != nil {
					r.ConfirmedBy = append(r.ConfirmedBy, name(*rv.ContactID))
				}
			case ReviewAccept, ReviewReject, ReviewWithdraw:
				r.ReviewedAt, r.Reason, r.CopyOf = rv.At.In(loc), rv.Reason, 0
				if rv.ContactID != nil {
					r.ReviewedBy = name(*rv.ContactID)
				}
				if rv.SourceVersion != nil {
					r.CopyOf = *rv.SourceVersion
				}
			}
		}
		rows = append(rows, r)
	}
	return e, rows, nil
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

// ExportResults writes an election's results, one row per area with every
// field of its latest tally version, the outcome, the version and its
// state, the reporter and the times, as CSV (UTF-8, header row) or XLSX
// (one sheet "results"). An unknown format is EINVALID, an unknown election
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
	_, rows, err := s.ExportRowsOf(ctx, electionCode, wardCode)
	if err != nil {
		return err
	}
	table := ExportTable(rows)
	if format == ExportCSV {
		cw := NewCSVWriter(w)
		if err := cw.WriteAll(table); err != nil {
			return Wrap(EINTERNAL, err, "write csv")
		}
		return nil
	}
	return xlsx.Write(w, "results", table, isNumberCell)
}

func optInt(p *int) string {
	if p == nil {
		return ""
	}
	return strconv.Itoa(*p)
}

func optPositive(n int) string {
	if n <= 0 {
		return ""
	}
	return strconv.Itoa(n)
}

func pct(f float64) string { return strconv.FormatFloat(f, 'f', 2, 64) }

func timeCell(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.RFC3339)
}

func joinNames(ns []string) string {
	out := ""
	for i, n := range ns {
		if i > 0 {
			out += "; "
		}
		out += n
	}
	return out
}

// isNumberCell: numeric columns (counts, versions, percentages); codes and
// names stay text even when they look like numbers.
func isNumberCell(header, v string) bool {
	if v == "" {
		return false
	}
	switch header {
	case "list_households", "version", "versions", "households", "attending", "issued", "returned",
		"valid", "invalid", "turnout_percent", "winner_votes", "winner_percent", "copy_of_version", "recognised_version":
		return true
	}
	n := len(header)
	return n > 6 && (header[n-6:] == "_votes" || (n > 8 && header[n-8:] == "_percent"))
}
