package models

import (
	"slices"
	"strings"
	"time"
)

// The parts of an election file the law decides (docs/design.md §3): the
// electorate of the election and of each area, the officials' timeline
// before the day (defaults by regime, Timelines) and the public holidays
// the working-day deadlines skip.

// ParseElectorate reads an electorate as a file or a table writes it:
// households (hộ, hộ gia đình, cử tri đại diện hộ gia đình) or voters (cử
// tri, tất cả cử tri). "" is households.
func ParseElectorate(s string) (string, bool) {
	switch Fold(strings.TrimSpace(s)) {
	case "", ElectorateHouseholds, "household", "ho", "ho gia dinh", "dai dien ho", "dai dien ho gia dinh",
		"cu tri dai dien ho", "cu tri dai dien ho gia dinh":
		return ElectorateHouseholds, true
	case ElectorateVoters, "voter", "all voters", "cu tri", "tat ca cu tri", "toan the cu tri":
		return ElectorateVoters, true
	}
	return "", false
}

// timelineFields are the file's timeline fields by step key.
func (e *FileElection) timelineFields() map[string]**int {
	return map[string]**int{
		StepListPosted: &e.ListPostedDays, StepNotice: &e.NoticeDays, StepPlan: &e.PlanDays,
		StepCommittee: &e.CommitteeDays, StepCandidates: &e.CandidatesDays,
	}
}

// normaliseLaw fills the electorate and the timeline's defaults (the
// regime's) and gives every area its electorate (its own, else the
// election's). Unreadable values are kept for checkLaw to report.
func (f *ElectionFile) normaliseLaw() {
	e := &f.Election
	if k, ok := ParseElectorate(e.Electorate); ok {
		e.Electorate = k
	}
	for key, p := range e.timelineFields() {
		if *p == nil {
			n := TimelineDays(e.Rules, key)
			*p = &n
		}
	}
	for i, h := range e.Holidays {
		e.Holidays[i] = strings.TrimSpace(h)
	}
	areas := func(as []FileArea) {
		for i := range as {
			a := &as[i]
			a.Electorate = strings.TrimSpace(a.Electorate)
			if a.Electorate == "" {
				a.Electorate = e.Electorate
			} else if k, ok := ParseElectorate(a.Electorate); ok {
				a.Electorate = k
			}
		}
	}
	areas(f.Areas)
	for i := range f.Wards {
		areas(f.Wards[i].Areas)
	}
}

// checkLaw checks the electorate against the regime, the timeline and the
// holidays.
func (f *ElectionFile) checkLaw(p *problems) {
	e := &f.Election
	reg, known := Regimes[e.Rules]
	if _, ok := ParseElectorate(e.Electorate); !ok {
		p.add("election.electorate", "%q must be %s or %s", e.Electorate, ElectorateHouseholds, ElectorateVoters)
	} else if known && !reg.AllowsElectorate(e.Electorate) {
		p.add("election.electorate", "%s: %s elects by household representatives only (an all-voter meeting is of %s)",
			e.Electorate, e.Rules, RulesNQLT2008)
	}
	for _, st := range timelineOrder {
		if d := *e.timelineFields()[st]; d != nil && (*d < 0 || *d > 365) {
			p.add("election."+strings.ReplaceAll(st, "-", "_")+"_days", "%d must be between 0 and 365", *d)
		}
	}
	for i, h := range e.Holidays {
		if _, err := time.Parse("2006-01-02", h); err != nil {
			p.add("election.holidays", "%q (holidays[%d]) is not a valid date (YYYY-MM-DD)", h, i)
		}
	}
}

// checkAreaElectorate checks an area's electorate and its count: the
// households of a household area, the voters of an all-voter one.
func (f *ElectionFile) checkAreaElectorate(p *problems, at string, a *FileArea) {
	el, ok := ParseElectorate(a.Electorate)
	if !ok {
		p.add(at+".electorate", "%q must be %s or %s", a.Electorate, ElectorateHouseholds, ElectorateVoters)
		return
	}
	if reg, known := Regimes[f.Election.Rules]; known && !reg.AllowsElectorate(el) {
		p.add(at+".electorate", "%s: %s elects by household representatives only", el, f.Election.Rules)
	}
	count, field, other := a.Households, "households", a.Voters
	if el == ElectorateVoters {
		count, field, other = a.Voters, "voters", a.Households
	}
	switch {
	case other != 0 && el == ElectorateVoters:
		p.add(at+".households", "an all-voter area (electorate: voters) gives voters:, not households:")
	case other != 0:
		p.add(at+".voters", "is for an all-voter area (electorate: voters); this area counts households:")
	}
	switch {
	case count <= 0:
		p.add(at+"."+field, "must be greater than 0")
	case count > maxHouseholds:
		p.add(at+"."+field, "%d must be at most %d", count, maxHouseholds)
	}
}

// ElectorateCount is the area's electorate count as the file gives it: its
// households, or its voters for an all-voter area (stored as
// Area.Households).
func (a *FileArea) ElectorateCount() int {
	if a.Electorate == ElectorateVoters {
		return a.Voters
	}
	return a.Households
}

// HolidaySet reads the election's holidays ("2025-04-30,2025-05-01").
func (e *Election) HolidaySet() map[string]bool {
	if e == nil || e.Holidays == "" {
		return nil
	}
	out := map[string]bool{}
	for _, h := range strings.Split(e.Holidays, ",") {
		if h = strings.TrimSpace(h); h != "" {
			out[h] = true
		}
	}
	return out
}

// ElectorateOrDefault is the electorate of an election ("" is households).
func (e *Election) ElectorateOrDefault() string { return ElectorateOf(e.Electorate) }

// storedFileElection is the election: section of a stored election (import
// areas rebuilds its file from it): the timeline, electorate and holidays
// as they were loaded.
func storedFileElection(e *Election) FileElection {
	days := func(n int) *int { return &n }
	fe := FileElection{Code: e.Code, Title: e.Title, Date: e.Date, Opens: e.Opens, Closes: e.Closes,
		Timezone: e.Timezone, Rules: e.Rules, Method: e.Method, Electorate: e.ElectorateOrDefault(),
		ListPostedDays: days(e.ListPostedDays), NoticeDays: days(e.NoticeDays), PlanDays: days(e.PlanDays),
		CommitteeDays: days(e.CommitteeDays), CandidatesDays: days(e.CandidatesDays)}
	for h := range e.HolidaySet() {
		fe.Holidays = append(fe.Holidays, h)
	}
	slices.Sort(fe.Holidays)
	return fe
}

// electorateIs reports whether s reads as the electorate want.
func electorateIs(s, want string) bool {
	k, ok := ParseElectorate(s)
	return ok && k == want
}
