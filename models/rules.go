package models

import (
	"sort"
	"strings"
)

// This file holds the election rules of docs/design.md §3 as data and pure
// functions: the consistency of a biên bản kiểm phiếu (CheckTally) and the
// outcome of an area's election under its regime (DecideOutcome). Nothing
// here touches the database or the clock.

// TallyNumbersOf returns the numbers of a stored tally, its votes keyed by
// the ballot numbers of the area's candidates. Votes for a candidate id
// that is not among candidates are added under ballot number 0, which no
// candidate has, so CheckTally reports them.
func TallyNumbersOf(t *Tally, candidates []*Candidate) TallyNumbers {
	n := TallyNumbers{Method: t.Method, Households: t.Households, Attending: t.Attending,
		Issued: t.Issued, Returned: t.Returned, Valid: t.Valid, Invalid: t.Invalid}
	byID := make(map[int64]int, len(candidates))
	for _, c := range candidates {
		if c != nil {
			byID[c.ID] = c.BallotNo
		}
	}
	for _, v := range t.Votes {
		if n.Votes == nil {
			n.Votes = make(map[int]int, len(t.Votes))
		}
		n.Votes[byID[v.CandidateID]] += v.Votes // 0 when unknown
	}
	return n
}

// Violation is one broken consistency rule, localisable: ID is a go-i18n
// message id of locales/tally.{vi,en}.yaml and Data its template data (the
// numbers involved, and a candidate's BallotNo/Name where relevant).
type Violation struct {
	ID   string
	Data map[string]any
}

// Message ids of the violations (locales/tally.*.yaml).
const (
	VMethodUnknown           = "tally_method_unknown"
	VHouseholdsNotPositive   = "tally_households_not_positive"
	VAttendingNegative       = "tally_attending_negative"
	VIssuedNegative          = "tally_issued_negative"
	VReturnedNegative        = "tally_returned_negative"
	VValidNegative           = "tally_valid_negative"
	VInvalidNegative         = "tally_invalid_negative"
	VVotesNegative           = "tally_votes_negative"
	VAttendingOverHouseholds = "tally_attending_over_households"
	VIssuedOverAttending     = "tally_issued_over_attending"
	VReturnedOverIssued      = "tally_returned_over_issued"
	VValidInvalidSum         = "tally_valid_invalid_sum"
	VSecretMissingIssued     = "tally_secret_missing_issued"
	VSecretMissingReturned   = "tally_secret_missing_returned"
	VSecretMissingValid      = "tally_secret_missing_valid"
	VSecretMissingInvalid    = "tally_secret_missing_invalid"
	VHandsHasBallots         = "tally_hands_has_ballots"
	VUnknownCandidate        = "tally_unknown_candidate"
	VCandidateOverValid      = "tally_candidate_over_valid"
	VVotesSumOverValid       = "tally_votes_sum_over_valid"
	VCandidateOverAttending  = "tally_candidate_over_attending"
	VVotesSumOverAttending   = "tally_votes_sum_over_attending"
)

// ViolationIDs lists every id CheckTally can return (the catalogs must
// have them all).
var ViolationIDs = []string{
	VMethodUnknown, VHouseholdsNotPositive, VAttendingNegative, VIssuedNegative,
	VReturnedNegative, VValidNegative, VInvalidNegative, VVotesNegative,
	VAttendingOverHouseholds, VIssuedOverAttending, VReturnedOverIssued,
	VValidInvalidSum, VSecretMissingIssued, VSecretMissingReturned,
	VSecretMissingValid, VSecretMissingInvalid, VHandsHasBallots,
	VUnknownCandidate, VCandidateOverValid, VVotesSumOverValid,
	VCandidateOverAttending, VVotesSumOverAttending,
}

