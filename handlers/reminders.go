package handlers

import (
	"context"
	"strings"

	"electionbot/bot"
	"electionbot/models"
)

// ReminderStore is what the residents' subscription uses (/nhacnho, /stop,
// the offer after choosing an area). *models.Store satisfies it.
type ReminderStore interface {
	// Subscription is the contact's subscription, a new one if none.
	Subscription(ctx context.Context, contactID int64) (*models.Subscription, error)
	SaveSubscription(ctx context.Context, sub *models.Subscription) error
	ElectionReminders(ctx context.Context, electionID int64) ([]*models.Reminder, error)
}

var _ ReminderStore = (*models.Store)(nil)

// stopCommands stop everything unasked: reminders and announcements.
var stopCommands = map[string]bool{"stop": true, "dung": true, "huydangky": true, "unsubscribe": true}

// reminders is the residents' subscription to the election's reminders.
// Without a store (nil) it keeps only Contact.Reminders: no offer, no
// schedule.
type reminders struct {
	*turn
	store ReminderStore
}

// command is /nhacnho [bat|tat], the 🔔 button and "nhắc tôi trước ngày
// bầu": words that say on or off set it ("bat", "tat", "nhắc tôi",
// "remind me"); without them the state is shown with both buttons — never
// a toggle, which a second press would silently undo.
func (r *reminders) command(arg string) error {
	if on, said := onOff(arg); said {
		return r.set(on)
	}
	return r.state()
}

// onOff reads whether words turn reminders on or off; said is false when
// they say neither ("nhac nho", "/nhacnho").
func onOff(arg string) (on, said bool) {
	for _, w := range strings.Fields(models.Fold(arg)) {
		switch w {
		case "on", "bat", "subscribe", "yes", "toi", "me", "minh", "em":
			on, said = true, true
		case "off", "tat", "huy", "stop", "ngung", "dung", "unsubscribe", "no", "thoi":
			return false, true
		}
	}
	return on, said
}

// state says whether reminders are on, what is coming, and offers both
// buttons.
func (r *reminders) state() error {
	kb := &bot.Keyboard{Inline: true, Rows: [][]bot.Button{{
		{Text: r.tr("rem_btn_on", nil), Data: "rem:on"},
		{Text: r.tr("rem_btn_off", nil), Data: "rem:tat"},
	}}}
	if !r.c.Reminders {
		r.reply(r.tr("rem_state_off", nil), kb)
		return nil
	}
	_, data, err := r.onData()
	if err != nil {
		return err
	}
	r.reply(r.tr("rem_state_on", data), kb)
	return nil
}

// onData is what "reminders on" says: the contact's own area (reminders
// follow it, not a place visited) and what is coming.
func (r *reminders) onData() (*models.Area, map[string]any, error) {
	area, err := r.ownArea()
	if err != nil {
		return nil, nil, err
	}
	name := ""
	if area != nil {
		name = area.Name
	}
	next, err := r.next()
	if err != nil {
		return nil, nil, err
	}
	return area, map[string]any{"Area": name, "Next": next}, nil
}

// subscription changes the contact's subscription, saved when change says
// so; nothing without a store.
func (r *reminders) subscription(change func(sub *models.Subscription) bool) error {
	if r.store == nil {
		return nil
	}
	sub, err := r.store.Subscription(r.ctx, r.c.ID)
	if err != nil || !change(sub) {
		return err
	}
	return r.store.SaveSubscription(r.ctx, sub)
}

// set turns reminders on or off, says so, and with them on lists what is
// coming. Turning them on undoes /stop.
func (r *reminders) set(on bool) error {
	if on != r.c.Reminders {
		r.c.Reminders = on
		r.dirty = true
	}
	err := r.subscription(func(sub *models.Subscription) bool {
		changed := false
		if on && sub.StoppedAt != nil {
			sub.StoppedAt, changed = nil, true
		}
		if sub.OfferedAt == nil { // an explicit choice: no need to offer
			now := r.now().UTC()
			sub.OfferedAt, changed = &now, true
		}
		return changed
	})
	if err != nil {
		return err
	}
	if !on {
		r.reply(r.tr("rem_off", nil), r.menu())
		return nil
	}
	area, data, err := r.onData()
	if err != nil {
		return err
	}
	r.reply(r.tr("rem_on", data), r.menu())
	if area == nil {
		if el, err := r.election(); err != nil || el == nil {
			return err
		}
		r.out[len(r.out)-1].Keyboard = nil
		return r.askArea("rem_ask_area", "")
	}
	return nil
}

// next lists the residents' reminders still to come, one a line ("•
// 29/05 07:00 — danh sách cử tri được niêm yết"); "" without a store or
// when nothing is left.
func (r *reminders) next() (string, error) {
	if r.store == nil {
		return "", nil
	}
	el, err := r.election()
	if err != nil || el == nil {
		return "", err
	}
	all, err := r.store.ElectionReminders(r.ctx, el.ID)
	if err != nil {
		return "", err
	}
	now := r.now()
	var lines []string
	for _, rm := range all {
		if rm.Audience != models.AudienceSubscribers || rm.Status != models.ReminderScheduled || !rm.FireAt.After(now) {
			continue
		}
		lines = append(lines, r.tr("rem_next_line", map[string]any{
			"When": rm.FireAt.In(el.Location()).Format("02/01 15:04"),
			"What": r.tr("rem_what_"+rm.MessageKey, nil),
		}))
	}
	return strings.Join(lines, "\n"), nil
}

// offer asks once, after a resident chose an area before the election,
// whether they want reminders (inline yes/no).
func (r *reminders) offer(a *models.Area) error {
	if r.store == nil || r.c.Reminders || r.in.Group {
		return nil
	}
	el, err := r.election()
	if err != nil || el == nil || !r.now().Before(el.OpensAt) {
		return err
	}
	sub, err := r.store.Subscription(r.ctx, r.c.ID)
	if err != nil || sub.OfferedAt != nil || sub.StoppedAt != nil {
		return err
	}
	now := r.now().UTC()
	sub.OfferedAt = &now
	if err := r.store.SaveSubscription(r.ctx, sub); err != nil {
		return err
	}
	r.reply(r.tr("rem_offer", map[string]any{"Area": a.Name}), &bot.Keyboard{Inline: true, Rows: [][]bot.Button{{
		{Text: r.tr("rem_btn_yes", nil), Data: "rem:on"},
		{Text: r.tr("rem_btn_no", nil), Data: "rem:off"},
	}}})
	return nil
}

// callback answers the buttons: "rem:on" (the offer's yes, the state's
// Bật), "rem:tat" (the state's Tắt), "rem:off" (the offer's no).
func (r *reminders) callback(rest string) error {
	switch rest {
	case "on":
		return r.set(true)
	case "tat":
		return r.set(false)
	}
	r.reply(r.tr("rem_declined", nil), r.menu())
	return nil
}

// stopAll is /stop: no reminders and no announcements any more, until
// /nhacnho bat.
func (r *reminders) stopAll() error {
	if r.c.Reminders {
		r.c.Reminders = false
		r.dirty = true
	}
	err := r.subscription(func(sub *models.Subscription) bool {
		now := r.now().UTC()
		sub.StoppedAt = &now
		if sub.OfferedAt == nil {
			sub.OfferedAt = &now
		}
		return true
	})
	if err != nil {
		return err
	}
	r.clearState()
	r.reply(r.tr("rem_stopped", nil), r.menu())
	return nil
}
