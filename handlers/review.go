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

// reviewCommand: /congnhan kp1 [bản] | /tuchoi kp1 [v2] lý do.
func (t *turn) reviewCommand(arg string, accept bool) error {
	areas, err := t.areaList()
	if err != nil {
		return err
	}
	usage := "off_accept_usage"
	if !accept {
		usage = "off_reject_usage"
	}
	area, rest := areaArg(arg, areas)
	if area == nil {
		t.reply(t.tr(usage, nil), nil)
		return nil
	}
	version, reason := versionArg(rest, accept)
	reason = strings.TrimSpace(reason)
	if !accept && reason == "" {
		t.reply(t.tr(usage, nil), nil)
		return nil
	}
	res, err := t.off().ReviewTally(t.ctx, models.ReviewRequest{AreaID: area.ID, Version: version, Accept: accept, Reason: reason, By: t.c.ID})
	switch models.ErrorCode(err) {
	case "":
	case models.ENOTFOUND:
		if version > 0 {
			t.reply(t.tr("off_review_no_version", map[string]any{"Area": area.Name, "Version": version}), nil)
		} else {
			t.reply(t.tr("off_review_nothing", map[string]any{"Area": area.Name}), nil)
		}
		return nil
	case models.ECONFLICT:
		h, herr := t.off().AreaHistory(t.ctx, area.ID)
		if herr != nil {
			return herr
		}
		v := h.LatestLive()
		if version > 0 {
			v = h.Version(version)
		}
		state := ""
		if v != nil {
			state = t.h.stateText(t.lang, v)
		}
		t.reply(t.tr("off_review_already", map[string]any{"Area": area.Name, "State": state}), nil)
		return nil
	default:
		return err
	}
	h, err := t.off().AreaHistory(t.ctx, area.ID)
	if err != nil {
		return err
	}
	cs, err := t.off().ContactsByID(t.ctx, res.Supporters)
	if err != nil {
		return err
	}
	reviewed := res.Tally
	if res.Source != nil {
		reviewed = res.Source
	}
	data := map[string]any{
		"Area":    area.Name,
		"State":   t.h.stateText(t.lang, res.Tally),
		"Version": reviewed.Version,
		"By":      contactLabel(cs[reviewed.ReporterID], reviewed.ReporterID),
		"At":      t.h.when(t.lang, t.el, reviewed.CreatedAt),
		"Reason":  reason,
	}
	if !accept {
		t.reply(t.tr("off_rejected", data), nil)
		for _, id := range res.Supporters {
			t.noticeFunc(cs[id], func(lang string) string {
				return t.h.tr(lang, "off_rejected_notice", map[string]any{"Area": area.Name, "Version": reviewed.Version, "Reason": reason})
			})
		}
		return nil
	}
	n := models.TallyNumbersOf(res.Tally, h.Area.Candidates)
	outcome := ""
	if o, err := models.DecideOutcome(t.el.Rules, n, h.Area.Candidates); err == nil {
		outcome = t.h.outcomeText(t.lang, o, n)
	}
	data["Outcome"] = outcome
	text := t.tr("off_accepted", data)
	if res.Source != nil {
		text += "\n" + t.tr("off_accepted_copy", map[string]any{"Version": res.Tally.Version, "Source": res.Source.Version})
	}
	t.reply(text, nil)
	for _, id := range res.Supporters {
		t.noticeFunc(cs[id], func(lang string) string {
			return t.h.tr(lang, "off_accepted_notice", map[string]any{"Area": area.Name, "Version": reviewed.Version,
				"State": t.h.stateText(lang, res.Tally)})
		})
	}
	return nil
}

// photoCommand: /anh kp1 — the latest photo of the area's minutes.
func (t *turn) photoCommand(arg string) error {
	areas, err := t.areaList()
	if err != nil {
		return err
	}
	area, _ := areaArg(arg, areas)
	if area == nil {
		t.reply(t.tr("off_photo_usage", nil), nil)
		return nil
	}
	h, err := t.off().AreaHistory(t.ctx, area.ID)
	if err != nil {
		return err
	}
	for i := len(h.Versions) - 1; i >= 0; i-- {
		v := h.Versions[i]
		if v.PhotoRef == "" {
			continue
		}
		cs, err := t.off().ContactsByID(t.ctx, []int64{v.ReporterID})
		if err != nil {
			return err
		}
		rc := cs[v.ReporterID]
		caption := t.tr("off_photo_caption", map[string]any{"Area": area.Name, "State": t.h.stateText(t.lang, v),
			"By": contactLabel(rc, v.ReporterID), "At": t.h.when(t.lang, t.el, v.CreatedAt)})
		if rc != nil && rc.Channel != t.in.Channel {
			// A file reference is valid only on the channel it came from.
			t.reply(caption+"\n"+t.tr("off_photo_other_channel", map[string]any{"Channel": rc.Channel, "Ref": v.PhotoRef}), nil)
			return nil
		}
		t.out = append(t.out, bot.Outgoing{Text: caption, Photo: v.PhotoRef})
		return nil
	}
	t.reply(t.tr("off_photo_none", map[string]any{"Area": area.Name}), nil)
	return nil
}
