package handlers

import (
	"strings"

	"electionbot/bot"
	"electionbot/locales"
	"electionbot/models"
)

// The summary of a draft and its submission.

// summary echoes the draft as a table with what is missing or
// inconsistent and the provisional outcome, and asks to confirm.
func (tl *tallies) summary(d *draft, area *models.Area, notes []string) error {
	el, err := tl.election()
	if err != nil {
		return err
	}
	parts := []string{tl.tr("off_summary_head", map[string]any{"Area": area.Name}) + "\n" + tl.draftTable(d, area)}
	if d.Households > 0 && d.Households != area.Households {
		parts = append(parts, tl.tr("off_households_differ", map[string]any{
			"Stated": locales.Number(tl.lang, d.Households), "List": locales.Number(tl.lang, area.Households)}))
	}
	parts = append(parts, notes...)
	if len(d.Nominees) > 0 {
		names := make([]string, len(d.Nominees))
		for i, nm := range d.Nominees {
			names[i] = nm.Name
		}
		parts = append(parts, tl.placed(area).tr(tl.lang, "law_nominee_note", map[string]any{"Names": strings.Join(names, ", ")}))
	}
	if d.Photo != "" {
		parts = append(parts, tl.tr("off_photo_with_draft", nil))
	}
	cancel := bot.Button{Text: tl.tr("off_btn_cancel", nil), Data: "o:no"}
	if miss := d.missing(area); len(miss) > 0 {
		names := make([]string, len(miss))
		for i, m := range miss {
			names[i] = tl.fieldName(m, area)
		}
		parts = append(parts, tl.tr("off_summary_missing", map[string]any{"Fields": strings.Join(names, ", ")}))
		tl.reply(strings.Join(parts, "\n\n"), &bot.Keyboard{Inline: true, Rows: [][]bot.Button{{
			{Text: tl.tr("off_btn_fill", nil), Data: "o:ed"}, cancel}}})
		return nil
	}
	n := d.numbers(area)
	if vs := models.CheckTallyRules(el.Rules, n, area.Candidates); len(vs) > 0 {
		parts = append(parts, tl.texts.violations(tl.lang, vs))
		tl.reply(strings.Join(parts, "\n\n"), &bot.Keyboard{Inline: true, Rows: [][]bot.Button{{
			{Text: tl.tr("off_btn_edit", nil), Data: "o:ed"}, cancel}}})
		return nil
	}
	o, err := models.DecideOutcome(el.Rules, n, area.Candidates)
	if err != nil {
		return err
	}
	parts = append(parts, tl.tr("off_outcome_provisional", map[string]any{"Outcome": tl.placed(area).outcomeText(tl.lang, o, n)}),
		tl.tr("off_summary_confirm", nil))
	tl.reply(strings.Join(parts, "\n\n"), &bot.Keyboard{Inline: true, Rows: [][]bot.Button{{
		{Text: tl.tr("off_btn_confirm", nil), Data: "o:ok:" + d.nonce()},
		{Text: tl.tr("off_btn_edit", nil), Data: "o:ed"}, cancel}}})
	return nil
}

