package handlers

import (
	"strconv"
	"strings"

	"electionbot/bot"
	"electionbot/models"
)

// The ward's decisions on the tallies: accept (công nhận) or reject with a
// reason, and the photo of the signed minutes.

// versionArg reads an optional leading version: "v2", "bản 2", "ban 2",
// "version 2" — and, when bare is true, "2". It returns 0 when there is none.
func versionArg(s string, bare bool) (int, string) {
	words := strings.Fields(s)
	if len(words) == 0 {
		return 0, s
	}
	w := models.Fold(words[0])
	if rest, ok := strings.CutPrefix(w, "v"); ok && rest != "" {
		if n, err := strconv.Atoi(rest); err == nil && n > 0 {
			return n, strings.Join(words[1:], " ")
		}
	}
	if (w == "ban" || w == "version") && len(words) > 1 {
		if n, err := strconv.Atoi(words[1]); err == nil && n > 0 {
			return n, strings.Join(words[2:], " ")
		}
	}
	if bare {
		if n, err := strconv.Atoi(w); err == nil && n > 0 {
			return n, strings.Join(words[1:], " ")
		}
	}
	return 0, s
}

// review: /congnhan kp1 [bản] | /tuchoi kp1 [v2] lý do.
func (tl *tallies) review(arg string, accept bool) error {
	areas, err := tl.areaList()
	if err != nil {
		return err
	}
	usage := "off_accept_usage"
	if !accept {
		usage = "off_reject_usage"
	}
	area, rest := areaArg(arg, areas)
	if area == nil {
		if word := strings.Fields(arg); len(word) > 0 && strings.ContainsAny(word[0], "0123456789") {
			// "/congnhan kp9", or another ward's "thon-1": not an area of
			// the ward the official acts in.
			tl.reply(tl.tr("off_area_not_in_ward", map[string]any{"Ward": tl.wardName(), "Text": word[0],
				"Areas": areaNames(areas)}), nil)
			return nil
		}
		tl.reply(tl.tr(usage, nil), nil)
		return nil
	}
	version, reason := versionArg(rest, accept)
	reason = strings.TrimSpace(reason)
	if !accept && reason == "" {
		tl.reply(tl.tr(usage, nil), nil)
		return nil
	}
	res, err := tl.store.ReviewTally(tl.ctx, models.ReviewRequest{AreaID: area.ID, Version: version, Accept: accept, Reason: reason, By: tl.c.ID})
	switch models.ErrorCode(err) {
	case "":
	case models.ENOTFOUND:
		if version > 0 {
			tl.reply(tl.tr("off_review_no_version", map[string]any{"Area": area.Name, "Version": version, "Code": area.Code}), nil)
		} else {
			tl.reply(tl.tr("off_review_nothing", map[string]any{"Area": area.Name}), nil)
		}
		return nil
	case models.ECONFLICT:
		h, herr := tl.store.AreaHistory(tl.ctx, area.ID)
		if herr != nil {
			return herr
		}
		v := h.LatestLive()
		if version > 0 {
			v = h.Version(version)
		}
		state := ""
		if v != nil {
			state = tl.placed(area).stateText(tl.lang, v)
		}
		if !accept && v != nil && v.Status == models.TallyAccepted {
			// Recognition is the ward's act: undone by /huycongnhan only.
			tl.reply(tl.tr("law_reject_recognised", map[string]any{"Area": area.Name, "State": state, "Code": area.Code}), nil)
			return nil
		}
		tl.reply(tl.tr("off_review_already", map[string]any{"Area": area.Name, "State": state}), nil)
		return nil
	default:
		return err
	}
	h, err := tl.store.AreaHistory(tl.ctx, area.ID)
	if err != nil {
		return err
	}
	cs, err := tl.store.ContactsByID(tl.ctx, res.Supporters)
	if err != nil {
		return err
	}
	reviewed := res.Tally
	if res.Source != nil {
		reviewed = res.Source
	}
	data := map[string]any{
		"Area":    area.Name,
		"State":   tl.placed(area).stateText(tl.lang, res.Tally),
		"Version": reviewed.Version,
		"By":      contactLabel(cs[reviewed.ReporterID], reviewed.ReporterID),
		"At":      tl.texts.when(tl.lang, tl.el, reviewed.CreatedAt),
		"Reason":  reason,
	}
	if !accept {
		tl.reply(tl.tr("off_rejected", data), nil)
		for _, id := range res.Supporters {
			tl.notice(cs[id], func(lang string) string {
				return tl.placed(area).tr(lang, "off_rejected_notice", map[string]any{"Area": area.Name, "Version": reviewed.Version, "Reason": reason})
			})
		}
		return nil
	}
	n := models.TallyNumbersOf(res.Tally, h.Area.Candidates)
	outcome := ""
	if n.Households <= 0 {
		n.Households = area.Households
	}
	if o, err := models.DecideOutcome(tl.el.Rules, n, h.Area.Candidates); err == nil {
		outcome = tl.placed(area).outcomeText(tl.lang, o, n)
	}
	data["Outcome"] = outcome
	text := tl.tr("off_accepted", data)
	if res.Source != nil {
		text += "\n" + tl.tr("off_accepted_copy", map[string]any{"Version": res.Tally.Version, "Source": res.Source.Version})
	}
	if res.Superseded != nil {
		text += "\n" + tl.tr("law_accepted_supersedes", map[string]any{"Previous": res.Superseded.Version, "Version": res.Tally.Version})
	}
	if ns := models.NomineesOf(h.Area.Candidates, n); len(ns) > 0 {
		text += "\n" + tl.placed(area).tr(tl.lang, "law_accepted_nominees", map[string]any{"Names": models.CandidateNames(ns)})
	}
	tl.reply(text, nil)
	for _, id := range res.Supporters {
		tl.notice(cs[id], func(lang string) string {
			x := tl.placed(area)
			return x.tr(lang, "off_accepted_notice", map[string]any{"Area": area.Name, "Version": reviewed.Version})
		})
	}
	return nil
}

