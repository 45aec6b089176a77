package handlers

import (
	"strings"

	"electionbot/bot"
	"electionbot/locales"
	"electionbot/models"
)

// The ward's view of live attendance: /thamdu (admins, viewers), the
// section of /ketqua, and the reminder an admin sends to the households
// of an area still below half (a /thongbao to that area).

// attendanceOf is the live attendance of the areas of rs that have no
// minutes in (nothing reported, or rejected), by area id: the minutes
// replace it. nil when attendance is off.
func (wr *wardResults) attendanceOf(rs []*areaResult) (map[int64]*models.Attendance, error) {
	as := wr.attendanceStore()
	if as == nil {
		return nil, nil
	}
	var ids []int64
	for _, r := range rs {
		if noMinutes(r) {
			ids = append(ids, r.at.Area.ID)
		}
	}
	if len(ids) == 0 {
		return nil, nil
	}
	return as.AreaAttendance(wr.ctx, ids)
}

// noMinutes: the area has no counting minutes in (none, or rejected).
func noMinutes(r *areaResult) bool {
	return r.shown == nil || r.shown.Status == models.TallyRejected
}

// attendanceLines are "• Khu phố 2: 100/287 hộ (34,8%) — ⚠️ chưa quá
// nửa · báo lúc 08:20" for the areas of rs with a live attendance, in
// their order; below are the areas under half.
func (wr *wardResults) attendanceLines(rs []*areaResult, att map[int64]*models.Attendance) (lines []string, below []*models.Area) {
	for _, r := range rs {
		a := r.at.Area
		at := att[a.ID]
		if at == nil || !noMinutes(r) {
			continue
		}
		lines = append(lines, "• "+a.Name+": "+wr.placed(a).attendanceLine(wr.lang, wr.el, a, at))
		if !at.OverHalf(a.Households) {
			below = append(below, a)
		}
	}
	return lines, below
}

// attendanceSection is /ketqua's section of live attendance (nil when no
// area without minutes has one).
func (wr *wardResults) attendanceSection(rs []*areaResult) ([]string, error) {
	att, err := wr.attendanceOf(rs)
	if err != nil || len(att) == 0 {
		return nil, err
	}
	lines, _ := wr.attendanceLines(rs, att)
	if len(lines) == 0 {
		return nil, nil
	}
	head := wr.tr("att_res_section", map[string]any{"Count": locales.Number(wr.lang, len(lines))})
	return append([]string{"", head}, lines...), nil
}

// attendanceView answers /thamdu for admins and viewers: each area of the
// ward in view without minutes, with its live attendance or "not
// reported"; an admin gets a reminder button for each area below half.
func (wr *wardResults) attendanceView(r *roleSet) error {
	rs, err := wr.rollUp()
	if err != nil {
		return err
	}
	att, err := wr.attendanceOf(rs)
	if err != nil {
		return err
	}
	lines := []string{wr.tr("att_view_head", map[string]any{"Ward": wr.wardName(), "At": wr.texts.when(wr.lang, wr.el, wr.now())})}
	reported, below := wr.attendanceLines(rs, att)
	lines = append(lines, reported...)
	var silent, counted []string
	for _, res := range rs {
		a := res.at.Area
		switch {
		case !noMinutes(res):
			counted = append(counted, a.Name)
		case att[a.ID] == nil:
			silent = append(silent, a.Name)
		}
	}
	if len(reported) == 0 {
		lines = append(lines, wr.tr("att_view_none", nil))
	}
	if len(silent) > 0 {
		lines = append(lines, "", wr.tr("att_view_silent", map[string]any{"Count": locales.Number(wr.lang, len(silent)), "Areas": strings.Join(silent, ", ")}))
	}
	if len(counted) > 0 {
		lines = append(lines, "", wr.tr("att_view_counted", map[string]any{"Count": locales.Number(wr.lang, len(counted)), "Areas": strings.Join(counted, ", ")}))
	}
	lines = append(lines, "", wr.tr("att_view_hint", nil))
	var kb *bot.Keyboard
	if r.admin && len(below) > 0 && wr.broadcasts.store != nil {
		bs := make([]bot.Button, len(below))
		for i, a := range below {
			bs[i] = bot.Button{Text: wr.tr("att_btn_remind", map[string]any{"Area": a.Name}), Data: "o:at:n:" + itoa64(a.ID)}
		}
		kb = &bot.Keyboard{Inline: true, Rows: twoPerRow(bs)}
	}
	wr.reply(strings.Join(lines, "\n"), kb)
	return nil
}

// remindArea drafts the ward's reminder to the households of an area
// still below half (a /thongbao to that area, scoped to the ward) and
// shows its preview with the buttons to send or cancel.
func (wr *wardResults) remindArea(areaID int64) error {
	el, ok, err := wr.broadcasts.admin()
	if !ok || err != nil {
		return err
	}
	areas, err := wr.areaList()
	if err != nil {
		return err
	}
	var area *models.Area
	for _, a := range areas {
		if a.ID == areaID {
			area = a
		}
	}
	if area == nil {
		wr.reply(wr.tr("att_remind_gone", nil), wr.menu())
		return nil
	}
	as := wr.attendanceStore()
	if as == nil || wr.broadcasts.store == nil {
		return wr.fallback()
	}
	att, err := as.AreaAttendance(wr.ctx, []int64{area.ID})
	if err != nil {
		return err
	}
	at := att[area.ID]
	x := wr.placed(area)
	data := map[string]any{"Area": area.Name, "Households": locales.Number(wr.lang, area.Households)}
	if at != nil {
		data["Attending"] = locales.Number(wr.lang, at.Attending)
		data["Line"] = x.attendanceLine(wr.lang, el, area, at)
	}
	if at != nil && at.OverHalf(area.Households) {
		wr.reply(x.tr(wr.lang, "att_remind_over", data), wr.menu())
		return nil
	}
	place := ""
	if full, err := wr.core.Area(wr.ctx, area.ID); err == nil && full.PollingPlace != nil {
		place = full.PollingPlace.Name
	}
	data["Place"] = place
	body := x.tr(wr.lang, "att_remind_body", data)
	b := &models.Broadcast{ElectionID: el.ID, Kind: models.BroadcastAnnouncement, Audience: models.AudienceAreas,
		CreatedBy: &wr.c.ID, Source: "chat", WardID: &el.Ward.ID, Body: body}
	b.SetAreas([]int64{area.ID})
	if err := wr.broadcasts.store.CreateBroadcast(wr.ctx, b); err != nil {
		return err
	}
	wr.clearState()
	return wr.broadcasts.preview(b)
}
