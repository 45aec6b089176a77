package handlers

import (
	"strings"

	"electionbot/bot"
	"electionbot/locales"
	"electionbot/models"
)

// The residents' questions about the election: when, where, who stands,
// the rules, and after the day the recognised result.

// needArea returns the resident's area, or asks for it (to resume `then`)
// and returns nil.
func (r *residents) needArea(then action) (*models.Area, error) {
	el, err := r.needElection(then)
	if err != nil || el == nil {
		return nil, err
	}
	area, err := r.myArea()
	if err != nil || area != nil {
		return area, err
	}
	areas, err := r.areaList()
	if err != nil {
		return nil, err
	}
	if len(areas) == 1 { // a ward with one area: nothing to ask
		if r.visitingWard() {
			r.visitArea(areas[0])
			return r.myArea()
		}
		r.setArea(areas[0])
		return areas[0], nil
	}
	return nil, r.askArea("area_ask", then)
}

// dateReply answers "when is the election": title, weekday and date,
// opening hours, the resident's polling place, and after the day the
// recognised result of the area.
func (r *residents) dateReply() error {
	el, err := r.needElection(actDate)
	if err != nil || el == nil {
		return err
	}
	now := r.now()
	text := r.tr("date_reply", map[string]any{
		"Title":    el.Title,
		"Ward":     wardLine(el),
		"Date":     r.texts.date(r.lang, "date_format", el.Day()),
		"Relative": r.texts.relative(r.lang, el, now),
		"Opens":    el.Opens,
		"Closes":   el.Closes,
	})
	text = dropEmptyLines(text) // a ward without names
	area, err := r.myArea()
	if err != nil {
		return err
	}
	if area == nil {
		r.reply(text, nil)
		return r.askArea("date_ask_area", actPlace)
	}
	if line := r.placeLine(area); line != "" {
		text += "\n" + line
	}
	if phase, _ := electionPhase(el, now); phase == phasePast {
		res, err := r.resultLine(el, area)
		if err != nil {
			return err
		}
		text += "\n\n" + res
	}
	r.reply(text, r.menu())
	return nil
}

func (r *residents) placeLine(a *models.Area) string {
	p := a.PollingPlace
	if p == nil || p.Name == "" {
		return ""
	}
	if p.Address == "" {
		return r.tr("date_place_line", map[string]any{"Area": a.Name, "Place": p.Name})
	}
	return r.tr("date_place_address", map[string]any{"Area": a.Name, "Place": p.Name, "Address": p.Address})
}

// resultLine is the area's recognised result, decided by the election's
// regime (models.DecideOutcome): the winner with the share of ALL
// households, or why nobody was elected and what happens next.
func (r *residents) resultLine(el *models.Election, area *models.Area) (string, error) {
	tally, err := r.store.AcceptedTally(r.ctx, area.ID)
	if models.ErrorCode(err) == models.ENOTFOUND || (err == nil && tally == nil) {
		return r.tr("result_pending", map[string]any{"Area": area.Name}), nil
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
		return r.tr("result_pending", map[string]any{"Area": area.Name}), nil
	}
	data := map[string]any{
		"Area":            area.Name,
		"Households":      n.Households,
		"Votes":           out.Votes,
		"Percent":         locales.Percent(r.lang, out.Votes, n.Households),
		"Attending":       n.Attending,
		"Attendance":      locales.Percent(r.lang, n.Attending, n.Households),
		"VoteUnit":        r.texts.voteUnit(r.lang, n),
		"HouseholdBallot": out.HouseholdBallot,
		"Nominated":       false,
	}
	switch out.Kind {
	case models.OutcomeElected:
		data["Name"], data["BallotNo"], data["Nominated"] = out.Winner.Name, out.Winner.BallotNo, out.Winner.Nominated
		return r.tr("result_winner", data), nil
	case models.OutcomeMeetingInvalid:
		return r.tr("result_meeting_invalid", data), nil
	case models.OutcomeHouseholdBallotNeeded:
		return r.tr("law_result_household_ballot_needed", data), nil
	}
	if el.Rules == models.RulesLuat2022 {
		data["Next"] = r.tr("result_next_luat", nil)
	} else {
		data["Next"] = r.tr("result_next_nqlt", nil)
	}
	if out.Leader == nil {
		return r.tr("result_none_tie", data), nil
	}
	data["Name"] = out.Leader.Name
	return r.tr("result_none", data), nil
}

