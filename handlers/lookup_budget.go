package handlers

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"electionbot/models"
)

// Enumeration across accounts (issue 17, finding 3): the per-contact
// limit (LookupLimit per LookupWindow) let 30 accounts make 300 name
// lookups in 9 seconds, each hit revealing a masked name, a birth year, a
// household number and an area. Defence in depth, for name lookups (a
// lookup by phone is of the contact's own verified number):
//   - a new contact waits Cooldown before its first lookup (fresh
//     accounts cost the scraper time);
//   - an area answers at most Area name lookups per Window, and the whole
//     deployment Global: beyond them, lookups are refused until the
//     window moves on, and the admins of the ward concerned are told
//     once per window (with a log line);
//   - every lookup and refusal is counted by result
//     (electionbot_lookups_total{result}: Config.OnLookup).
// The budgets count the eligibility.lookup audit events in the shared
// database (at most two indexed counts a lookup), so they hold across
// replicas; they run on the conversation's injected clock.

// LookupBudget configures the defences above; a zero field is off.
type LookupBudget struct {
	Area     int           // name lookups of one area per Window (LOOKUP_AREA_BUDGET)
	Global   int           // name lookups of the deployment per Window (LOOKUP_GLOBAL_BUDGET)
	Window   time.Duration // LOOKUP_BUDGET_WINDOW [1h]
	Cooldown time.Duration // a new contact's wait before its first lookup (LOOKUP_COOLDOWN)
	// PendingTTL is how long a searched name waiting for the area or the
	// household number is kept (LOOKUP_PENDING_TTL) [5m].
	PendingTTL time.Duration
}

// Results counted by Config.OnLookup (the metric's result label).
const (
	LookupFound        = "found"         // a lookup with a match
	LookupNotFound     = "not_found"     // a lookup without
	LookupLimited      = "limited"       // refused: the contact's own limit
	LookupCooldown     = "cooldown"      // refused: a new contact
	LookupBudgetArea   = "budget_area"   // refused: the area's budget
	LookupBudgetGlobal = "budget_global" // refused: the deployment's budget
	LookupGroup        = "group"         // refused: asked in a group chat
)

// ActionLookupBudget is the audit action of a budget that tripped: one
// per budget and window, which is also how the admins are told once.
const ActionLookupBudget = "eligibility.budget"

// budgetStore is what the budgets read. *models.Store satisfies it; a
// LookupStore without it (the tests' fakes) has no budgets.
type budgetStore interface {
	CountActions(ctx context.Context, action, subject string, since time.Time) (int64, time.Time, error)
}

func (b *LookupBudget) defaults() {
	if b.Window <= 0 {
		b.Window = time.Hour
	}
	if b.PendingTTL <= 0 {
		b.PendingTTL = 5 * time.Minute
	}
}

// counted reports a lookup's result to Config.OnLookup.
func (l *lookup) counted(result string) {
	if l.conv.onLookup != nil {
		l.conv.onLookup(result)
	}
}

// admitPhone: a lookup by the contact's own phone, within the contact's
// limit; false when refused (and answered).
func (l *lookup) admitPhone() (refused bool, err error) {
	if l.in.Group {
		l.counted(LookupGroup)
		l.reply(l.tr("off_private_only", nil), nil)
		return true, nil
	}
	if refused, err = l.limited(); refused {
		l.counted(LookupLimited)
	}
	return refused, err
}

