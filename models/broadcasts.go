package models

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"
)

// Broadcast kinds.
const (
	BroadcastAnnouncement = "announcement" // a ward admin's text (/thongbao, electionbot broadcast)
	BroadcastReminder     = "reminder"     // a resident reminder of the election's schedule
	BroadcastOfficial     = "official"     // an officials' deadline reminder
)

// Broadcast audiences.
const (
	AudienceAll         = "all"         // every contact of the election's areas, and its officials
	AudienceAreas       = "areas"       // the contacts of some areas (Broadcast.AreaIDs)
	AudienceReporters   = "reporters"   // the reporters of the election's areas
	AudienceSubscribers = "subscribers" // contacts of the election's areas with reminders on
	AudienceOfficials   = "officials"   // the ward's admins and the election's reporters
)

// Broadcast statuses: draft → queued → sending → done, or cancelled.
const (
	BroadcastDraft     = "draft"
	BroadcastQueued    = "queued"
	BroadcastSending   = "sending"
	BroadcastDone      = "done"
	BroadcastCancelled = "cancelled"
)

// Delivery statuses: queued (an outbox row carries it) or skipped (with
// the reason, no message).
const (
	DeliveryQueued  = "queued"
	DeliverySkipped = "skipped"
)

// ReasonUnreachable is the reason of a delivery skipped because the
// contact blocked the bot (or its chat is gone).
const ReasonUnreachable = "unreachable"

// OutboxBroadcast is the outbox kind of a broadcast's messages.
const OutboxBroadcast = "broadcast"

// MaxBroadcastText bounds an announcement (characters), so that it goes
// out as one message on every channel with the ward's header line: Zalo
// takes 2,000 characters a message, Telegram 4,096.
const MaxBroadcastText = 1800

// Broadcast is one message to an audience. Body is an announcement's text;
// MessageKey names a reminder's localised text, rendered for each
// recipient. FanoutCursor is the last contact id given a delivery row.
type Broadcast struct {
	ID           int64 `gorm:"primaryKey"`
	ElectionID   int64
	WardID       *int64 // the one ward it reaches (nil: City's, or the whole election's)
	City         string // the one city it reaches ("" : WardID's, or the whole election's)
	Kind         string
	Audience     string
	AreaIDs      string `gorm:"column:area_ids"` // comma-separated area ids (audience areas)
	Body         string
	MessageKey   string
	Status       string
	Source       string // chat, cli, schedule
	CreatedBy    *int64
	FanoutCursor int64
	FannedOut    bool
	Total        int // delivery rows (recipients addressed)
	ProgressSeq  int
	ProgressAt   *time.Time
	CreatedAt    time.Time
	QueuedAt     *time.Time
	FinishedAt   *time.Time
}

// TableName is broadcasts.
func (Broadcast) TableName() string { return "broadcasts" }

// Areas returns the ids of AreaIDs.
func (b *Broadcast) Areas() []int64 {
	var out []int64
	for _, s := range strings.Split(b.AreaIDs, ",") {
		if id, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64); err == nil {
			out = append(out, id)
		}
	}
	return out
}

// SetAreas sets AreaIDs from ids (sorted, without repeats).
func (b *Broadcast) SetAreas(ids []int64) {
	ids = uniqueIDs(ids)
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = strconv.FormatInt(id, 10)
	}
	b.AreaIDs = strings.Join(parts, ",")
}

// DedupeKey is the outbox dedupe key of the broadcast's message to a
// contact: bc:<broadcast>:<contact>.
func (b *Broadcast) DedupeKey(contactID int64) string {
	return fmt.Sprintf("bc:%d:%d", b.ID, contactID)
}

// BroadcastDelivery is one recipient of a broadcast.
type BroadcastDelivery struct {
	BroadcastID int64 `gorm:"primaryKey;autoIncrement:false"`
	ContactID   int64 `gorm:"primaryKey;autoIncrement:false"`
	OutboxID    *int64
	Status      string
	Reason      string
}

// TableName is broadcast_deliveries.
func (BroadcastDelivery) TableName() string { return "broadcast_deliveries" }

// CheckBroadcast validates a broadcast before it is stored or queued.
func CheckBroadcast(b *Broadcast) error {
	switch b.Kind {
	case BroadcastAnnouncement, BroadcastReminder, BroadcastOfficial:
	default:
		return Errorf(EINVALID, "broadcast kind %q", b.Kind)
	}
	switch b.Audience {
	case AudienceAll, AudienceReporters, AudienceSubscribers, AudienceOfficials:
	case AudienceAreas:
		if b.Status != BroadcastDraft && len(b.Areas()) == 0 {
			return Errorf(EINVALID, "a broadcast to some areas needs at least one area")
		}
	default:
		return Errorf(EINVALID, "broadcast audience %q", b.Audience)
	}
	if b.Kind == BroadcastAnnouncement && b.Status != BroadcastDraft {
		if strings.TrimSpace(b.Body) == "" {
			return Errorf(EINVALID, "the announcement has no text")
		}
	}
	if n := utf8.RuneCountInString(b.Body); n > MaxBroadcastText {
		return Errorf(EINVALID, "the announcement has %d characters; at most %d", n, MaxBroadcastText)
	}
	if b.Kind != BroadcastAnnouncement && b.MessageKey == "" {
		return Errorf(EINVALID, "a reminder needs a message key")
	}
	return nil
}

