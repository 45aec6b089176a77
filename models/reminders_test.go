package models_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"electionbot/internal/testdb"
	"electionbot/models"
)

func local(y int, mo time.Month, d, h, mi int) time.Time {
	return time.Date(y, mo, d, h, mi, 0, 0, models.VietnamTime)
}

// The four default resident reminders of the Ka Long 2022 election (Sunday
// 5 June 2022, polls 07:00–11:00, nqlt-09-2008) and the officials'
// deadlines (the defaults of the 2008 regime, no text found: list posted ≥
// 7 days before, notice ≥ 2 days before; results to the ward within 5
// working days and recognised within 5 more, docs/design.md §3).
func TestRemindersDefaultScheduleKaLong2022(t *testing.T) {
	f := parse(t, readFile(t, demoFile))
	want := map[string]time.Time{
		"list-posted":          local(2022, 5, 29, 7, 0), // 7×24 h before opening
		"meeting-notice":       local(2022, 6, 3, 7, 0),  // 2×24 h before opening
		"evening-before":       local(2022, 6, 4, 19, 0),
		"morning-of":           local(2022, 6, 5, 6, 30),
		"official-list-posted": local(2022, 5, 28, 8, 0), // the day before the list must be up (29/05)
		"official-notice":      local(2022, 6, 2, 8, 0),  // the day before the notice is due (03/06)
		"official-unreported":  local(2022, 6, 5, 12, 0), // an hour after closing
		"official-results-due": local(2022, 6, 9, 8, 0),  // due Fri 10/06 (5 working days): reminded Thu
		// Recognised within 5 working days of Fri 10/06: Fri 17/06, reminded Thu.
		"official-recognition-due": local(2022, 6, 16, 8, 0),
	}
	if len(f.Schedule) != len(want) {
		t.Fatalf("%d reminders, want %d: %+v", len(f.Schedule), len(want), f.Schedule)
	}
	for _, r := range f.Schedule {
		w, ok := want[r.Key]
		if !ok {
			t.Errorf("unexpected reminder %s", r.Key)
			continue
		}
		if !r.FireAt.Equal(w) || r.FireAt.Location() != time.UTC {
			t.Errorf("%s fires at %v, want %v (UTC)", r.Key, r.FireAt.In(models.VietnamTime), w)
		}
		wantAud := models.AudienceSubscribers
		if strings.HasPrefix(r.Key, "official-") {
			wantAud = models.AudienceOfficials
		}
		if r.Audience != wantAud {
			t.Errorf("%s audience %s, want %s", r.Key, r.Audience, wantAud)
		}
	}
}

func TestRemindersFromFile(t *testing.T) {
	data := string(readFile(t, demoFile)) + `
reminders:
  - {message: list_posted, offset: -10d}
  - {key: notice, message: meeting_notice, offset: "-2d12h"}
  - {message: morning_of, day: 0, at: "5:45"}
`
	f := parse(t, []byte(data))
	got := map[string]time.Time{}
	for _, r := range f.Schedule {
		if r.Audience == models.AudienceSubscribers {
			got[r.Key] = r.FireAt
		}
	}
	want := map[string]time.Time{
		"list-posted": local(2022, 5, 26, 7, 0),
		"notice":      local(2022, 6, 2, 19, 0),
		"morning-of":  local(2022, 6, 5, 5, 45),
	}
	if len(got) != len(want) {
		t.Fatalf("residents' reminders %v, want %v", got, want)
	}
	for k, w := range want {
		if !got[k].Equal(w) {
			t.Errorf("%s at %v, want %v", k, got[k].In(models.VietnamTime), w)
		}
	}
	// An empty list: no residents' reminders, the officials' stay.
	f = parse(t, []byte(string(readFile(t, demoFile))+"\nreminders: []\n"))
	for _, r := range f.Schedule {
		if r.Audience != models.AudienceOfficials {
			t.Errorf("reminders: [] still schedules %s", r.Key)
		}
	}
}

