package handlers

import (
	"fmt"
	"strings"

	"electionbot/bot"
	"electionbot/locales"
	"electionbot/models"
)

// The areas not yet reported (/chuabao) and the reminders to their
// reporters.

// missing: /chuabao — areas without a tally (or whose latest was
// rejected), with how many reporters each has, and a button to remind them.
func (wr *wardResults) missing(page int) error {
	rs, err := wr.rollUp()
	if err != nil {
		return err
	}
	reps, err := wr.store.ElectionReporters(wr.ctx, wr.el.ID)
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
		items = append(items, wr.tr(id, map[string]any{"Area": a.Name, "Reporters": active[a.ID], "Pending": pending[a.ID]}))
	}
	if len(items) == 0 {
		wr.reply(wr.tr("off_missing_none", map[string]any{"Total": locales.Number(wr.lang, len(rs))}), nil)
		return nil
	}
	lines := append([]string{wr.tr("off_missing_head", map[string]any{"Count": locales.Number(wr.lang, len(items)), "Total": locales.Number(wr.lang, len(rs))})}, items...)
	wr.replyPage(lines, page, "o:cb:", []bot.Button{{Text: wr.tr("off_btn_remind", nil), Data: "o:nh"}})
	return nil
}

// remindReporters sends each reporter of an area not yet reported a
// reminder in their language.
func (wr *wardResults) remindReporters() error {
	rs, err := wr.rollUp()
	if err != nil {
		return err
	}
	missing := map[int64]*models.Area{}
	for _, r := range rs {
		if r.at.Latest == nil || r.at.Latest.Status == models.TallyRejected {
			missing[r.at.Area.ID] = r.at.Area
		}
	}
	reps, err := wr.store.ElectionReporters(wr.ctx, wr.el.ID)
	if err != nil {
		return err
	}
	byID, err := wr.areasByID()
	if err != nil {
		return err
	}
	sent, covered := 0, map[int64]bool{}
	for _, h := range reps {
		a := missing[*h.Grant.AreaID]
		if a == nil || h.Contact == nil || !h.Contact.Reachable || h.Contact.ID == wr.c.ID {
			continue
		}
		full := byID[a.ID]
		if full == nil {
			full = a
		}
		before := len(wr.out)
		wr.notice(h.Contact, func(lang string) string {
			return wr.texts.tr(lang, "off_remind_notice", map[string]any{"Area": a.Name, "Ward": wr.wardName(), "Example": exampleTally(full)})
		})
		if len(wr.out) > before {
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
	detail := fmt.Sprintf("missing=%d reminded=%d areas=%d", len(missing), sent, len(covered))
	if err := wr.audit(wr.store, ActionRemind, wr.el.Code, detail, true); err != nil {
		return err
	}
	var lines []string
	if sent > 0 {
		lines = append(lines, wr.tr("off_reminded", map[string]any{"Sent": sent, "Areas": len(covered)}))
	}
	if len(nobody) > 0 {
		lines = append(lines, wr.tr("off_remind_nobody", map[string]any{"Count": len(nobody), "Areas": strings.Join(nobody, ", ")}))
	}
	wr.replyPages(lines)
	return nil
}
