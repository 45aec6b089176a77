package handlers

import (
	"electionbot/locales"
	"electionbot/models"
	"fmt"
	"strconv"
	"strings"
)

// How tallies read: the table of numbers, the outcome, the state of a
// version, what differs between two versions.

// tallyTable is the echo of a tally's numbers, one per line; missing ones
// show as "—".
func (x *texts) tallyTable(lang string, area *models.Area, method string, households int, attending *int, ballots [4]*int, votes map[int]int) string {
	var b strings.Builder
	dash := func(p *int) string {
		if p == nil {
			return "—"
		}
		return locales.Number(lang, *p)
	}
	m := "—"
	if method == models.MethodSecret || method == models.MethodHands {
		m = x.tr(lang, "tally_method_"+method, nil)
	}
	fmt.Fprintf(&b, "%s: %s\n", x.tr(lang, "tally_field_method", nil), m)
	fmt.Fprintf(&b, "%s: %s\n", x.tr(lang, "tally_field_households", nil), locales.Number(lang, households))
	att := dash(attending)
	if attending != nil && households > 0 {
		att += " (" + locales.Percent(lang, *attending, households) + "%)"
	}
	fmt.Fprintf(&b, "%s: %s\n", x.tr(lang, "tally_field_attending", nil), att)
	if method != models.MethodHands || ballots[0] != nil || ballots[1] != nil || ballots[2] != nil || ballots[3] != nil {
		for i, f := range tallyFields[1:] {
			fmt.Fprintf(&b, "%s: %s\n", x.tr(lang, "tally_field_"+f, nil), dash(ballots[i]))
		}
	}
	b.WriteString(x.tr(lang, "off_table_votes", nil))
	for _, c := range area.Candidates {
		v, ok := votes[c.BallotNo]
		line := "—"
		if ok {
			line = locales.Number(lang, v)
			if households > 0 {
				line += " (" + locales.Percent(lang, v, households) + "%)"
			}
		}
		fmt.Fprintf(&b, "\n  %d. %s: %s", c.BallotNo, c.Name, line)
	}
	return b.String()
}

func (tl *tallies) draftTable(d *draft, area *models.Area) string {
	return tl.texts.tallyTable(tl.lang, area, d.Method, d.households(area), d.Attending,
		[4]*int{d.Issued, d.Returned, d.Valid, d.Invalid}, d.Votes)
}

// violations lists the broken rules in the contact's language.
func (x *texts) violations(lang string, vs []models.Violation) string {
	lines := []string{x.tr(lang, "off_violations", nil)}
	for _, v := range vs {
		lines = append(lines, "• "+x.tr(lang, v.ID, v.Data))
	}
	return strings.Join(lines, "\n")
}

// outcomeText says what numbers give under the regime.
func (x *texts) outcomeText(lang string, o models.Outcome, n models.TallyNumbers) string {
	data := map[string]any{
		"Households": locales.Number(lang, n.Households),
		"Attending":  locales.Number(lang, n.Attending),
		"Turnout":    locales.Percent(lang, n.Attending, n.Households),
		"Votes":      locales.Number(lang, o.Votes),
		"Percent":    locales.Percent(lang, o.Votes, n.Households),
		"Days":       o.RerunWithinDays,
		"Months":     o.InterimMaxMonths,
		"Leader":     "",
		"Tie":        o.Tie,
	}
	if o.Leader != nil {
		data["Leader"] = o.Leader.Name
		data["BallotNo"] = o.Leader.BallotNo
	}
	switch o.Kind {
	case models.OutcomeElected:
		data["Name"], data["BallotNo"] = o.Winner.Name, o.Winner.BallotNo
		return x.tr(lang, "off_outcome_elected", data)
	case models.OutcomeMeetingInvalid:
		return x.tr(lang, "off_outcome_meeting_invalid", data)
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
	method := func(m string) string { return x.tr(lang, "tally_method_"+m, nil) }
	add(x.tr(lang, "tally_field_method", nil), method(na.Method), method(nb.Method))
	add(x.tr(lang, "tally_field_households", nil), strconv.Itoa(na.Households), strconv.Itoa(nb.Households))
	add(x.tr(lang, "tally_field_attending", nil), strconv.Itoa(na.Attending), strconv.Itoa(nb.Attending))
	ps := [][2]*int{{na.Issued, nb.Issued}, {na.Returned, nb.Returned}, {na.Valid, nb.Valid}, {na.Invalid, nb.Invalid}}
	for i, f := range tallyFields[1:] {
		add(x.tr(lang, "tally_field_"+f, nil), ptrText(ps[i][0]), ptrText(ps[i][1]))
	}
	for _, c := range area.Candidates {
		add(strconv.Itoa(c.BallotNo)+". "+c.Name, strconv.Itoa(na.Votes[c.BallotNo]), strconv.Itoa(nb.Votes[c.BallotNo]))
	}
	return strings.Join(lines, "\n")
}
