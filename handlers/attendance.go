package handlers

import (
	"context"
	"strconv"
	"strings"

	"electionbot/bot"
	"electionbot/locales"
	"electionbot/models"
	"electionbot/tally"
)

// Live attendance on the day (issue 20): a reporter sends the number of
// household representatives (or voters) present as it grows — "TD 160",
// "tham dự 160", "KP2 TD 160", /thamdu 160, or the guided form's button —
// before the counting minutes. The latest report of an area wins; a lower
// number than before is confirmed first. It never counts as the tally:
// once the minutes are in, the area shows them.

// AttendanceStore is what live attendance uses. *models.Store satisfies
// it; the tally store provides it when it implements it (a test fake that
// does not has no attendance).
type AttendanceStore interface {
	// ReportAttendance stores an area's latest attendance and returns the
	// previous one (nil: none).
	ReportAttendance(ctx context.Context, areaID, by int64, attending int) (*models.Attendance, error)
	// AreaAttendance is the latest attendance of the areas that have one.
	AreaAttendance(ctx context.Context, areaIDs []int64) (map[int64]*models.Attendance, error)
}

var _ AttendanceStore = (*models.Store)(nil)

// ActionAttendance audits a live attendance report.
const ActionAttendance = "tally.attendance"

// askLive is the guided form's question for the number attending now
// (draft.Ask): the form's button "Báo số tham dự".
const askLive = "live"

// attendanceStore is the turn's attendance store, nil when off.
func (t *turn) attendanceStore() AttendanceStore {
	for _, s := range []any{t.tallies.store, t.results.store} {
		if as, ok := s.(AttendanceStore); ok && s != nil {
			return as
		}
	}
	return nil
}

// attendanceText reads a reporter's typed attendance report; handled is
// false for a message that is none, or from a contact who reports for no
// area (a resident's "tham du 160" is read on).
func (tl *tallies) attendanceText(text string, areas []*models.Area) (handled bool, err error) {
	a, ok := tally.ParseAttendance(text, areas)
	if !ok || tl.attendanceStore() == nil {
		return false, nil
	}
	o, err := tl.officials.roles()
	if err != nil || o == nil {
		return false, err
	}
	if len(o.areas) == 0 {
		if !o.admin && !o.viewer {
			return false, nil
		}
		// An official who reports for no area: say who reports, rather
		// than not understanding.
		tl.reply(tl.tr("att_not_reporter", nil), nil)
		return true, nil
	}
	if tl.in.Group {
		tl.reply(tl.tr("off_private_only", nil), nil)
		return true, nil
	}
	return true, tl.attendanceFor(o, a.AreaCode, a.Attending, false)
}

// attendanceCommand: /thamdu [kp1] 160 from a reporter.
func (tl *tallies) attendanceCommand(o *roleSet, arg string) error {
	areas, err := tl.areaList()
	if err != nil {
		return err
	}
	a, ok := tally.ParseAttendance("td "+arg, areas)
	if !ok {
		tl.reply(tl.tr("att_usage", map[string]any{"Code": o.areas[0].Code}), nil)
		return nil
	}
	return tl.attendanceFor(o, a.AreaCode, a.Attending, false)
}

// attendanceFor records n attending for the area code names among the
// reporter's areas (the only one when code is ""; asked when several).
// confirmed: a lower number than before was confirmed.
func (tl *tallies) attendanceFor(o *roleSet, code string, n int, confirmed bool) error {
	var area *models.Area
	if code != "" {
		all, err := tl.areaList()
		if err != nil {
			return err
		}
		for _, a := range all {
			if a.Code == code {
				area = a
			}
		}
		if area != nil && !o.reporterOf(area.ID) {
			return tl.refuse(area)
		}
	} else if len(o.areas) == 1 {
		area = o.areas[0]
	}
	if area == nil {
		bs := make([]bot.Button, len(o.areas))
		for i, a := range o.areas {
			bs[i] = bot.Button{Text: a.Name, Data: "o:at:a:" + itoa64(a.ID) + ":" + strconv.Itoa(n)}
		}
		tl.reply(tl.tr("att_ask_area", map[string]any{"Attending": locales.Number(tl.lang, n)}), &bot.Keyboard{Inline: true, Rows: twoPerRow(bs)})
		return nil
	}
	return tl.recordAttendance(area, n, confirmed)
}

