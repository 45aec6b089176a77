package models_test

import (
	"strings"
	"testing"
	"time"

	"electionbot/models"
)

// luatFile is a one-ward election under luat-10-2022 on Sunday 27 April
// 2025, polls 07:00–11:00, with the extra lines of the election: section.
func luatFile(extra string) string {
	return "election:\n  code: e\n  title: T\n  date: \"2025-04-27\"\n  opens: \"07:00\"\n  closes: \"11:00\"\n" +
		"  rules: luat-10-2022\n  method: secret\n" + extra +
		"ward:\n  code: w\n  name: Xã Hải Tiến\n  city: Móng Cái\n" +
		"areas:\n  - code: thon1\n    name: Thôn 1\n    households: 200\n    polling_place: {name: NVH}\n    candidates: [A]\n"
}

func officialSchedule(t *testing.T, data string) map[string]time.Time {
	t.Helper()
	f, err := models.ParseElectionFile([]byte(data))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]time.Time{}
	for _, r := range f.Schedule {
		if r.Audience == models.AudienceOfficials {
			got[strings.TrimPrefix(r.Key, "official-")] = r.FireAt.In(models.VietnamTime)
		}
	}
	return got
}

// TestOfficialReminders_ND59_2023_TimelineAndRecognitionWorkingDays: the
// default officials' schedule under luat-10-2022 is NĐ 59/2023's timeline
// (press summaries of Điều 6–8: plan ≥ 20 days, candidates' list ≥ 15, Tổ
// bầu cử ≥ 10, notices ≥ 7), each reminded at 08:00 the day before it is
// due; results reach the ward within 5 working days and the ward
// recognises them within 5 more, weekends and the file's holidays skipped.
func TestOfficialReminders_ND59_2023_TimelineAndRecognitionWorkingDays(t *testing.T) {
	base := map[string]time.Time{
		"plan":        local(2025, 4, 6, 8, 0),  // due Mon 07/04 (20 days before)
		"candidates":  local(2025, 4, 11, 8, 0), // due Sat 12/04 (15 days)
		"committee":   local(2025, 4, 16, 8, 0), // due Thu 17/04 (10 days)
		"list-posted": local(2025, 4, 19, 8, 0), // due Sun 20/04 (7 days, no text found)
		"notice":      local(2025, 4, 19, 8, 0), // due Sun 20/04 (7 days)
		"unreported":  local(2025, 4, 27, 12, 0),
	}
	check := func(name string, got, want map[string]time.Time) {
		t.Helper()
		if len(got) != len(want) {
			t.Errorf("%s: %d reminders %v, want %d", name, len(got), got, len(want))
		}
		for k, w := range want {
			if !got[k].Equal(w) {
				t.Errorf("%s: %s at %v, want %v", name, k, got[k], w)
			}
		}
	}
	// Weekends only: results due Fri 02/05 (Mon 28 … Fri 2), reminded Thu
	// 01/05; recognition due Fri 09/05, reminded Thu 08/05.
	want := map[string]time.Time{"results-due": local(2025, 5, 1, 8, 0), "recognition-due": local(2025, 5, 8, 8, 0)}
	for k, v := range base {
		want[k] = v
	}
	check("weekends", officialSchedule(t, luatFile("")), want)

	// With 30/4 and 1/5 as holidays: results due Tue 06/05, reminded Mon
	// 05/05 (not Sat or Sun); recognition due Tue 13/05, reminded Mon 12/05.
	want["results-due"], want["recognition-due"] = local(2025, 5, 5, 8, 0), local(2025, 5, 12, 8, 0)
	check("holidays", officialSchedule(t, luatFile("  holidays: [\"2025-04-30\", \"2025-05-01\"]\n")), want)

	// Configurable: a step set to 0 has no reminder, another moved.
	want = map[string]time.Time{"plan": local(2025, 4, 1, 8, 0), "candidates": local(2025, 4, 11, 8, 0),
		"list-posted": local(2025, 4, 19, 8, 0), "notice": local(2025, 4, 19, 8, 0), "unreported": local(2025, 4, 27, 12, 0),
		"results-due": local(2025, 5, 1, 8, 0), "recognition-due": local(2025, 5, 8, 8, 0)}
	check("configured", officialSchedule(t, luatFile("  plan_days: 25\n  committee_days: 0\n")), want)

	// Each default names its source; the 2008 regime keeps its two.
	for rules, steps := range models.Timelines {
		for _, st := range steps {
			if st.Source == "" || st.Days <= 0 {
				t.Errorf("%s %s: days %d, source %q", rules, st.Key, st.Days, st.Source)
			}
			if rules == models.RulesLuat2022 && st.Key != models.StepListPosted && !strings.Contains(st.Source, "NĐ 59/2023") {
				t.Errorf("%s %s: source %q", rules, st.Key, st.Source)
			}
		}
	}
	if models.TimelineDays(models.RulesNQLT2008, models.StepPlan) != 0 || models.TimelineDays(models.RulesNQLT2008, models.StepNotice) != 2 ||
		models.TimelineDays(models.RulesLuat2022, models.StepNotice) != 7 {
		t.Error("timeline defaults by regime")
	}
	for _, bad := range []string{"  holidays: [\"30/04/2025\"]\n", "  plan_days: -1\n"} {
		if _, err := models.ParseElectionFile([]byte(luatFile(bad))); err == nil {
			t.Errorf("%q: accepted", bad)
		}
	}
}
