package broadcast

// The households' cascade (issue 19, docs/design.md §4 "Reaching a
// household"): once a residents' broadcast has fanned out to the chat
// contacts, it goes over the households of its voter list page by page
// (cursor in broadcast_reach, one transaction a page like the contacts'
// fan-out). Each household gets one message, by the cheapest channel
// that works:
//
//   - its chat contact (the contact who shared the list's phone), when
//     that contact's message of this broadcast is on its way or sent;
//   - else ZNS to the list's phone, else SMS, else nothing: it is on the
//     door-to-door list (export unreached).
//
// Every channel tried is a row of the ledger (models.ReachAttempt), unique
// per (broadcast, household, channel), its outbox row's dedupe key
// hh:<broadcast>:<voter>:<channel>. A household moves to its next channel
// only when the outbox gave its message up (OnGiveUp, and the tick for
// what a crash left), in one transaction that closes the old row (only
// from queued: two movers never both go on) and queues the next: a
// household is never sent two messages of one broadcast, and a restart
// sends nothing twice beyond the outbox's own in-flight rule.
//
// Paid messages wait for the end of the quiet hours unless the broadcast
// is urgent (so do the chats' when households are reached); a broadcast's
// paid messages stop at its cost ceiling; ZNS out of quota (outbox
// Exhausted) stops ZNS for the rest of the broadcast, moves what waited
// for it to SMS and tells the admin who sent it.

import (
	"context"
	"errors"
	"fmt"
	"time"

	"electionbot/locales"
	"electionbot/models"
)

// HouseholdMessage is what a paid channel (ZNS, SMS) sends to a
// household: the text and, for a template, its parameters.
type HouseholdMessage struct {
	// ID is the message's idempotency and tracking key:
	// hh:<broadcast>:<voter>:<channel>.
	ID    string
	Phone string // 84…
	// Purpose is "reminder" or "notice" (an announcement): the template.
	Purpose string
	Text    string // the whole text, as a chat would show it
	// The election's facts, for a template's parameters (local time).
	Ward, Area, Date, Opens, Closes, Place, Address string
}

// Purposes of a household message.
const (
	PurposeNotice   = "notice"
	PurposeReminder = "reminder"
)

// HouseholdChannel turns a household message into the outbox payload of
// its channel (bot/zns's or bot/sms's Payload). An error skips that
// channel for that household (the next one is tried).
type HouseholdChannel interface {
	Encode(m HouseholdMessage) (string, error)
}

// HouseholdChannelFunc adapts a function to HouseholdChannel.
type HouseholdChannelFunc func(m HouseholdMessage) (string, error)

// Encode calls f.
func (f HouseholdChannelFunc) Encode(m HouseholdMessage) (string, error) { return f(m) }

// paidOrder is the order of the paid channels: the cheaper first.
var paidOrder = []string{models.ChannelZNS, models.ChannelSMS}

// RegisterHouseholdChannel makes households reachable on a paid channel
// (models.ChannelZNS or models.ChannelSMS), at Config.Reach's price.
// Register before the outbox starts.
func (b *Broadcaster) RegisterHouseholdChannel(name string, ch HouseholdChannel) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.paid == nil {
		b.paid = map[string]HouseholdChannel{}
	}
	b.paid[name] = ch
	switch name {
	case models.ChannelZNS:
		b.cfg.Reach.ZNS = true
	case models.ChannelSMS:
		b.cfg.Reach.SMS = true
	}
}

// Plan is the households' reach as configured: the channels registered,
// their prices, the ceiling, the quiet hours.
func (b *Broadcaster) Plan() models.ReachPlan {
	b.mu.RLock()
	defer b.mu.RUnlock()
	return b.cfg.Reach
}

func (b *Broadcaster) paidChannel(name string) (HouseholdChannel, bool) {
	b.mu.RLock()
	defer b.mu.RUnlock()
	ch, ok := b.paid[name]
	return ch, ok && ch != nil
}

// reachOn says whether bc goes to the households: some paid channel is
// registered and it is a residents' broadcast.
func (b *Broadcaster) reachOn(bc *models.Broadcast) bool {
	return b.Plan().Enabled() && models.ReachesHouseholds(bc)
}

