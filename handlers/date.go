package handlers

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"electionbot/models"
)

// formatDate writes a day as residents read it: "Chủ nhật, 05/06/2022",
// "Sunday, 5 June 2022".
func (h *Handler) formatDate(lang, id string, d time.Time) string {
	return h.tr(lang, id, map[string]any{
		"Weekday": h.tr(lang, "weekday_"+strconv.Itoa(int(d.Weekday())), nil),
		"D":       d.Day(),
		"DD":      fmt.Sprintf("%02d", d.Day()),
		"MM":      fmt.Sprintf("%02d", int(d.Month())),
		"Month":   h.tr(lang, "month_"+strconv.Itoa(int(d.Month())), nil),
		"YYYY":    d.Year(),
	})
}

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

// relative says when the election is, from the injected clock: "còn 3 ngày
// nữa", "ngày mai", "hôm nay", "đã diễn ra".
func (h *Handler) relative(lang string, el *models.Election, now time.Time) string {
	phase, days := electionPhase(el, now)
	switch phase {
	case phaseBefore:
		if days == 1 {
			return h.tr(lang, "rel_tomorrow", nil)
		}
		return h.tr(lang, "rel_days", map[string]any{"Days": days})
	case phaseToday:
		return h.tr(lang, "rel_today", nil)
	case phaseOpen:
		return h.tr(lang, "rel_today_open", nil)
	}
	return h.tr(lang, "rel_past", nil)
}

// dateReply answers "when is the election": title, weekday and date,
// opening hours, the resident's polling place, and after the day the
// recognised result of the area.
func (t *turn) dateReply() error {
	el, err := t.election()
	if err != nil {
		return err
	}
	if el == nil {
		t.reply(t.tr("no_election", nil), t.menu())
		return nil
	}
	now := t.h.now()
	text := t.tr("date_reply", map[string]any{
		"Title":    el.Title,
		"Ward":     wardLine(el),
		"Date":     t.h.formatDate(t.lang, "date_format", el.Day()),
		"Relative": t.h.relative(t.lang, el, now),
		"Opens":    el.Opens,
		"Closes":   el.Closes,
	})
	text = dropEmptyLines(text) // a ward without names
	area, err := t.myArea()
	if err != nil {
		return err
	}
	if area == nil {
		t.reply(text, nil)
		return t.askArea("date_ask_area", actPlace)
	}
	if line := t.placeLine(area); line != "" {
		text += "\n" + line
	}
	if phase, _ := electionPhase(el, now); phase == phasePast {
		res, err := t.resultLine(el, area)
		if err != nil {
			return err
		}
		text += "\n\n" + res
	}
	t.reply(text, t.menu())
	return nil
}

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

func (t *turn) placeLine(a *models.Area) string {
	p := a.PollingPlace
	if p == nil || p.Name == "" {
		return ""
	}
	if p.Address == "" {
		return t.tr("date_place_line", map[string]any{"Area": a.Name, "Place": p.Name})
	}
	return t.tr("date_place_address", map[string]any{"Area": a.Name, "Place": p.Name, "Address": p.Address})
}

// resultLine is the area's recognised result, decided by the election's
// regime (models.DecideOutcome): the winner with the share of ALL
// households, or why nobody was elected and what happens next.
func (t *turn) resultLine(el *models.Election, area *models.Area) (string, error) {
	tally, err := t.h.store.AcceptedTally(t.ctx, area.ID)
	if models.ErrorCode(err) == models.ENOTFOUND || (err == nil && tally == nil) {
		return t.tr("result_pending", map[string]any{"Area": area.Name}), nil
	}
	if err != nil {
		return "", err
	}
	n := models.TallyNumbersOf(tally, area.Candidates)
	if n.Households <= 0 {
		n.Households = area.Households
	}
	out, err := models.DecideOutcome(el.Rules, n, area.Candidates)
	if err != nil {
		// An accepted tally the rules refuse (numbers edited by hand):
		// say it is being checked rather than guess.
		return t.tr("result_pending", map[string]any{"Area": area.Name}), nil
	}
	data := map[string]any{
		"Area":       area.Name,
		"Households": n.Households,
		"Votes":      out.Votes,
		"Percent":    t.percent(out.Votes, n.Households),
		"Attending":  n.Attending,
		"Attendance": t.percent(n.Attending, n.Households),
	}
	switch out.Kind {
	case models.OutcomeElected:
		data["Name"], data["BallotNo"] = out.Winner.Name, out.Winner.BallotNo
		return t.tr("result_winner", data), nil
	case models.OutcomeMeetingInvalid:
		return t.tr("result_meeting_invalid", data), nil
	}
	if el.Rules == models.RulesLuat2022 {
		data["Next"] = t.tr("result_next_luat", nil)
	} else {
		data["Next"] = t.tr("result_next_nqlt", nil)
	}
	if out.Leader == nil {
		return t.tr("result_none_tie", data), nil
	}
	data["Name"] = out.Leader.Name
	return t.tr("result_none", data), nil
}

// percent formats n/of as a percentage with one decimal, with the
// language's decimal mark (vi "80,1", en "80.1").
func (t *turn) percent(n, of int) string {
	s := strconv.FormatFloat(float64(n)*100/float64(of), 'f', 1, 64)
	if t.lang == "vi" {
		s = strings.Replace(s, ".", ",", 1)
	}
	return s
}
