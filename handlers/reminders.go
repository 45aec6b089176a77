package handlers

import (
	"context"
	"strings"

	"electionbot/bot"
	"electionbot/models"
)

// ReminderStore is what the residents' subscription uses (/nhacnho, /stop,
// the offer after choosing an area). *models.Store satisfies it; a Store
// that does not (the residents' test fakes) keeps only Contact.Reminders.
type ReminderStore interface {
	Subscription(ctx context.Context, contactID int64) (*models.Subscription, error)
	SaveSubscription(ctx context.Context, sub *models.Subscription) error
	ElectionReminders(ctx context.Context, electionID int64) ([]*models.Reminder, error)
}

var _ ReminderStore = (*models.Store)(nil)

func (t *turn) remStore() ReminderStore {
	rs, _ := t.h.store.(ReminderStore)
	return rs
}

// reminders is /nhacnho [bat|tat], the 🔔 button and "nhắc tôi trước ngày
// bầu": without a word saying on or off, the command toggles; any other
// words turn reminders on unless they say off.
func (t *turn) reminders(arg string) error {
	on := !t.c.Reminders
	if strings.TrimSpace(arg) != "" {
		on = true
	}
	for _, w := range strings.Fields(models.Fold(arg)) {
		switch w {
		case "on", "bat", "subscribe", "co", "yes":
			on = true
		case "off", "tat", "huy", "stop", "ngung", "dung", "unsubscribe", "khong", "no":
			on = false
		}
	}
	return t.setReminders(on)
}

// setReminders turns reminders on or off, says so, and with them on lists
// what is coming. Turning them on undoes /stop.
func (t *turn) setReminders(on bool) error {
	if on != t.c.Reminders {
		t.c.Reminders = on
		t.dirty = true
	}
	if rs := t.remStore(); rs != nil {
		sub, err := rs.Subscription(t.ctx, t.c.ID)
		if err != nil {
			return err
		}
		changed := false
		if on && sub.StoppedAt != nil {
			sub.StoppedAt, changed = nil, true
		}
		if sub.OfferedAt == nil { // an explicit choice: no need to offer
			now := t.h.now().UTC()
			sub.OfferedAt, changed = &now, true
		}
		if changed {
			if err := rs.SaveSubscription(t.ctx, sub); err != nil {
				return err
			}
		}
	}
	if !on {
		t.reply(t.tr("rem_off", nil), t.menu())
		return nil
	}
	area, err := t.myArea()
	if err != nil {
		return err
	}
	name := ""
	if area != nil {
		name = area.Name
	}
	next, err := t.nextReminders()
	if err != nil {
		return err
	}
	t.reply(t.tr("rem_on", map[string]any{"Area": name, "Next": next}), t.menu())
	if area == nil {
		if el, err := t.election(); err != nil || el == nil {
			return err
		}
		t.out[len(t.out)-1].Keyboard = nil
		return t.askArea("rem_ask_area", "")
	}
	return nil
}

// nextReminders lists the residents' reminders still to come, one a line
// ("• 29/05 07:00 — danh sách cử tri được niêm yết"); "" when the store
// keeps no schedule or nothing is left.
func (t *turn) nextReminders() (string, error) {
	rs := t.remStore()
	if rs == nil {
		return "", nil
	}
	el, err := t.election()
	if err != nil || el == nil {
		return "", err
	}
	all, err := rs.ElectionReminders(t.ctx, el.ID)
	if err != nil {
		return "", err
	}
	now := t.h.now()
	var lines []string
	for _, r := range all {
		if r.Audience != models.AudienceSubscribers || r.Status != models.ReminderScheduled || !r.FireAt.After(now) {
			continue
		}
		lines = append(lines, t.tr("rem_next_line", map[string]any{
			"When": r.FireAt.In(el.Location()).Format("02/01 15:04"),
			"What": t.tr("rem_what_"+r.MessageKey, nil),
		}))
	}
	return strings.Join(lines, "\n"), nil
}

// offerReminders asks once, after a resident chose an area before the
// election, whether they want reminders (inline yes/no).
func (t *turn) offerReminders(a *models.Area) error {
	rs := t.remStore()
	if rs == nil || t.c.Reminders || t.in.Group {
		return nil
	}
	el, err := t.election()
	if err != nil || el == nil || !t.h.now().Before(el.OpensAt) {
		return err
	}
	sub, err := rs.Subscription(t.ctx, t.c.ID)
	if err != nil || sub.OfferedAt != nil || sub.StoppedAt != nil {
		return err
	}
	now := t.h.now().UTC()
	sub.OfferedAt = &now
	if err := rs.SaveSubscription(t.ctx, sub); err != nil {
		return err
	}
	t.reply(t.tr("rem_offer", map[string]any{"Area": a.Name}), &bot.Keyboard{Inline: true, Rows: [][]bot.Button{{
		{Text: t.tr("rem_btn_yes", nil), Data: "rem:on"},
		{Text: t.tr("rem_btn_no", nil), Data: "rem:off"},
	}}})
	return nil
}

// reminderCallback answers the offer's buttons.
func (t *turn) reminderCallback(rest string) error {
	if rest == "on" {
		return t.setReminders(true)
	}
	t.reply(t.tr("rem_declined", nil), t.menu())
	return nil
}

// stopAll is /stop: no reminders and no announcements any more, until
// /nhacnho bat.
func (t *turn) stopAll() error {
	if t.c.Reminders {
		t.c.Reminders = false
		t.dirty = true
	}
	if rs := t.remStore(); rs != nil {
		sub, err := rs.Subscription(t.ctx, t.c.ID)
		if err != nil {
			return err
		}
		now := t.h.now().UTC()
		sub.StoppedAt = &now
		if sub.OfferedAt == nil {
			sub.OfferedAt = &now
		}
		if err := rs.SaveSubscription(t.ctx, sub); err != nil {
			return err
		}
	}
	t.clearState()
	t.reply(t.tr("rem_stopped", nil), t.menu())
	return nil
}
