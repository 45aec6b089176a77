package handlers

import (
	"strconv"
	"strings"

	"electionbot/bot"
	"electionbot/locales"
	"electionbot/models"
)

// The guided form of /baocao: one question a field, resumable after a
// restart (the draft lives in Contact.State).

func (tl *tallies) setDraft(d *draft) {
	st := tl.st
	st.Await, st.Then, st.Query, st.Draft = awaitTally, "", nil, d
	tl.setState(st)
}

// draftArea is the draft's area among the contact's areas (nil if the
// contact no longer reports for it).
func (tl *tallies) draftArea(d *draft) (*models.Area, error) {
	o, err := tl.officials.roles()
	if err != nil || o == nil {
		return nil, err
	}
	for _, a := range o.areas {
		if a.ID == d.AreaID {
			return a, nil
		}
	}
	return nil, nil
}

// report: /baocao [kp1] starts (or resumes) the guided form.
func (tl *tallies) report(o *roleSet, arg string) error {
	if o == nil || len(o.areas) == 0 {
		tl.reply(tl.tr("off_not_reporter", nil), tl.menu())
		return nil
	}
	if d := tl.st.Draft; d != nil && strings.TrimSpace(arg) == "" {
		tl.reply(tl.tr("off_form_resume", nil), nil)
		return tl.formNext(d)
	}
	d := &draft{}
	if a, _ := areaArg(arg, o.areas); a != nil {
		d.AreaID = a.ID
	} else if strings.TrimSpace(arg) != "" {
		all, err := tl.areaList()
		if err != nil {
			return err
		}
		if a, _ := areaArg(arg, all); a != nil {
			tl.reply(tl.tr("off_not_reporter_of", map[string]any{"Area": a.Name}), tl.menu())
			return nil
		}
	}
	if d.AreaID == 0 && len(o.areas) == 1 {
		d.AreaID = o.areas[0].ID
	}
	tl.reply(tl.tr("off_form_intro", nil), nil)
	return tl.formNext(d)
}

// formNext asks the first missing field, or shows the summary.
func (tl *tallies) formNext(d *draft) error {
	o, err := tl.officials.roles()
	if err != nil {
		return err
	}
	if d.AreaID == 0 {
		d.Ask = "area"
		tl.setDraft(d)
		return tl.askDraftArea(o)
	}
	area, err := tl.draftArea(d)
	if err != nil {
		return err
	}
	if area == nil {
		// No longer a reporter of the draft's area (revoked meanwhile).
		tl.clearState()
		a, err := tl.store.Area(tl.ctx, d.AreaID)
		if err != nil && models.ErrorCode(err) != models.ENOTFOUND {
			return err
		}
		return tl.refuse(a)
	}
	miss := d.missing(area)
	if len(miss) == 0 {
		d.Ask = ""
		tl.setDraft(d)
		return tl.summary(d, area, nil)
	}
	d.Ask = miss[0]
	tl.setDraft(d)
	return tl.askField(d, area)
}

func (tl *tallies) askDraftArea(o *roleSet) error {
	if o == nil || len(o.areas) == 0 {
		tl.clearState()
		tl.reply(tl.tr("off_not_reporter", nil), tl.menu())
		return nil
	}
	bs := make([]bot.Button, len(o.areas))
	for i, a := range o.areas {
		bs[i] = bot.Button{Text: a.Name, Data: "o:fa:" + itoa64(a.ID)}
	}
	tl.reply(tl.tr("off_form_ask_area", nil), &bot.Keyboard{Inline: true, Rows: twoPerRow(bs)})
	return nil
}

// fieldName is a field's label in the contact's language.
func (tl *tallies) fieldName(f string, area *models.Area) string {
	if f == "method" {
		return tl.tr("tally_field_method", nil)
	}
	if f == askNominees {
		return tl.tr("law_field_nominees", nil)
	}
	if no, ok := strings.CutPrefix(f, votePrefix); ok {
		n, _ := strconv.Atoi(no)
		for _, c := range area.Candidates {
			if c.BallotNo == n {
				return strconv.Itoa(n) + ". " + c.Name
			}
		}
		return no
	}
	kind := ""
	if d := tl.st.Draft; d != nil {
		kind = d.Kind
	}
	for _, tf := range models.TallyFields {
		if tf.Key == f {
			return tl.placed(area).tr(tl.lang, tf.Name(kind), nil)
		}
	}
	return f
}

