package models

import "strings"

// This file holds the election rules of docs/design.md §3 as data and pure
// functions: each regime (Regimes) with the source of every value, and the
// outcome of an area's election under it (DecideOutcome). The consistency
// of the counting minutes is rules_check.go, candidates nominated at the
// meeting rules_nominees.go. Nothing here touches the database or the
// clock. Where a value comes from press summaries rather than the text of
// a decree, its comment says so: a correction is a one-line change.

// Electorates: who votes (docs/design.md §3).
const (
	// ElectorateHouseholds: one representative per household (cử tri đại
	// diện hộ gia đình), one vote per household. The only electorate of
	// Luật 10/2022/QH15, the default of NQLT 09/2008.
	ElectorateHouseholds = "households"
	// ElectorateVoters: every voter of the area (NQLT 09/2008/NQLT-CP-
	// UBTWMTTQVN Điều 8: "cử tri hoặc cử tri đại diện hộ gia đình").
	ElectorateVoters = "voters"
)

// Electorates are the electorates an election file may name.
var Electorates = []string{ElectorateHouseholds, ElectorateVoters}

// ElectorateOf is e, or the default (households) when e is "".
func ElectorateOf(e string) string {
	if e == "" {
		return ElectorateHouseholds
	}
	return e
}

// Kinds of counting minutes (TallyNumbers.Kind, Tally.Kind).
const (
	// TallyKindMeeting: the biên bản kiểm phiếu of the meeting (hội nghị),
	// by secret ballot or show of hands.
	TallyKindMeeting = "meeting"
	// TallyKindHouseholdBallot: ballots sent to every household when the
	// meeting did not gather more than 50% of them (phát phiếu lấy ý kiến
	// của hộ gia đình; NĐ 59/2023/NĐ-CP Mẫu số 04, as reported of its
	// application in Hải Dương, 2025). Fields: households given ballots
	// (Issued), returned, valid, invalid, votes per candidate; no
	// attendance.
	TallyKindHouseholdBallot = "household-ballot"
)

// TallyKindOf is k, or the meeting when k is "".
func TallyKindOf(k string) string {
	if k == "" {
		return TallyKindMeeting
	}
	return k
}

// OutcomeKind is what an area's election came to.
type OutcomeKind string

// Outcome kinds.
const (
	// OutcomeElected: a candidate has more than 50% of the whole
	// electorate of the area (both regimes).
	OutcomeElected OutcomeKind = "elected"
	// OutcomeRerun (nqlt-09-2008): nobody over 50%; the election is held
	// again, on a day the commune/ward committee sets, at the latest
	// RerunWithinDays (15) after the first.
	OutcomeRerun OutcomeKind = "rerun"
	// OutcomeMeetingInvalid (nqlt-09-2008): attendance not over 50% of
	// the electorate; the meeting must be held again.
	OutcomeMeetingInvalid OutcomeKind = "meeting-invalid"
	// OutcomeHouseholdBallotNeeded (luat-10-2022): attendance not over 50%
	// of the households; the meeting does not go ahead and ballots are
	// sent to every household instead (TallyKindHouseholdBallot).
	OutcomeHouseholdBallotNeeded OutcomeKind = "household-ballot-needed"
	// OutcomeUndecided (luat-10-2022): nobody elected; the commune/ward
	// people's committee decides on a new election and may appoint an
	// interim head until a new head is elected.
	OutcomeUndecided OutcomeKind = "undecided"
)

// NoWinnerKinds are the outcomes of an election that elected nobody.
var NoWinnerKinds = []OutcomeKind{OutcomeRerun, OutcomeMeetingInvalid, OutcomeHouseholdBallotNeeded, OutcomeUndecided}

// Regime is one legal regime of the election of village/neighbourhood
// heads, as data. Every field names its source in Regimes.
type Regime struct {
	Code  string // Election.Rules
	Basis string // legal source, for display
	// Electorates it allows, its default first.
	Electorates []string
	// The meeting counts only with more than 50% of the electorate
	// attending; BelowQuorum is what a meeting without it comes to.
	AttendanceQuorum bool
	BelowQuorum      OutcomeKind
	// HouseholdBallot: the household-ballot route exists.
	HouseholdBallot bool
	NoWinner        OutcomeKind
	// RerunWithinDays: the latest day of a re-run after the first (0: none set).
	RerunWithinDays int
	// InterimUntilElected: with nobody elected, an interim head may be
	// appointed until a new head is elected (no fixed term in the texts
	// found).
	InterimUntilElected bool
	// RecognitionWorkingDays: the commune/ward committee recognises the
	// result within this many working days of receiving it.
	RecognitionWorkingDays int
}

// Regimes are the supported regimes by code (docs/design.md §3).
var Regimes = map[string]Regime{
	RulesNQLT2008: {
		Code:  RulesNQLT2008,
		Basis: "NQLT 09/2008/NQLT-CP-UBTWMTTQVN Điều 8; TT 04/2012/TT-BNV",
		// NQLT 09/2008 Điều 8: "cử tri hoặc cử tri đại diện hộ gia đình".
		Electorates: []string{ElectorateHouseholds, ElectorateVoters},
		// NQLT 09/2008 Điều 8: valid only with more than 50% attending,
		// else held again.
		AttendanceQuorum: true,
		BelowQuorum:      OutcomeMeetingInvalid,
		// NQLT 09/2008 Điều 8: nobody over 50% → re-run within 15 days.
		NoWinner:        OutcomeRerun,
		RerunWithinDays: 15,
		// docs/design.md §3 (results and recognition within 5 working
		// days): no text of the 2008 regime found; the same as NĐ 59.
		RecognitionWorkingDays: 5,
	},
	RulesLuat2022: {
		Code:  RulesLuat2022,
		Basis: "Luật 10/2022/QH15; NĐ 59/2023/NĐ-CP",
		// Luật 10/2022/QH15: the meeting of household representatives.
		Electorates: []string{ElectorateHouseholds},
		// NĐ 59/2023 (press summaries; its application in Hải Dương,
		// 2025): the meeting goes ahead only with more than 50% of all
		// household representatives, else ballots go to every household
		// (Mẫu số 04).
		AttendanceQuorum: true,
		BelowQuorum:      OutcomeHouseholdBallotNeeded,
		HouseholdBallot:  true,
		// NĐ 59/2023 (press summaries): nobody elected → the committee
		// decides on a new election and may appoint an interim head
		// until a new head is elected.
		NoWinner:            OutcomeUndecided,
		InterimUntilElected: true,
		// NĐ 59/2023 (press summaries): recognition within 5 working days
		// of receiving the result.
		RecognitionWorkingDays: 5,
	},
}

