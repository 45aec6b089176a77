package cli

import (
	"context"
	"log/slog"
	"strings"
	"time"

	"golang.org/x/time/rate"

	"electionbot/bot"
	"electionbot/bot/console"
	"electionbot/bot/intake"
	"electionbot/bot/outbox"
	"electionbot/broadcast"
	"electionbot/models"
)

// chatSession is serve's sending side, run inside `chat` for the console
// channel: the outbox, the broadcasts and reminders on it, and the
// console's intake. Announcements and reminders so really arrive, at the
// console contacts they are addressed to, in whichever chat process shows
// that contact (console/wire.go).
//
// Only on a demo database (--demo, --demo-city), which no serve shares,
// does it run the workers (River, the broadcasts' tick) and move the
// clock. On a real DATABASE_URL, serve sends the broadcasts and reminders:
// a chat must not take serve's jobs (it has no Telegram or Zalo sender),
// nor fire a reminder early on its --now clock, nor skip the Telegram
// contacts of a broadcast as "channel not served". There the console's
// messages go by the outbox's fast path only, right after each line.
type chatSession struct {
	store      *models.Store
	clock      *demoClock
	outbox     *outbox.Outbox
	broadcasts *broadcast.Broadcaster // nil without workers
	intake     *intake.Intake
	log        *slog.Logger
}

// The chat's timing: a terminal has no provider limits, and a newcomer
// should not wait for an announcement.
const (
	chatRate      = 1000                   // messages a second, all console chats
	chatJobPoll   = 100 * time.Millisecond // River's look for jobs
	chatTick      = time.Second            // broadcasts advanced, reminders fired
	chatStopAfter = 10 * time.Second       // the outbox's last sends at the end
)

// newChatSession wires the console channel; workers: the demo database's
// broadcasts and reminders are run here too.
func newChatSession(ctx context.Context, cfg *Config, s *models.Store, clock *demoClock, h bot.Handler, workers bool) (*chatSession, error) {
	log := slog.Default()
	oc := outbox.Config{
		Store: s, Rate: chatRate, Clock: clock, Logger: log,
		ChatLimit:         func(string) (rate.Limit, int) { return rate.Inf, 1 },
		FetchPollInterval: chatJobPoll,
	}
	var bc *broadcast.Broadcaster
	if workers {
		var err error
		if bc, err = broadcast.New(broadcast.Config{Store: s, DefaultLang: cfg.DefaultLang, Tick: chatTick, Logger: log}); err != nil {
			return nil, err
		}
		oc.Jobs = bc.Jobs()
	}
	ob, err := outbox.New(ctx, oc)
	if err != nil {
		return nil, err
	}
	ob.Register(models.ChannelConsole, console.Sender())
	if bc != nil {
		bc.Connect(ob)
		bc.RegisterChannel(models.ChannelConsole, console.BroadcastChannel{})
	}
	// Replies to contacts of other channels (Telegram admins told of a
	// grant) find no route here: dropped and logged, as serve drops those
	// of a channel it does not run.
	it, err := intake.New(intake.Config{
		Channel: models.ChannelConsole, Store: s, Handler: h, Outbox: ob,
		Encode: console.Encode, Routes: intake.NewRoutes(), Logger: log,
	})
	if err != nil {
		return nil, err
	}
	return &chatSession{store: s, clock: clock, outbox: ob, broadcasts: bc, intake: it, log: log}, nil
}

// start runs the workers, if any.
func (cs *chatSession) start(ctx context.Context) error {
	if cs.broadcasts == nil {
		return nil
	}
	return cs.outbox.Start(ctx)
}

// stop lets the outbox finish what it is sending, for a while (a River
// that did not start stops at once).
func (cs *chatSession) stop() {
	ctx, cancel := context.WithTimeout(context.Background(), chatStopAfter)
	defer cancel()
	if err := cs.outbox.Stop(ctx); err != nil {
		cs.log.Warn("chat: stop outbox", "err", err)
	}
}

// settled tells, at the end of a session, whether what it started is
// done: no broadcast in progress and no console message left to send. It
// ticks the broadcasts on meanwhile (as River does every chatTick), so
// that a scripted admin's announcement is sent, and reported, before the
// process exits.
func (cs *chatSession) settled(ctx context.Context) (bool, error) {
	if cs.broadcasts != nil {
		if err := cs.broadcasts.Tick(ctx); err != nil {
			return false, err
		}
		active, err := cs.store.ActiveBroadcasts(ctx)
		if err != nil || len(active) > 0 {
			return false, err
		}
	}
	if err := cs.deliverDue(ctx); err != nil {
		return false, err
	}
	unsent, err := cs.store.DueOutbox(ctx, cs.clock.Now().Add(time.Hour), 100)
	if err != nil {
		return false, err
	}
	for _, m := range unsent {
		if m.Channel == models.ChannelConsole {
			return false, nil
		}
	}
	return true, nil
}

// deliverDue sends the console messages due by this process's clock. After
// the clock moved, another chat process may not have read the new time
// yet: a message queued here at the new time is in its future, and its
// River job, run there, would wait for that time in real time (an hour,
// for /gio +1h). The process that moved the clock sends them itself; the
// claims keep each message sent once.
func (cs *chatSession) deliverDue(ctx context.Context) error {
	due, err := cs.store.DueOutbox(ctx, cs.clock.Now(), 500)
	if err != nil {
		return err
	}
	var ids []int64
	for _, m := range due {
		if m.Channel == models.ChannelConsole {
			ids = append(ids, m.ID)
		}
	}
	_, err = cs.outbox.Deliver(ctx, ids)
	return err
}

// clockCommand is the console's own command that moves the demo clock:
// /gio (or /now) +1h, +1d, 19:00, 2022-06-05 06:30. Reminders due on the
// way fire at their time and arrive at the contacts who asked for them.
func (cs *chatSession) clockCommand(text func(lang, id string, data map[string]any) string) func(ctx context.Context, lang, line string) (string, bool) {
	return func(ctx context.Context, lang, line string) (string, bool) {
		fields := strings.Fields(line)
		if len(fields) == 0 || (!strings.EqualFold(fields[0], "/gio") && !strings.EqualFold(fields[0], "/now")) {
			return "", false
		}
		cmd, arg := fields[0], strings.TrimSpace(strings.TrimPrefix(line, fields[0]))
		if !cs.clock.on.Load() || cs.broadcasts == nil {
			return text(lang, "console_clock_off", nil), true
		}
		now := cs.clock.Now()
		when := func(t time.Time) string { return demoTimeText(text, lang, t) }
		if arg == "" {
			return text(lang, "console_clock_now", map[string]any{"Time": when(now), "Cmd": cmd}), true
		}
		t, err := clockTarget(arg, now)
		switch {
		case err == errClockBack:
			return text(lang, "console_clock_back", map[string]any{"Time": when(t), "Now": when(now)}), true
		case err != nil:
			return text(lang, "console_clock_bad", map[string]any{"Arg": arg, "Cmd": cmd}), true
		}
		fired, err := cs.clock.advance(ctx, cs.store, cs.broadcasts, t)
		if err == nil {
			err = cs.deliverDue(ctx)
		}
		if err != nil {
			cs.log.Error("chat: move the clock", "to", t, "err", err)
			return "[" + models.ErrorCode(err) + "] " + models.ErrorMessage(err), true
		}
		return text(lang, "console_clock_moved", map[string]any{"Time": when(cs.clock.Now()), "Fired": fired}), true
	}
}
