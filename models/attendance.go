package models

import (
	"context"
	"time"

	"gorm.io/gorm/clause"
)

// Attendance is the live number attending an area's election meeting
// (số tham dự), as its reporter last sent it on the day: the latest report
// wins. It is not the tally: the counting minutes, once in, replace it.
type Attendance struct {
	AreaID     int64 `gorm:"primaryKey;autoIncrement:false"`
	Attending  int
	ReportedBy *int64
	ReportedAt time.Time
}

// TableName is area_attendance (migration 13).
func (Attendance) TableName() string { return "area_attendance" }

// OverHalf reports whether the attendance is more than half of the area's
// electorate (households, or voters: Area.Households counts whichever the
// area's electorate is): the quorum of the meeting under both regimes
// (DESIGN §3).
func (a *Attendance) OverHalf(electorate int) bool {
	return a != nil && overHalf(a.Attending, electorate)
}

// AttendanceAt is an attendance with where its area is: what the results
// page lists (area codes are unique within a ward only).
type AttendanceAt struct {
	Attendance
	AreaCode, WardCode string
}

// ReportAttendance stores the number attending an area's meeting, sent by
// the contact by (a reporter of the area: the caller checked), at the
// store's clock; it replaces the area's previous report and returns it
// (nil when there was none). A negative number is EINVALID; the caller
// compares with the electorate.
func (s *Store) ReportAttendance(ctx context.Context, areaID, by int64, attending int) (prev *Attendance, err error) {
	if attending < 0 {
		return nil, Errorf(EINVALID, "attendance %d", attending)
	}
	err = s.InTx(ctx, func(tx *Store) error {
		var old []*Attendance
		if err := tx.DB(ctx).Where("area_id = ?", areaID).Limit(1).Find(&old).Error; err != nil {
			return Wrap(EINTERNAL, err, "read attendance of area %d", areaID)
		}
		if len(old) > 0 {
			prev = old[0]
		}
		a := &Attendance{AreaID: areaID, Attending: attending, ReportedBy: &by, ReportedAt: tx.now()}
		err := tx.DB(ctx).Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "area_id"}},
			DoUpdates: clause.AssignmentColumns([]string{"attending", "reported_by", "reported_at"})}).Create(a).Error
		if err != nil {
			return Wrap(EINTERNAL, err, "store attendance of area %d", areaID)
		}
		return nil
	})
	return prev, err
}

// AreaAttendance is the latest attendance of each of the areas that has
// one, by area id: one query bounded by the ids given.
func (s *Store) AreaAttendance(ctx context.Context, areaIDs []int64) (map[int64]*Attendance, error) {
	out := map[int64]*Attendance{}
	if len(areaIDs) == 0 {
		return out, nil
	}
	var rows []*Attendance
	if err := s.DB(ctx).Where("area_id IN ?", areaIDs).Find(&rows).Error; err != nil {
		return nil, Wrap(EINTERNAL, err, "read attendance")
	}
	for _, r := range rows {
		r.ReportedAt = r.ReportedAt.UTC()
		out[r.AreaID] = r
	}
	return out, nil
}

// ElectionAttendance is the latest attendance of every area of the
// election code that has one (few rows: only areas whose reporters sent
// one), with the area's and ward's codes.
func (s *Store) ElectionAttendance(ctx context.Context, code string) ([]*AttendanceAt, error) {
	var rows []struct {
		AreaID     int64
		Attending  int
		ReportedBy *int64
		ReportedAt time.Time
		AreaCode   string
		WardCode   string
	}
	err := s.DB(ctx).Table("area_attendance AS t").
		Select("t.area_id, t.attending, t.reported_by, t.reported_at, a.code AS area_code, w.code AS ward_code").
		Joins("JOIN areas a ON a.id = t.area_id").
		Joins("JOIN wards w ON w.id = a.ward_id").
		Joins("JOIN elections e ON e.id = a.election_id").
		Where("e.code = ?", code).Order("t.area_id").Scan(&rows).Error
	if err != nil {
		return nil, Wrap(EINTERNAL, err, "read attendance of election %s", code)
	}
	out := make([]*AttendanceAt, len(rows))
	for i, r := range rows {
		out[i] = &AttendanceAt{Attendance: Attendance{AreaID: r.AreaID, Attending: r.Attending, ReportedBy: r.ReportedBy,
			ReportedAt: r.ReportedAt.UTC()}, AreaCode: r.AreaCode, WardCode: r.WardCode}
	}
	return out, nil
}