// withdraw: /huycongnhan kp1 lý do — the ward withdraws the recognition of
// an area's result (docs/design.md §3). Residents and the public page then
// see it as not recognised until the ward recognises a version again; the
// reporters who stood behind it are told. Audited by the store.
func (tl *tallies) withdraw(arg string) error {
	areas, err := tl.areaList()
	if err != nil {
		return err
	}
	area, reason := areaArg(arg, areas)
	reason = strings.TrimSpace(reason)
	if area == nil || reason == "" {
		if word := strings.Fields(arg); area == nil && len(word) > 0 && strings.ContainsAny(word[0], "0123456789") {
			tl.reply(tl.tr("off_area_not_in_ward", map[string]any{"Ward": tl.wardName(), "Text": word[0],
				"Areas": areaNames(areas)}), nil)
			return nil
		}
		tl.reply(tl.tr("law_withdraw_usage", nil), nil)
		return nil
	}
	res, err := tl.store.WithdrawRecognition(tl.ctx, models.WithdrawRequest{AreaID: area.ID, Reason: reason, By: tl.c.ID})
	switch models.ErrorCode(err) {
	case "":
	case models.ENOTFOUND:
		tl.reply(tl.tr("law_withdraw_nothing", map[string]any{"Area": area.Name}), nil)
		return nil
	default:
		return err
	}
	data := map[string]any{"Area": area.Name, "Version": res.Tally.Version, "Reason": reason, "Code": area.Code, "Pending": 0}
	if res.Pending != nil {
		data["Pending"] = res.Pending.Version
	}
	tl.reply(tl.placed(area).tr(tl.lang, "law_withdrawn", data), nil)
	cs, err := tl.store.ContactsByID(tl.ctx, res.Supporters)
	if err != nil {
		return err
	}
	for _, id := range res.Supporters {
		tl.notice(cs[id], func(lang string) string {
			return tl.placed(area).tr(lang, "law_withdrawn_notice", map[string]any{"Area": area.Name, "Version": res.Tally.Version, "Reason": reason})
		})
	}
	return nil
}

// photoCommand: /anh kp1 — the latest photo of the area's minutes.
func (tl *tallies) photoCommand(arg string) error {
	areas, err := tl.areaList()
	if err != nil {
		return err
	}
	area, _ := areaArg(arg, areas)
	if area == nil {
		tl.reply(tl.tr("off_photo_usage", nil), nil)
		return nil
	}
	h, err := tl.store.AreaHistory(tl.ctx, area.ID)
	if err != nil {
		return err
	}
	for i := len(h.Versions) - 1; i >= 0; i-- {
		v := h.Versions[i]
		if v.PhotoRef == "" {
			continue
		}
		cs, err := tl.store.ContactsByID(tl.ctx, []int64{v.ReporterID})
		if err != nil {
			return err
		}
		rc := cs[v.ReporterID]
		caption := tl.tr("off_photo_caption", map[string]any{"Area": area.Name, "State": tl.placed(area).stateText(tl.lang, v),
			"By": contactLabel(rc, v.ReporterID), "At": tl.texts.when(tl.lang, tl.el, v.CreatedAt)})
		if rc != nil && rc.Channel != tl.in.Channel {
			// A file reference is valid only on the channel it came from.
			tl.reply(caption+"\n"+tl.tr("off_photo_other_channel", map[string]any{"Channel": rc.Channel, "Ref": v.PhotoRef}), nil)
			return nil
		}
		tl.out = append(tl.out, bot.Outgoing{Text: caption, Photo: v.PhotoRef})
		return nil
	}
	tl.reply(tl.tr("off_photo_none", map[string]any{"Area": area.Name}), nil)
	return nil
}