// householdBallotAllowed: the election's regime has the household ballot
// (luat-10-2022, NĐ 59/2023 Mẫu số 04).
func (tl *tallies) householdBallotAllowed() bool {
	return tl.el != nil && models.Regimes[tl.el.Rules].HouseholdBallot
}

// askField asks for d.Ask, with the step number.
func (tl *tallies) askField(d *draft, area *models.Area) error {
	// The steps of the method chosen, or else of the election's method.
	counted := *d
	if counted.Method == "" && tl.el != nil {
		counted.Method = tl.el.Method
	}
	steps := append([]string{"method"}, counted.fields()...)
	for _, c := range listed(area.Candidates) {
		steps = append(steps, voteField(c.BallotNo))
	}
	steps = append(steps, askNominees)
	step := 1
	for i, s := range steps {
		if s == d.Ask {
			step = i + 1
		}
	}
	data := map[string]any{"Area": area.Name, "Step": step, "Total": len(steps), "Field": tl.fieldName(d.Ask, area),
		"Households": locales.Number(tl.lang, d.households(area))}
	x := tl.placed(area)
	switch {
	case d.Ask == "method":
		kb := &bot.Keyboard{Inline: true, Rows: [][]bot.Button{{
			{Text: tl.tr("tally_method_secret", nil), Data: "o:fm:" + models.MethodSecret},
			{Text: tl.tr("tally_method_hands", nil), Data: "o:fm:" + models.MethodHands},
		}}}
		id := "off_form_ask_method"
		if tl.householdBallotAllowed() {
			// NĐ 59/2023: without more than half of the households at the
			// meeting, ballots go to every household.
			kb.Rows = append(kb.Rows, []bot.Button{{Text: tl.tr("law_tally_method_household", nil), Data: "o:fm:" + methodHousehold}})
			id = "law_form_ask_method"
		}
		if live := tl.attendanceFormButton(d); live != nil {
			kb.Rows = append(kb.Rows, live) // the number attending so far, before the count
		}
		tl.reply(x.tr(tl.lang, id, data), kb)
	case strings.HasPrefix(d.Ask, votePrefix):
		id := "off_form_ask_votes"
		switch {
		case d.household():
			id = "law_form_ask_votes_household"
		case d.Method == models.MethodHands:
			id = "off_form_ask_hands"
		}
		tl.reply(x.tr(tl.lang, id, data), nil)
	case d.Ask == askNominees:
		kb := &bot.Keyboard{Inline: true, Rows: [][]bot.Button{{{Text: tl.tr("law_btn_no_nominees", nil), Data: "o:fn"}}}}
		tl.reply(x.tr(tl.lang, "law_form_ask_nominees", data), kb)
	case d.household() && (d.Ask == models.TallyFieldIssued || d.Ask == models.TallyFieldReturned):
		tl.reply(x.tr(tl.lang, "law_form_ask_"+d.Ask+"_household", data), nil)
	default:
		tl.reply(x.tr(tl.lang, "off_form_ask_"+d.Ask, data), nil)
	}
	return nil
}

// formAnswer takes a typed answer to the field asked.
func (tl *tallies) formAnswer(d *draft, text string) error {
	o, err := tl.officials.roles()
	if err != nil {
		return err
	}
	if d.Ask == askLive {
		return tl.liveAnswer(d, text)
	}
	folded := models.Fold(text)
	switch d.Ask {
	case "area":
		if o == nil {
			return tl.formNext(d)
		}
		a, _ := areaArg(text, o.areas)
		if a == nil {
			if n, ok := smallNumber(folded); ok {
				a, _, _ = matchArea("khu "+strconv.Itoa(n), o.areas)
			}
		}
		if a == nil {
			return tl.askDraftArea(o)
		}
		d.AreaID = a.ID
		return tl.formNext(d)
	case "method":
		if m := methodAnswer(folded); m != "" && (m != methodHousehold || tl.householdBallotAllowed()) {
			tl.setMethod(d, m)
			return tl.formNext(d)
		}
		area, err := tl.draftArea(d)
		if err != nil || area == nil {
			return tl.formNext(d)
		}
		return tl.askField(d, area)
	}
	if d.Ask == askNominees {
		return tl.nomineesAnswer(d, text)
	}
	n, ok := parseCount(text)
	if !ok {
		tl.reply(tl.tr("off_form_not_a_number", nil), nil)
		area, err := tl.draftArea(d)
		if err != nil || area == nil {
			return tl.formNext(d)
		}
		return tl.askField(d, area)
	}
	if no, ok := strings.CutPrefix(d.Ask, votePrefix); ok {
		b, _ := strconv.Atoi(no)
		if d.Votes == nil {
			d.Votes = map[int]int{}
		}
		d.Votes[b] = n
	} else if p := d.field(d.Ask); p != nil {
		*p = &n
	}
	return tl.formNext(d)
}

