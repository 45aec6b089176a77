package models

// Reaching a household (issue 19, docs/design.md §4): every household of
// the voter list is reached by the cheapest channel that works — a chat
// of that household, else ZNS to the list's phone, else SMS — and every
// attempt is a row of the ledger (reach_attempts, migration 00012). The
// cascade itself is package broadcast's (broadcast/reach*.go); this file
// keeps its state.

import (
	"context"
	"time"

	"gorm.io/gorm/clause"
)

// The channels that reach a household by the phone on its voter list.
const (
	ChannelZNS = "zns" // a Zalo ZNS template message
	ChannelSMS = "sms" // a brandname SMS through the gateway
	// ReachNone is the channel of a ledger row that records why no
	// channel was tried (no phone, opted out, over the ceiling).
	ReachNone = "none"
)

// Outcomes of a ledger row. Queued: its outbox row is on its way (sent,
// or given up, is settled from the outbox); the others are final.
const (
	ReachQueued      = "queued"
	ReachSent        = "sent"
	ReachUnreachable = "unreachable" // not on Zalo, blocked the bot, window closed: the next channel
	ReachFailed      = "failed"      // refused (a template error), out of attempts
	ReachExhausted   = "exhausted"   // the channel's quota was spent: the next channel
	ReachOptedOut    = "opted_out"   // the household said /stop or STOP
	ReachNoChannel   = "no_channel"  // no chat, no phone (or no channel for it): door to door
	ReachCeiling     = "ceiling"     // the broadcast's cost ceiling was reached
)

// ReachAttempt is one row of the ledger: one channel tried for one
// household (a voter-list row: one per household) in one broadcast or
// reminder, with its outcome and its cost (VND, counted when sent).
type ReachAttempt struct {
	ID          int64 `gorm:"primaryKey"`
	BroadcastID int64
	VoterID     int64
	AreaID      int64
	Channel     string
	OutboxID    *int64
	Outcome     string
	CostVND     int `gorm:"column:cost_vnd"`
	Reason      string
	At          time.Time
	DoneAt      *time.Time
}

// TableName is reach_attempts.
func (ReachAttempt) TableName() string { return "reach_attempts" }

// BroadcastReach is a broadcast's household cascade: how far its fan-out
// over the voter list went, its cost ceiling (0: the configured default),
// whether it is urgent (sent in the quiet hours), and when ZNS ran out of
// quota for it.
type BroadcastReach struct {
	BroadcastID  int64 `gorm:"primaryKey;autoIncrement:false"`
	VoterCursor  int64
	FannedOut    bool
	CeilingVND   int64 `gorm:"column:ceiling_vnd"`
	Urgent       bool
	ZNSStoppedAt *time.Time `gorm:"column:zns_stopped_at"`
}

// TableName is broadcast_reach.
func (BroadcastReach) TableName() string { return "broadcast_reach" }

// BroadcastReach returns a broadcast's cascade state (a zero state, not
// stored, when it has none yet).
func (s Broadcasts) BroadcastReach(ctx context.Context, id int64) (*BroadcastReach, error) {
	var r BroadcastReach
	if err := s.DB(ctx).Where("broadcast_id = ?", id).Limit(1).Find(&r).Error; err != nil {
		return nil, Wrap(EINTERNAL, err, "household reach of broadcast %d", id)
	}
	r.BroadcastID = id
	return &r, nil
}

// ensureReach creates a broadcast's cascade row if it has none.
func (s Broadcasts) ensureReach(ctx context.Context, id int64) error {
	err := s.DB(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&BroadcastReach{BroadcastID: id}).Error
	if err != nil {
		return Wrap(EINTERNAL, err, "household reach of broadcast %d", id)
	}
	return nil
}

// SetReachCeiling sets the cost ceiling of a broadcast (VND; 0: the
// configured default) — an admin raising it before confirming.
func (s Broadcasts) SetReachCeiling(ctx context.Context, id, vnd int64) error {
	if vnd < 0 {
		return Errorf(EINVALID, "a cost ceiling of %d VND", vnd)
	}
	if err := s.ensureReach(ctx, id); err != nil {
		return err
	}
	if err := s.DB(ctx).Model(&BroadcastReach{}).Where("broadcast_id = ?", id).Update("ceiling_vnd", vnd).Error; err != nil {
		return Wrap(EINTERNAL, err, "ceiling of broadcast %d", id)
	}
	return nil
}

// SetReachUrgent marks a broadcast urgent: sent in the quiet hours too.
func (s Broadcasts) SetReachUrgent(ctx context.Context, id int64, urgent bool) error {
	if err := s.ensureReach(ctx, id); err != nil {
		return err
	}
	if err := s.DB(ctx).Model(&BroadcastReach{}).Where("broadcast_id = ?", id).Update("urgent", urgent).Error; err != nil {
		return Wrap(EINTERNAL, err, "urgency of broadcast %d", id)
	}
	return nil
}

