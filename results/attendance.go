package results

import (
	"context"
	"time"

	"electionbot/models"
)

// Live attendance on the officials' page (issue 20): the number attending
// each area's meeting as its reporter last sent it, against the half-way
// line, while the area has no counting minutes in. It is read after the
// view is built (the view's cache is shared by formats and languages) and
// only for the officials' HTML page; the public view never shows it.

// AttendanceSource is a Source with live attendance (models.Store).
type AttendanceSource interface {
	// ElectionAttendance is the latest attendance of every area of the
	// election that has one.
	ElectionAttendance(ctx context.Context, code string) ([]*models.AttendanceAt, error)
}

// AreaAttendance is an area's live attendance as the page shows it.
type AreaAttendance struct {
	Attending  int
	Electorate int // the area's households (or voters)
	ReportedAt time.Time
	// OverHalf: more than half of the electorate present, the meeting's
	// quorum (DESIGN §3).
	OverHalf bool
	Percent  float64
}

func attendanceKey(ward, area string) string { return ward + "/" + area }

// attendance reads the live attendance of the areas of res still without
// minutes (StateNotReported), by attendanceKey; nil when the source has
// none. A failure is logged and the page goes without it.
func (s *Server) attendance(ctx context.Context, res *Results) map[string]*AreaAttendance {
	as, ok := s.src.(AttendanceSource)
	if !ok || res.View != ViewAdmin || res.MultiWard() {
		return nil // a view of several wards shows wards, not areas
	}
	rows, err := as.ElectionAttendance(ctx, res.Election.Code)
	if err != nil {
		s.log.Warn("results: attendance", "election", res.Election.Code, "err", err)
		return nil
	}
	if len(rows) == 0 {
		return nil
	}
	byArea := make(map[string]*models.AttendanceAt, len(rows))
	for _, r := range rows {
		byArea[attendanceKey(r.WardCode, r.AreaCode)] = r
	}
	out := map[string]*AreaAttendance{}
	for _, a := range res.Areas {
		r := byArea[attendanceKey(a.WardCode, a.Code)]
		if r == nil || a.State != StateNotReported {
			continue // the minutes replace it
		}
		out[attendanceKey(a.WardCode, a.Code)] = &AreaAttendance{Attending: r.Attending, Electorate: a.Households,
			ReportedAt: r.ReportedAt, OverHalf: r.OverHalf(a.Households), Percent: models.PercentOf(r.Attending, a.Households)}
	}
	return out
}

// Attendance is the live attendance of an area on the page, or nil.
func (d *pageData) Attendance(a *AreaResult) *AreaAttendance {
	if d.att == nil || a == nil {
		return nil
	}
	return d.att[attendanceKey(a.WardCode, a.Code)]
}
