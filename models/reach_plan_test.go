package models

import (
	"testing"
	"time"
)

func TestQuietHoursUntil(t *testing.T) {
	at := func(day, h, m int) time.Time { return time.Date(2022, 6, day, h, m, 0, 0, VietnamTime) }
	night := DefaultQuietHours
	noon, _ := ParseQuietHours("12:00-13:30")
	for _, c := range []struct {
		name  string
		q     QuietHours
		now   time.Time
		until time.Time // zero: not quiet
	}{
		{"evening, before", night, at(1, 20, 59), time.Time{}},
		{"evening, from 21:00", night, at(1, 21, 0), at(2, 7, 0)},
		{"after midnight", night, at(2, 3, 15), at(2, 7, 0)},
		{"07:00 is day", night, at(2, 7, 0), time.Time{}},
		{"UTC input", night, time.Date(2022, 6, 1, 15, 0, 0, 0, time.UTC), at(2, 7, 0)},
		{"within a day", noon, at(1, 12, 30), at(1, 13, 30)},
		{"within a day, after", noon, at(1, 13, 30), time.Time{}},
	} {
		got, quiet := c.q.Until(c.now)
		if quiet != !c.until.IsZero() || (quiet && !got.Equal(c.until)) {
			t.Errorf("%s: Until(%v) = %v, %v; want %v", c.name, c.now, got, quiet, c.until)
		}
	}
	if off, _ := ParseQuietHours("off"); !off.Off() {
		t.Error("off is not off")
	}
}

func TestReachPlanEstimate(t *testing.T) {
	c := HouseholdCount{Households: 1000, Chat: 300, Phone: 600, OffZalo: 50, NoPhone: 90, OptedOut: 10}
	for _, tc := range []struct {
		name          string
		plan          ReachPlan
		zns, sms, non int
		cost          int64
	}{
		{"ZNS and SMS", ReachPlan{ZNS: true, SMS: true, ZNSCostVND: 300, SMSCostVND: 800}, 550, 50, 90, 550*300 + 50*800},
		{"SMS only", ReachPlan{SMS: true, ZNSCostVND: 300, SMSCostVND: 800}, 0, 600, 90, 600 * 800},
		{"ZNS only", ReachPlan{ZNS: true, ZNSCostVND: 300}, 550, 0, 140, 550 * 300},
		{"chats only", ReachPlan{}, 0, 0, 690, 0},
	} {
		e := tc.plan.Estimate(c)
		if e.ZNS != tc.zns || e.SMS != tc.sms || e.None != tc.non || e.CostVND != tc.cost || e.Chat != 300 || e.OptedOut != 10 {
			t.Errorf("%s: %+v", tc.name, e)
		}
	}
}