// admitName: a name lookup in area, past every defence; true when
// refused (and answered).
func (l *lookup) admitName(area *models.Area) (bool, error) {
	if refused, err := l.admitPhone(); refused || err != nil {
		return refused, err
	}
	b := l.conv.budget
	now := l.now()
	if b.Cooldown > 0 && l.c.Channel != models.ChannelConsole && now.Before(l.c.CreatedAt.Add(b.Cooldown)) {
		// The console is the operator's own terminal, not an account.
		l.counted(LookupCooldown)
		l.reply(l.tr("lookup_cooldown", map[string]any{
			"Minutes": int((b.Cooldown + time.Minute - 1) / time.Minute),
			"Time":    l.localMinute(l.c.CreatedAt.Add(b.Cooldown)),
		}), l.menu())
		return true, nil
	}
	bs, ok := l.store.(budgetStore)
	if !ok {
		return false, nil
	}
	since := now.Add(-b.Window)
	areaKey := fmt.Sprintf("area:%d", area.ID)
	for _, budget := range []struct {
		max                  int
		subject, key, result string // the lookups counted, the budget's audit subject
	}{
		{b.Area, areaKey, areaKey, LookupBudgetArea},
		{b.Global, "area:*", "global", LookupBudgetGlobal},
	} {
		if budget.max <= 0 {
			continue
		}
		n, oldest, err := bs.CountActions(l.ctx, ActionLookup, budget.subject, since)
		if err != nil {
			return false, err
		}
		if n < int64(budget.max) {
			continue
		}
		l.counted(budget.result)
		retry := l.localMinute(oldest.Add(b.Window))
		msg := "lookup_budget_area"
		if budget.result == LookupBudgetGlobal {
			msg = "lookup_budget_global"
		}
		l.reply(l.tr(msg, map[string]any{"Area": area.Name, "Place": placeName(area), "Time": retry}), l.menu())
		return true, l.tripped(bs, area, budget.key, budget.result, n, budget.max, since, retry)
	}
	return false, nil
}

// tripped tells the admins of the area's ward (and logs) that a budget is
// spent, once per budget and window: the first refusal records it.
func (l *lookup) tripped(bs budgetStore, area *models.Area, subject, result string, n int64, max int, since time.Time, retry string) error {
	if seen, _, err := bs.CountActions(l.ctx, ActionLookupBudget, subject, since); err != nil || seen > 0 {
		return err
	}
	if err := l.audit(l.store, ActionLookupBudget, subject, fmt.Sprintf("count=%d budget=%d window=%s", n, max, l.conv.budget.Window), false); err != nil {
		return err
	}
	slog.Warn("lookup budget spent: lookups refused until the window moves on",
		"budget", result, "subject", subject, "count", n, "max", max, "window", l.conv.budget.Window, "until", retry)
	if !l.officials.on() {
		return nil
	}
	admins, err := l.officials.admins()
	if err != nil {
		return err
	}
	msg := "lookup_budget_admin_area"
	if result == LookupBudgetGlobal {
		msg = "lookup_budget_admin_global"
	}
	data := map[string]any{"Area": area.Name, "Ward": l.wardName(), "Count": n, "Budget": max,
		"Minutes": int(l.conv.budget.Window / time.Minute), "Time": retry}
	for _, c := range admins {
		l.notice(c, func(lang string) string { return l.texts.tr(lang, msg, data) })
	}
	return nil
}

// localMinute is a time as the contact reads it (HH:MM in the election's
// time zone), rounded up to the minute so that it is never too early.
func (l *lookup) localMinute(at time.Time) string {
	if r := at.Truncate(time.Minute); !r.Equal(at) {
		at = r.Add(time.Minute)
	}
	loc := models.VietnamTime
	if el, _ := l.election(); el != nil {
		loc = el.Location()
	}
	return at.In(loc).Format("15:04")
}

// expireState forgets a stored state whose searched name has expired
// (Contact.StateExpiresAt), as if the sweep (models.ExpireStates) had run.
func (t *turn) expireState() {
	if e := t.c.StateExpiresAt; e != nil && !t.now().Before(*e) {
		t.setState(convState{})
		t.c.StateExpiresAt = nil
		t.dirty = true
	}
}

// stampState sets when the state's searched name expires: a state with
// a name query gets PendingTTL from the turn that stored it; one without
// none. before is the state the turn started with.
func (t *turn) stampState(before string) {
	var want *time.Time
	if t.st.Query != nil {
		if t.c.StateExpiresAt != nil && t.c.State == before {
			return // the same pending lookup: its time is not extended
		}
		e := t.now().Add(t.conv.budget.PendingTTL).UTC()
		want = &e
	}
	if (want == nil) != (t.c.StateExpiresAt == nil) || want != nil && !want.Equal(*t.c.StateExpiresAt) {
		t.c.StateExpiresAt = want
		t.dirty = true
	}
}
