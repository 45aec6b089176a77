package handlers

import (
	"fmt"
	"strconv"
	"strings"

	"electionbot/locales"
	"electionbot/models"
)

// How tallies read: the table of numbers, the outcome, the state of a
// version, what differs between two versions.

// tallyTable is the echo of a tally's numbers (models.TallyFields in the
// words of its kind, by number: false when not given), one per line;
// missing ones show as "—", attending with its share of the electorate.
// The ballot fields are left out of a show of hands that gives none, the
// attendance out of a household ballot. Candidates nominated at the
// meeting (nominees, or stored ones with votes) follow the list, named so.
// x gives the area's words (turn.placed).
func (x *texts) tallyTable(lang string, area *models.Area, kind, method string, number func(key string) (int, bool), votes map[int]int, nominees []models.Nominee) string {
	var b strings.Builder
	house := kind == models.TallyKindHouseholdBallot
	m := "—"
	switch {
	case house:
		m = x.tr(lang, "law_tally_method_household", nil)
	case method == models.MethodSecret || method == models.MethodHands:
		m = x.tr(lang, "tally_method_"+method, nil)
	}
	fmt.Fprintf(&b, "%s: %s\n", x.tr(lang, "tally_field_method", nil), m)
	households, _ := number(models.TallyFieldHouseholds)
	ballots := method != models.MethodHands || house
	for _, f := range models.TallyFields {
		if _, ok := number(f.Key); ok && f.Ballot {
			ballots = true
		}
	}
	for _, f := range models.TallyFields {
		if f.Ballot && !ballots || !f.In(kind) {
			continue
		}
		v, ok := number(f.Key)
		text := "—"
		if ok {
			text = locales.Number(lang, v)
			if f.Key == models.TallyFieldAttending && households > 0 {
				text += " (" + locales.Percent(lang, v, households) + "%)"
			}
		}
		fmt.Fprintf(&b, "%s: %s\n", x.tr(lang, f.Name(kind), nil), text)
	}
	b.WriteString(x.tr(lang, votesHeading(kind, method), nil))
	cands, n, _ := models.WithNominees(area.Candidates, models.TallyNumbers{Votes: votes, Nominees: nominees})
	for _, c := range cands {
		v, ok := n.Votes[c.BallotNo]
		if c.Nominated && !ok {
			continue // named in another version only
		}
		line := "—"
		if ok {
			line = locales.Number(lang, v)
			if households > 0 {
				line += " (" + locales.Percent(lang, v, households) + "%)"
			}
		}
		fmt.Fprintf(&b, "\n  %s: %s", x.candidateLabel(lang, c), line)
	}
	return b.String()
}

// votesHeading is the message heading the votes of a kind of minutes: a
// show of hands counts hands, not ballots.
func votesHeading(kind, method string) string {
	switch {
	case kind == models.TallyKindHouseholdBallot:
		return "law_table_votes_household"
	case method == models.MethodHands:
		return "law_table_votes_hands"
	}
	return "off_table_votes"
}

// candidateLabel is "1. Nguyễn Văn An", or for a person nominated at the
// meeting "• Lê Văn Tám (ứng cử tại hội nghị)": their number is only a key.
func (x *texts) candidateLabel(lang string, c *models.Candidate) string {
	if c.Nominated {
		return x.tr(lang, "law_nominee_label", map[string]any{"Name": c.Name})
	}
	return strconv.Itoa(c.BallotNo) + ". " + c.Name
}

func (tl *tallies) draftTable(d *draft, area *models.Area) string {
	n := *d
	n.Households = d.households(area)
	return tl.placed(area).tallyTable(tl.lang, area, d.Kind, d.Method, n.number, d.Votes, d.Nominees)
}

// violations lists the broken rules in the contact's language.
func (x *texts) violations(lang string, vs []models.Violation) string {
	lines := []string{x.tr(lang, "off_violations", nil)}
	for _, v := range vs {
		lines = append(lines, "• "+x.tr(lang, v.ID, v.Data))
	}
	return strings.Join(lines, "\n")
}