// CheckTally returns every consistency rule of docs/design.md §3 the tally breaks,
// in a fixed order (method, signs, the chain households ≥ attending ≥
// issued ≥ returned, valid + invalid = returned, then the votes by ballot
// number); nil when it is consistent. candidates are the area's.
//
// Rules: households > 0; no negative number; attending ≤ households;
// returned ≤ issued ≤ attending; valid + invalid = returned; a secret-ballot
// tally has all four ballot fields, a show-of-hands tally none; votes only
// for known ballot numbers; each candidate's votes and their sum ≤ valid
// ballots (secret: a ballot may cross out everyone, and with one head to
// elect each valid ballot gives at most one vote) or ≤ attending (show of
// hands: one raised hand per household). A comparison involving a negative
// or missing number is skipped: that number is already reported.
func CheckTally(t TallyNumbers, candidates []*Candidate) []Violation {
	var vs []Violation
	add := func(id string, kv ...any) {
		d := make(map[string]any, len(kv)/2)
		for i := 0; i+1 < len(kv); i += 2 {
			d[kv[i].(string)] = kv[i+1]
		}
		vs = append(vs, Violation{ID: id, Data: d})
	}

	secret, hands := t.Method == MethodSecret, t.Method == MethodHands
	if !secret && !hands {
		add(VMethodUnknown, "Method", t.Method)
	}

	// Signs.
	if t.Households <= 0 {
		add(VHouseholdsNotPositive, "Households", t.Households)
	}
	if t.Attending < 0 {
		add(VAttendingNegative, "Attending", t.Attending)
	}
	neg := func(p *int, id, key string) {
		if p != nil && *p < 0 {
			add(id, key, *p)
		}
	}
	neg(t.Issued, VIssuedNegative, "Issued")
	neg(t.Returned, VReturnedNegative, "Returned")
	neg(t.Valid, VValidNegative, "Valid")
	neg(t.Invalid, VInvalidNegative, "Invalid")

	// Which ballot fields a method needs.
	ballots := t.Issued != nil || t.Returned != nil || t.Valid != nil || t.Invalid != nil
	if secret {
		if t.Issued == nil {
			add(VSecretMissingIssued)
		}
		if t.Returned == nil {
			add(VSecretMissingReturned)
		}
		if t.Valid == nil {
			add(VSecretMissingValid)
		}
		if t.Invalid == nil {
			add(VSecretMissingInvalid)
		}
	}
	if hands && ballots {
		add(VHandsHasBallots)
	}

	// The chain households ≥ attending ≥ issued ≥ returned.
	ok := func(p *int) bool { return p != nil && *p >= 0 }
	if t.Households > 0 && t.Attending >= 0 && t.Attending > t.Households {
		add(VAttendingOverHouseholds, "Attending", t.Attending, "Households", t.Households)
	}
	if ok(t.Issued) && t.Attending >= 0 && *t.Issued > t.Attending {
		add(VIssuedOverAttending, "Issued", *t.Issued, "Attending", t.Attending)
	}
	if ok(t.Returned) && ok(t.Issued) && *t.Returned > *t.Issued {
		add(VReturnedOverIssued, "Returned", *t.Returned, "Issued", *t.Issued)
	}
	if ok(t.Valid) && ok(t.Invalid) && ok(t.Returned) && *t.Valid+*t.Invalid != *t.Returned {
		add(VValidInvalidSum, "Valid", *t.Valid, "Invalid", *t.Invalid, "Returned", *t.Returned)
	}

	// Votes, by ballot number.
	byNo := make(map[int]*Candidate, len(candidates))
	for _, c := range candidates {
		if c != nil {
			byNo[c.BallotNo] = c
		}
	}
	nos := make([]int, 0, len(t.Votes))
	for no := range t.Votes {
		nos = append(nos, no)
	}
	sort.Ints(nos)
	// The bound on votes: valid ballots (secret) or attending (show of hands).
	bound, boundOK := 0, false
	switch {
	case secret && ok(t.Valid):
		bound, boundOK = *t.Valid, true
	case hands && t.Attending >= 0:
		bound, boundOK = t.Attending, true
	}
	overID, sumID, boundKey := VCandidateOverValid, VVotesSumOverValid, "Valid"
	if hands {
		overID, sumID, boundKey = VCandidateOverAttending, VVotesSumOverAttending, "Attending"
	}
	sum, sumOK := 0, true
	for _, no := range nos {
		v := t.Votes[no]
		c := byNo[no]
		if c == nil {
			add(VUnknownCandidate, "BallotNo", no, "Votes", v)
			continue
		}
		if v < 0 {
			add(VVotesNegative, "BallotNo", no, "Name", c.Name, "Votes", v)
			sumOK = false
			continue
		}
		sum += v
		if boundOK && v > bound {
			add(overID, "BallotNo", no, "Name", c.Name, "Votes", v, boundKey, bound)
		}
	}
	if boundOK && sumOK && sum > bound {
		add(sumID, "Sum", sum, boundKey, bound)
	}
	return vs
}

// OutcomeKind is what an area's election came to.
type OutcomeKind string