// AdvanceReach moves a broadcast's voter-list cursor from → to (done: the
// list is through). It changes nothing and returns false when the cursor
// is no longer at from: call it in the page's transaction and roll back.
func (s Broadcasts) AdvanceReach(ctx context.Context, id, from, to int64, done bool) (bool, error) {
	if err := s.ensureReach(ctx, id); err != nil {
		return false, err
	}
	fields := map[string]any{"voter_cursor": to}
	if done {
		fields["fanned_out"] = true
	}
	res := s.DB(ctx).Model(&BroadcastReach{}).Where("broadcast_id = ? AND voter_cursor = ? AND fanned_out = ?", id, from, false).
		Updates(fields)
	if res.Error != nil {
		return false, Wrap(EINTERNAL, res.Error, "advance the households of broadcast %d", id)
	}
	return res.RowsAffected == 1, nil
}

// StopZNS records that ZNS ran out for a broadcast and ends its ZNS
// messages still waiting (failed, "exhausted"), so that the cascade moves
// them on. first is true for the call that stopped it (the admin is told
// once).
func (s Broadcasts) StopZNS(ctx context.Context, id int64, reason string) (first bool, err error) {
	if err := s.ensureReach(ctx, id); err != nil {
		return false, err
	}
	res := s.DB(ctx).Model(&BroadcastReach{}).Where("broadcast_id = ? AND zns_stopped_at IS NULL", id).
		Update("zns_stopped_at", s.now())
	if res.Error != nil {
		return false, Wrap(EINTERNAL, res.Error, "stop ZNS for broadcast %d", id)
	}
	queued := s.DB(ctx).Model(&ReachAttempt{}).Select("outbox_id").
		Where("broadcast_id = ? AND channel = ? AND outcome = ? AND outbox_id IS NOT NULL", id, ChannelZNS, ReachQueued)
	err = s.DB(ctx).Model(&OutboxMessage{}).Where("status = ? AND id IN (?)", OutboxPending, queued).
		Updates(map[string]any{"status": OutboxFailed, "last_error": "exhausted: " + reason, "locked_until": nil}).Error
	if err != nil {
		return false, Wrap(EINTERNAL, err, "stop the ZNS messages of broadcast %d", id)
	}
	return res.RowsAffected == 1, nil
}

// InsertReachAttempts records ledger rows; a (broadcast, household,
// channel) already recorded is left as it is (a page fanned out again
// after a crash).
func (s Broadcasts) InsertReachAttempts(ctx context.Context, as []*ReachAttempt) error {
	if len(as) == 0 {
		return nil
	}
	now := s.now().UTC()
	for _, a := range as {
		a.ID = 0
		if a.At.IsZero() {
			a.At = now
		}
		if a.Outcome != ReachQueued && a.DoneAt == nil {
			a.DoneAt = &now
		}
	}
	err := s.DB(ctx).Clauses(clause.OnConflict{DoNothing: true}).CreateInBatches(as, 200).Error
	if err != nil {
		return Wrap(EINTERNAL, err, "record %d reach attempts", len(as))
	}
	return nil
}

// CloseReachAttempt ends a queued ledger row with an outcome; false when
// it was not queued any more (someone else moved that household on).
func (s Broadcasts) CloseReachAttempt(ctx context.Context, id int64, outcome, reason string) (bool, error) {
	res := s.DB(ctx).Model(&ReachAttempt{}).Where("id = ? AND outcome = ?", id, ReachQueued).
		Updates(map[string]any{"outcome": outcome, "reason": ShortReason(reason), "done_at": s.now().UTC()})
	if res.Error != nil {
		return false, Wrap(EINTERNAL, res.Error, "close reach attempt %d", id)
	}
	return res.RowsAffected == 1, nil
}

// ReachAttemptByOutbox is the queued ledger row an outbox message
// carries; nil when none does (a contact of no household, a reply).
func (s Broadcasts) ReachAttemptByOutbox(ctx context.Context, outboxID int64) (*ReachAttempt, error) {
	var as []*ReachAttempt
	err := s.DB(ctx).Where("outbox_id = ? AND outcome = ?", outboxID, ReachQueued).Limit(1).Find(&as).Error
	if err != nil {
		return nil, Wrap(EINTERNAL, err, "reach attempt of outbox message %d", outboxID)
	}
	if len(as) == 0 {
		return nil, nil
	}
	return as[0], nil
}

