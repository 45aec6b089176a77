package broadcast

import (
	"context"
	"strings"
	"time"

	"electionbot/locales"
	"electionbot/models"
)

// Reminders are broadcasts the schedule makes: models.LoadElection keeps
// one row per (election, reminder key) in the reminders table; the tick
// turns each due row into a queued broadcast (once: the row is marked fired
// in the same transaction) and the broadcast's fan-out renders the
// reminder's text for each recipient, in their language, with their
// area, polling place and the election's time in its time zone.

// fireReminders turns the reminders that are due into broadcasts; one
// whose time passed more than LateReminder ago is marked missed instead.
func (b *Broadcaster) fireReminders(ctx context.Context) error {
	due, err := b.store.DueReminders(ctx, 100)
	if err != nil {
		return err
	}
	now := b.store.Now()
	for _, r := range due {
		if late := now.Sub(r.FireAt); late > b.cfg.LateReminder {
			b.log.Warn("broadcast: reminder missed", "election", r.ElectionID, "reminder", r.Key, "late", late.Round(time.Minute))
			if err := b.store.MissReminder(ctx, r.ID); err != nil {
				return err
			}
			continue
		}
		bc, err := b.store.FireReminder(ctx, r)
		if err != nil {
			return err
		}
		if bc != nil {
			b.log.Info("broadcast: reminder fired", "election", r.ElectionID, "reminder", r.Key, "broadcast", bc.ID)
		}
	}
	return nil
}

// renderCtx is what rendering a broadcast's texts needs, loaded once per
// fan-out.
type renderCtx struct {
	e       *models.Election
	areas   map[int64]*models.Area
	speaker string // who speaks in an announcement's header: its ward, city or province
	// officials' reminders
	admins        map[int64]bool
	reporterAreas map[int64][]int64 // contact → areas it reports for
	open          []*models.Area    // areas still to report (unreported / unaccepted)
	openSet       map[int64]bool
}

func (b *Broadcaster) renderContext(ctx context.Context, bc *models.Broadcast) (*renderCtx, error) {
	e, err := b.store.ElectionByID(ctx, bc.ElectionID)
	if err != nil {
		return nil, err
	}
	areas, err := b.store.Areas(ctx, e.ID)
	if err != nil {
		return nil, err
	}
	rc := &renderCtx{e: e, areas: map[int64]*models.Area{}}
	wards := map[int64]*models.Ward{}
	for _, a := range areas {
		rc.areas[a.ID] = a
		if a.Ward != nil {
			wards[a.WardID] = a.Ward
		}
	}
	switch {
	case bc.WardID != nil && wards[*bc.WardID] != nil:
		rc.speaker = wards[*bc.WardID].Name
	case bc.City != "":
		rc.speaker = bc.City
	case len(wards) == 1:
		for _, w := range wards {
			rc.speaker = w.Name
		}
	default:
		rc.speaker = e.Province
	}
	if bc.Kind != models.BroadcastOfficial {
		return rc, nil
	}
	rc.admins, rc.reporterAreas, rc.openSet = map[int64]bool{}, map[int64][]int64{}, map[int64]bool{}
	admins, err := b.store.ElectionGrants(ctx, e.ID, models.RoleAdmin)
	if err != nil {
		return nil, err
	}
	for _, h := range admins {
		if h.Grant.ContactID != nil {
			rc.admins[*h.Grant.ContactID] = true
		}
	}
	reps, err := b.store.ElectionReporters(ctx, e.ID)
	if err != nil {
		return nil, err
	}
	for _, h := range reps {
		if h.Grant.ContactID != nil && h.Grant.AreaID != nil {
			rc.reporterAreas[*h.Grant.ContactID] = append(rc.reporterAreas[*h.Grant.ContactID], *h.Grant.AreaID)
		}
	}
	switch bc.MessageKey {
	case models.RemindOfficialUnreported:
		rc.open, err = b.store.UnreportedAreas(ctx, e.ID)
	case models.RemindOfficialResults, models.RemindOfficialRecognition:
		rc.open, err = b.store.UnacceptedAreas(ctx, e.ID)
	}
	if err != nil {
		return nil, err
	}
	for _, a := range rc.open {
		rc.openSet[a.ID] = true
	}
	return rc, nil
}

// contactAreas are the areas an official's reminder is about: every area
// of the election for an admin, a reporter's own.
func (rc *renderCtx) contactAreas(c *models.Contact) []*models.Area {
	if rc.admins[c.ID] {
		as := make([]*models.Area, 0, len(rc.areas))
		for _, a := range rc.areas {
			as = append(as, a)
		}
		return as
	}
	var as []*models.Area
	for _, id := range rc.reporterAreas[c.ID] {
		if a := rc.areas[id]; a != nil {
			as = append(as, a)
		}
	}
	return as
}

