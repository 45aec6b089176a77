package cli

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"electionbot/demo"
	"electionbot/internal/testdb"
	"electionbot/models"
)

func vn(y int, mo time.Month, d, h, mi int) time.Time {
	return time.Date(y, mo, d, h, mi, 0, 0, models.VietnamTime)
}

func TestParseDemoTime(t *testing.T) {
	for in, want := range map[string]time.Time{
		"2022-06-04 18:00":          vn(2022, 6, 4, 18, 0),
		"2022-06-04T18:00":          vn(2022, 6, 4, 18, 0),
		" 2022-06-04 18:00:00 ":     vn(2022, 6, 4, 18, 0),
		"2022-06-04T11:00:00Z":      vn(2022, 6, 4, 18, 0),
		"2022-06-04T18:00:00+07:00": vn(2022, 6, 4, 18, 0),
	} {
		got, err := parseDemoTime(in)
		if err != nil || !got.Equal(want) {
			t.Errorf("parseDemoTime(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "tomorrow", "04/06/2022 18:00", "2022-06-04"} {
		if _, err := parseDemoTime(bad); err == nil {
			t.Errorf("parseDemoTime(%q): no error", bad)
		}
	}
}

func TestClockTarget(t *testing.T) {
	now := vn(2022, 6, 4, 18, 0)
	for _, tc := range []struct {
		arg  string
		want time.Time
		err  error
	}{
		{"+1h", vn(2022, 6, 4, 19, 0), nil},
		{"+1d", vn(2022, 6, 5, 18, 0), nil},
		{"1d12h30m", vn(2022, 6, 6, 6, 30), nil},
		{"19:00", vn(2022, 6, 4, 19, 0), nil},
		{"06:30", vn(2022, 6, 5, 6, 30), nil}, // the next 06:30
		{"18:00", vn(2022, 6, 5, 18, 0), nil}, // not now: tomorrow's
		{"2022-06-05 06:30", vn(2022, 6, 5, 6, 30), nil},
		{"2022-06-03 06:30", vn(2022, 6, 3, 6, 30), errClockBack},
		{"-1h", vn(2022, 6, 4, 17, 0), errClockBack},
	} {
		got, err := clockTarget(tc.arg, now)
		if !errors.Is(err, tc.err) || !got.Equal(tc.want) {
			t.Errorf("clockTarget(%q) = %v, %v; want %v, %v", tc.arg, got, err, tc.want, tc.err)
		}
	}
	for _, bad := range []string{"abc", "+1y", "25:00", "+"} {
		if _, err := clockTarget(bad, now); err == nil || errors.Is(err, errClockBack) {
			t.Errorf("clockTarget(%q): %v", bad, err)
		}
	}
}

// tickLog records the demo time of each tick.
type tickLog struct {
	clock *demoClock
	at    []time.Time
}

func (l *tickLog) Tick(context.Context) error {
	l.at = append(l.at, l.clock.Now())
	return nil
}

// Moving the clock a day ahead stops at each reminder on the way, so
// that each fires at its own time (a reminder 6 hours late is missed);
// the clock is shared through the database and never goes back.
func TestClockAdvanceStopsAtEachReminder(t *testing.T) {
	s := testdb.SQLite(t)
	ctx := context.Background()
	d := &demoClock{}
	if err := d.set(ctx, s, vn(2022, 6, 4, 18, 0)); err != nil {
		t.Fatal(err)
	}
	s.Now = d.Now
	if err := demo.Load(ctx, s); err != nil {
		t.Fatal(err)
	}
	ticks := &tickLog{clock: d}
	fired, err := d.advance(ctx, s, ticks, vn(2022, 6, 5, 18, 0))
	if err != nil {
		t.Fatal(err)
	}
	// The reminders already late at 18:00 (list posted, notices) tick
	// where they are; then 19:00, 06:30, 12:00 and the target.
	var got []string
	for _, at := range ticks.at {
		got = append(got, at.In(models.VietnamTime).Format("02 15:04"))
	}
	if fired != 3 || !strings.HasSuffix(strings.Join(got, " "), "04 19:00 05 06:30 05 12:00 05 18:00") {
		t.Errorf("fired %d; ticks at %v", fired, got)
	}
	other := &demoClock{}
	if err := other.refresh(ctx, s); err != nil {
		t.Fatal(err)
	}
	if !other.on.Load() || other.Now().Sub(vn(2022, 6, 5, 18, 0)).Abs() > time.Minute {
		t.Errorf("another process reads %v", other.Now())
	}
}
