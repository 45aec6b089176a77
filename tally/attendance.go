package tally

import "electionbot/models"

// Attendance is a live attendance report (issue 20): the number of
// household representatives (or voters) present at an area's meeting so
// far, sent before the counting minutes: "TD 160", "tham dự 160",
// "KP2 TD 160", "số tham dự: 160 người". It is never a tally.
type Attendance struct {
	// AreaCode is the area named, "" when none is (the caller uses the
	// sender's only area, or asks).
	AreaCode  string
	Attending int
}

// ParseAttendance reads a message that gives the number attending and
// nothing else but, optionally, its area (one area, by code or name, as
// Parse reads it) and units ("người", "hộ"). ok is false for anything
// else: a message starting with KQ / kết quả (a tally, read by Parse), a
// second field, a candidate, a part it cannot read, two areas, or the
// number given twice.
func ParseAttendance(text string, areas []*models.Area) (a *Attendance, ok bool) {
	ps := newParser(text, areas)
	ps.segment()
	if ps.startsIntro() || ps.nominee {
		return nil, false
	}
	var area *models.Area
	found := false
	for _, it := range ps.items {
		switch {
		case it.kind == itArea && (area == nil || area == it.area):
			area = it.area
		case it.kind == itField && it.field == models.TallyFieldAttending && !found:
			a, found = &Attendance{Attending: it.n}, true
		default:
			return nil, false
		}
	}
	if !found {
		return nil, false
	}
	if area != nil {
		a.AreaCode = area.Code
	}
	return a, true
}
