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

// tallyTable is the echo of a tally's numbers (models.TallyFields, by
// number: false when not given), one per line; missing ones show as "—",
// attending with its share of the households. The ballot fields are left
// out of a show of hands that gives none.
func (x *texts) tallyTable(lang string, area *models.Area, method string, number func(key string) (int, bool), votes map[int]int) string {
	var b strings.Builder
	m := "—"
	if method == models.MethodSecret || method == models.MethodHands {
		m = x.tr(lang, "tally_method_"+method, nil)
	}
	fmt.Fprintf(&b, "%s: %s\n", x.tr(lang, "tally_field_method", nil), m)
	households, _ := number(models.TallyFieldHouseholds)
	ballots := method != models.MethodHands
	for _, f := range models.TallyFields {
		if _, ok := number(f.Key); ok && f.Ballot {
			ballots = true
		}
	}
	for _, f := range models.TallyFields {
		if f.Ballot && !ballots {
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
		fmt.Fprintf(&b, "%s: %s\n", x.tr(lang, f.MessageID, nil), text)
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
	n := *d
	n.Households = d.households(area)
	return tl.texts.tallyTable(tl.lang, area, d.Method, n.number, d.Votes)
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
	for _, f := range models.TallyFields {
		add(x.tr(lang, f.MessageID, nil), numberText(na.Number, f.Key), numberText(nb.Number, f.Key))
	}
	for _, c := range area.Candidates {
		add(strconv.Itoa(c.BallotNo)+". "+c.Name, strconv.Itoa(na.Votes[c.BallotNo]), strconv.Itoa(nb.Votes[c.BallotNo]))
	}
	return strings.Join(lines, "\n")
}
