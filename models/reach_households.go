package models

// The households of a broadcast as the cascade takes them, page by page:
// each with its phone, its chat contact (the contact who shared that
// phone) and that contact's delivery in the broadcast, and whether the
// household said no more. And the opt-outs themselves.

import (
	"context"
	"time"

	"gorm.io/gorm/clause"
)

// Household is one household of the voter list (its representative's
// row) as the cascade sees it in one broadcast.
type Household struct {
	Voter *Voter
	Phone string // 84… form; "" without a usable phone
	// Contact is the household's chat contact (its shared phone is the
	// list's), nil when none; OutboxID and OutboxStatus are that
	// contact's message in this broadcast, nil/"" when it has none.
	Contact      *Contact
	OutboxID     *int64
	OutboxStatus string
	// OptedOut: the household said STOP to an SMS, or its contact /stop.
	OptedOut bool
	// NoReminders: its contact turned the reminders off.
	NoReminders bool
}

// HouseholdOptOut is a phone whose household gets nothing more unasked,
// on any channel: STOP / TU CHOI to an SMS, /stop on a chat.
type HouseholdOptOut struct {
	Phone  string `gorm:"primaryKey"` // E.164
	Source string // sms, chat
	At     time.Time
}

// TableName is household_optouts.
func (HouseholdOptOut) TableName() string { return "household_optouts" }

// OptOutHousehold records that the household of a phone (any form) wants
// nothing more; source says where it said so.
func (s Broadcasts) OptOutHousehold(ctx context.Context, phone, source string) error {
	e164, err := NormalizePhone(phone)
	if err != nil {
		return err
	}
	err = s.DB(ctx).Clauses(clause.OnConflict{DoNothing: true}).
		Create(&HouseholdOptOut{Phone: e164, Source: source, At: s.now().UTC()}).Error
	if err != nil {
		return Wrap(EINTERNAL, err, "opt-out of %s", MaskPhone(e164))
	}
	return s.Audit(ctx, &AuditEvent{Action: "household.optout", Subject: MaskPhone(e164), Detail: "source=" + source, OK: true})
}

// ReachHouseholds returns up to limit households of a broadcast's scope
// after voter id after, in id order (the cascade's pages).
func (s Broadcasts) ReachHouseholds(ctx context.Context, b *Broadcast, after int64, limit int) ([]*Household, error) {
	areas, err := s.reachScope(ctx, b)
	if err != nil || len(areas) == 0 {
		return nil, err
	}
	var vs []*Voter
	if err := s.DB(ctx).Where("area_id IN ? AND id > ?", areas, after).Order("id").Limit(limit).Find(&vs).Error; err != nil {
		return nil, Wrap(EINTERNAL, err, "households of broadcast %d", b.ID)
	}
	hs := make([]*Household, len(vs))
	var phones []string
	for i, v := range vs {
		hs[i] = &Household{Voter: v}
		if v.Phone != nil && *v.Phone != "" {
			hs[i].Phone, _ = Phone84(*v.Phone)
			phones = append(phones, *v.Phone)
		}
	}
	if len(phones) == 0 {
		return hs, nil
	}
	contacts, err := s.phoneContacts(ctx, b.ID, phones)
	if err != nil {
		return nil, err
	}
	var out []string
	if err := s.DB(ctx).Model(&HouseholdOptOut{}).Where("phone IN ?", phones).Pluck("phone", &out).Error; err != nil {
		return nil, Wrap(EINTERNAL, err, "opt-outs")
	}
	stopped := map[string]bool{}
	for _, p := range out {
		stopped[p] = true
	}
	for _, h := range hs {
		if h.Voter.Phone == nil {
			continue
		}
		p := *h.Voter.Phone
		h.OptedOut = stopped[p]
		if pc := contacts[p]; pc != nil {
			h.Contact, h.OutboxID, h.OutboxStatus = pc.c, pc.outboxID, pc.status
			h.OptedOut = h.OptedOut || pc.stopped
			h.NoReminders = !pc.c.Reminders
		}
	}
	return hs, nil
}

type phoneContact struct {
	c        *Contact
	outboxID *int64
	status   string
	stopped  bool
}

