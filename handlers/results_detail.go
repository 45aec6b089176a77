package handlers

import (
	"strconv"
	"strings"

	"electionbot/locales"
	"electionbot/models"
)

// areaDetail: /ketqua kp1 — every version of the area's tally, the current
// one in full with its outcome.
func (wr *wardResults) areaDetail(a *models.Area) error {
	h, err := wr.store.AreaHistory(wr.ctx, a.ID)
	if err != nil {
		return err
	}
	lang := wr.lang
	var cands []string
	for _, c := range listed(h.Area.Candidates) {
		cands = append(cands, strconv.Itoa(c.BallotNo)+". "+c.Name)
	}
	lines := []string{wr.placed(a).tr(lang, "off_detail_head", map[string]any{"Area": a.Name, "Households": locales.Number(lang, a.Households),
		"Candidates": strings.Join(cands, ", ")})}
	l := h.Latest()
	if l == nil {
		lines = append(lines, wr.tr("off_detail_none", nil))
		wr.reply(strings.Join(lines, "\n"), nil)
		return nil
	}
	var ids []int64
	for _, v := range h.Versions {
		ids = append(ids, h.Supporters(v)...)
		for _, r := range h.Reviews[v.ID] {
			if r.ContactID != nil {
				ids = append(ids, *r.ContactID)
			}
		}
	}
	cs, err := wr.store.ContactsByID(wr.ctx, ids)
	if err != nil {
		return err
	}
	name := func(id int64) string { return contactLabel(cs[id], id) }
	cur := l
	if rec := h.Recognised(); rec != nil {
		cur = rec // stands until the ward withdraws it or recognises another
	} else if l.Status == models.TallyRejected {
		if live := h.LatestLive(); live != nil {
			cur = live
		}
	}
	n := models.TallyNumbersOf(cur, h.Area.Candidates)
	if n.Households <= 0 {
		n.Households = a.Households
	}
	lines = append(lines, "", wr.tr("off_detail_current", map[string]any{"State": wr.placed(a).stateText(lang, cur),
		"By": name(cur.ReporterID), "At": wr.texts.when(lang, wr.el, cur.CreatedAt)}))
	lines = append(lines, wr.placed(a).tallyTable(lang, h.Area, n.Kind, n.Method, n.Number, n.Votes, nil))
	if cur.Status != models.TallyRejected {
		if o, err := models.DecideOutcome(wr.el.Rules, n, h.Area.Candidates); err == nil {
			id := "off_outcome_provisional"
			if cur.Status == models.TallyAccepted {
				id = "off_outcome_accepted"
			}
			lines = append(lines, wr.tr(id, map[string]any{"Outcome": wr.placed(a).outcomeText(lang, o, n)}))
		} else {
			lines = append(lines, wr.texts.violations(wr.lang, models.CheckTallyRules(wr.el.Rules, n, h.Area.Candidates)))
		}
	}
	if cur.Status == models.TallyAccepted && l != cur && l.Status != models.TallyRejected {
		lines = append(lines, wr.placed(a).tr(lang, "law_detail_pending", map[string]any{"Version": l.Version,
			"Recognised": cur.Version, "Code": a.Code}))
	}
	lines = append(lines, "", wr.tr("off_detail_versions", nil))
	for _, v := range h.Versions {
		state := wr.placed(a).stateText(lang, v)
		if by := replacedBy(h, v); by != nil {
			state = wr.tr("ver_replaced", map[string]any{"Version": v.Version, "By": by.Version})
		}
		line := "• " + state + " — " + name(v.ReporterID) + ", " + wr.texts.when(lang, wr.el, v.CreatedAt)
		if sup := h.Supporters(v); len(sup) > 1 {
			var ns []string
			for _, id := range sup[1:] {
				ns = append(ns, name(id))
			}
			line += "; " + wr.tr("off_detail_confirmed_by", map[string]any{"Names": strings.Join(ns, ", ")})
		}
		for _, r := range h.Reviews[v.ID] {
			if r.Action == models.ReviewConfirm {
				continue
			}
			by := "?"
			if r.ContactID != nil {
				by = name(*r.ContactID)
			}
			data := map[string]any{"By": by, "At": wr.texts.when(lang, wr.el, r.At), "Reason": r.Reason, "Source": 0}
			if r.SourceVersion != nil {
				data["Source"] = *r.SourceVersion
			}
			line += "; " + wr.tr("off_detail_review_"+r.Action, data)
		}
		if v.PhotoRef != "" {
			line += " 📷"
		}
		lines = append(lines, line)
	}
	lines = append(lines, "", wr.tr("off_detail_hint", map[string]any{"Code": a.Code}))
	wr.replyPages(lines)
	return nil
}

// replacedBy is the version that replaced v, or nil: a provisional or
// disputed version is replaced by the first later one that is neither
// rejected nor disputing it (a correction sent, or a version the ward
// decided on); while reporters disagree both stand for the ward to choose.
func replacedBy(h *models.TallyHistory, v *models.Tally) *models.Tally {
	if v.Status != models.TallyProvisional && v.Status != models.TallyConflict {
		return nil
	}
	for _, w := range h.Versions {
		if w.Version > v.Version && w.Status != models.TallyRejected && w.Status != models.TallyConflict {
			return w
		}
	}
	return nil
}
