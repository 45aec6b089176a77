package models

// The plan of an election's reminders, from its file and the law's
// deadlines (docs/design.md §3): pure functions, no database.

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// DefaultReminders are the residents' reminders of an election file
// without a reminders: list: when the voter list is posted (list_posted_days
// before the opening time, 7 days by default), the meeting notice
// (notice_days before, 2 by default), the evening before at 19:00 and the
// morning of the day at 06:30, local time.
func DefaultReminders(listPostedDays, noticeDays int) []FileReminder {
	day := func(n int) *int { return &n }
	var out []FileReminder
	if listPostedDays > 0 {
		out = append(out, FileReminder{Key: "list-posted", Message: RemindListPosted, Offset: fmt.Sprintf("-%dd", listPostedDays)})
	}
	if noticeDays > 0 {
		out = append(out, FileReminder{Key: "meeting-notice", Message: RemindMeetingNotice, Offset: fmt.Sprintf("-%dd", noticeDays)})
	}
	return append(out,
		FileReminder{Key: "evening-before", Message: RemindEveningBefore, Day: day(-1), At: "19:00"},
		FileReminder{Key: "morning-of", Message: RemindMorningOf, Day: day(0), At: "06:30"},
	)
}

var offsetRE = regexp.MustCompile(`^([+-]?)((?:[0-9]+[dhm])+)$`)

var offsetPartRE = regexp.MustCompile(`([0-9]+)([dhm])`)

// ParseReminderOffset reads an offset from the opening time: a sign (none
// or "+": after; "-": before) and days, hours and minutes: "-7d", "-48h",
// "-1d12h30m", "+1h". A day is 24 hours.
func ParseReminderOffset(s string) (time.Duration, error) {
	m := offsetRE.FindStringSubmatch(strings.ReplaceAll(strings.TrimSpace(s), " ", ""))
	if m == nil {
		return 0, fmt.Errorf("%q is not an offset like -7d, -48h or -1d12h", s)
	}
	var d time.Duration
	for _, p := range offsetPartRE.FindAllStringSubmatch(m[2], -1) {
		n, err := strconv.Atoi(p[1])
		if err != nil || n > 100000 {
			return 0, fmt.Errorf("%q is too large", s)
		}
		switch p[2] {
		case "d":
			d += time.Duration(n) * 24 * time.Hour
		case "h":
			d += time.Duration(n) * time.Hour
		case "m":
			d += time.Duration(n) * time.Minute
		}
	}
	if d > maxReminderOffset {
		return 0, fmt.Errorf("%q is more than 365 days", s)
	}
	if m[1] == "-" {
		d = -d
	}
	return d, nil
}

// checkReminders validates the reminders: list (its syntax; the times are
// checked against the election by planReminders).
func (f *ElectionFile) checkReminders(p *problems) {
	if len(f.Reminders) > maxReminders {
		p.add("reminders", "%d reminders; at most %d", len(f.Reminders), maxReminders)
	}
	keys := map[string]int{}
	for i := range f.Reminders {
		r := &f.Reminders[i]
		at := fmt.Sprintf("reminders[%d]", i)
		r.Key, r.Message, r.Offset, r.At = strings.TrimSpace(r.Key), strings.TrimSpace(r.Message), strings.TrimSpace(r.Offset), strings.TrimSpace(r.At)
		if p.required(at+".message", r.Message) && !knownReminder(r.Message) {
			p.add(at+".message", "%q must be one of %s", r.Message, strings.Join(ReminderMessages, ", "))
		}
		if r.Key == "" {
			r.Key = strings.ReplaceAll(r.Message, "_", "-")
		}
		if p.slug(at+".key", r.Key) {
			if strings.HasPrefix(r.Key, reminderKeyPrefixOfficial) {
				p.add(at+".key", "%q: keys starting with %q are the officials' reminders", r.Key, reminderKeyPrefixOfficial)
			} else if j, dup := keys[r.Key]; dup {
				p.add(at+".key", "%q is used twice (also reminders[%d]); give each a key", r.Key, j)
			} else {
				keys[r.Key] = i
			}
		}
		switch {
		case r.Offset != "" && (r.Day != nil || r.At != ""):
			p.add(at, "give either offset, or day and at, not both")
		case r.Offset != "":
			if _, err := ParseReminderOffset(r.Offset); err != nil {
				p.add(at+".offset", "%v", err)
			}
		case r.Day != nil || r.At != "":
			if r.Day == nil {
				p.add(at+".day", "is required with at (0: the election day, -1: the day before)")
			} else if *r.Day < -365 || *r.Day > 0 {
				p.add(at+".day", "%d must be between -365 and 0", *r.Day)
			}
			if r.At == "" {
				p.add(at+".at", "is required with day (HH:MM, local time)")
			} else {
				p.clock(at+".at", &r.At)
			}
		default:
			p.add(at, "give offset (from the opening time, e.g. -7d) or day and at (e.g. day: -1, at: \"19:00\")")
		}
	}
}