// SettleReach marks sent the queued ledger rows of a broadcast whose
// message the outbox sent, and returns how many are still on their way.
func (s Broadcasts) SettleReach(ctx context.Context, id int64) (pending int, err error) {
	err = s.DB(ctx).Model(&ReachAttempt{}).
		Where("broadcast_id = ? AND outcome = ?", id, ReachQueued).
		Where("EXISTS (SELECT 1 FROM outbox o WHERE o.id = reach_attempts.outbox_id AND o.status = ?)", OutboxSent).
		Updates(map[string]any{"outcome": ReachSent, "done_at": s.now().UTC()}).Error
	if err != nil {
		return 0, Wrap(EINTERNAL, err, "settle the reach of broadcast %d", id)
	}
	var n int64
	if err := s.DB(ctx).Model(&ReachAttempt{}).Where("broadcast_id = ? AND outcome = ?", id, ReachQueued).Count(&n).Error; err != nil {
		return 0, Wrap(EINTERNAL, err, "pending reach of broadcast %d", id)
	}
	return int(n), nil
}

// GivenUpReach is a queued ledger row whose message the outbox gave up.
type GivenUpReach struct {
	ReachAttempt
	OutboxStatus string
	LastError    string
}

// GivenUpReach lists up to limit queued ledger rows of a broadcast whose
// outbox message was given up (unreachable or failed): the households to
// move on to their next channel.
func (s Broadcasts) GivenUpReach(ctx context.Context, id int64, limit int) ([]*GivenUpReach, error) {
	var out []*GivenUpReach
	err := s.DB(ctx).Table("reach_attempts AS a").
		Select("a.*, o.status AS outbox_status, o.last_error AS last_error").
		Joins("JOIN outbox o ON o.id = a.outbox_id").
		Where("a.broadcast_id = ? AND a.outcome = ? AND o.status IN ?", id, ReachQueued,
			[]string{OutboxUnreachable, OutboxFailed}).
		Order("a.id").Limit(limit).Scan(&out).Error
	if err != nil {
		return nil, Wrap(EINTERNAL, err, "given-up reach of broadcast %d", id)
	}
	return out, nil
}

// ReachCost is what a broadcast's paid messages cost so far, sent, on
// their way or uncertain (perhaps sent) (VND): what the ceiling is checked against.
func (s Broadcasts) ReachCost(ctx context.Context, id int64) (int64, error) {
	var n *int64
	err := s.DB(ctx).Model(&ReachAttempt{}).Select("SUM(cost_vnd)").
		Where("broadcast_id = ? AND outcome IN ?", id, []string{ReachQueued, ReachSent, ReachUncertain}).Scan(&n).Error
	if err != nil {
		return 0, Wrap(EINTERNAL, err, "cost of broadcast %d", id)
	}
	if n == nil {
		return 0, nil
	}
	return *n, nil
}

// ReachAttempts lists a broadcast's ledger, in id order.
func (s Broadcasts) ReachAttempts(ctx context.Context, id int64) ([]*ReachAttempt, error) {
	var as []*ReachAttempt
	if err := s.DB(ctx).Where("broadcast_id = ?", id).Order("id").Find(&as).Error; err != nil {
		return nil, Wrap(EINTERNAL, err, "ledger of broadcast %d", id)
	}
	return as, nil
}

// reachScope is the ids of the areas of a broadcast's households: those
// of its scope (ward, city or election) and, for an areas audience, its
// areas.
func (s Broadcasts) reachScope(ctx context.Context, b *Broadcast) ([]int64, error) {
	db := s.DB(ctx)
	areas := db.Model(&Area{}).Select("id").Where("election_id = ?", b.ElectionID)
	switch {
	case b.WardID != nil:
		areas = areas.Where("ward_id = ?", *b.WardID)
	case b.City != "":
		areas = areas.Where("ward_id IN (?)", db.Model(&Ward{}).Select("id").Where("city = ?", b.City))
	}
	if b.Audience == AudienceAreas {
		areas = areas.Where("id IN ?", b.Areas())
	}
	var ids []int64
	if err := areas.Order("id").Pluck("id", &ids).Error; err != nil {
		return nil, Wrap(EINTERNAL, err, "areas of broadcast %d", b.ID)
	}
	return ids, nil
}

// ReachesHouseholds says whether a broadcast goes to the households of
// the voter list: residents' announcements and reminders, not the
// officials' messages.
func ReachesHouseholds(b *Broadcast) bool {
	switch b.Kind {
	case BroadcastAnnouncement, BroadcastReminder:
	default:
		return false
	}
	switch b.Audience {
	case AudienceAll, AudienceAreas, AudienceSubscribers:
		return true
	}
	return false
}

// VotersByID returns the voter-list rows with these ids, by id.
func (s Broadcasts) VotersByID(ctx context.Context, ids []int64) (map[int64]*Voter, error) {
	out := make(map[int64]*Voter, len(ids))
	for len(ids) > 0 {
		n := min(len(ids), 500)
		var vs []*Voter
		if err := s.DB(ctx).Where("id IN ?", ids[:n]).Find(&vs).Error; err != nil {
			return nil, Wrap(EINTERNAL, err, "households")
		}
		for _, v := range vs {
			out[v.ID] = v
		}
		ids = ids[n:]
	}
	return out, nil
}