// CreateBroadcast stores a new broadcast (a draft unless b.Status says
// queued). The areas of an AudienceAreas broadcast must be the election's.
func (s Broadcasts) CreateBroadcast(ctx context.Context, b *Broadcast) error {
	if b.Status == "" {
		b.Status = BroadcastDraft
	}
	if b.Source == "" {
		b.Source = "chat"
	}
	if b.Status != BroadcastDraft && b.Status != BroadcastQueued {
		return Errorf(EINVALID, "a new broadcast is a draft or queued, not %s", b.Status)
	}
	if err := CheckBroadcast(b); err != nil {
		return err
	}
	if err := s.checkBroadcastAreas(ctx, b); err != nil {
		return err
	}
	now := s.now()
	b.ID, b.CreatedAt = 0, now
	b.FanoutCursor, b.FannedOut, b.Total, b.ProgressSeq, b.ProgressAt, b.FinishedAt = 0, false, 0, 0, nil, nil
	if b.Status == BroadcastQueued {
		b.QueuedAt = &now
	}
	if err := s.DB(ctx).Create(b).Error; err != nil {
		return Wrap(EINTERNAL, err, "create broadcast")
	}
	return nil
}

func (s Broadcasts) checkBroadcastAreas(ctx context.Context, b *Broadcast) error {
	ids := b.Areas()
	if b.Audience != AudienceAreas || len(ids) == 0 {
		return nil
	}
	var n int64
	if err := s.DB(ctx).Model(&Area{}).Where("election_id = ? AND id IN ?", b.ElectionID, ids).Count(&n).Error; err != nil {
		return Wrap(EINTERNAL, err, "areas of broadcast")
	}
	if int(n) != len(ids) {
		return Errorf(EINVALID, "areas %s are not all areas of election %d", b.AreaIDs, b.ElectionID)
	}
	return nil
}

// Broadcast finds a broadcast.
func (s Broadcasts) Broadcast(ctx context.Context, id int64) (*Broadcast, error) {
	var b Broadcast
	if err := s.DB(ctx).Where("id = ?", id).Take(&b).Error; err != nil {
		return nil, notFound(err, "broadcast %d not found", id)
	}
	return &b, nil
}

// SaveBroadcastDraft stores the audience, areas and text of a draft; a
// broadcast that is no longer a draft is ECONFLICT.
func (s Broadcasts) SaveBroadcastDraft(ctx context.Context, b *Broadcast) error {
	if err := CheckBroadcast(&Broadcast{Kind: b.Kind, Audience: b.Audience, AreaIDs: b.AreaIDs, Body: b.Body,
		MessageKey: b.MessageKey, Status: BroadcastDraft}); err != nil {
		return err
	}
	if err := s.checkBroadcastAreas(ctx, b); err != nil {
		return err
	}
	res := s.DB(ctx).Model(&Broadcast{}).Where("id = ? AND status = ?", b.ID, BroadcastDraft).
		Updates(map[string]any{"audience": b.Audience, "area_ids": b.AreaIDs, "body": b.Body})
	if res.Error != nil {
		return Wrap(EINTERNAL, res.Error, "save broadcast %d", b.ID)
	}
	if res.RowsAffected != 1 {
		return Errorf(ECONFLICT, "broadcast %d is not a draft any more", b.ID)
	}
	return nil
}

// LatestDraft is the newest draft a contact started, or ENOTFOUND.
func (s Broadcasts) LatestDraft(ctx context.Context, contactID int64) (*Broadcast, error) {
	var b Broadcast
	err := s.DB(ctx).Where("created_by = ? AND status = ?", contactID, BroadcastDraft).Order("id DESC").Take(&b).Error
	if err != nil {
		return nil, notFound(err, "no draft broadcast of contact %d", contactID)
	}
	return &b, nil
}

// QueueBroadcast sends a draft: draft → queued, checked complete. by is
// the contact confirming it (nil from the command line): a draft is queued
// only by whoever started it. ECONFLICT if it is not a draft any more.
func (s Broadcasts) QueueBroadcast(ctx context.Context, id int64, by *int64) (*Broadcast, error) {
	var out *Broadcast
	err := s.InTx(ctx, func(tx *Store) error {
		b, err := tx.Broadcast(ctx, id)
		if err != nil {
			return err
		}
		if by != nil && (b.CreatedBy == nil || *b.CreatedBy != *by) {
			return Errorf(EFORBIDDEN, "broadcast %d was started by someone else", id)
		}
		if b.Status != BroadcastDraft {
			return Errorf(ECONFLICT, "broadcast %d is %s, not a draft", id, b.Status)
		}
		b.Status = BroadcastQueued
		if err := CheckBroadcast(b); err != nil {
			return err
		}
		now := tx.now()
		res := tx.DB(ctx).Model(&Broadcast{}).Where("id = ? AND status = ?", id, BroadcastDraft).
			Updates(map[string]any{"status": BroadcastQueued, "queued_at": now})
		if res.Error != nil {
			return Wrap(EINTERNAL, res.Error, "queue broadcast %d", id)
		}
		if res.RowsAffected != 1 {
			return Errorf(ECONFLICT, "broadcast %d is not a draft any more", id)
		}
		b.QueuedAt = &now
		out = b
		return tx.Audit(ctx, &AuditEvent{ContactID: by, Action: "broadcast.queue", Subject: strconv.FormatInt(id, 10),
			Detail: fmt.Sprintf("kind=%s audience=%s areas=%s chars=%d", b.Kind, b.Audience, b.AreaIDs, utf8.RuneCountInString(b.Body)), OK: true})
	})
	return out, err
}

