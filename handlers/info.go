package handlers

import (
	"strings"

	"electionbot/bot"
	"electionbot/models"
)

// needArea returns the resident's area, or asks for it (to resume `then`)
// and returns nil.
func (t *turn) needArea(then action) (*models.Area, error) {
	el, err := t.election()
	if err != nil {
		return nil, err
	}
	if el == nil {
		t.reply(t.tr("no_election", nil), t.menu())
		return nil, nil
	}
	area, err := t.myArea()
	if err != nil || area != nil {
		return area, err
	}
	areas, err := t.areaList()
	if err != nil {
		return nil, err
	}
	if len(areas) == 1 { // a ward with one area: nothing to ask
		t.setArea(areas[0])
		return areas[0], nil
	}
	return nil, t.askArea("area_ask", then)
}

// placeReply: the polling place of the resident's area, its hours, and a
// map pin when the coordinates are known.
func (t *turn) placeReply() error {
	area, err := t.needArea(actPlace)
	if err != nil || area == nil {
		return err
	}
	p := area.PollingPlace
	if p == nil || p.Name == "" {
		t.reply(t.tr("place_unknown", map[string]any{"Area": area.Name}), t.menu())
		return nil
	}
	text := t.tr("place_reply", map[string]any{
		"Area":    area.Name,
		"Place":   p.Name,
		"Address": p.Address,
		"Date":    t.h.formatDate(t.lang, "date_format", t.el.Day()),
		"Opens":   t.el.Opens,
		"Closes":  t.el.Closes,
	})
	text = dropEmptyLines(text)
	if p.Lat != nil && p.Lon != nil {
		t.reply(text, nil)
		t.out = append(t.out, bot.Outgoing{
			Location: &bot.Location{Lat: *p.Lat, Lon: *p.Lon, Title: p.Name, Address: p.Address},
			Keyboard: t.menu(),
		})
		return nil
	}
	t.reply(text, t.menu())
	return nil
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

// candidatesReply: the area's candidates by ballot number, and how to vote
// for one.
func (t *turn) candidatesReply() error {
	area, err := t.needArea(actCandidates)
	if err != nil || area == nil {
		return err
	}
	if len(area.Candidates) == 0 {
		t.reply(t.tr("candidates_none", map[string]any{"Area": area.Name}), t.menu())
		return nil
	}
	lines := make([]string, len(area.Candidates))
	for i, c := range area.Candidates {
		lines[i] = t.tr("candidates_line", map[string]any{"No": c.BallotNo, "Name": c.Name})
	}
	text := t.tr("candidates_reply", map[string]any{"Area": area.Name, "List": strings.Join(lines, "\n")})
	if t.el.Method == models.MethodHands {
		text += "\n\n" + t.tr("candidates_how_hands", nil)
	} else {
		text += "\n\n" + t.tr("candidates_how_secret", nil)
	}
	t.reply(text, t.menu())
	return nil
}

// rulesReply: who votes, who may stand, how the winner is decided under
// the election's regime, and the voting method. `which` picks one part;
// actRules gives them all.
func (t *turn) rulesReply(which action) error {
	el, err := t.election()
	if err != nil {
		return err
	}
	rules, method := models.RulesNQLT2008, models.MethodSecret
	if el != nil {
		rules, method = el.Rules, el.Method
	}
	win := "rules_win_nqlt"
	if rules == models.RulesLuat2022 {
		win = "rules_win_luat"
	}
	methodText := t.tr("method_secret", nil)
	if method == models.MethodHands {
		methodText = t.tr("method_hands", nil)
	}
	parts := map[action]string{
		actVoteRule:   t.tr("rules_vote", nil),
		actStandRule:  t.tr("rules_stand", nil),
		actWinRule:    t.tr(win, nil),
		actMethodRule: t.tr("rules_method", map[string]any{"Method": methodText}),
	}
	if which == actRules {
		t.reply(strings.Join([]string{parts[actVoteRule], parts[actStandRule], parts[actWinRule], parts[actMethodRule]}, "\n\n"), t.menu())
		return nil
	}
	t.reply(parts[which], t.menu())
	return nil
}
