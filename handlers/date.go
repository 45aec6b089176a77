package handlers

import (
	"strings"
	"time"

	"electionbot/models"
)

// The election's calendar, from the injected clock, in the election's time
// zone.

// opensCloses are the election's opening and closing instants.
func opensCloses(el *models.Election) (time.Time, time.Time) {
	loc := el.Location()
	day := el.Day()
	at := func(hhmm string, stored time.Time) time.Time {
		if !stored.IsZero() {
			return stored
		}
		t, err := time.ParseInLocation("15:04", hhmm, loc)
		if err != nil {
			return day
		}
		return time.Date(day.Year(), day.Month(), day.Day(), t.Hour(), t.Minute(), 0, 0, loc)
	}
	return at(el.Opens, el.OpensAt), at(el.Closes, el.ClosesAt)
}

// daysUntil counts calendar days from now to the election day, in the
// election's time zone (negative after the day).
func daysUntil(el *models.Election, now time.Time) int {
	loc := el.Location()
	n := now.In(loc)
	d := el.Day()
	a := time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, time.UTC)
	b := time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, time.UTC)
	return int(b.Sub(a).Hours() / 24)
}

// Phases of the election relative to now.
const (
	phaseBefore = "before" // days ahead
	phaseToday  = "today"  // the day, not yet open
	phaseOpen   = "open"   // voting now
	phasePast   = "past"   // closed
)

func electionPhase(el *models.Election, now time.Time) (string, int) {
	days := daysUntil(el, now)
	opens, closes := opensCloses(el)
	switch {
	case days > 0:
		return phaseBefore, days
	case now.Before(opens) && days == 0:
		return phaseToday, 0
	case now.Before(closes) && days == 0:
		return phaseOpen, 0
	}
	return phasePast, days
}

// wardLine is "Phường Ka Long, TP Móng Cái, Quảng Ninh" ("" without a
// ward).
func wardLine(el *models.Election) string {
	if el.Ward == nil {
		return ""
	}
	parts := []string{el.Ward.Name}
	if el.Ward.City != "" {
		parts = append(parts, el.Ward.City)
	}
	if el.Ward.Province != "" {
		parts = append(parts, el.Ward.Province)
	}
	return strings.Join(parts, ", ")
}

func dropEmptyLines(s string) string {
	lines := strings.Split(s, "\n")
	out := lines[:0]
	for _, l := range lines {
		if strings.TrimSpace(l) != "" {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
