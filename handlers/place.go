package handlers

import (
	"slices"
	"strconv"
	"strings"

	"electionbot/bot"
	"electionbot/locales"
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
		names := map[string]int{}
		for _, w := range ws {
			names[w.Name]++
		}
		var bs []bot.Button
		for _, w := range ws {
			label := w.Name
			if names[w.Name] > 1 { // Xã Tân Lập in two districts
				label = wardLabel(w)
			}
			bs = append(bs, bot.Button{Text: label})
		}
		kb.Rows = twoPerRow(bs)
	}
	kb.Rows = append(kb.Rows, []bot.Button{{Text: t.tr("btn_share_location", nil), RequestLocation: true}})
	return kb
}

// grantWard is the ward of an official's grants when they all lie in one
// (a ward admin, a reporter), so that an official is not asked; nil
// otherwise (no grants, grants in several wards, or of every ward).
func (o *officials) grantWard() (*models.Ward, error) {
	if !o.on() {
		return nil, nil
	}
	gs, err := o.store.ActiveGrants(o.ctx, o.c.ID)
	if err != nil || len(gs) == 0 {
		return nil, err
	}
	var w *models.Ward
	for _, g := range gs {
		var gw *models.Ward
		switch {
		case g.AreaID != nil:
			gw, err = o.core.AreaWard(o.ctx, *g.AreaID)
		case g.WardID != nil:
			gw, err = o.core.Ward(o.ctx, *g.WardID)
		default:
			return nil, nil // every ward: the official chooses
		}
		if models.ErrorCode(err) == models.ENOTFOUND {
			continue
		}
		if err != nil {
			return nil, err
		}
		if w != nil && w.ID != gw.ID {
			return nil, nil
		}
		w = gw
	}
	return w, nil
}

// officialView puts an official whose roles lie in one ward in front of
// that ward for an officials' command, a tally or a button, even if they
// chose another ward as a resident (not remembered: their questions as a
// resident stay about their own ward).
func (o *officials) officialView() error {
	w, err := o.grantWard()
	if err != nil || w == nil {
		return err
	}
	if cur, err := o.ward(); err != nil || (cur != nil && cur.ID == w.ID) {
		return err
	}
	o.wd, o.wardLoaded = w, true
	o.el, o.elLoaded, o.areas = nil, false, nil
	o.loaded = false
	return nil
}

// refuseAdmin says why an admin's command is refused: not an admin at
// all, or an admin of another ward than the one in view.
func (o *officials) refuseAdmin(r *roleSet) error {
	if r != nil && len(r.otherWards) > 0 {
		var names []string
		for _, id := range r.otherWards {
			w, err := o.core.Ward(o.ctx, id)
			if err != nil {
				return err
			}
			names = append(names, w.Name)
		}
		o.reply(o.tr("off_other_ward", map[string]any{"Mine": strings.Join(names, ", "), "Ward": o.wardName()}), o.menu())
		return nil
	}
	o.reply(o.tr("off_admin_only", nil), o.menu())
	return nil
}

// wardLabel is a ward as a button or a line: "Xã Hải Tiến (TP Móng Cái)".
func wardLabel(w *models.Ward) string {
	if w.City == "" {
		return w.Name
	}
	return w.Name + " (" + w.City + ")"
}

// wardAnswer reads the answer to "which ward?" (taken); a text that names
// no ward but asks something else is left to be read on (not taken).
func (r *residents) wardAnswer(folded string) (bool, error) {
	ws, err := r.wardList()
	if err != nil {
		return true, err
	}
	found := matchWardAnswer(folded, ws)
	if len(r.st.Choices) > 0 && len(found) != 1 { // "which city?": the city alone answers
		var offered []*models.Ward
		for _, w := range ws {
			if slices.Contains(r.st.Choices, w.ID) {
				offered = append(offered, w)
			}
		}
		if in, _ := byCity(offered, folded); len(in) == 1 {
			found = in
		}
	}
	switch {
	case len(found) == 1:
		return true, r.wardChosen(found[0], true)
	case len(found) > 1:
		return true, r.chooseAmong(found)
	}
	if intent, _ := r.conv.scorer.Best(folded); intent != "" {
		return false, nil
	}
	r.reply(r.tr("ward_unknown", map[string]any{"Text": shownText(r.in.Text, folded)}), r.wardKeyboard(ws))
	return true, nil
}

// shownText is what the resident wrote, when short enough to quote.
func shownText(raw, folded string) string {
	if t := []rune(strings.TrimSpace(raw)); len(t) > 0 && len(t) <= 40 {
		return string(t)
	}
	return folded
}

// chooseAmong asks which of several wards a name meant: the same name in
// two cities, or two names within a typo.
func (r *residents) chooseAmong(ws []*models.Ward) error {
	sameName := true
	for _, w := range ws[1:] {
		sameName = sameName && models.Fold(w.Name) == models.Fold(ws[0].Name)
	}
	st := r.st
	st.Await, st.Choices = awaitWard, nil
	for _, w := range ws {
		st.Choices = append(st.Choices, w.ID)
	}
	r.setState(st)
	bs := make([]bot.Button, len(ws))
	for i, w := range ws {
		bs[i] = bot.Button{Text: wardLabel(w)}
	}
	kb := &bot.Keyboard{Rows: append(twoPerRow(bs), []bot.Button{{Text: r.tr("btn_share_location", nil), RequestLocation: true}})}
	if sameName {
		r.reply(r.tr("ward_which_city", map[string]any{"Ward": ws[0].Name}), kb)
		return nil
	}
	r.reply(r.tr("ward_which", nil), kb)
	return nil
}