// CancelBroadcast ends a draft or a queued broadcast that has not started
// sending; ECONFLICT otherwise.
func (s Broadcasts) CancelBroadcast(ctx context.Context, id int64) error {
	res := s.DB(ctx).Model(&Broadcast{}).Where("id = ? AND status IN ?", id, []string{BroadcastDraft, BroadcastQueued}).
		Updates(map[string]any{"status": BroadcastCancelled, "finished_at": s.now()})
	if res.Error != nil {
		return Wrap(EINTERNAL, res.Error, "cancel broadcast %d", id)
	}
	if res.RowsAffected != 1 {
		return Errorf(ECONFLICT, "broadcast %d cannot be cancelled any more", id)
	}
	return nil
}

// ActiveBroadcasts lists the broadcasts queued or sending, oldest first.
func (s Broadcasts) ActiveBroadcasts(ctx context.Context) ([]*Broadcast, error) {
	var bs []*Broadcast
	err := s.DB(ctx).Where("status IN ?", []string{BroadcastQueued, BroadcastSending}).Order("id").Find(&bs).Error
	if err != nil {
		return nil, Wrap(EINTERNAL, err, "active broadcasts")
	}
	return bs, nil
}

// RecentBroadcasts lists an election's latest broadcasts that left the
// draft stage, newest first.
func (s Broadcasts) RecentBroadcasts(ctx context.Context, electionID int64, limit int) ([]*Broadcast, error) {
	var bs []*Broadcast
	err := s.DB(ctx).Where("election_id = ? AND status <> ?", electionID, BroadcastDraft).Order("id DESC").Limit(limit).Find(&bs).Error
	if err != nil {
		return nil, Wrap(EINTERNAL, err, "recent broadcasts")
	}
	return bs, nil
}

// StartBroadcast marks a queued broadcast sending (false: it was not queued).
func (s Broadcasts) StartBroadcast(ctx context.Context, id int64) (bool, error) {
	res := s.DB(ctx).Model(&Broadcast{}).Where("id = ? AND status = ?", id, BroadcastQueued).Update("status", BroadcastSending)
	if res.Error != nil {
		return false, Wrap(EINTERNAL, res.Error, "start broadcast %d", id)
	}
	return res.RowsAffected == 1, nil
}

// FinishBroadcast marks a sending broadcast done (false: it was not
// sending, someone else finished it).
func (s Broadcasts) FinishBroadcast(ctx context.Context, id int64) (bool, error) {
	res := s.DB(ctx).Model(&Broadcast{}).Where("id = ? AND status = ? AND fanned_out = ?", id, BroadcastSending, true).
		Updates(map[string]any{"status": BroadcastDone, "finished_at": s.now()})
	if res.Error != nil {
		return false, Wrap(EINTERNAL, res.Error, "finish broadcast %d", id)
	}
	return res.RowsAffected == 1, nil
}

// AdvanceFanout moves a broadcast's fan-out cursor from → to, adding added
// recipients, and marks the fan-out finished when done. It changes nothing
// and returns false when the cursor is no longer at from (another worker
// took that page): call it in the page's transaction and roll back then.
func (s Broadcasts) AdvanceFanout(ctx context.Context, id, from, to int64, added int, done bool) (bool, error) {
	fields := map[string]any{"fanout_cursor": to, "total": gorm.Expr("total + ?", added)}
	if done {
		fields["fanned_out"] = true
	}
	res := s.DB(ctx).Model(&Broadcast{}).Where("id = ? AND fanout_cursor = ? AND fanned_out = ?", id, from, false).Updates(fields)
	if res.Error != nil {
		return false, Wrap(EINTERNAL, res.Error, "advance fan-out of broadcast %d", id)
	}
	return res.RowsAffected == 1, nil
}

// BumpProgress takes progress report number seq+1 of a broadcast (false:
// another worker took it).
func (s Broadcasts) BumpProgress(ctx context.Context, id int64, seq int) (bool, error) {
	res := s.DB(ctx).Model(&Broadcast{}).Where("id = ? AND progress_seq = ?", id, seq).
		Updates(map[string]any{"progress_seq": seq + 1, "progress_at": s.now()})
	if res.Error != nil {
		return false, Wrap(EINTERNAL, res.Error, "progress of broadcast %d", id)
	}
	return res.RowsAffected == 1, nil
}
