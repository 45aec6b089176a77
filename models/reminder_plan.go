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
// before the opening time), the meeting notice (notice_days before: 7 under
// luat-10-2022, NĐ 59/2023), the evening before at 19:00 and the morning of
// the day at 06:30, local time.
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
	fe := &f.Election
	e := &Election{Date: fe.Date, Timezone: fe.Timezone, Rules: fe.Rules, OpensAt: f.OpensAt, ClosesAt: f.ClosesAt,
		ListPostedDays: *fe.ListPostedDays, NoticeDays: *fe.NoticeDays, PlanDays: *fe.PlanDays,
		CommitteeDays: *fe.CommitteeDays, CandidatesDays: *fe.CandidatesDays, Holidays: strings.Join(fe.Holidays, ",")}
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

// The officials' timeline before the day (docs/design.md §3): each step is
// due Days days before the election day; its reminder goes out the day
// before it is due, at 08:00 local. Keys are the reminders' (after
// "official-") and, with "_" for "-" and "_days" after, the election
// file's fields (plan_days…).
const (
	StepPlan       = "plan"        // the commune's plan and decision
	StepCandidates = "candidates"  // the list of candidates sent to the commune
	StepCommittee  = "committee"   // the Tổ bầu cử set up
	StepNotice     = "notice"      // notices posted and announced
	StepListPosted = "list-posted" // the voter list posted

	// Messages of the steps and of the ward's recognition (locales/broadcast.*).
	RemindOfficialPlan        = "official_plan"
	RemindOfficialCandidates  = "official_candidates"
	RemindOfficialCommittee   = "official_committee"
	RemindOfficialRecognition = "official_recognition_due" // the ward recognises within 5 working days
)

// TimelineStep is a step of the officials' timeline with its default.
type TimelineStep struct {
	Key     string
	Message string
	Days    int
	Source  string // where the default comes from
}

// nd59 is the source of the luat-10-2022 timeline: press summaries of
// the decree (its Điều 6–8), not its full text.
const nd59 = "NĐ 59/2023/NĐ-CP (press summaries of Điều 6–8)"

// noText marks a default no legal text was found for: the province's
// guidance sets it (Quảng Ninh: Hướng dẫn 672/2022).
const noText = "no text found: a project default; the province's guidance sets it"

// Timelines are the default steps of each regime, in the order they fall
// due. A step a regime does not list defaults to 0 (no reminder) and may
// be set in the election file.
var Timelines = map[string][]TimelineStep{
	RulesLuat2022: {
		{Key: StepPlan, Message: RemindOfficialPlan, Days: 20, Source: nd59 + ": the commune's plan ≥ 20 days before"},
		{Key: StepCandidates, Message: RemindOfficialCandidates, Days: 15, Source: nd59 + ": the candidates' list sent to the commune ≥ 15 days before"},
		{Key: StepCommittee, Message: RemindOfficialCommittee, Days: 10, Source: nd59 + ": the Tổ bầu cử set up ≥ 10 days before"},
		{Key: StepNotice, Message: RemindOfficialNotice, Days: 7, Source: nd59 + ": notices posted and announced ≥ 7 days before"},
		{Key: StepListPosted, Message: RemindOfficialList, Days: DefaultListPostedDays, Source: noText},
	},
	RulesNQLT2008: {
		{Key: StepListPosted, Message: RemindOfficialList, Days: DefaultListPostedDays, Source: noText},
		{Key: StepNotice, Message: RemindOfficialNotice, Days: DefaultNoticeDays, Source: noText},
	},
}

// timelineOrder is every step, in the order their reminders are planned.
var timelineOrder = []string{StepPlan, StepCandidates, StepCommittee, StepListPosted, StepNotice}

var stepMessages = map[string]string{
	StepPlan: RemindOfficialPlan, StepCandidates: RemindOfficialCandidates, StepCommittee: RemindOfficialCommittee,
	StepNotice: RemindOfficialNotice, StepListPosted: RemindOfficialList,
}