// AllowsElectorate reports whether the regime allows the electorate.
func (r Regime) AllowsElectorate(e string) bool {
	for _, x := range r.Electorates {
		if x == ElectorateOf(e) {
			return true
		}
	}
	return false
}

// Outcome is the provisional result of one area's election under a regime.
type Outcome struct {
	Kind  OutcomeKind
	Rules string // the regime's code
	Basis string // the regime's legal source
	// HouseholdBallot: decided from ballots sent to every household.
	HouseholdBallot bool
	// Winner is the elected candidate (Kind elected), else nil. A
	// candidate nominated at the meeting has Nominated set.
	Winner *Candidate
	// Leader is the candidate with the most votes when there is exactly
	// one (the Winner when elected); nil on a tie for first or without votes.
	Leader *Candidate
	// Tie: two or more candidates share the highest number of votes (> 0).
	Tie bool
	// Votes and Percent are the highest number of votes and its share of
	// the WHOLE electorate of the area (not of those attending): the
	// winner's when elected. Percent is for display; decisions use integers.
	Votes             int
	Percent           float64
	AttendancePercent float64 // attending / electorate × 100 (0 for a household ballot)
	RerunWithinDays   int     // rerun under nqlt-09-2008: 15
	// InterimUntilElected: undecided under luat-10-2022, an interim head
	// may serve until a new head is elected.
	InterimUntilElected bool
}

// overHalf reports n > 50% of total, in integers.
func overHalf(n, total int) bool { return 2*n > total }

// PercentOf is n as a percentage of total; 0 when total is not positive.
func PercentOf(n, total int) float64 {
	if total <= 0 {
		return 0
	}
	return float64(n) * 100 / float64(total)
}

// DecideOutcome applies a regime to a consistent tally of an area with the
// given candidates. It returns an EINVALID error for an unknown regime or a
// tally CheckTallyRules refuses (the outcome of inconsistent minutes means
// nothing). Candidates nominated at the meeting (t.Nominees) take part.
//
// Both regimes: the meeting counts only with more than 50% of the
// electorate attending (t.Households is the electorate: households, or
// voters for an all-voter meeting); a candidate with more than 50% of the
// WHOLE electorate is elected.
// nqlt-09-2008 (NQLT 09/2008 Điều 8; TT 04/2012/TT-BNV): below the quorum
// the meeting is invalid and held again; nobody elected → re-run within
// 15 days.
// luat-10-2022 (Luật 10/2022/QH15; NĐ 59/2023): below the quorum ballots go
// to every household, whose tally (household-ballot) is decided the same
// way without a quorum; nobody elected → undecided (the committee decides
// on a new election, an interim head until a new one is elected).
// With one vote per ballot two candidates cannot both pass 50%; a tie for
// first is still handled: nobody is elected.
func DecideOutcome(rules string, t TallyNumbers, candidates []*Candidate) (Outcome, error) {
	reg, ok := Regimes[rules]
	if !ok {
		return Outcome{}, Errorf(EINVALID, "unknown election rules %q", rules)
	}
	if vs := CheckTallyRules(rules, t, candidates); len(vs) > 0 {
		ids := make([]string, len(vs))
		for i, v := range vs {
			ids[i] = v.ID
		}
		return Outcome{}, Errorf(EINVALID, "inconsistent tally: %s", strings.Join(ids, ", "))
	}
	candidates, t, _ = WithNominees(candidates, t)
	house := t.Kind == TallyKindHouseholdBallot
	o := Outcome{Rules: reg.Code, Basis: reg.Basis, HouseholdBallot: house}
	if !house {
		o.AttendancePercent = PercentOf(t.Attending, t.Households)
		if reg.AttendanceQuorum && !overHalf(t.Attending, t.Households) {
			o.Kind = reg.BelowQuorum
			return o, nil
		}
	}

	// The highest number of votes, and who has it.
	var top []*Candidate
	for _, c := range candidates {
		if c == nil {
			continue
		}
		v := t.Votes[c.BallotNo]
		switch {
		case v <= 0:
		case len(top) == 0 || v > o.Votes:
			top, o.Votes = []*Candidate{c}, v
		case v == o.Votes && c.BallotNo != top[0].BallotNo:
			top = append(top, c)
		}
	}
	o.Percent = PercentOf(o.Votes, t.Households)
	o.Tie = len(top) > 1
	if len(top) == 1 {
		o.Leader = top[0]
	}
	if o.Leader != nil && overHalf(o.Votes, t.Households) {
		o.Kind, o.Winner = OutcomeElected, o.Leader
		return o, nil
	}
	o.Kind = reg.NoWinner
	o.RerunWithinDays = reg.RerunWithinDays
	o.InterimUntilElected = reg.InterimUntilElected
	return o, nil
}