// wardChosen places the contact in w, says so, and resumes what waited
// for the ward (or, with nothing waiting and ask, asks the area).
func (r *residents) wardChosen(w *models.Ward, ask bool) error {
	then, q := r.st.Then, r.st.Query
	if r.st.Await == awaitWard {
		r.clearState()
	}
	r.placeWard(w)
	r.reply(r.tr("ward_set", map[string]any{"Ward": wardLabel(w)}), nil)
	if q != nil {
		r.setState(convState{Query: q})
		return r.lookup.nameLookup(q)
	}
	if then != "" {
		return r.run(then, "")
	}
	if !ask {
		return nil
	}
	return r.askArea("area_ask", "")
}

// wardInText reads a ward named inside a message and returns the rest of
// the message to read on. A contact not placed yet is placed there, and
// told ("tôi ở phường Hải Hòa thì bầu ở đâu"; "ka long" alone too); so is
// one who names only the ward ("tôi ở phường Ka Long"). A placed contact
// asking about another ward is answered for it once, and asked before
// being moved (visit.go).
func (r *residents) wardInText(folded string) (rest string, taken bool, err error) {
	ws, err := r.core.WardsNamed(r.ctx, wardNameCandidates(folded))
	if err != nil || len(ws) == 0 {
		return folded, false, err
	}
	if many, err := r.core.ManyWards(r.ctx); err != nil || !many {
		return folded, false, err
	}
	f := findWardInText(folded, ws)
	if len(f.Wards) == 0 {
		if cur, err := r.ward(); err != nil || cur != nil {
			return folded, false, err
		}
		// Unplaced: the whole text may be just the name.
		for _, w := range ws {
			if folded == w.Folded || folded == models.Fold(w.Name) {
				f.Wards = append(f.Wards, w)
			}
		}
		if len(f.Wards) == 0 {
			return folded, false, nil
		}
	}
	if len(f.Wards) > 1 {
		return f.Rest, true, r.chooseAmong(f.Wards)
	}
	w := f.Wards[0]
	if cur, err := r.ward(); err != nil {
		return folded, true, err
	} else if cur != nil && cur.ID == w.ID && r.c.WardID != nil {
		return f.Rest, false, nil // already there
	}
	if (r.c.WardID != nil || r.c.AreaID != nil) && !onlyFillers(strings.Fields(f.Rest)) {
		r.viewWard(w) // a question about another ward
		return f.Rest, false, nil
	}
	r.placeWard(w)
	r.reply(r.tr("ward_set", map[string]any{"Ward": wardLabel(w)}), nil)
	if onlyFillers(strings.Fields(f.Rest)) {
		return "", true, r.askArea("area_ask", r.st.Then)
	}
	return f.Rest, false, nil
}

// nearbyRadiusKm and nearbyPlaces bound the answer to a shared location.
const (
	nearbyRadiusKm = 10
	nearbyPlaces   = 5
)

// nearby answers a shared location with the nearest polling places, to
// choose one's own from (buttons "place:<area id>").
func (r *residents) nearby(loc *bot.Location) error {
	near, err := r.core.PlacesNear(r.ctx, loc.Lat, loc.Lon, nearbyRadiusKm, nearbyPlaces)
	if err != nil {
		return err
	}
	if len(near) == 0 {
		r.reply(r.tr("nearby_none", map[string]any{"Km": nearbyRadiusKm}), nil)
		return r.askWard("ward_ask", r.st.Then)
	}
	lines := make([]string, len(near))
	bs := make([]bot.Button, len(near))
	for i, n := range near {
		a := n.Area
		lines[i] = r.tr("nearby_line", map[string]any{"N": i + 1, "Place": placeName(a), "Area": a.Name,
			"Ward": a.Ward.Name, "Distance": locales.DecimalUpTo(r.lang, n.DistanceKm, 1)})
		bs[i] = bot.Button{Text: a.Name + " — " + a.Ward.Name, Data: "place:" + itoa64(a.ID)}
	}
	r.reply(r.tr("nearby_reply", map[string]any{"List": strings.Join(lines, "\n")}),
		&bot.Keyboard{Inline: true, Rows: oneColumn(bs)})
	return nil
}

func oneColumn(bs []bot.Button) [][]bot.Button {
	rows := make([][]bot.Button, len(bs))
	for i, b := range bs {
		rows[i] = []bot.Button{b}
	}
	return rows
}

// choosePlace places the contact in an area of any ward (a poster's deep
// link, a button under the nearest places, a typed "a123"); false when
// the area is unknown or not of its ward's current election.
func (r *residents) choosePlace(areaID int64) (bool, error) {
	a, err := r.core.Area(r.ctx, areaID)
	if models.ErrorCode(err) == models.ENOTFOUND {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	el, err := r.core.ElectionForWard(r.ctx, a.Ward)
	if models.ErrorCode(err) == models.ENOTFOUND || (err == nil && el.ID != a.ElectionID) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	r.placeWard(a.Ward)
	r.el, r.elLoaded = el, true
	r.setArea(a)
	return true, nil
}

// placeButton is the "place:<area id>" button.
func (r *residents) placeButton(s string) error {
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return models.Errorf(models.EINVALID, "bad place callback %q", s)
	}
	ok, err := r.choosePlace(id)
	if err != nil {
		return err
	}
	if !ok {
		return r.askWard("ward_ask", r.st.Then)
	}
	a, err := r.myArea()
	if err != nil || a == nil {
		return err
	}
	return r.areaChosen(a)
}
