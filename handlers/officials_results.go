package handlers

import (
	"bytes"
	"fmt"
	"log/slog"
	"strconv"
	"strings"

	"electionbot/bot"
	"electionbot/models"
	"electionbot/results"
)

// The results as the ward sees them coming in: /ketqua (admins and
// viewers), /ketqua kp1, /chuabao with reminders, /xuat.

// officialResults answers /ketqua for admins and viewers; handled is false
// for anyone else (residents get their area's recognised result).
func (t *turn) officialResults(arg string) (handled bool, err error) {
	if t.off() == nil {
		return false, nil
	}
	o, err := t.roles()
	if err != nil || o == nil || (!o.admin && !o.viewer) {
		return false, err
	}
	if strings.TrimSpace(arg) != "" {
		areas, err := t.areaList()
		if err != nil {
			return true, err
		}
		if a, _ := areaArg(arg, areas); a != nil {
			if err := t.areaDetail(a); err != nil {
				return true, err
			}
			t.chart(a.Code)
			return true, nil
		}
	}
	if err := t.resultsSummary(1); err != nil {
		return true, err
	}
	t.chart("")
	return true, nil
}

// chart adds a PNG to /ketqua: the ward's reporting progress, or the votes
// per candidate of one area (the officials' view: provisional numbers too).
// A chart that cannot be drawn is logged and left out; the text stands.
func (t *turn) chart(areaCode string) {
	e, ats, err := t.off().ElectionResults(t.ctx, t.el.Code)
	if err != nil {
		slog.Warn("handlers: chart", "err", err)
		return
	}
	r := results.Build(e, ats, true, t.h.now())
	var png []byte
	name := "tien-do-" + e.Code + ".png"
	if areaCode == "" {
		png, err = results.ChartProgress(r, t.h.bundle, t.lang)
	} else {
		a := r.Area(areaCode)
		if a == nil || a.Tally == nil {
			return // nothing counted yet: no bars to draw
		}
		name = "ket-qua-" + areaCode + ".png"
		png, err = results.ChartVotes(a, t.h.bundle, t.lang)
	}
	if err != nil {
		slog.Warn("handlers: chart", "err", err)
		return
	}
	t.out = append(t.out, bot.Outgoing{Document: &bot.Document{Name: name, MIME: "image/png", Data: png}})
}

// areaResult is one area's standing in the roll-up.
type areaResult struct {
	at      *models.AreaTallies
	n       models.TallyNumbers
	outcome *models.Outcome // nil: nothing reported, rejected or inconsistent
}

func (t *turn) rollUp() ([]*areaResult, error) {
	_, ats, err := t.off().ElectionResults(t.ctx, t.el.Code)
	if err != nil {
		return nil, err
	}
	out := make([]*areaResult, len(ats))
	for i, at := range ats {
		r := &areaResult{at: at}
		if l := at.Latest; l != nil && l.Status != models.TallyRejected {
			r.n = models.TallyNumbersOf(l, at.Area.Candidates)
			if r.n.Households <= 0 {
				r.n.Households = at.Area.Households
			}
			if o, err := models.DecideOutcome(t.el.Rules, r.n, at.Area.Candidates); err == nil {
				r.outcome = &o
			}
		}
		out[i] = r
	}
	return out, nil
}

