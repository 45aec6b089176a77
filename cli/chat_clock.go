package cli

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"electionbot/bot/outbox"
	"electionbot/models"
)

// demoClock is the clock of `chat`: the machine's clock plus an offset, so
// that demo time runs at the normal pace from --now (the outbox paces its
// sends in it) and jumps forward on /gio. Everything in the chat reads it:
// the conversation, the store (reminders due, messages' times), the outbox
// and, through the store, the broadcasts.
//
// The offset is kept in channel_state, so that every chat process on one
// database lives at the same time: a process that moves the clock moves it
// for the others, which read it again as they run (refresh).
type demoClock struct {
	offset atomic.Int64 // demo time − machine time, in nanoseconds
	on     atomic.Bool  // a demo time was set (--now, here or by another process)
}

// clockKey is the offset's key in channel_state.
const clockKey = "clock"

var _ outbox.Clock = (*demoClock)(nil)

// Now is the demo time (the machine's time when no demo time is set).
func (d *demoClock) Now() time.Time { return time.Now().Add(time.Duration(d.offset.Load())) }

// Sleep waits d: demo time runs at the machine's pace.
func (d *demoClock) Sleep(ctx context.Context, dur time.Duration) error {
	return outbox.Sleep(ctx, dur)
}

// set makes t the demo time, for every chat process on the database.
func (d *demoClock) set(ctx context.Context, s *models.Store, t time.Time) error {
	off := t.Sub(time.Now())
	if err := s.SetChannelState(ctx, models.ChannelConsole, clockKey, strconv.FormatInt(int64(off), 10)); err != nil {
		return err
	}
	d.offset.Store(int64(off))
	d.on.Store(true)
	return nil
}

// refresh takes the demo time another process set.
func (d *demoClock) refresh(ctx context.Context, s *models.Store) error {
	v, err := s.ChannelState(ctx, models.ChannelConsole, clockKey)
	if err != nil || v == "" {
		return err
	}
	off, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return fmt.Errorf("chat: stored clock %q: %w", v, err)
	}
	d.offset.Store(off)
	d.on.Store(true)
	return nil
}

// follow refreshes the clock every interval until ctx is done.
func (d *demoClock) follow(ctx context.Context, s *models.Store, every time.Duration) {
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			_ = d.refresh(ctx, s) // a busy database: the next tick reads it
		}
	}
}

// parseDemoTime reads --now and /gio's absolute times: RFC 3339, or a
// local date and time in Vietnam ("2022-06-04 18:00", "2022-06-04T18:00").
func parseDemoTime(v string) (time.Time, error) {
	v = strings.TrimSpace(v)
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t, nil
	}
	for _, layout := range []string{"2006-01-02 15:04", "2006-01-02T15:04", "2006-01-02 15:04:05", "2006-01-02T15:04:05"} {
		if t, err := time.ParseInLocation(layout, v, models.VietnamTime); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%q: want RFC 3339 or YYYY-MM-DD HH:MM (Vietnam time)", v)
}

var errClockBack = errors.New("the demo clock only moves forward")

// clockTarget reads /gio's argument against the demo time now: an offset
// forward ("+1h", "+1d", "2h30m"), a clock time ("19:00": its next
// occurrence) or a date and time; it is never before now.
func clockTarget(arg string, now time.Time) (time.Time, error) {
	arg = strings.TrimSpace(arg)
	local := now.In(models.VietnamTime)
	if hm, err := time.Parse("15:04", arg); err == nil {
		t := time.Date(local.Year(), local.Month(), local.Day(), hm.Hour(), hm.Minute(), 0, 0, models.VietnamTime)
		if !t.After(now) {
			t = t.AddDate(0, 0, 1)
		}
		return t, nil
	}
	if t, err := parseDemoTime(arg); err == nil {
		if t.Before(now) {
			return t, errClockBack
		}
		return t, nil
	}
	d, err := models.ParseReminderOffset(arg)
	if err != nil {
		return time.Time{}, err
	}
	if d < 0 {
		return now.Add(d), errClockBack
	}
	return now.Add(d), nil
}

// ticker is what moving the clock needs of the broadcasts: a tick that
// fires the due reminders and sends the broadcasts on (broadcast.Broadcaster).
type ticker interface {
	Tick(ctx context.Context) error
}

// advance moves the demo clock forward to t. It stops at each reminder
// due on the way and ticks there, so that the reminder fires at its own
// time — as it would have had the clock run — rather than hours late
// (a reminder more than 6 hours late is marked missed). It returns how
// many reminders came due on the way.
func (d *demoClock) advance(ctx context.Context, s *models.Store, b ticker, t time.Time) (int, error) {
	due, err := s.DueRemindersAt(ctx, t, 100)
	if err != nil {
		return 0, err
	}
	fired := 0
	for _, r := range due {
		if r.FireAt.After(d.Now()) {
			if err := d.set(ctx, s, r.FireAt); err != nil {
				return fired, err
			}
			fired++
		}
		if err := b.Tick(ctx); err != nil {
			return fired, err
		}
	}
	// Never back, not even by the milliseconds the ticks took: a message
	// queued on the way would be due in the future.
	if t.After(d.Now()) {
		if err := d.set(ctx, s, t); err != nil {
			return fired, err
		}
	}
	return fired, b.Tick(ctx)
}
