package models_test

import (
	"context"
	"testing"
	"time"

	"electionbot/internal/testdb"
	"electionbot/models"
)

// Live attendance (issue 20): the latest report of an area wins, with its
// time and sender; the previous one is returned; a negative number is
// refused; the election's list names area and ward.
func TestAttendanceLatestWins(t *testing.T) {
	for _, n := range testdb.Stores(t) {
		t.Run(n.Name, func(t *testing.T) {
			ctx := context.Background()
			f := newOfficialsFixture(t, n.Store)
			s, kp1, kp2 := f.s, f.areas[0], f.areas[1]
			prev, err := s.ReportAttendance(ctx, kp1.ID, f.rep1.ID, 120)
			if err != nil || prev != nil {
				t.Fatalf("first report: prev %+v, err %v", prev, err)
			}
			first := *f.now
			*f.now = f.now.Add(20 * time.Minute)
			prev, err = s.ReportAttendance(ctx, kp1.ID, f.rep2.ID, 170)
			if err != nil || prev == nil || prev.Attending != 120 || !prev.ReportedAt.Equal(first) {
				t.Fatalf("second report: prev %+v, err %v", prev, err)
			}
			if _, err := s.ReportAttendance(ctx, kp2.ID, f.rep1.ID, -1); models.ErrorCode(err) != models.EINVALID {
				t.Fatalf("negative: err %v, want EINVALID", err)
			}
			got, err := s.AreaAttendance(ctx, []int64{kp1.ID, kp2.ID})
			if err != nil {
				t.Fatal(err)
			}
			a := got[kp1.ID]
			if len(got) != 1 || a == nil || a.Attending != 170 || *a.ReportedBy != f.rep2.ID || !a.ReportedAt.Equal(*f.now) {
				t.Fatalf("AreaAttendance = %+v", got)
			}
			if !a.OverHalf(kp1.Households) || (&models.Attendance{Attending: kp1.Households / 2}).OverHalf(kp1.Households) {
				t.Errorf("OverHalf of %d: 170 should be over, %d not", kp1.Households, kp1.Households/2)
			}
			all, err := s.ElectionAttendance(ctx, f.el.Code)
			if err != nil {
				t.Fatal(err)
			}
			if len(all) != 1 || all[0].AreaCode != kp1.Code || all[0].WardCode != f.el.Ward.Code || all[0].Attending != 170 {
				t.Fatalf("ElectionAttendance = %+v", all)
			}
			if none, err := s.ElectionAttendance(ctx, "no-such"); err != nil || len(none) != 0 {
				t.Fatalf("unknown election: %v %v", none, err)
			}
		})
	}
}
