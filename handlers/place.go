package handlers

import (
	"electionbot/bot"
	"electionbot/models"
)

// Placing a resident: before anything ward-specific is answered, the bot
// knows the resident's ward (xã/phường/thị trấn) — by its name as people
// type it, a shared location, a poster's deep link, or the phone on the
// voter list. Where the deployment has one ward, nobody is asked.

// askWard asks which ward the contact lives in, to resume then.
func (t *turn) askWard(msgID string, then action) error {
	ws, err := t.wardList()
	if err != nil {
		return err
	}
	t.setState(convState{Await: awaitWard, Then: then, Query: t.st.Query})
	t.reply(t.tr(msgID, nil), t.wardKeyboard(ws))
	return nil
}

// maxWardButtons bounds the wards offered as buttons; beyond it the
// resident types the name.
const maxWardButtons = 8

// wardKeyboard offers the location button and, when there are few, the
// wards themselves.
func (t *turn) wardKeyboard(ws []*models.Ward) *bot.Keyboard {
	kb := &bot.Keyboard{}
	if len(ws) <= maxWardButtons {
		var bs []bot.Button
		for _, w := range ws {
			bs = append(bs, bot.Button{Text: w.Name})
		}
		kb.Rows = twoPerRow(bs)
	}
	kb.Rows = append(kb.Rows, []bot.Button{{Text: t.tr("btn_share_location", nil), RequestLocation: true}})
	return kb
}

// grantWard is the ward of an official's grants when they all lie in one
// (a ward admin, a reporter), so that an official is not asked; nil
// otherwise.
func (o *officials) grantWard(ws []*models.Ward) (*models.Ward, error) {
	if !o.on() {
		return nil, nil
	}
	gs, err := o.store.ActiveGrants(o.ctx, o.c.ID)
	if err != nil || len(gs) == 0 {
		return nil, err
	}
	var id int64
	for _, g := range gs {
		var w int64
		switch {
		case g.AreaID != nil:
			aw, err := o.core.AreaWard(o.ctx, *g.AreaID)
			if models.ErrorCode(err) == models.ENOTFOUND {
				continue
			}
			if err != nil {
				return nil, err
			}
			w = aw.ID
		case g.WardID != nil:
			w = *g.WardID
		default:
			return nil, nil // every ward: the official chooses
		}
		if id != 0 && id != w {
			return nil, nil
		}
		id = w
	}
	for _, w := range ws {
		if w.ID == id {
			return w, nil
		}
	}
	return nil, nil
}