// voteUnit is what a vote is in the minutes of n: "phiếu", or a show of
// hands' "biểu quyết tán thành".
func (x *texts) voteUnit(lang string, n models.TallyNumbers) string {
	if n.Method == models.MethodHands && n.Kind != models.TallyKindHouseholdBallot {
		return x.tr(lang, "law_vote_unit_hands", nil)
	}
	return x.tr(lang, "law_vote_unit_secret", nil)
}

// outcomeText says what numbers give under the regime (x: the area's
// words, for its electorate, {{.Head}} and {{.Committee}}).
func (x *texts) outcomeText(lang string, o models.Outcome, n models.TallyNumbers) string {
	data := map[string]any{
		"Households":      locales.Number(lang, n.Households),
		"Attending":       locales.Number(lang, n.Attending),
		"Turnout":         locales.Percent(lang, n.Attending, n.Households),
		"Votes":           locales.Number(lang, o.Votes),
		"Percent":         locales.Percent(lang, o.Votes, n.Households),
		"Days":            o.RerunWithinDays,
		"Leader":          "",
		"Tie":             o.Tie,
		"VoteUnit":        x.voteUnit(lang, n),
		"HouseholdBallot": o.HouseholdBallot,
		"Nominated":       false,
	}
	if o.Leader != nil {
		data["Leader"] = o.Leader.Name
		data["BallotNo"] = o.Leader.BallotNo
	}
	switch o.Kind {
	case models.OutcomeElected:
		data["Name"], data["BallotNo"], data["Nominated"] = o.Winner.Name, o.Winner.BallotNo, o.Winner.Nominated
		return x.tr(lang, "off_outcome_elected", data)
	case models.OutcomeMeetingInvalid:
		return x.tr(lang, "off_outcome_meeting_invalid", data)
	case models.OutcomeHouseholdBallotNeeded:
		return x.tr(lang, "law_outcome_household_ballot_needed", data)
	case models.OutcomeUndecided:
		return x.tr(lang, "off_outcome_undecided", data)
	}
	return x.tr(lang, "off_outcome_rerun", data)
}

// shortState is "bản 2, tạm thời" (the roll-up's lines).
func (x *texts) shortState(lang string, v *models.Tally) string {
	return x.tr(lang, "off_version_short", map[string]any{"Version": v.Version, "State": x.tr(lang, "off_sstate_"+v.Status, nil)})
}

// stateText is "bản 2 — tạm thời, chờ công nhận".
func (x *texts) stateText(lang string, v *models.Tally) string {
	return x.tr(lang, "off_version_state", map[string]any{"Version": v.Version, "State": x.tr(lang, "off_state_"+v.Status, nil)})
}

// diffText lists what differs between a new version and another one.
func (x *texts) diffText(lang string, area *models.Area, a, b *models.Tally, bBy string) string {
	na, nb := models.TallyNumbersOf(a, area.Candidates), models.TallyNumbersOf(b, area.Candidates)
	lines := []string{x.tr(lang, "off_diff_head", map[string]any{"A": a.Version, "B": b.Version, "By": bBy})}
	add := func(label, va, vb string) {
		if va != vb {
			lines = append(lines, x.tr(lang, "off_diff_line", map[string]any{"Field": label, "A": va, "B": vb, "VA": a.Version, "VB": b.Version}))
		}
	}
	method := func(n models.TallyNumbers) string {
		if n.Kind == models.TallyKindHouseholdBallot {
			return x.tr(lang, "law_tally_method_household", nil)
		}
		return x.tr(lang, "tally_method_"+n.Method, nil)
	}
	add(x.tr(lang, "tally_field_method", nil), method(na), method(nb))
	for _, f := range models.TallyFields {
		add(x.tr(lang, f.Name(na.Kind), nil), numberText(na.Number, f.Key), numberText(nb.Number, f.Key))
	}
	for _, c := range area.Candidates {
		va, oka := na.Votes[c.BallotNo]
		vb, okb := nb.Votes[c.BallotNo]
		if c.Nominated && !oka && !okb {
			continue
		}
		add(x.candidateLabel(lang, c), strconv.Itoa(va), strconv.Itoa(vb))
	}
	return strings.Join(lines, "\n")
}