// setMethod sets the method; a show of hands has no ballot fields, the
// household ballot (a written ballot) no attendance.
func (tl *tallies) setMethod(d *draft, m string) {
	d.Method, d.Kind = m, ""
	switch m {
	case models.MethodHands:
		d.Issued, d.Returned, d.Valid, d.Invalid = nil, nil, nil, nil
	case methodHousehold:
		d.Method, d.Kind, d.Attending = models.MethodSecret, models.TallyKindHouseholdBallot, nil
	}
}

// draftCallback handles the buttons of a draft: ok (confirm), ed (edit or
// fill in), no (cancel), fa (area), fm (method), fe (edit one field).
func (tl *tallies) draftCallback(kind, arg string) error {
	d := tl.st.Draft
	if d == nil {
		tl.reply(tl.tr("off_draft_gone", nil), tl.menu())
		return nil
	}
	o, err := tl.officials.roles()
	if err != nil {
		return err
	}
	switch kind {
	case "no":
		tl.clearState()
		tl.reply(tl.tr("off_form_cancelled", nil), tl.menu())
		return nil
	case "fa":
		id, _ := strconv.ParseInt(arg, 10, 64)
		if !o.reporterOf(id) {
			return tl.formNext(d)
		}
		d.AreaID = id
		return tl.formNext(d)
	case "fm":
		if arg == models.MethodSecret || arg == models.MethodHands || arg == methodHousehold && tl.householdBallotAllowed() {
			tl.setMethod(d, arg)
		}
		return tl.formNext(d)
	case "fn": // nobody nominated at the meeting
		if d.Ask == askNominees {
			d.Nominees, d.NomineesDone = nil, true
		}
		return tl.formNext(d)
	}
	area, err := tl.draftArea(d)
	if err != nil {
		return err
	}
	if area == nil {
		return tl.formNext(d)
	}
	switch kind {
	case "ed":
		if len(d.missing(area)) > 0 {
			return tl.formNext(d)
		}
		d.Ask = ""
		tl.setDraft(d)
		return tl.editMenu(d, area)
	case "fe":
		if arg == "method" {
			d.Method, d.Kind = "", ""
		} else if arg == askNominees {
			d.Nominees, d.NomineesDone = nil, false
		} else if p := d.field(arg); p != nil {
			*p = nil
		} else if no, ok := strings.CutPrefix(arg, votePrefix); ok {
			b, _ := strconv.Atoi(no)
			delete(d.Votes, b)
		}
		return tl.formNext(d)
	case "ok":
		if arg != d.nonce() {
			tl.reply(tl.tr("off_draft_changed", nil), nil)
			return tl.summary(d, area, nil)
		}
		return tl.submitDraft(d, area)
	}
	return tl.formNext(d)
}

// editMenu lists the fields to correct.
func (tl *tallies) editMenu(d *draft, area *models.Area) error {
	fs := append([]string{"method"}, d.fields()...)
	for _, c := range listed(area.Candidates) {
		fs = append(fs, voteField(c.BallotNo))
	}
	fs = append(fs, askNominees)
	bs := make([]bot.Button, len(fs))
	for i, f := range fs {
		bs[i] = bot.Button{Text: tl.fieldName(f, area), Data: "o:fe:" + f}
	}
	kb := &bot.Keyboard{Inline: true, Rows: twoPerRow(bs)}
	kb.Rows = append(kb.Rows, []bot.Button{{Text: tl.tr("off_btn_cancel", nil), Data: "o:no"}})
	tl.reply(tl.tr("off_edit_which", nil), kb)
	return nil
}