func knownReminder(name string) bool {
	for _, m := range ReminderMessages {
		if m == name {
			return true
		}
	}
	return false
}

// planReminders is the reminder schedule of a checked election file: its
// reminders: list (or the defaults when it has none) and the officials'
// deadlines. It reports a reminder that would fire after the polls close.
func (f *ElectionFile) planReminders(p *problems) []PlannedReminder {
	e := &Election{Date: f.Election.Date, Timezone: f.Election.Timezone, OpensAt: f.OpensAt, ClosesAt: f.ClosesAt,
		ListPostedDays: *f.Election.ListPostedDays, NoticeDays: *f.Election.NoticeDays}
	list, fromFile := f.Reminders, true
	if list == nil {
		list, fromFile = DefaultReminders(e.ListPostedDays, e.NoticeDays), false
	}
	loc := e.Location()
	var out []PlannedReminder
	for i, r := range list {
		var at time.Time
		if r.Offset != "" {
			d, err := ParseReminderOffset(r.Offset)
			if err != nil {
				continue // reported by checkReminders
			}
			at = e.OpensAt.Add(d)
		} else {
			if r.Day == nil {
				continue
			}
			hm := r.At
			if _, ok := (&problems{}).clock("", &hm); !ok {
				continue
			}
			h, _ := strconv.Atoi(hm[:2])
			m, _ := strconv.Atoi(hm[3:])
			d := e.Day()
			at = time.Date(d.Year(), d.Month(), d.Day()+*r.Day, h, m, 0, 0, loc)
		}
		if fromFile && at.After(e.ClosesAt) {
			p.add(fmt.Sprintf("reminders[%d]", i), "would be sent at %s, after the polls close (%s)",
				at.In(loc).Format("02/01/2006 15:04"), f.Election.Closes)
			continue
		}
		out = append(out, PlannedReminder{Key: r.Key, Audience: AudienceSubscribers, MessageKey: r.Message, FireAt: at.UTC()})
	}
	return append(out, OfficialReminders(e)...)
}

// OfficialReminders are the officials' deadline reminders of an election
// (docs/design.md §3), at 08:00 local unless said otherwise: the day before the
// voter list must be posted (list_posted_days before the day), the day
// before the meeting notice must go out (notice_days before), an hour after
// the polls close (areas with no tally yet), and the working day before the
// results are due at the ward (5 working days after the day).
func OfficialReminders(e *Election) []PlannedReminder {
	loc := e.Location()
	d := e.Day()
	at8 := func(day time.Time) time.Time {
		return time.Date(day.Year(), day.Month(), day.Day(), officialHour, 0, 0, 0, loc).UTC()
	}
	var out []PlannedReminder
	add := func(key, msg string, at time.Time) {
		out = append(out, PlannedReminder{Key: reminderKeyPrefixOfficial + key, Audience: AudienceOfficials, MessageKey: msg, FireAt: at})
	}
	if e.ListPostedDays > 0 {
		add("list-posted", RemindOfficialList, at8(d.AddDate(0, 0, -e.ListPostedDays-1)))
	}
	if e.NoticeDays > 0 {
		add("notice", RemindOfficialNotice, at8(d.AddDate(0, 0, -e.NoticeDays-1)))
	}
	add("unreported", RemindOfficialUnreported, e.ClosesAt.Add(unreportedAfter).UTC())
	add("results-due", RemindOfficialResults, at8(AddWorkingDays(ResultsDeadline(e), -1)))
	return out
}

// AddWorkingDays moves a date by n working days (Monday to Friday; public
// holidays are not known and count as working days).
func AddWorkingDays(day time.Time, n int) time.Time {
	step := 1
	if n < 0 {
		step, n = -1, -n
	}
	for n > 0 {
		day = day.AddDate(0, 0, step)
		if wd := day.Weekday(); wd != time.Saturday && wd != time.Sunday {
			n--
		}
	}
	return day
}

// ResultsDeadline is the last day for the results to reach the ward: 5
// working days after the election day (local midnight of that day).
func ResultsDeadline(e *Election) time.Time { return AddWorkingDays(e.Day(), ResultsWorkingDays) }

// ListPostedDeadline is the last day the voter list may be posted.
func ListPostedDeadline(e *Election) time.Time { return e.Day().AddDate(0, 0, -e.ListPostedDays) }

// NoticeDeadline is the last day the meeting notice may go out.
func NoticeDeadline(e *Election) time.Time { return e.Day().AddDate(0, 0, -e.NoticeDays) }
