package handlers

import (
	"fmt"
	"strings"

	"electionbot/models"
	"electionbot/tally"
)

// A tally in one message ("KQ KP1 TD 290 …", tally.Parse) and the
// photo of the signed minutes.

// text catches a reporter's typed text: a tally in one message, or an
// answer of the guided form. handled is false for anything else.
func (tl *tallies) text(text string) (handled bool, err error) {
	if !tl.on() {
		return false, nil
	}
	d := tl.st.Draft
	asked := d != nil && tl.st.Await == awaitTally && d.Ask != ""
	// A tally has numbers: other text is not parsed (most messages are
	// residents' questions).
	if strings.ContainsAny(text, "0123456789") {
		if err := tl.officials.officialView(); err != nil { // a reporter's own ward
			return false, err
		}
		areas, err := tl.areaList()
		if err != nil {
			return false, err
		}
		if len(areas) > 0 {
			p, isTally := tally.Parse(text, areas)
			if isTally && tl.in.Group {
				tl.reply(tl.tr("off_private_only", nil), nil)
				return true, nil
			}
			if isTally {
				photo := ""
				if d != nil {
					photo = d.Photo
				}
				return true, tl.tallyMessage(p, photo)
			}
			if !asked { // "TD 160": the number attending so far (attendance.go)
				if handled, err := tl.attendanceText(text, areas); handled || err != nil {
					return handled, err
				}
			}
		}
	}
	if asked {
		return true, tl.formAnswer(d, text)
	}
	return false, nil
}

// refuse tells a contact who does not report for the area (or for any)
// that the tally is not taken, and audits it.
func (tl *tallies) refuse(area *models.Area) error {
	subject, detail := "", "not a reporter"
	name := ""
	if area != nil {
		subject, name = area.Code, area.Name
		detail = fmt.Sprintf("area=%d not a reporter of it", area.ID)
	}
	if err := tl.audit(tl.store, ActionTallyRefused, subject, detail, false); err != nil {
		return err
	}
	if area != nil {
		tl.reply(tl.tr("off_not_reporter_of", map[string]any{"Area": name}), tl.menu())
	} else {
		tl.reply(tl.tr("off_not_reporter", nil), tl.menu())
	}
	return nil
}

// tallyMessage takes a tally sent in one message: checks who sent it,
// echoes what was understood and asks to confirm.
func (tl *tallies) tallyMessage(p *tally.Parsed, photo string) error {
	o, err := tl.officials.roles()
	if err != nil {
		return err
	}
	areas, err := tl.areaList()
	if err != nil {
		return err
	}
	var area *models.Area
	for _, a := range areas {
		if p.AreaCode != "" && a.Code == p.AreaCode {
			area = a
		}
	}
	if area != nil && !o.reporterOf(area.ID) {
		return tl.refuse(area)
	}
	if o == nil || len(o.areas) == 0 {
		return tl.refuse(nil)
	}
	// A message is complete without nominees: it names them if any.
	d := &draft{Kind: p.Numbers.Kind, Method: p.Numbers.Method, Households: p.Households, Photo: photo,
		Issued: p.Numbers.Issued, Returned: p.Numbers.Returned, Valid: p.Numbers.Valid, Invalid: p.Numbers.Invalid,
		Nominees: p.Numbers.Nominees, NomineesDone: true}
	if p.Set[models.TallyFieldAttending] {
		v := p.Numbers.Attending
		d.Attending = &v
	}
	if len(p.Numbers.Votes) > 0 {
		d.Votes = map[int]int{}
		for k, v := range p.Numbers.Votes {
			d.Votes[k] = v
		}
	}
	if d.Method == "" && tl.el != nil {
		d.Method = tl.el.Method
	}
	if area == nil && len(o.areas) == 1 {
		area = o.areas[0]
	}
	var notes []string
	if len(p.Unknown) > 0 {
		notes = append(notes, tl.tr("off_tally_unknown", map[string]any{"Parts": quoteParts(p.Unknown)}))
	}
	if len(p.Ambiguous) > 0 {
		notes = append(notes, tl.tr("off_tally_ambiguous", map[string]any{"Parts": quoteParts(p.Ambiguous)}))
	}
	if area == nil {
		// Several areas and none named: ask which.
		d.Ask = "area"
		tl.setDraft(d)
		if len(notes) > 0 {
			tl.reply(strings.Join(notes, "\n"), nil)
		}
		return tl.askDraftArea(o)
	}
	// A show of hands with ballot numbers keeps them: CheckTally names
	// the mistake rather than the bot dropping numbers silently.
	d.AreaID = area.ID
	tl.setDraft(d)
	return tl.summary(d, area, notes)
}

func quoteParts(parts []string) string {
	q := make([]string, len(parts))
	for i, p := range parts {
		q[i] = "«" + p + "»"
	}
	return strings.Join(q, ", ")
}

// photo takes a photo of the signed minutes from a reporter: with a tally
// in its caption, during a draft, or after a tally. handled is false for
// anyone else.
func (tl *tallies) photo() (handled bool, err error) {
	if !tl.on() || tl.in.Group {
		return false, nil
	}
	ref := tl.in.PhotoRef
	if err := tl.officials.officialView(); err != nil {
		return true, err
	}
	if caption := strings.TrimSpace(tl.in.Text); caption != "" {
		areas, err := tl.areaList()
		if err != nil {
			return true, err
		}
		if p, ok := tally.Parse(caption, areas); ok {
			return true, tl.tallyMessage(p, ref)
		}
	}
	if d := tl.st.Draft; d != nil {
		d.Photo = ref
		tl.setDraft(d)
		tl.reply(tl.tr("off_photo_draft", nil), nil)
		return true, nil
	}
	o, err := tl.officials.roles()
	if err != nil {
		return true, err
	}
	if o == nil || len(o.areas) == 0 {
		return false, nil
	}
	v, err := tl.store.AttachPhoto(tl.ctx, tl.c.ID, ref)
	if models.ErrorCode(err) == models.ENOTFOUND {
		tl.reply(tl.tr("off_photo_no_tally", nil), tl.menu())
		return true, nil
	}
	if err != nil {
		return true, err
	}
	name := ""
	for _, a := range o.areas {
		if a.ID == v.AreaID {
			name = a.Name
		}
	}
	if name == "" {
		if a, err := tl.store.Area(tl.ctx, v.AreaID); err == nil {
			name = a.Name
		}
	}
	tl.reply(tl.tr("off_photo_attached", map[string]any{"Area": name, "State": tl.placed(nil).stateText(tl.lang, v)}), tl.menu())
	return true, nil
}