func TestRemindersFileErrors(t *testing.T) {
	cases := []struct{ yaml, want string }{
		{"- {message: lunch, offset: -1d}", `reminders[0].message: "lunch" must be one of list_posted, meeting_notice, evening_before, morning_of`},
		{"- {offset: -1d}", "reminders[0].message: is required"},
		{"- {message: morning_of}", "reminders[0]: give offset (from the opening time, e.g. -7d) or day and at"},
		{"- {message: morning_of, offset: -1d, day: 0, at: \"06:00\"}", "reminders[0]: give either offset, or day and at, not both"},
		{"- {message: morning_of, offset: yesterday}", `reminders[0].offset: "yesterday" is not an offset like -7d, -48h or -1d12h`},
		{"- {message: morning_of, offset: -400d}", `reminders[0].offset: "-400d" is more than 365 days`},
		{"- {message: morning_of, day: 0}", "reminders[0].at: is required with day (HH:MM, local time)"},
		{"- {message: morning_of, at: \"06:00\"}", "reminders[0].day: is required with at"},
		{"- {message: morning_of, day: 1, at: \"06:00\"}", "reminders[0].day: 1 must be between -365 and 0"},
		{"- {message: morning_of, day: 0, at: \"25:00\"}", `reminders[0].at: "25:00" is not a valid time (HH:MM)`},
		{"- {message: morning_of, day: 0.5, at: \"06:00\"}", `reminders[0].day: "0.5" is not a whole number`},
		{"- {message: morning_of, day: 0, at: \"12:00\"}", "reminders[0]: would be sent at 05/06/2022 12:00, after the polls close (11:00)"},
		{"- {message: morning_of, offset: +5h}", "reminders[0]: would be sent at 05/06/2022 12:00, after the polls close (11:00)"},
		{"- {message: morning_of, offset: -1h}\n  - {message: morning_of, offset: -2h}", `reminders[1].key: "morning-of" is used twice (also reminders[0]); give each a key`},
		{"- {key: official-x, message: morning_of, offset: -1h}", `reminders[0].key: "official-x": keys starting with "official-" are the officials' reminders`},
		{"- {message: morning_of, offset: -1h, when: now}", "reminders[0].when: unknown field"},
	}
	for _, tc := range cases {
		data := string(readFile(t, demoFile)) + "\nreminders:\n  " + tc.yaml + "\n"
		_, err := models.ParseElectionFile([]byte(data))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s:\n got %v\nwant %s", tc.yaml, err, tc.want)
		}
	}
}

func TestAddWorkingDays(t *testing.T) {
	sun := time.Date(2022, 6, 5, 0, 0, 0, 0, models.VietnamTime)
	cases := []struct {
		from time.Time
		n    int
		want time.Time
	}{
		{sun, 5, time.Date(2022, 6, 10, 0, 0, 0, 0, models.VietnamTime)},                                                    // Mon–Fri
		{sun, 1, time.Date(2022, 6, 6, 0, 0, 0, 0, models.VietnamTime)},                                                     // Monday
		{time.Date(2022, 6, 10, 0, 0, 0, 0, models.VietnamTime), 1, time.Date(2022, 6, 13, 0, 0, 0, 0, models.VietnamTime)}, // Fri → Mon
		{time.Date(2022, 6, 10, 0, 0, 0, 0, models.VietnamTime), -1, time.Date(2022, 6, 9, 0, 0, 0, 0, models.VietnamTime)},
		{time.Date(2022, 6, 13, 0, 0, 0, 0, models.VietnamTime), -1, time.Date(2022, 6, 10, 0, 0, 0, 0, models.VietnamTime)}, // Mon → Fri
		{sun, 0, sun},
	}
	for _, tc := range cases {
		if got := models.AddWorkingDays(tc.from, tc.n); !got.Equal(tc.want) {
			t.Errorf("AddWorkingDays(%s, %d) = %s, want %s", tc.from.Format("Mon 02/01"), tc.n, got.Format("Mon 02/01"), tc.want.Format("Mon 02/01"))
		}
	}
}

