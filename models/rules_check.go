package models

import "sort"

// The consistency of the counting minutes (docs/design.md §3): of the
// meeting (biên bản kiểm phiếu, TT 04/2012/TT-BNV) and of the ballots sent
// to every household (NĐ 59/2023 Mẫu số 04).

// TallyNumbersOf returns the numbers of a stored tally, its votes keyed by
// the ballot numbers of the area's candidates (nominated ones included).
// Votes for a candidate id that is not among candidates are added under
// ballot number 0, which no candidate has, so CheckTally reports them.
func TallyNumbersOf(t *Tally, candidates []*Candidate) TallyNumbers {
	n := TallyNumbers{Kind: t.Kind, Method: t.Method, Households: t.Households, Attending: t.Attending,
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
// message id of locales/tally.{vi,en}.yaml (or law.*.yaml) and Data its
// template data (the numbers involved, and a candidate's BallotNo/Name
// where relevant).
type Violation struct {
	ID   string
	Data map[string]any
}

// Message ids of the violations (locales/tally.*.yaml; the household
// ballot's and the nominees' in locales/law.*.yaml).
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

	// The household ballot (NĐ 59/2023 Mẫu số 04).
	VKindUnknown              = "law_tally_kind_unknown"
	VHouseholdBallotAttending = "law_household_ballot_attending"
	VHouseholdBallotHands     = "law_household_ballot_hands"
	VHouseholdMissingIssued   = "law_household_missing_issued"
	VHouseholdMissingReturned = "law_household_missing_returned"
	VHouseholdMissingValid    = "law_household_missing_valid"
	VHouseholdMissingInvalid  = "law_household_missing_invalid"
	VIssuedOverHouseholds     = "law_issued_over_households"
	VHouseholdBallotNotRegime = "law_household_ballot_not_in_regime"
	// Candidates nominated at the meeting (rules_nominees.go).
	VNomineeNoName = "law_nominee_no_name"
	VNomineeTwice  = "law_nominee_twice"
)

// ViolationIDs lists every id CheckTally and CheckTallyRules can return
// (the catalogs must have them all).
var ViolationIDs = []string{
	VMethodUnknown, VHouseholdsNotPositive, VAttendingNegative, VIssuedNegative,
	VReturnedNegative, VValidNegative, VInvalidNegative, VVotesNegative,
	VAttendingOverHouseholds, VIssuedOverAttending, VReturnedOverIssued,
	VValidInvalidSum, VSecretMissingIssued, VSecretMissingReturned,
	VSecretMissingValid, VSecretMissingInvalid, VHandsHasBallots,
	VUnknownCandidate, VCandidateOverValid, VVotesSumOverValid,
	VCandidateOverAttending, VVotesSumOverAttending,
	VKindUnknown, VHouseholdBallotAttending, VHouseholdBallotHands,
	VHouseholdMissingIssued, VHouseholdMissingReturned, VHouseholdMissingValid,
	VHouseholdMissingInvalid, VIssuedOverHouseholds, VHouseholdBallotNotRegime,
	VNomineeNoName, VNomineeTwice,
}

// CheckTallyRules is CheckTally, and whether the regime knows the kind of
// minutes: the household ballot exists only under luat-10-2022 (NĐ
// 59/2023). An unknown regime adds nothing (DecideOutcome refuses it).
func CheckTallyRules(rules string, t TallyNumbers, candidates []*Candidate) []Violation {
	vs := CheckTally(t, candidates)
	if reg, ok := Regimes[rules]; ok && t.Kind == TallyKindHouseholdBallot && !reg.HouseholdBallot {
		vs = append(vs, Violation{ID: VHouseholdBallotNotRegime, Data: map[string]any{"Basis": reg.Basis}})
	}
	return vs
}

// CheckTally returns every consistency rule of docs/design.md §3 the tally breaks,
// in a fixed order (kind and method, signs, the chain of counts, valid +
// invalid = returned, then the votes by ballot number and the nominees);
// nil when it is consistent. candidates are the area's; t.Nominees are
// checked with them (WithNominees).
//
// The meeting's minutes (TT 04/2012/TT-BNV): households > 0; no negative
// number; attending ≤ households; returned ≤ issued ≤ attending; valid +
// invalid = returned; a secret-ballot tally has all four ballot fields, a
// show-of-hands tally none; votes only for known ballot numbers; each
// candidate's votes and their sum ≤ valid ballots (secret: a ballot may
// cross out everyone, and with one head to elect each valid ballot gives at
// most one vote) or ≤ attending (show of hands: one raised hand per
// elector).
// The household ballot (NĐ 59/2023 Mẫu số 04): no attendance; all four
// ballot fields; households given ballots (issued) ≤ households; returned
// ≤ issued; valid + invalid = returned; votes ≤ valid.
// A comparison involving a negative or missing number is skipped: that
// number is already reported.
func CheckTally(t TallyNumbers, candidates []*Candidate) []Violation {
	var vs []Violation
	add := func(id string, kv ...any) {
		d := make(map[string]any, len(kv)/2)
		for i := 0; i+1 < len(kv); i += 2 {
			d[kv[i].(string)] = kv[i+1]
		}
		vs = append(vs, Violation{ID: id, Data: d})
	}
	candidates, t, nominees := WithNominees(candidates, t)

	house := t.Kind == TallyKindHouseholdBallot
	if !house && TallyKindOf(t.Kind) != TallyKindMeeting {
		add(VKindUnknown, "Kind", t.Kind)
	}
	// A household ballot is on written ballots: secret, or not said.
	secret, hands := t.Method == MethodSecret || (house && t.Method == ""), t.Method == MethodHands
	switch {
	case house && hands:
		add(VHouseholdBallotHands)
		secret, hands = true, false // checked as the written ballot it is
	case !secret && !hands:
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

	// Which fields the kind and the method need.
	ballots := t.Issued != nil || t.Returned != nil || t.Valid != nil || t.Invalid != nil
	missing := [4]string{VSecretMissingIssued, VSecretMissingReturned, VSecretMissingValid, VSecretMissingInvalid}
	if house {
		missing = [4]string{VHouseholdMissingIssued, VHouseholdMissingReturned, VHouseholdMissingValid, VHouseholdMissingInvalid}
		if t.Attending > 0 {
			add(VHouseholdBallotAttending, "Attending", t.Attending)
		}
	}
	if secret {
		for i, p := range []*int{t.Issued, t.Returned, t.Valid, t.Invalid} {
			if p == nil {
				add(missing[i])
			}
		}
	}
	if hands && ballots {
		add(VHandsHasBallots)
	}

	// The chain households ≥ attending ≥ issued ≥ returned (a household
	// ballot: households ≥ issued ≥ returned).
	ok := func(p *int) bool { return p != nil && *p >= 0 }
	if !house && t.Households > 0 && t.Attending >= 0 && t.Attending > t.Households {
		add(VAttendingOverHouseholds, "Attending", t.Attending, "Households", t.Households)
	}
	if house && ok(t.Issued) && t.Households > 0 && *t.Issued > t.Households {
		add(VIssuedOverHouseholds, "Issued", *t.Issued, "Households", t.Households)
	}
	if !house && ok(t.Issued) && t.Attending >= 0 && *t.Issued > t.Attending {
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
	// The bound on votes: valid ballots (secret, household ballot) or
	// attending (show of hands).
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
		shown := no // a nominee's number is only a key: the texts name them
		if c.Nominated {
			shown = 0
		}
		if v < 0 {
			add(VVotesNegative, "BallotNo", shown, "Name", c.Name, "Votes", v)
			sumOK = false
			continue
		}
		sum += v
		if boundOK && v > bound {
			add(overID, "BallotNo", shown, "Name", c.Name, "Votes", v, boundKey, bound)
		}
	}
	if boundOK && sumOK && sum > bound {
		add(sumID, "Sum", sum, boundKey, bound)
	}
	return append(vs, nominees...)
}