// resultsSummary: areas reported, elected heads, re-runs, conflicts,
// turnout; paginated for large elections (1,452 areas from one query).
func (t *turn) resultsSummary(page int) error {
	rs, err := t.rollUp()
	if err != nil {
		return err
	}
	lang := t.lang
	var elected, rerun, conflict, rejected []string
	received, accepted, notReported := 0, 0, 0
	attending, households := 0, 0
	for _, r := range rs {
		l := r.at.Latest
		a := r.at.Area
		if l == nil {
			notReported++
			continue
		}
		state := t.h.shortState(lang, l)
		switch {
		case l.Status == models.TallyRejected:
			notReported++
			rejected = append(rejected, t.tr("off_res_rejected_line", map[string]any{"Area": a.Name, "State": state}))
			continue
		case l.Status == models.TallyConflict:
			prev := 0
			if r.at.Previous != nil {
				prev = r.at.Previous.Version
			}
			conflict = append(conflict, t.tr("off_res_conflict_line", map[string]any{"Area": a.Name, "Version": l.Version, "Previous": prev, "Code": a.Code}))
		case r.outcome == nil:
			conflict = append(conflict, t.tr("off_res_inconsistent_line", map[string]any{"Area": a.Name, "State": state}))
		case r.outcome.Kind == models.OutcomeElected:
			elected = append(elected, t.tr("off_res_elected_line", map[string]any{"Area": a.Name, "Name": r.outcome.Winner.Name,
				"Votes": t.h.num(lang, r.outcome.Votes), "Percent": t.h.pct(lang, r.outcome.Votes, r.n.Households), "State": state}))
		default:
			rerun = append(rerun, t.tr("off_res_rerun_line", map[string]any{"Area": a.Name, "Why": t.h.rerunWhy(lang, *r.outcome, r.n), "State": state}))
		}
		received++
		if l.Status == models.TallyAccepted {
			accepted++
		}
		if l.Status != models.TallyConflict {
			attending += r.n.Attending
			households += r.n.Households
		}
	}
	total := len(rs)
	lines := []string{
		t.tr("off_res_head", map[string]any{"Title": t.el.Title, "Ward": t.wardName(), "At": t.h.when(lang, t.el, t.h.now())}),
		t.tr("off_res_progress", map[string]any{"Received": t.h.num(lang, received), "Accepted": t.h.num(lang, accepted),
			"Total": t.h.num(lang, total), "Percent": t.h.pct(lang, received, total)}),
	}
	if households > 0 {
		lines = append(lines, t.tr("off_res_turnout", map[string]any{"Attending": t.h.num(lang, attending),
			"Households": t.h.num(lang, households), "Percent": t.h.pct(lang, attending, households)}))
	}
	section := func(id string, items []string) {
		if len(items) == 0 {
			return
		}
		lines = append(lines, "", t.tr(id, map[string]any{"Count": t.h.num(lang, len(items))}))
		lines = append(lines, items...)
	}
	section("off_res_elected", elected)
	section("off_res_rerun", rerun)
	section("off_res_conflict", conflict)
	section("off_res_rejected", rejected)
	if notReported > 0 {
		lines = append(lines, "", t.tr("off_res_not_reported", map[string]any{"Count": t.h.num(lang, notReported)}))
	}
	lines = append(lines, "", t.tr("off_res_hint", nil))
	ps := pages(lines)
	page = max(1, min(page, len(ps)))
	text := ps[page-1]
	if len(ps) > 1 {
		text += "\n" + t.tr("off_page", map[string]any{"Page": page, "Total": len(ps)})
	}
	t.reply(text, t.pageKeyboard("o:kq:", page, len(ps)))
	return nil
}

// rerunWhy says why nobody was elected.
func (h *Handler) rerunWhy(lang string, o models.Outcome, n models.TallyNumbers) string {
	switch o.Kind {
	case models.OutcomeMeetingInvalid:
		return h.tr(lang, "off_why_meeting_invalid", map[string]any{"Turnout": h.pct(lang, n.Attending, n.Households)})
	case models.OutcomeUndecided:
		return h.tr(lang, "off_why_undecided", map[string]any{"Percent": h.pct(lang, o.Votes, n.Households)})
	}
	return h.tr(lang, "off_why_rerun", map[string]any{"Percent": h.pct(lang, o.Votes, n.Households), "Days": o.RerunWithinDays})
}

