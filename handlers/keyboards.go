package handlers

import (
	"electionbot/bot"
	"electionbot/models"
)

// The keyboards of the conversation, and asking the area with them.

// menu is the main reply keyboard in the contact's language.
func (t *turn) menu() *bot.Keyboard {
	b := func(id string) bot.Button { return bot.Button{Text: t.tr(id, nil)} }
	return &bot.Keyboard{Rows: [][]bot.Button{
		{b("btn_date"), b("btn_place")},
		{b("btn_check")},
		{b("btn_candidates"), b("btn_rules")},
		{b("btn_reminders"), b("btn_area")},
		{b("btn_lang"), b("btn_help")},
	}}
}

// checkKeyboard offers the contact button for a lookup by phone.
func (t *turn) checkKeyboard() *bot.Keyboard {
	return &bot.Keyboard{Rows: [][]bot.Button{
		{{Text: t.tr("btn_share_phone", nil), RequestContact: true}},
		{{Text: t.tr("btn_menu", nil)}},
	}}
}

// twoPerRow lays buttons out two per row.
func twoPerRow(buttons []bot.Button) [][]bot.Button {
	var rows [][]bot.Button
	for i := 0; i < len(buttons); i += 2 {
		end := min(i+2, len(buttons))
		rows = append(rows, buttons[i:end:end])
	}
	return rows
}

// areaKeyboard lists the ward's areas, two per row.
func (t *turn) areaKeyboard(areas []*models.Area) *bot.Keyboard {
	bs := make([]bot.Button, len(areas))
	for i, a := range areas {
		bs[i] = bot.Button{Text: a.Name}
	}
	kb := &bot.Keyboard{Rows: twoPerRow(bs)}
	last := []bot.Button{{Text: t.tr("btn_menu", nil)}}
	if many, err := t.core.ManyWards(t.ctx); err == nil && many { // another ward's areas are a ward away
		last = append([]bot.Button{{Text: t.tr("btn_ward", nil)}}, last...)
	}
	kb.Rows = append(kb.Rows, last)
	return kb
}

// askArea asks which area the resident lives in, to resume `then` after.
func (t *turn) askArea(msgID string, then action) error {
	el, err := t.needElection(then) // an unplaced contact is asked the ward first
	if err != nil || el == nil {
		return err
	}
	areas, err := t.areaList()
	if err != nil {
		return err
	}
	if len(areas) == 0 {
		t.reply(t.tr("no_election", nil), t.menu())
		return nil
	}
	if t.visitingWard() { // another ward's areas: answered once, not chosen
		t.visit.asked = true
		t.reply(t.tr(msgID, map[string]any{"Ward": t.wardName()}), t.seeKeyboard(areas, then))
		return nil
	}
	if len(areas) == 1 && t.c.AreaID == nil { // a ward with one area: nothing to ask
		t.setArea(areas[0])
		st := t.st
		st.Then = then
		t.setState(st)
		return t.residents.areaChosen(areas[0])
	}
	st := t.st
	st.Await, st.Then = awaitArea, then
	t.setState(st)
	t.reply(t.tr(msgID, map[string]any{"Ward": t.wardName()}), t.areaKeyboard(areas))
	return nil
}