// placeReply: the polling place of the resident's area, its hours, and a
// map pin when the coordinates are known.
func (r *residents) placeReply() error {
	area, err := r.needArea(actPlace)
	if err != nil || area == nil {
		return err
	}
	p := area.PollingPlace
	if p == nil || p.Name == "" {
		r.reply(r.tr("place_unknown", map[string]any{"Area": area.Name}), r.menu())
		return nil
	}
	text := r.tr("place_reply", map[string]any{
		"Area":    area.Name,
		"Place":   p.Name,
		"Address": p.Address,
		"Date":    r.texts.date(r.lang, "date_format", r.el.Day()),
		"Opens":   r.el.Opens,
		"Closes":  r.el.Closes,
	})
	text = dropEmptyLines(text)
	if p.Lat != nil && p.Lon != nil {
		r.reply(text, nil)
		r.out = append(r.out, bot.Outgoing{
			Location: &bot.Location{Lat: *p.Lat, Lon: *p.Lon, Title: p.Name, Address: p.Address},
			Keyboard: r.menu(),
		})
		return nil
	}
	r.reply(text, r.menu())
	return nil
}

// candidatesReply: the area's candidates by ballot number, and how to vote
// for one.
func (r *residents) candidatesReply() error {
	area, err := r.needArea(actCandidates)
	if err != nil || area == nil {
		return err
	}
	// The list of the election file (people nominated at the meeting
	// are the minutes', named in the result).
	cands := listed(area.Candidates)
	if len(cands) == 0 {
		r.reply(r.tr("candidates_none", map[string]any{"Area": area.Name}), r.menu())
		return nil
	}
	lines := make([]string, len(cands))
	for i, c := range cands {
		lines[i] = r.tr("candidates_line", map[string]any{"No": c.BallotNo, "Name": c.Name})
	}
	text := r.tr("candidates_reply", map[string]any{"Area": area.Name, "List": strings.Join(lines, "\n")})
	if r.el.Method == models.MethodHands {
		text += "\n\n" + r.tr("candidates_how_hands", nil)
	} else {
		text += "\n\n" + r.tr("candidates_how_secret", nil)
	}
	r.reply(text, r.menu())
	return nil
}

// rulesReply: who votes, who may stand, how the winner is decided under
// the election's regime, and the voting method. `which` picks one part;
// actRules gives them all.
func (r *residents) rulesReply(which action) error {
	el, err := r.election()
	if err != nil {
		return err
	}
	if el == nil { // not placed: the rules do not depend on the ward
		el, err = r.core.CurrentElection(r.ctx)
		if models.ErrorCode(err) == models.ENOTFOUND {
			el, err = nil, nil
		}
		if err != nil {
			return err
		}
	}
	rules, method, electorate := models.RulesNQLT2008, models.MethodSecret, models.ElectorateHouseholds
	if el != nil {
		rules, method, electorate = el.Rules, el.Method, el.ElectorateOrDefault()
	}
	if area, err := r.myArea(); err != nil {
		return err
	} else if area != nil {
		electorate = models.ElectorateOf(area.Electorate)
	}
	win, vote, stand := "rules_win_nqlt", "rules_vote", r.tr("rules_stand", nil)
	if electorate == models.ElectorateVoters { // NQLT 09/2008 Điều 8: an all-voter meeting
		vote = "law_rules_vote_voters"
	}
	if rules == models.RulesLuat2022 {
		win = "rules_win_luat"
		// NĐ 59/2023: nominations at the meeting; the method and the Ban
		// kiểm phiếu are voted by the meeting.
		stand += "\n" + r.tr("law_rules_stand_meeting", nil)
	}
	methodText := r.tr("method_secret", nil)
	if method == models.MethodHands {
		methodText = r.tr("method_hands", nil)
	}
	how := r.tr("rules_method", map[string]any{"Method": methodText})
	if rules == models.RulesLuat2022 {
		how += "\n" + r.tr("law_rules_method_luat", nil)
	}
	parts := map[action]string{
		actVoteRule:   r.tr(vote, nil),
		actStandRule:  stand,
		actWinRule:    r.tr(win, nil),
		actMethodRule: how,
	}
	if which == actRules {
		r.reply(strings.Join([]string{parts[actVoteRule], parts[actStandRule], parts[actWinRule], parts[actMethodRule]}, "\n\n"), r.menu())
		return nil
	}
	r.reply(parts[which], r.menu())
	return nil
}