// phoneContacts are the contacts who shared these phones (E.164), one a
// phone — the one with a message in broadcast bcID first, then a
// reachable one — with that message and whether it said /stop.
func (s Broadcasts) phoneContacts(ctx context.Context, bcID int64, phones []string) (map[string]*phoneContact, error) {
	var cs []*Contact
	if err := s.DB(ctx).Where("phone IN ?", phones).Order("id").Find(&cs).Error; err != nil {
		return nil, Wrap(EINTERNAL, err, "contacts of households")
	}
	if len(cs) == 0 {
		return nil, nil
	}
	ids := make([]int64, len(cs))
	for i, c := range cs {
		ids[i] = c.ID
	}
	var ds []struct {
		ContactID int64
		OutboxID  *int64
		Status    *string
	}
	err := s.DB(ctx).Table("broadcast_deliveries AS d").Select("d.contact_id, d.outbox_id, o.status").
		Joins("LEFT JOIN outbox o ON o.id = d.outbox_id").
		Where("d.broadcast_id = ? AND d.contact_id IN ?", bcID, ids).Scan(&ds).Error
	if err != nil {
		return nil, Wrap(EINTERNAL, err, "deliveries of households")
	}
	type del struct {
		id     *int64
		status string
	}
	dels := map[int64]del{}
	for _, d := range ds {
		st := OutboxFailed // a delivery skipped at the fan-out
		if d.Status != nil {
			st = *d.Status
		}
		dels[d.ContactID] = del{d.OutboxID, st}
	}
	var stoppedIDs []int64
	if err := s.DB(ctx).Model(&Subscription{}).Where("contact_id IN ? AND stopped_at IS NOT NULL", ids).
		Pluck("contact_id", &stoppedIDs).Error; err != nil {
		return nil, Wrap(EINTERNAL, err, "subscriptions of households")
	}
	stopped := map[int64]bool{}
	for _, id := range stoppedIDs {
		stopped[id] = true
	}
	out := map[string]*phoneContact{}
	rank := func(pc *phoneContact) int {
		switch {
		case pc.outboxID != nil && pc.status != OutboxFailed && pc.status != OutboxUnreachable:
			return 3
		case pc.c.Reachable:
			return 2
		}
		return 1
	}
	for _, c := range cs {
		pc := &phoneContact{c: c, stopped: stopped[c.ID]}
		if d, ok := dels[c.ID]; ok {
			pc.outboxID, pc.status = d.id, d.status
		}
		p := *c.Phone
		if old := out[p]; old == nil || rank(pc) > rank(old) {
			if old != nil {
				pc.stopped = pc.stopped || old.stopped
			}
			out[p] = pc
		} else {
			old.stopped = old.stopped || pc.stopped
		}
	}
	return out, nil
}

// HouseholdCount is how a broadcast's households would be reached, as
// far as is known before sending: the preview's estimate.
type HouseholdCount struct {
	Households int
	Chat       int // a chat contact of the household, reachable
	Phone      int // a phone, no chat: ZNS (or SMS)
	OffZalo    int // of Phone, known not to be on Zalo (an earlier ZNS): SMS
	NoPhone    int // door to door
	OptedOut   int
}

// CountHouseholds classifies a broadcast's households for its preview.
func (s Broadcasts) CountHouseholds(ctx context.Context, b *Broadcast) (HouseholdCount, error) {
	var out HouseholdCount
	areas, err := s.reachScope(ctx, b)
	if err != nil || len(areas) == 0 {
		return out, err
	}
	const q = `SELECT cat, COUNT(*) AS n FROM (SELECT CASE
  WHEN v.phone IS NULL OR v.phone = '' THEN 'none'
  WHEN EXISTS (SELECT 1 FROM household_optouts h WHERE h.phone = v.phone) THEN 'opted'
  WHEN EXISTS (SELECT 1 FROM contacts c JOIN subscriptions su ON su.contact_id = c.id
               WHERE c.phone = v.phone AND su.stopped_at IS NOT NULL) THEN 'opted'
  WHEN EXISTS (SELECT 1 FROM contacts c WHERE c.phone = v.phone AND c.reachable = ?) THEN 'chat'
  WHEN EXISTS (SELECT 1 FROM reach_attempts a WHERE a.voter_id = v.id AND a.channel = ? AND a.outcome = ?) THEN 'offzalo'
  ELSE 'phone' END AS cat
FROM voters v WHERE v.area_id IN ?) x GROUP BY cat`
	var rows []struct {
		Cat string
		N   int
	}
	if err := s.DB(ctx).Raw(q, true, ChannelZNS, ReachUnreachable, areas).Scan(&rows).Error; err != nil {
		return out, Wrap(EINTERNAL, err, "households of broadcast %d", b.ID)
	}
	for _, r := range rows {
		out.Households += r.N
		switch r.Cat {
		case "none":
			out.NoPhone += r.N
		case "opted":
			out.OptedOut += r.N
		case "chat":
			out.Chat += r.N
		case "offzalo":
			out.Phone += r.N
			out.OffZalo += r.N
		default:
			out.Phone += r.N
		}
	}
	return out, nil
}