// render is the text of a broadcast for one contact, in its language; false
// when the broadcast has nothing to tell it (a reporter whose areas have
// all reported, an area that is not the election's).
func (b *Broadcaster) render(rc *renderCtx, bc *models.Broadcast, c *models.Contact) (string, bool) {
	lang := b.lang(c)
	switch bc.Kind {
	case models.BroadcastAnnouncement:
		return b.Header(lang, rc.speaker) + "\n\n" + bc.Body, true
	case models.BroadcastReminder:
		if c.AreaID == nil || rc.areas[*c.AreaID] == nil {
			return "", false
		}
		return b.tr(lang, "rem_"+bc.MessageKey, b.residentData(lang, rc, rc.areas[*c.AreaID])), true
	case models.BroadcastOfficial:
		return b.renderOfficial(lang, rc, bc, c)
	}
	return "", false
}

// residentData is a resident reminder's template data.
func (b *Broadcaster) residentData(lang string, rc *renderCtx, a *models.Area) map[string]any {
	e := rc.e
	loc := e.Location()
	day := e.Day()
	w := a.Ward // the area's own ward, in a province's election
	if w == nil {
		w = e.Ward
	}
	d := locales.MergeWords(b.words(lang, w, a), map[string]any{
		"Title": e.Title, "Area": a.Name, "Day": b.day(lang, day),
		"Opens": e.OpensAt.In(loc).Format("15:04"), "Closes": e.ClosesAt.In(loc).Format("15:04"),
		"Place": "", "Address": "",
	})
	if w != nil {
		d["Ward"] = w.Name
	}
	if a.PollingPlace != nil {
		d["Place"], d["Address"] = a.PollingPlace.Name, a.PollingPlace.Address
	}
	return d
}

// renderOfficial is an officials' deadline reminder: every admin and
// reporter for the timeline, and for the areas still to report only the
// admins and the reporters of those areas.
func (b *Broadcaster) renderOfficial(lang string, rc *renderCtx, bc *models.Broadcast, c *models.Contact) (string, bool) {
	e := rc.e
	day := e.Day()
	data := locales.MergeWords(b.words(lang, e.Ward, rc.contactAreas(c)...), map[string]any{
		"Title": e.Title, "Day": b.day(lang, day),
		"ListDays": e.ListPostedDays, "NoticeDays": e.NoticeDays,
		"Closes": e.ClosesAt.In(e.Location()).Format("15:04"), "WorkingDays": models.ResultsWorkingDays,
		"RecognitionDays": models.RecognitionWorkingDays(e),
	})
	if step := models.StepOfMessage(bc.MessageKey); step != "" {
		// A step of the timeline before the day (models.Timelines).
		data["Deadline"], data["StepDays"] = b.day(lang, models.StepDeadline(e, step)), e.StepDays(step)
		return b.tr(lang, "rem_"+bc.MessageKey, data), true
	}
	switch bc.MessageKey {
	case models.RemindOfficialRecognition:
		if !rc.admins[c.ID] || len(rc.open) == 0 {
			return "", false // the ward's act: its admins are reminded
		}
		names := make([]string, len(rc.open))
		for i, a := range rc.open {
			names[i] = a.Name
		}
		for k, v := range b.words(lang, e.Ward, rc.open...) {
			data[k] = v
		}
		data["Deadline"], data["Areas"], data["Count"] = b.day(lang, models.RecognitionDeadline(e)), strings.Join(names, ", "), len(names)
		return b.tr(lang, "rem_"+bc.MessageKey+"_admin", data), true
	case models.RemindOfficialUnreported, models.RemindOfficialResults:
		data["Deadline"] = b.day(lang, models.ResultsDeadline(e))
		var open []*models.Area
		if rc.admins[c.ID] {
			open = rc.open
		} else {
			for _, id := range rc.reporterAreas[c.ID] {
				if rc.openSet[id] && rc.areas[id] != nil {
					open = append(open, rc.areas[id])
				}
			}
		}
		if len(open) == 0 {
			return "", false
		}
		names := make([]string, len(open))
		for i, a := range open {
			names[i] = a.Name
		}
		// The words of the areas named ("3 thôn chưa gửi biên bản").
		for k, v := range b.words(lang, e.Ward, open...) {
			data[k] = v
		}
		data["Areas"], data["Count"] = strings.Join(names, ", "), len(names)
		who := "reporter"
		if rc.admins[c.ID] {
			who = "admin"
		}
		return b.tr(lang, "rem_"+bc.MessageKey+"_"+who, data), true
	}
	return "", false
}