// areaDetail: /ketqua kp1 — every version of the area's tally, the current
// one in full with its outcome.
func (t *turn) areaDetail(a *models.Area) error {
	h, err := t.off().AreaHistory(t.ctx, a.ID)
	if err != nil {
		return err
	}
	lang := t.lang
	cands := make([]string, len(h.Area.Candidates))
	for i, c := range h.Area.Candidates {
		cands[i] = strconv.Itoa(c.BallotNo) + ". " + c.Name
	}
	lines := []string{t.tr("off_detail_head", map[string]any{"Area": a.Name, "Households": t.h.num(lang, a.Households),
		"Candidates": strings.Join(cands, ", ")})}
	l := h.Latest()
	if l == nil {
		lines = append(lines, t.tr("off_detail_none", nil))
		t.reply(strings.Join(lines, "\n"), nil)
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
	cs, err := t.off().ContactsByID(t.ctx, ids)
	if err != nil {
		return err
	}
	name := func(id int64) string { return contactLabel(cs[id], id) }
	cur := l
	if l.Status == models.TallyRejected {
		if live := h.LatestLive(); live != nil {
			cur = live
		}
	}
	n := models.TallyNumbersOf(cur, h.Area.Candidates)
	if n.Households <= 0 {
		n.Households = a.Households
	}
	lines = append(lines, "", t.tr("off_detail_current", map[string]any{"State": t.h.stateText(lang, cur),
		"By": name(cur.ReporterID), "At": t.h.when(lang, t.el, cur.CreatedAt)}))
	lines = append(lines, t.h.tallyTable(lang, h.Area, n.Method, n.Households, &n.Attending,
		[4]*int{n.Issued, n.Returned, n.Valid, n.Invalid}, n.Votes))
	if cur.Status != models.TallyRejected {
		if o, err := models.DecideOutcome(t.el.Rules, n, h.Area.Candidates); err == nil {
			id := "off_outcome_provisional"
			if cur.Status == models.TallyAccepted {
				id = "off_outcome_accepted"
			}
			lines = append(lines, t.tr(id, map[string]any{"Outcome": t.h.outcomeText(lang, o, n)}))
		} else {
			lines = append(lines, t.violations(models.CheckTally(n, h.Area.Candidates)))
		}
	}
	lines = append(lines, "", t.tr("off_detail_versions", nil))
	for _, v := range h.Versions {
		line := "• " + t.h.stateText(lang, v) + " — " + name(v.ReporterID) + ", " + t.h.when(lang, t.el, v.CreatedAt)
		if sup := h.Supporters(v); len(sup) > 1 {
			var ns []string
			for _, id := range sup[1:] {
				ns = append(ns, name(id))
			}
			line += "; " + t.tr("off_detail_confirmed_by", map[string]any{"Names": strings.Join(ns, ", ")})
		}
		for _, r := range h.Reviews[v.ID] {
			if r.Action == models.ReviewConfirm {
				continue
			}
			by := "?"
			if r.ContactID != nil {
				by = name(*r.ContactID)
			}
			data := map[string]any{"By": by, "At": t.h.when(lang, t.el, r.At), "Reason": r.Reason, "Source": 0}
			if r.SourceVersion != nil {
				data["Source"] = *r.SourceVersion
			}
			line += "; " + t.tr("off_detail_review_"+r.Action, data)
		}
		if v.PhotoRef != "" {
			line += " 📷"
		}
		lines = append(lines, line)
	}
	lines = append(lines, "", t.tr("off_detail_hint", map[string]any{"Code": a.Code}))
	for _, p := range pages(lines) {
		t.reply(p, nil)
	}
	return nil
}

// missingCommand: /chuabao — areas without a tally (or whose latest was
// rejected), with how many reporters each has, and a button to remind them.
func (t *turn) missingCommand(page int) error {
	rs, err := t.rollUp()
	if err != nil {
		return err
	}
	reps, err := t.off().ElectionReporters(t.ctx, t.el.ID)
	if err != nil {
		return err
	}
	active, pending := map[int64]int{}, map[int64]int{}
	for _, h := range reps {
		if h.Contact != nil {
			active[*h.Grant.AreaID]++
		} else {
			pending[*h.Grant.AreaID]++
		}
	}
	var items []string
	for _, r := range rs {
		if r.at.Latest != nil && r.at.Latest.Status != models.TallyRejected {
			continue
		}
		a := r.at.Area
		id := "off_missing_line"
		if active[a.ID] == 0 {
			id = "off_missing_line_nobody"
		}
		items = append(items, t.tr(id, map[string]any{"Area": a.Name, "Reporters": active[a.ID], "Pending": pending[a.ID]}))
	}
	if len(items) == 0 {
		t.reply(t.tr("off_missing_none", map[string]any{"Total": t.h.num(t.lang, len(rs))}), nil)
		return nil
	}
	lines := append([]string{t.tr("off_missing_head", map[string]any{"Count": t.h.num(t.lang, len(items)), "Total": t.h.num(t.lang, len(rs))})}, items...)
	ps := pages(lines)
	page = max(1, min(page, len(ps)))
	text := ps[page-1]
	if len(ps) > 1 {
		text += "\n" + t.tr("off_page", map[string]any{"Page": page, "Total": len(ps)})
	}
	kb := t.pageKeyboard("o:cb:", page, len(ps))
	if kb == nil {
		kb = &bot.Keyboard{Inline: true}
	}
	kb.Rows = append(kb.Rows, []bot.Button{{Text: t.tr("off_btn_remind", nil), Data: "o:nh"}})
	t.reply(text, kb)
	return nil
}

// remindReporters sends each reporter of an area not yet reported a
// reminder in their language.
func (t *turn) remindReporters() error {
	rs, err := t.rollUp()
	if err != nil {
		return err
	}
	missing := map[int64]*models.Area{}
	for _, r := range rs {
		if r.at.Latest == nil || r.at.Latest.Status == models.TallyRejected {
			missing[r.at.Area.ID] = r.at.Area
		}
	}
	reps, err := t.off().ElectionReporters(t.ctx, t.el.ID)
	if err != nil {
		return err
	}
	byID, err := t.areasByID()
	if err != nil {
		return err
	}
	sent, covered := 0, map[int64]bool{}
	for _, h := range reps {
		a := missing[*h.Grant.AreaID]
		if a == nil || h.Contact == nil || !h.Contact.Reachable || h.Contact.ID == t.c.ID {
			continue
		}
		full := byID[a.ID]
		if full == nil {
			full = a
		}
		before := len(t.out)
		t.noticeFunc(h.Contact, func(lang string) string {
			return t.h.tr(lang, "off_remind_notice", map[string]any{"Area": a.Name, "Ward": t.wardName(), "Example": t.exampleTally(full)})
		})
		if len(t.out) > before {
			sent++
			covered[a.ID] = true
		}
	}
	var nobody []string
	for _, r := range rs {
		if a := missing[r.at.Area.ID]; a != nil && !covered[a.ID] {
			nobody = append(nobody, a.Name)
		}
	}
	id := t.c.ID
	if err := t.h.store.Audit(t.ctx, &models.AuditEvent{At: t.h.now().UTC(), ContactID: &id, Action: ActionRemind,
		Subject: t.el.Code, Detail: fmt.Sprintf("missing=%d reminded=%d areas=%d", len(missing), sent, len(covered)), OK: true}); err != nil {
		return err
	}
	var lines []string
	if sent > 0 {
		lines = append(lines, t.tr("off_reminded", map[string]any{"Sent": sent, "Areas": len(covered)}))
	}
	if len(nobody) > 0 {
		lines = append(lines, t.tr("off_remind_nobody", map[string]any{"Count": len(nobody), "Areas": strings.Join(nobody, ", ")}))
	}
	for _, p := range pages(lines) {
		t.reply(p, nil)
	}
	return nil
}

// exportCommand: /xuat [csv] — the results as a spreadsheet.
func (t *turn) exportCommand(arg string) error {
	format, ext, mime := models.ExportXLSX, "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	if strings.Contains(models.Fold(arg), "csv") {
		format, ext, mime = models.ExportCSV, "csv", "text/csv"
	}
	var buf bytes.Buffer
	if err := t.off().ExportResults(t.ctx, t.el.Code, format, &buf); err != nil {
		return err
	}
	id := t.c.ID
	if err := t.h.store.Audit(t.ctx, &models.AuditEvent{At: t.h.now().UTC(), ContactID: &id, Action: ActionExport,
		Subject: t.el.Code, Detail: "format=" + format, OK: true}); err != nil {
		return err
	}
	name := "ket-qua-" + t.el.Code + "-" + t.h.now().In(t.el.Location()).Format("20060102-1504") + "." + ext
	t.out = append(t.out, bot.Outgoing{
		Text:     t.tr("off_export_caption", map[string]any{"Title": t.el.Title, "At": t.h.when(t.lang, t.el, t.h.now())}),
		Document: &bot.Document{Name: name, MIME: mime, Data: buf.Bytes()},
	})
	return nil
}
