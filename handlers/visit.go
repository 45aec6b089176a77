package handlers

import (
	"strconv"
	"strings"

	"electionbot/bot"
	"electionbot/models"
)

// Answering once for another place. A question about an area (or, in a
// province, a ward) other than the contact's own — "kết quả khu phố 2",
// "tra cứu Lê Thị Hoa 1975 khu 2", "ở phường Hồng Hải bầu ở đâu" — is
// answered for that place, and the contact's own place (and with it their
// reminders) stays as it was: the bot then asks, with buttons, whether to
// change it. Only the place alone ("khu 2", "tôi ở khu 2", a button) or
// the answer to "which area?" changes it, and that is said.

// visiting is the place a turn answers for instead of the contact's own.
type visiting struct {
	area *models.Area // the area answered for (nil: only a ward)
	ward *models.Ward // the other ward in view, when it is one
	used bool         // the answer used the area (turn.myArea)
	// asked: the turn asked which of the ward's areas (see: buttons);
	// the move is offered after that answer.
	asked bool
}

// visitArea answers this turn for area a, which is not the contact's.
func (t *turn) visitArea(a *models.Area) {
	t.visit.area = a
}

// viewWard puts another ward in view for this turn only, without moving
// the contact.
func (t *turn) viewWard(w *models.Ward) {
	t.visit.ward = w
	t.wd, t.wardLoaded = w, true
	t.el, t.elLoaded, t.areas = nil, false, nil
}

// visitingWard says whether the turn has another ward in view.
func (t *turn) visitingWard() bool { return t.visit.ward != nil }

// ownArea is the contact's own area in the ward in view (myArea without
// a visit): what reminders and the area's confirmation are about.
func (t *turn) ownArea() (*models.Area, error) {
	if t.c.AreaID == nil || t.visitingWard() {
		return nil, nil
	}
	as, err := t.areaList()
	if err != nil {
		return nil, err
	}
	for _, a := range as {
		if a.ID == *t.c.AreaID {
			return a, nil
		}
	}
	return nil, nil
}

// ownPlaceName names the contact's own place: their area (with its ward
// when another ward is in view), else their ward; "" when they have none.
func (t *turn) ownPlaceName() (string, error) {
	if t.c.AreaID != nil {
		a, err := t.core.Area(t.ctx, *t.c.AreaID)
		if err == nil {
			if t.visitingWard() && a.Ward != nil {
				return a.Name + ", " + a.Ward.Name, nil
			}
			return a.Name, nil
		}
		if models.ErrorCode(err) != models.ENOTFOUND {
			return "", err
		}
	}
	if t.c.WardID != nil {
		w, err := t.core.Ward(t.ctx, *t.c.WardID)
		if err == nil {
			return w.Name, nil
		}
		if models.ErrorCode(err) != models.ENOTFOUND {
			return "", err
		}
	}
	return "", nil
}

// offerMove ends a turn that answered for another place: the contact's
// place is unchanged, and buttons offer to change it (or keep it).
func (t *turn) offerMove() error {
	v := t.visit
	switch {
	case v.area == nil && v.ward == nil, v.asked:
		return nil
	case v.area != nil && !v.used:
		return nil // the answer did not use the area ("khu 2 cảm ơn")
	case t.st.Await != "":
		return nil // the answer waits for more (a household number): not now
	}
	place, data := "", ""
	if v.area != nil {
		place, data = v.area.Name, "place:"+itoa64(v.area.ID)
		if v.ward != nil {
			place += ", " + v.ward.Name
		}
	} else {
		place, data = v.ward.Name, "ward:"+itoa64(v.ward.ID)
	}
	own, err := t.ownPlaceName()
	if err != nil {
		return err
	}
	msg, yes, no := "move_offer", "move_btn_yes", "move_btn_keep"
	if own == "" {
		msg, yes, no = "move_offer_new", "move_btn_mine", "move_btn_no"
	}
	d := map[string]any{"Place": place, "Own": own}
	t.reply(t.tr(msg, d), &bot.Keyboard{Inline: true, Rows: [][]bot.Button{{
		{Text: t.tr(yes, d), Data: data},
		{Text: t.tr(no, d), Data: "keep:"},
	}}})
	return nil
}

// keep answers the offer's "keep my place" button.
func (t *turn) keep() error {
	own, err := t.ownPlaceName()
	if err != nil {
		return err
	}
	if own == "" {
		t.reply(t.tr("move_kept_none", nil), t.menu())
		return nil
	}
	t.reply(t.tr("move_kept", map[string]any{"Own": own}), t.menu())
	return nil
}

// seeArea is the "see:<area id>:<action>" button: a question about
// another ward answered for one of its areas, once.
func (r *residents) seeArea(s string) error {
	idText, act, _ := strings.Cut(s, ":")
	id, err := strconv.ParseInt(idText, 10, 64)
	if err != nil {
		return models.Errorf(models.EINVALID, "bad see callback %q", s)
	}
	a, err := r.core.Area(r.ctx, id)
	if models.ErrorCode(err) == models.ENOTFOUND {
		return r.askWard("ward_ask", action(act))
	}
	if err != nil {
		return err
	}
	el, err := r.core.ElectionForWard(r.ctx, a.Ward)
	if models.ErrorCode(err) == models.ENOTFOUND || (err == nil && el.ID != a.ElectionID) {
		return r.askWard("ward_ask", action(act))
	}
	if err != nil {
		return err
	}
	if r.c.WardID == nil || *r.c.WardID != a.WardID {
		r.viewWard(a.Ward)
	} else {
		r.wd, r.wardLoaded = a.Ward, true
	}
	r.el, r.elLoaded = el, true
	if r.c.AreaID == nil || *r.c.AreaID != a.ID {
		r.visitArea(a)
	}
	return r.run(action(act), "")
}

// wardButton is the "ward:<id>" button of a move offer: the contact moves
// to that ward, is told, and is asked the area.
func (r *residents) wardButton(s string) error {
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return models.Errorf(models.EINVALID, "bad ward callback %q", s)
	}
	w, err := r.core.Ward(r.ctx, id)
	if models.ErrorCode(err) == models.ENOTFOUND {
		return r.askWard("ward_ask", "")
	}
	if err != nil {
		return err
	}
	if _, err := r.ward(); err != nil { // placeWard compares with the contact's own ward
		return err
	}
	return r.wardChosen(w, true)
}

// seeKeyboard offers the areas of a ward in view for one answer (inline
// "see:" buttons that resume then), rather than asking the contact to
// choose their own area there.
func (t *turn) seeKeyboard(areas []*models.Area, then action) *bot.Keyboard {
	bs := make([]bot.Button, len(areas))
	for i, a := range areas {
		bs[i] = bot.Button{Text: a.Name, Data: "see:" + itoa64(a.ID) + ":" + string(then)}
	}
	return &bot.Keyboard{Inline: true, Rows: twoPerRow(bs)}
}