// TimelineDays is a step's default under a regime (0: none).
func TimelineDays(rules, key string) int {
	for _, st := range Timelines[rules] {
		if st.Key == key {
			return st.Days
		}
	}
	return 0
}

// StepDays is the election's days for a step (0: no reminder).
func (e *Election) StepDays(key string) int {
	switch key {
	case StepPlan:
		return e.PlanDays
	case StepCandidates:
		return e.CandidatesDays
	case StepCommittee:
		return e.CommitteeDays
	case StepNotice:
		return e.NoticeDays
	case StepListPosted:
		return e.ListPostedDays
	}
	return 0
}

// StepDeadline is the last day of a step: its days before the election day.
func StepDeadline(e *Election, key string) time.Time { return e.Day().AddDate(0, 0, -e.StepDays(key)) }

// StepOfMessage is the step whose reminder is the message, "" for none.
func StepOfMessage(msg string) string {
	for k, m := range stepMessages {
		if m == msg {
			return k
		}
	}
	return ""
}

// OfficialReminders are the officials' deadline reminders of an election
// (docs/design.md §3), at 08:00 local unless said otherwise: the day before
// each step of its timeline is due (Timelines; the election's days), an
// hour after the polls close (areas with no tally yet), the working day
// before the results are due at the ward (5 working days after the day),
// and the working day before the ward's recognition is due (5 working days
// after the results are due, NĐ 59/2023). Working days skip weekends and
// the election's holidays.
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
	for _, key := range timelineOrder {
		if n := e.StepDays(key); n > 0 {
			add(key, stepMessages[key], at8(d.AddDate(0, 0, -n-1)))
		}
	}
	add("unreported", RemindOfficialUnreported, e.ClosesAt.Add(unreportedAfter).UTC())
	hol := e.HolidaySet()
	add("results-due", RemindOfficialResults, at8(AddWorkingDaysSkipping(ResultsDeadline(e), -1, hol)))
	if RecognitionWorkingDays(e) > 0 {
		add("recognition-due", RemindOfficialRecognition, at8(AddWorkingDaysSkipping(RecognitionDeadline(e), -1, hol)))
	}
	return out
}

// AddWorkingDays moves a date by n working days (Monday to Friday; no
// public holidays: AddWorkingDaysSkipping).
func AddWorkingDays(day time.Time, n int) time.Time { return AddWorkingDaysSkipping(day, n, nil) }

// AddWorkingDaysSkipping moves a date by n working days: Monday to
// Friday, but the holidays (YYYY-MM-DD, local dates).
func AddWorkingDaysSkipping(day time.Time, n int, holidays map[string]bool) time.Time {
	step := 1
	if n < 0 {
		step, n = -1, -n
	}
	for n > 0 {
		day = day.AddDate(0, 0, step)
		if wd := day.Weekday(); wd != time.Saturday && wd != time.Sunday && !holidays[day.Format("2006-01-02")] {
			n--
		}
	}
	return day
}

// ResultsDeadline is the last day for the results to reach the ward: 5
// working days after the election day (local midnight of that day).
func ResultsDeadline(e *Election) time.Time {
	return AddWorkingDaysSkipping(e.Day(), ResultsWorkingDays, e.HolidaySet())
}

// RecognitionWorkingDays is the regime's time for the ward to recognise a
// result (NĐ 59/2023: 5 working days of receiving it).
func RecognitionWorkingDays(e *Election) int { return Regimes[e.Rules].RecognitionWorkingDays }

// RecognitionDeadline is the last day of the ward's recognition when the
// results arrive on their last day: RecognitionWorkingDays after
// ResultsDeadline.
func RecognitionDeadline(e *Election) time.Time {
	return AddWorkingDaysSkipping(ResultsDeadline(e), RecognitionWorkingDays(e), e.HolidaySet())
}

// ListPostedDeadline is the last day the voter list may be posted.
func ListPostedDeadline(e *Election) time.Time { return StepDeadline(e, StepListPosted) }

// NoticeDeadline is the last day the meeting notice may go out.
func NoticeDeadline(e *Election) time.Time { return StepDeadline(e, StepNotice) }