// submitDraft stores the confirmed draft and tells who needs to know.
func (tl *tallies) submitDraft(d *draft, area *models.Area) error {
	el := tl.el
	n := d.numbers(area)
	if vs := models.CheckTallyRules(el.Rules, n, area.Candidates); len(vs) > 0 || len(d.missing(area)) > 0 {
		return tl.summary(d, area, nil)
	}
	res, err := tl.store.SubmitTally(tl.ctx, models.TallySubmission{AreaID: area.ID, ReporterID: tl.c.ID, Numbers: n, PhotoRef: d.Photo})
	if err != nil {
		return err
	}
	tl.clearState()
	area = withStoredNominees(area, res.Nominees)
	o, err := models.DecideOutcome(el.Rules, n, area.Candidates)
	if err != nil {
		return err
	}
	if err := tl.tellNominees(area, res); err != nil {
		return err
	}
	if res.Recognised != nil && res.Kind != models.SubmitDuplicate {
		return tl.afterRecognition(area, res)
	}
	outcome := tl.tr("off_outcome_provisional", map[string]any{"Outcome": tl.placed(area).outcomeText(tl.lang, o, n)})
	ids := append([]int64{}, res.Supporters...)
	for _, c := range res.Conflicts {
		ids = append(ids, c.ReporterID)
	}
	cs, err := tl.store.ContactsByID(tl.ctx, ids)
	if err != nil {
		return err
	}
	data := map[string]any{"Area": area.Name, "State": tl.placed(area).stateText(tl.lang, res.Tally), "Count": len(res.Supporters)}
	switch res.Kind {
	case models.SubmitDuplicate:
		tl.reply(tl.tr("off_submit_duplicate", data), tl.menu())
		return nil
	case models.SubmitConfirmed:
		data["By"] = contactLabel(cs[res.Tally.ReporterID], res.Tally.ReporterID)
		text := tl.tr("off_submit_confirmed", data)
		if res.Resolved {
			text += "\n" + tl.tr("off_conflict_resolved", nil)
		}
		tl.reply(text+"\n\n"+outcome, tl.menu())
		return nil
	}
	if len(res.Conflicts) == 0 {
		text := tl.tr("off_submitted", data) + "\n\n" + outcome
		if d.Photo == "" {
			text += "\n\n" + tl.tr("off_submit_photo_hint", nil)
		}
		tl.reply(text, tl.menu())
		return nil
	}
	// A conflict: the sender, the other reporters and the admins are told
	// what differs.
	me := contactLabel(tl.c, tl.c.ID)
	var diffs []string
	for _, c := range res.Conflicts {
		diffs = append(diffs, tl.placed(area).diffText(tl.lang, area, res.Tally, c, contactLabel(cs[c.ReporterID], c.ReporterID)))
	}
	data["Diff"] = strings.Join(diffs, "\n")
	tl.reply(tl.tr("off_submit_conflict", data), tl.menu())
	told := map[int64]bool{tl.c.ID: true}
	diffFor := func(lang string) string {
		var ds []string
		for _, c := range res.Conflicts {
			ds = append(ds, tl.placed(area).diffText(lang, area, res.Tally, c, contactLabel(cs[c.ReporterID], c.ReporterID)))
		}
		return strings.Join(ds, "\n")
	}
	for _, c := range res.Conflicts {
		rc := cs[c.ReporterID]
		if rc == nil || told[rc.ID] {
			continue
		}
		told[rc.ID] = true
		tl.notice(rc, func(lang string) string {
			return tl.placed(area).tr(lang, "off_conflict_reporter", map[string]any{"Area": area.Name, "Name": me,
				"Version": res.Tally.Version, "Diff": diffFor(lang)})
		})
	}
	admins, err := tl.officials.admins()
	if err != nil {
		return err
	}
	for _, a := range admins {
		if told[a.ID] {
			continue
		}
		told[a.ID] = true
		tl.notice(a, func(lang string) string {
			return tl.texts.tr(lang, "off_conflict_admin", map[string]any{"Area": area.Name, "Name": me,
				"Version": res.Tally.Version, "Diff": diffFor(lang), "Code": area.Code})
		})
	}
	return nil
}

// afterRecognition answers a report that differs from the result the ward
// has recognised (docs/design.md §3): it is kept for the ward's review and
// changes nothing residents see; the reporter is told so, and the ward's
// admins what differs, with the commands that decide.
func (tl *tallies) afterRecognition(area *models.Area, res *models.SubmitResult) error {
	rec := res.Recognised
	cs, err := tl.store.ContactsByID(tl.ctx, []int64{rec.ReporterID})
	if err != nil {
		return err
	}
	diffFor := func(lang string) string {
		return tl.placed(area).diffText(lang, area, res.Tally, rec, contactLabel(cs[rec.ReporterID], rec.ReporterID))
	}
	x := tl.placed(area)
	tl.reply(x.tr(tl.lang, "law_submit_recognised", map[string]any{"Area": area.Name,
		"Recognised": rec.Version, "Version": res.Tally.Version, "Diff": diffFor(tl.lang)}), tl.menu())
	admins, err := tl.officials.admins()
	if err != nil {
		return err
	}
	me := contactLabel(tl.c, tl.c.ID)
	for _, a := range admins {
		if a.ID == tl.c.ID {
			continue
		}
		tl.notice(a, func(lang string) string {
			return tl.placed(area).tr(lang, "law_recognised_admin", map[string]any{"Area": area.Name, "Name": me,
				"Version": res.Tally.Version, "Recognised": rec.Version, "Diff": diffFor(lang), "Code": area.Code})
		})
	}
	return nil
}

// tellNominees flags a new version that names people nominated at the
// meeting for the ward's review: its admins are told who, and where to
// check the minutes.
func (tl *tallies) tellNominees(area *models.Area, res *models.SubmitResult) error {
	if len(res.Nominees) == 0 || res.Kind != models.SubmitNew {
		return nil
	}
	admins, err := tl.officials.admins()
	if err != nil {
		return err
	}
	me := contactLabel(tl.c, tl.c.ID)
	names := models.CandidateNames(res.Nominees)
	for _, a := range admins {
		if a.ID == tl.c.ID {
			continue
		}
		tl.notice(a, func(lang string) string {
			return tl.placed(area).tr(lang, "law_nominee_admin", map[string]any{"Area": area.Name, "Name": me,
				"Version": res.Tally.Version, "Names": names, "Code": area.Code})
		})
	}
	return nil
}

// withStoredNominees is area with the nominees a submission stored among
// its candidates (a copy: the roles' area is shared), so that versions
// that name them read right.
func withStoredNominees(area *models.Area, nominees []*models.Candidate) *models.Area {
	if len(nominees) == 0 {
		return area
	}
	cp := *area
	cp.Candidates = append([]*models.Candidate(nil), area.Candidates...)
	for _, nm := range nominees {
		known := false
		for _, c := range cp.Candidates {
			known = known || c.ID == nm.ID
		}
		if !known {
			cp.Candidates = append(cp.Candidates, nm)
		}
	}
	return &cp
}