// Loading the election again reschedules what has not fired, drops what
// left the file, and never schedules a fired reminder again.
func TestRemindersReloadDoesNotDuplicate(t *testing.T) {
	for _, n := range testdb.Stores(t) {
		t.Run(n.Name, func(t *testing.T) {
			ctx := context.Background()
			s := n.Store
			now := local(2022, 5, 29, 7, 0)
			s.Now = func() time.Time { return now }
			base := string(readFile(t, demoFile))
			if _, err := s.LoadElection(ctx, parse(t, []byte(base))); err != nil {
				t.Fatal(err)
			}
			e, err := s.ElectionByCode(ctx, "ka-long-2022")
			if err != nil {
				t.Fatal(err)
			}
			due, err := s.DueReminders(ctx, 10)
			if err != nil {
				t.Fatal(err)
			}
			// 28/05 08:00 (officials) and 29/05 07:00 (residents) are due.
			if len(due) != 2 || due[0].Key != "official-list-posted" || due[1].Key != "list-posted" {
				t.Fatalf("due at 29/05 07:00: %+v", due)
			}
			b, err := s.FireReminder(ctx, due[1])
			if err != nil || b == nil || b.Status != models.BroadcastQueued || b.Kind != models.BroadcastReminder || b.MessageKey != models.RemindListPosted {
				t.Fatalf("FireReminder = %+v, %v", b, err)
			}
			if again, err := s.FireReminder(ctx, due[1]); again != nil || err != nil {
				t.Fatalf("second FireReminder = %+v, %v; want nothing", again, err)
			}
			// Reload the same file: nothing changes; then a file that moves
			// the list reminder (fired: stays), the evening one, and drops
			// the morning one.
			before := dump(t, s, e.ID)
			if _, err := s.LoadElection(ctx, parse(t, []byte(base))); err != nil {
				t.Fatal(err)
			}
			if after := dump(t, s, e.ID); after != before {
				t.Fatalf("reload changed the schedule:\n%s\n%s", before, after)
			}
			changed := base + `
reminders:
  - {message: list_posted, offset: -5d}
  - {message: evening_before, day: -1, at: "18:00"}
`
			if _, err := s.LoadElection(ctx, parse(t, []byte(changed))); err != nil {
				t.Fatal(err)
			}
			rs, err := s.ElectionReminders(ctx, e.ID)
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]*models.Reminder{}
			for _, r := range rs {
				got[r.Key] = r
			}
			if r := got["list-posted"]; r == nil || r.Status != models.ReminderFired || !r.FireAt.Equal(local(2022, 5, 29, 7, 0)) || r.BroadcastID == nil || *r.BroadcastID != b.ID {
				t.Errorf("fired reminder after reload: %+v", r)
			}
			if r := got["evening-before"]; r == nil || r.Status != models.ReminderScheduled || !r.FireAt.Equal(local(2022, 6, 4, 18, 0)) {
				t.Errorf("evening-before after reload: %+v", r)
			}
			if got["morning-of"] != nil || got["meeting-notice"] != nil {
				t.Errorf("reminders left in the schedule after they left the file: %+v", rs)
			}
			if got["official-unreported"] == nil {
				t.Errorf("officials' reminders dropped")
			}
			var n int64
			s.DB(ctx).Model(&models.Broadcast{}).Count(&n)
			if n != 1 {
				t.Errorf("%d broadcasts, want 1", n)
			}
		})
	}
}

func dump(t *testing.T, s *models.Store, electionID int64) string {
	t.Helper()
	rs, err := s.ElectionReminders(context.Background(), electionID)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, r := range rs {
		b.WriteString(r.Key + " " + r.Status + " " + r.FireAt.UTC().Format(time.RFC3339) + " " + r.UpdatedAt.UTC().Format(time.RFC3339Nano) + "\n")
	}
	return b.String()
}

func TestRemindersMissedAndRearmed(t *testing.T) {
	s := testdb.SQLite(t)
	ctx := context.Background()
	now := local(2022, 6, 4, 20, 0)
	s.Now = func() time.Time { return now }
	if _, err := s.LoadElectionFile(ctx, demoFile); err != nil {
		t.Fatal(err)
	}
	due, err := s.DueReminders(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range due {
		if err := s.MissReminder(ctx, r.ID); err != nil {
			t.Fatal(err)
		}
	}
	// The election moves a week later: the missed reminders are ahead again.
	data := strings.Replace(string(readFile(t, demoFile)), "date: 2022-06-05", "date: 2022-06-19", 1)
	if _, err := s.LoadElection(ctx, parse(t, []byte(data))); err != nil {
		t.Fatal(err)
	}
	due, err = s.DueReminders(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(due) != 0 {
		t.Fatalf("due after the move: %+v", due)
	}
	e, _ := s.ElectionByCode(ctx, "ka-long-2022")
	rs, _ := s.ElectionReminders(ctx, e.ID)
	for _, r := range rs {
		if r.Status != models.ReminderScheduled {
			t.Errorf("%s is %s after the election moved ahead", r.Key, r.Status)
		}
	}
}