// quietUntil is when a message of bc queued now may go: zero (now) for an
// urgent broadcast or outside the quiet hours.
func (b *Broadcaster) quietUntil(r *models.BroadcastReach) time.Time {
	if r != nil && r.Urgent {
		return time.Time{}
	}
	at, ok := b.Plan().Quiet.Until(b.store.Now())
	if !ok {
		return time.Time{}
	}
	return at.UTC()
}

// deferChats schedules a page of bc's chat messages for the end of the
// quiet hours, when bc goes to households and is not urgent.
func (b *Broadcaster) deferChats(ctx context.Context, bc *models.Broadcast, msgs []*models.OutboxMessage) error {
	if !b.reachOn(bc) || len(msgs) == 0 {
		return nil
	}
	r, err := b.store.BroadcastReach(ctx, bc.ID)
	if err != nil {
		return err
	}
	if at := b.quietUntil(r); !at.IsZero() {
		for _, m := range msgs {
			m.NextAttemptAt = at
		}
	}
	return nil
}

// advanceHouseholds moves bc's households on once a tick, after its
// contacts' fan-out: the households whose message was given up go to
// their next channel, the next pages are fanned out (up to the limit
// ahead). busy is false when every household has its final outcome.
func (b *Broadcaster) advanceHouseholds(ctx context.Context, bc *models.Broadcast) (busy bool, err error) {
	if !b.reachOn(bc) {
		return false, nil
	}
	r, err := b.store.BroadcastReach(ctx, bc.ID)
	if err != nil {
		return false, err
	}
	var rc *renderCtx
	render := func() (*renderCtx, error) {
		if rc == nil {
			rc, err = b.renderContext(ctx, bc)
		}
		return rc, err
	}
	for {
		gone, err := b.store.GivenUpReach(ctx, bc.ID, 500)
		if err != nil || len(gone) == 0 {
			if err != nil {
				return false, err
			}
			break
		}
		if _, err := render(); err != nil {
			return false, err
		}
		if err := b.moveOn(ctx, bc, r, rc, gone); err != nil {
			return false, err
		}
		if len(gone) < 500 {
			break
		}
	}
	pending, err := b.store.SettleReach(ctx, bc.ID)
	if err != nil {
		return false, err
	}
	ahead := max(b.cfg.PageSize, int(b.out.Rate()*b.cfg.Ahead.Seconds()))
	budget := time.Now().Add(max(b.cfg.Tick, 10*time.Second))
	for !r.FannedOut && pending < ahead && time.Now().Before(budget) {
		if _, err := render(); err != nil {
			return false, err
		}
		n, err := b.fanOutHouseholds(ctx, bc, r, rc)
		if err != nil {
			return false, err
		}
		pending += n
	}
	return !r.FannedOut || pending > 0, nil
}

var errReachTaken = errors.New("household page taken by another worker")

// fanOutHouseholds gives the next page of bc's households their first
// channel, in one transaction with the cursor; it returns the messages
// queued.
func (b *Broadcaster) fanOutHouseholds(ctx context.Context, bc *models.Broadcast, r *models.BroadcastReach, rc *renderCtx) (int, error) {
	hs, err := b.store.ReachHouseholds(ctx, bc, r.VoterCursor, b.cfg.PageSize)
	if err != nil {
		return 0, err
	}
	if len(hs) == 0 {
		ok, err := b.store.AdvanceReach(ctx, bc.ID, r.VoterCursor, r.VoterCursor, true)
		if err != nil {
			return 0, err
		}
		if !ok {
			return 0, b.reloadReach(ctx, r)
		}
		r.FannedOut = true
		b.log.Info("broadcast: households fanned out", "broadcast", bc.ID)
		return 0, nil
	}
	last := hs[len(hs)-1].Voter.ID
	queued := 0
	err = b.store.InTx(ctx, func(tx *models.Store) error {
		ok, err := tx.AdvanceReach(ctx, bc.ID, r.VoterCursor, last, false)
		if err != nil {
			return err
		}
		if !ok {
			return errReachTaken
		}
		p, err := b.newPage(ctx, tx, bc, r, rc)
		if err != nil {
			return err
		}
		for _, h := range hs {
			b.firstChannel(p, h)
		}
		queued = len(p.msgs)
		return p.commit()
	})
	if errors.Is(err, errReachTaken) {
		return 0, b.reloadReach(ctx, r)
	}
	if err != nil {
		return 0, err
	}
	r.VoterCursor = last
	return queued, nil
}