// recordAttendance checks and stores n attending area, and answers with
// where the area stands against the half-way line.
func (tl *tallies) recordAttendance(area *models.Area, n int, confirmed bool) error {
	as := tl.attendanceStore()
	x := tl.placed(area)
	data := map[string]any{"Area": area.Name, "Attending": locales.Number(tl.lang, n),
		"Households": locales.Number(tl.lang, area.Households), "Code": area.Code}
	if n > area.Households {
		tl.reply(x.tr(tl.lang, "att_too_many", data), nil)
		return nil
	}
	h, err := tl.store.AreaHistory(tl.ctx, area.ID)
	if err != nil {
		return err
	}
	if live := h.LatestLive(); live != nil {
		// The minutes are in: they say how many attended.
		data["State"] = x.stateText(tl.lang, live)
		tl.reply(x.tr(tl.lang, "att_tally_in", data), nil)
		return nil
	}
	if !confirmed {
		prev, err := as.AreaAttendance(tl.ctx, []int64{area.ID})
		if err != nil {
			return err
		}
		if p := prev[area.ID]; p != nil && n < p.Attending {
			data["Previous"] = locales.Number(tl.lang, p.Attending)
			data["At"] = tl.texts.when(tl.lang, tl.el, p.ReportedAt)
			tl.reply(x.tr(tl.lang, "att_lower_confirm", data), &bot.Keyboard{Inline: true, Rows: [][]bot.Button{{
				{Text: x.tr(tl.lang, "att_btn_lower", data), Data: "o:at:c:" + itoa64(area.ID) + ":" + strconv.Itoa(n)},
			}}})
			return nil
		}
	}
	if _, err := as.ReportAttendance(tl.ctx, area.ID, tl.c.ID, n); err != nil {
		return err
	}
	if err := tl.audit(tl.store, ActionAttendance, area.Code, "attending="+strconv.Itoa(n), true); err != nil {
		return err
	}
	data["Line"] = x.attendanceLine(tl.lang, tl.el, area, &models.Attendance{Attending: n, ReportedAt: tl.now()})
	tl.reply(x.tr(tl.lang, "att_recorded", data), tl.menu())
	return nil
}

// attendanceLine is "160/312 hộ (51,3%) — ✅ đã quá nửa · báo lúc 08:15".
func (x *texts) attendanceLine(lang string, el *models.Election, area *models.Area, a *models.Attendance) string {
	id := "att_line_below"
	if a.OverHalf(area.Households) {
		id = "att_line_over"
	}
	return x.tr(lang, id, map[string]any{"Attending": locales.Number(lang, a.Attending), "Households": locales.Number(lang, area.Households),
		"Percent": locales.Percent(lang, a.Attending, area.Households), "At": x.when(lang, el, a.ReportedAt),
		"Need": locales.Number(lang, area.Households/2+1)})
}

// attendanceButton handles the buttons "o:at:…": a:<area>:<n> (the area
// of a report), c:<area>:<n> (a lower number confirmed), f (the guided
// form's "report attendance"), n:<area> (the ward's reminder to the
// area's households, attendance_view.go).
func (tl *tallies) attendanceButton(arg string) error {
	parts := strings.Split(arg, ":")
	if parts[0] == "n" && len(parts) == 2 {
		id, _ := strconv.ParseInt(parts[1], 10, 64)
		return tl.results.remindArea(id)
	}
	o, err := tl.officials.roles()
	if err != nil {
		return err
	}
	if o == nil || len(o.areas) == 0 || tl.attendanceStore() == nil {
		tl.reply(tl.tr("off_not_reporter", nil), tl.menu())
		return nil
	}
	switch {
	case parts[0] == "f":
		d := tl.st.Draft
		if d == nil {
			d = &draft{}
		}
		d.Ask = askLive
		tl.setDraft(d)
		tl.reply(tl.tr("att_form_ask", nil), nil)
		return nil
	case (parts[0] == "a" || parts[0] == "c") && len(parts) == 3:
		id, _ := strconv.ParseInt(parts[1], 10, 64)
		n, err := strconv.Atoi(parts[2])
		if err != nil || !o.reporterOf(id) {
			a, _ := tl.store.Area(tl.ctx, id)
			return tl.refuse(a)
		}
		for _, a := range o.areas {
			if a.ID == id {
				return tl.recordAttendance(a, n, parts[0] == "c")
			}
		}
	}
	return models.Errorf(models.EINVALID, "bad attendance button %q", arg)
}

// liveAnswer takes the number typed after the form's button: recorded for
// the draft's area (asked when not chosen yet), then the form is left.
func (tl *tallies) liveAnswer(d *draft, text string) error {
	n, ok := parseCount(text)
	if !ok {
		if a, isAtt := tally.ParseAttendance(text, nil); isAtt {
			n, ok = a.Attending, true
		}
	}
	if !ok {
		tl.reply(tl.tr("off_form_not_a_number", nil), nil)
		tl.reply(tl.tr("att_form_ask", nil), nil)
		return nil
	}
	tl.clearState()
	o, err := tl.officials.roles()
	if err != nil {
		return err
	}
	if o == nil || len(o.areas) == 0 {
		return tl.refuse(nil)
	}
	code := ""
	for _, a := range o.areas {
		if a.ID == d.AreaID {
			code = a.Code
		}
	}
	return tl.attendanceFor(o, code, n, false)
}

// attendanceFormButton is the guided form's "Báo số tham dự" button,
// offered while no number of the minutes is given yet.
func (tl *tallies) attendanceFormButton(d *draft) []bot.Button {
	if tl.attendanceStore() == nil || d.Attending != nil || d.Issued != nil || len(d.Votes) > 0 || d.household() {
		return nil
	}
	return []bot.Button{{Text: tl.tr("att_btn_form", nil), Data: "o:at:f"}}
}