// Outcome kinds.
const (
	// OutcomeElected: a candidate has more than 50% of all the area's households.
	OutcomeElected OutcomeKind = "elected"
	// OutcomeRerun (nqlt-09-2008): nobody over 50%; the election is held
	// again within RerunWithinDays (15) of the first.
	OutcomeRerun OutcomeKind = "rerun"
	// OutcomeMeetingInvalid (nqlt-09-2008): attendance not over 50% of the
	// households; the meeting must be held again.
	OutcomeMeetingInvalid OutcomeKind = "meeting-invalid"
	// OutcomeUndecided (luat-10-2022): nobody elected; the commune/ward
	// people's committee decides on a new election and may appoint an
	// interim head for at most InterimMaxMonths (6).
	OutcomeUndecided OutcomeKind = "undecided"
)

// Regime is one legal regime of the election of village/neighbourhood
// heads, as data.
type Regime struct {
	Code             string // Election.Rules
	Basis            string // legal source, for display
	AttendanceQuorum bool   // the meeting is valid only with > 50% of households attending
	NoWinner         OutcomeKind
	RerunWithinDays  int // re-run deadline when nobody is elected (0: none set)
	InterimMaxMonths int // longest interim appointment when nobody is elected (0: none)
}

// Regimes are the supported regimes by code (docs/design.md §3).
var Regimes = map[string]Regime{
	RulesNQLT2008: {
		Code:             RulesNQLT2008,
		Basis:            "NQLT 09/2008/NQLT-CP-UBTWMTTQVN Điều 8; TT 04/2012/TT-BNV",
		AttendanceQuorum: true,
		NoWinner:         OutcomeRerun,
		RerunWithinDays:  15,
	},
	RulesLuat2022: {
		Code:             RulesLuat2022,
		Basis:            "Luật 10/2022/QH15; NĐ 59/2023/NĐ-CP",
		NoWinner:         OutcomeUndecided,
		InterimMaxMonths: 6,
	},
}

// Outcome is the provisional result of one area's election under a regime.
type Outcome struct {
	Kind  OutcomeKind
	Rules string // the regime's code
	Basis string // the regime's legal source
	// Winner is the elected candidate (Kind elected), else nil.
	Winner *Candidate
	// Leader is the candidate with the most votes when there is exactly
	// one (the Winner when elected); nil on a tie for first or without votes.
	Leader *Candidate
	// Tie: two or more candidates share the highest number of votes (> 0).
	Tie bool
	// Votes and Percent are the highest number of votes and its share of
	// ALL the area's households (not of those attending): the winner's when
	// elected. Percent is for display; decisions use integers.
	Votes             int
	Percent           float64
	AttendancePercent float64 // attending / households × 100
	RerunWithinDays   int     // rerun under nqlt-09-2008: 15
	InterimMaxMonths  int     // undecided under luat-10-2022: 6
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
// tally CheckTally refuses (the outcome of inconsistent minutes means
// nothing).
//
// nqlt-09-2008 (NQLT 09/2008 Điều 8; TT 04/2012/TT-BNV): the meeting is
// valid only if more than 50% of the households attend (else
// meeting-invalid); a candidate with more than 50% of ALL the area's
// households is elected; otherwise a re-run within 15 days.
// luat-10-2022 (Luật 10/2022/QH15; NĐ 59/2023): no separate attendance
// quorum; elected with more than 50% of all households; otherwise
// undecided (the committee decides on a new election and may appoint an
// interim head for at most 6 months).
// With one vote per ballot two candidates cannot both pass 50%; a tie for
// first is still handled: nobody is elected.
func DecideOutcome(rules string, t TallyNumbers, candidates []*Candidate) (Outcome, error) {
	reg, ok := Regimes[rules]
	if !ok {
		return Outcome{}, Errorf(EINVALID, "unknown election rules %q", rules)
	}
	if vs := CheckTally(t, candidates); len(vs) > 0 {
		ids := make([]string, len(vs))
		for i, v := range vs {
			ids[i] = v.ID
		}
		return Outcome{}, Errorf(EINVALID, "inconsistent tally: %s", strings.Join(ids, ", "))
	}
	o := Outcome{
		Rules:             reg.Code,
		Basis:             reg.Basis,
		AttendancePercent: PercentOf(t.Attending, t.Households),
	}
	if reg.AttendanceQuorum && !overHalf(t.Attending, t.Households) {
		o.Kind = OutcomeMeetingInvalid
		return o, nil
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
	o.InterimMaxMonths = reg.InterimMaxMonths
	return o, nil
}