func (b *Broadcaster) reloadReach(ctx context.Context, r *models.BroadcastReach) error {
	fresh, err := b.store.BroadcastReach(ctx, r.BroadcastID)
	if err != nil {
		return err
	}
	*r = *fresh
	return nil
}

// firstChannel is a household's first ledger rows: its chat when its
// contact's message is on its way (or sent), else the first paid channel
// that can take it.
func (b *Broadcaster) firstChannel(p *reachPage, h *models.Household) {
	v := h.Voter
	row := func(channel, outcome, reason string) *models.ReachAttempt {
		return &models.ReachAttempt{BroadcastID: p.bc.ID, VoterID: v.ID, AreaID: v.AreaID, Channel: channel,
			Outcome: outcome, Reason: reason}
	}
	switch {
	case h.OptedOut:
		p.attempts = append(p.attempts, row(models.ReachNone, models.ReachOptedOut, "stop"))
		return
	case p.bc.Kind == models.BroadcastReminder && h.Contact != nil && h.NoReminders:
		p.attempts = append(p.attempts, row(models.ReachNone, models.ReachOptedOut, "reminders off"))
		return
	}
	if c := h.Contact; c != nil && h.OutboxID != nil {
		a := row(c.Channel, models.ReachQueued, "")
		a.OutboxID = h.OutboxID
		switch h.OutboxStatus {
		case models.OutboxSent:
			a.Outcome = models.ReachSent
		case models.OutboxUnreachable:
			a.Outcome, a.Reason = models.ReachUnreachable, "unreachable"
		case models.OutboxFailed:
			a.Outcome, a.Reason = models.ReachFailed, "failed"
		}
		p.attempts = append(p.attempts, a)
		if a.Outcome == models.ReachQueued || a.Outcome == models.ReachSent {
			return
		}
	}
	b.paidChannelFrom(p, v, h.Phone, 0)
}

// reachReport tells whoever started a finished broadcast how its
// households were reached.
func (b *Broadcaster) reachReport(ctx context.Context, bc *models.Broadcast) error {
	if !b.reachOn(bc) {
		return nil
	}
	areas, err := b.store.ReachByArea(ctx, bc.ID)
	if err != nil || len(areas) == 0 {
		return err
	}
	t := models.SumReach(areas)
	return b.notify(ctx, bc, "reach", func(lang string) string {
		n := func(v int) string { return locales.Number(lang, v) }
		return b.tr(lang, "reach_report", map[string]any{"ID": bc.ID,
			"Reached": n(t.Reached), "Households": n(t.Households),
			"Chat": n(t.ByChannel[models.ChannelTelegram] + t.ByChannel[models.ChannelZalo] + t.ByChannel[models.ChannelConsole]),
			"ZNS":  n(t.ByChannel[models.ChannelZNS]), "SMS": n(t.ByChannel[models.ChannelSMS]),
			"NotReached": n(t.NotReached()), "OptedOut": t.OptedOut, "Cost": n(int(t.CostVND))})
	})
}

// householdText is a broadcast's text for a household without a chat, in
// the default language; false when it has none (a reminder of an area
// that is not the election's).
func (b *Broadcaster) householdText(rc *renderCtx, bc *models.Broadcast, v *models.Voter) (HouseholdMessage, bool) {
	area := v.AreaID
	text, ok := b.render(rc, bc, &models.Contact{Lang: b.cfg.DefaultLang, AreaID: &area})
	if !ok {
		return HouseholdMessage{}, false
	}
	m := HouseholdMessage{Purpose: PurposeNotice, Text: text}
	if bc.Kind == models.BroadcastReminder {
		m.Purpose = PurposeReminder
	}
	e := rc.e
	loc := e.Location()
	m.Date = e.Day().Format("02/01/2006")
	m.Opens, m.Closes = e.OpensAt.In(loc).Format("15:04"), e.ClosesAt.In(loc).Format("15:04")
	if a := rc.areas[v.AreaID]; a != nil {
		m.Area = a.Name
		if a.Ward != nil {
			m.Ward = a.Ward.Name
		}
		if a.PollingPlace != nil {
			m.Place, m.Address = a.PollingPlace.Name, a.PollingPlace.Address
		}
	}
	return m, true
}

// reachDedupeKey is the outbox dedupe key of a household's message on a
// channel in a broadcast.
func reachDedupeKey(bcID, voterID int64, channel string) string {
	return fmt.Sprintf("hh:%d:%d:%s", bcID, voterID, channel)
}
