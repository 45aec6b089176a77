package models

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
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

// Subscription is a contact's answers about messages it did not ask for:
// when reminders were offered to it, and when it said /stop (nothing
// unasked any more: no reminders, no announcements).
type Subscription struct {
	ContactID int64 `gorm:"primaryKey;autoIncrement:false"`
	OfferedAt *time.Time
	StoppedAt *time.Time
	UpdatedAt time.Time
}

// Replica is a live sender process (its heartbeat is its lease).
type Replica struct {
	ID          string `gorm:"primaryKey"`
	Host        string
	StartedAt   time.Time
	HeartbeatAt time.Time
}

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
func (s *Store) CreateBroadcast(ctx context.Context, b *Broadcast) error {
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

func (s *Store) checkBroadcastAreas(ctx context.Context, b *Broadcast) error {
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
func (s *Store) Broadcast(ctx context.Context, id int64) (*Broadcast, error) {
	var b Broadcast
	if err := s.DB(ctx).Where("id = ?", id).Take(&b).Error; err != nil {
		return nil, notFound(err, "broadcast %d not found", id)
	}
	return &b, nil
}

// SaveBroadcastDraft stores the audience, areas and text of a draft; a
// broadcast that is no longer a draft is ECONFLICT.
func (s *Store) SaveBroadcastDraft(ctx context.Context, b *Broadcast) error {
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
func (s *Store) LatestDraft(ctx context.Context, contactID int64) (*Broadcast, error) {
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
func (s *Store) QueueBroadcast(ctx context.Context, id int64, by *int64) (*Broadcast, error) {
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
func (s *Store) CancelBroadcast(ctx context.Context, id int64) error {
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
func (s *Store) ActiveBroadcasts(ctx context.Context) ([]*Broadcast, error) {
	var bs []*Broadcast
	err := s.DB(ctx).Where("status IN ?", []string{BroadcastQueued, BroadcastSending}).Order("id").Find(&bs).Error
	if err != nil {
		return nil, Wrap(EINTERNAL, err, "active broadcasts")
	}
	return bs, nil
}

// RecentBroadcasts lists an election's latest broadcasts that left the
// draft stage, newest first.
func (s *Store) RecentBroadcasts(ctx context.Context, electionID int64, limit int) ([]*Broadcast, error) {
	var bs []*Broadcast
	err := s.DB(ctx).Where("election_id = ? AND status <> ?", electionID, BroadcastDraft).Order("id DESC").Limit(limit).Find(&bs).Error
	if err != nil {
		return nil, Wrap(EINTERNAL, err, "recent broadcasts")
	}
	return bs, nil
}

// StartBroadcast marks a queued broadcast sending (false: it was not queued).
func (s *Store) StartBroadcast(ctx context.Context, id int64) (bool, error) {
	res := s.DB(ctx).Model(&Broadcast{}).Where("id = ? AND status = ?", id, BroadcastQueued).Update("status", BroadcastSending)
	if res.Error != nil {
		return false, Wrap(EINTERNAL, res.Error, "start broadcast %d", id)
	}
	return res.RowsAffected == 1, nil
}

// FinishBroadcast marks a sending broadcast done (false: it was not
// sending, someone else finished it).
func (s *Store) FinishBroadcast(ctx context.Context, id int64) (bool, error) {
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
func (s *Store) AdvanceFanout(ctx context.Context, id, from, to int64, added int, done bool) (bool, error) {
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
func (s *Store) BumpProgress(ctx context.Context, id int64, seq int) (bool, error) {
	res := s.DB(ctx).Model(&Broadcast{}).Where("id = ? AND progress_seq = ?", id, seq).
		Updates(map[string]any{"progress_seq": seq + 1, "progress_at": s.now()})
	if res.Error != nil {
		return false, Wrap(EINTERNAL, res.Error, "progress of broadcast %d", id)
	}
	return res.RowsAffected == 1, nil
}

const optedOut = "NOT EXISTS (SELECT 1 FROM subscriptions su WHERE su.contact_id = contacts.id AND su.stopped_at IS NOT NULL)"

// audience is the query of a broadcast's recipients (reachable or not;
// contacts who said /stop are never in it).
func (s *Store) audience(ctx context.Context, b *Broadcast) (*gorm.DB, error) {
	const areasOf = "contacts.area_id IN (SELECT id FROM areas WHERE election_id = ?)"
	const reporters = "contacts.id IN (SELECT rg.contact_id FROM role_grants rg JOIN areas ra ON ra.id = rg.area_id " +
		"WHERE ra.election_id = ? AND rg.role = 'reporter' AND rg.revoked_at IS NULL AND rg.contact_id IS NOT NULL)"
	const admins = "contacts.id IN (SELECT ag.contact_id FROM role_grants ag WHERE ag.role = 'admin' AND ag.revoked_at IS NULL " +
		"AND ag.area_id IS NULL AND ag.contact_id IS NOT NULL AND (ag.ward_id IS NULL OR ag.ward_id = (SELECT ward_id FROM elections WHERE id = ?)))"
	q := s.DB(ctx).Model(&Contact{}).Where(optedOut)
	e := b.ElectionID
	switch b.Audience {
	case AudienceAll:
		q = q.Where("("+areasOf+" OR "+reporters+" OR "+admins+")", e, e, e)
	case AudienceAreas:
		ids := b.Areas()
		if len(ids) == 0 {
			return nil, Errorf(EINVALID, "a broadcast to some areas needs at least one area")
		}
		q = q.Where("contacts.area_id IN ?", ids).Where(areasOf, e)
	case AudienceReporters:
		q = q.Where(reporters, e)
	case AudienceSubscribers:
		q = q.Where("contacts.reminders = ?", true).Where(areasOf, e)
	case AudienceOfficials:
		q = q.Where("("+reporters+" OR "+admins+")", e, e)
	default:
		return nil, Errorf(EINVALID, "broadcast audience %q", b.Audience)
	}
	return q, nil
}

// AudienceCount is the size of a broadcast's audience.
type AudienceCount struct {
	Reachable   int // will be sent the message (unless a channel skips them)
	Unreachable int // blocked the bot: skipped
}

// CountAudience counts a broadcast's recipients (the preview).
func (s *Store) CountAudience(ctx context.Context, b *Broadcast) (AudienceCount, error) {
	var out AudienceCount
	for _, reachable := range []bool{true, false} {
		q, err := s.audience(ctx, b)
		if err != nil {
			return out, err
		}
		var n int64
		if err := q.Where("contacts.reachable = ?", reachable).Count(&n).Error; err != nil {
			return out, Wrap(EINTERNAL, err, "count audience of broadcast %d", b.ID)
		}
		if reachable {
			out.Reachable = int(n)
		} else {
			out.Unreachable = int(n)
		}
	}
	return out, nil
}

// BroadcastRecipients returns up to limit recipients of a broadcast after
// contact id after, in id order (the fan-out's pages).
func (s *Store) BroadcastRecipients(ctx context.Context, b *Broadcast, after int64, limit int) ([]*Contact, error) {
	q, err := s.audience(ctx, b)
	if err != nil {
		return nil, err
	}
	var cs []*Contact
	if err := q.Where("contacts.id > ?", after).Order("contacts.id").Limit(limit).Find(&cs).Error; err != nil {
		return nil, Wrap(EINTERNAL, err, "recipients of broadcast %d", b.ID)
	}
	return cs, nil
}

// InsertBroadcastMessages inserts a page of broadcast messages into the
// outbox, pending and due now, in batches; a message whose DedupeKey is
// already there is not inserted again. Every message gets the ID of the
// outbox row that holds its key (new or old).
func (s *Store) InsertBroadcastMessages(ctx context.Context, msgs []*OutboxMessage) error {
	if len(msgs) == 0 {
		return nil
	}
	now := s.now()
	keys := make([]string, 0, len(msgs))
	for _, m := range msgs {
		if m.Channel == "" || m.ChatID == "" || m.DedupeKey == nil {
			return Errorf(EINVALID, "broadcast message without channel, chat or dedupe key")
		}
		m.pending(now, OutboxBroadcast)
		keys = append(keys, *m.DedupeKey)
	}
	err := s.DB(ctx).Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "dedupe_key"}}, DoNothing: true}).
		CreateInBatches(msgs, 200).Error
	if err != nil {
		return Wrap(EINTERNAL, err, "enqueue %d broadcast messages", len(msgs))
	}
	ids := make(map[string]int64, len(keys))
	for len(keys) > 0 {
		n := min(len(keys), 500)
		var rows []struct {
			ID        int64
			DedupeKey string
		}
		if err := s.DB(ctx).Model(&OutboxMessage{}).Select("id, dedupe_key").Where("dedupe_key IN ?", keys[:n]).Find(&rows).Error; err != nil {
			return Wrap(EINTERNAL, err, "ids of broadcast messages")
		}
		for _, r := range rows {
			ids[r.DedupeKey] = r.ID
		}
		keys = keys[n:]
	}
	for _, m := range msgs {
		m.ID = ids[*m.DedupeKey]
		if m.ID == 0 {
			return Errorf(EINTERNAL, "broadcast message %s was not stored", *m.DedupeKey)
		}
	}
	return nil
}

// InsertDeliveries records a page of a broadcast's recipients; a
// (broadcast, contact) already recorded is left as it is.
func (s *Store) InsertDeliveries(ctx context.Context, ds []*BroadcastDelivery) error {
	if len(ds) == 0 {
		return nil
	}
	err := s.DB(ctx).Clauses(clause.OnConflict{DoNothing: true}).CreateInBatches(ds, 500).Error
	if err != nil {
		return Wrap(EINTERNAL, err, "record %d deliveries", len(ds))
	}
	return nil
}

// BroadcastStats is where a broadcast's deliveries are.
type BroadcastStats struct {
	Total       int // delivery rows
	Sent        int
	Pending     int // waiting or being sent (retries included)
	Unreachable int // blocked the bot, chat gone (at fan-out or at sending)
	Failed      int // refused, or out of attempts
	Skipped     int // not sent for another reason (a channel's window…)
	// Reasons counts the failed and skipped deliveries by reason, most
	// frequent first.
	Reasons []ReasonCount
}

// ReasonCount is how many deliveries ended for one reason.
type ReasonCount struct {
	Reason string
	Count  int
}

// Finished is the number of deliveries that will not change any more.
func (st *BroadcastStats) Finished() int { return st.Total - st.Pending }

// BroadcastStats counts a broadcast's deliveries by outcome.
func (s *Store) BroadcastStats(ctx context.Context, id int64) (*BroadcastStats, error) {
	var rows []struct {
		DStatus string
		Reason  string
		OStatus *string
		OError  *string
		N       int
	}
	err := s.DB(ctx).Table("broadcast_deliveries AS d").
		Select("d.status AS d_status, d.reason AS reason, o.status AS o_status, o.last_error AS o_error, COUNT(*) AS n").
		Joins("LEFT JOIN outbox o ON o.id = d.outbox_id").
		Where("d.broadcast_id = ?", id).
		Group("d.status, d.reason, o.status, o.last_error").
		Scan(&rows).Error
	if err != nil {
		return nil, Wrap(EINTERNAL, err, "statistics of broadcast %d", id)
	}
	st := &BroadcastStats{}
	reasons := map[string]int{}
	for _, r := range rows {
		st.Total += r.N
		if r.DStatus == DeliverySkipped {
			if r.Reason == ReasonUnreachable {
				st.Unreachable += r.N
			} else {
				st.Skipped += r.N
				reasons[ShortReason(r.Reason)] += r.N
			}
			continue
		}
		status, lastErr := "", ""
		if r.OStatus != nil {
			status = *r.OStatus
		}
		if r.OError != nil {
			lastErr = *r.OError
		}
		switch status {
		case OutboxSent:
			st.Sent += r.N
		case OutboxPending, OutboxSending:
			st.Pending += r.N
		case OutboxUnreachable:
			st.Unreachable += r.N
		case OutboxFailed:
			st.Failed += r.N
			reasons[ShortReason(lastErr)] += r.N
		default: // the outbox row is gone
			st.Failed += r.N
			reasons["lost"] += r.N
		}
	}
	for k, n := range reasons {
		st.Reasons = append(st.Reasons, ReasonCount{Reason: k, Count: n})
	}
	sort.Slice(st.Reasons, func(i, j int) bool {
		if st.Reasons[i].Count != st.Reasons[j].Count {
			return st.Reasons[i].Count > st.Reasons[j].Count
		}
		return st.Reasons[i].Reason < st.Reasons[j].Reason
	})
	return st, nil
}

var tokenRE = regexp.MustCompile(`bot[0-9]+:[A-Za-z0-9_-]+`)

// ShortReason makes a send error fit a report shown to an admin: the
// error code and a short description ("500: Internal Server Error",
// "network error"), never a URL with the bot's token.
func ShortReason(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return "unknown"
	}
	code, rest, _ := strings.Cut(s, ": ")
	switch code {
	case "network":
		if strings.Contains(rest, "timeout") || strings.Contains(rest, "deadline") {
			return "network timeout"
		}
		return "network error"
	case "bad_response":
		return "bad response"
	}
	s = tokenRE.ReplaceAllString(s, "bot***")
	if r := []rune(s); len(r) > 80 {
		s = string(r[:79]) + "…"
	}
	return s
}

// Subscription returns a contact's subscription answers (zero if none).
func (s *Store) Subscription(ctx context.Context, contactID int64) (*Subscription, error) {
	var sub Subscription
	if err := s.DB(ctx).Where("contact_id = ?", contactID).Limit(1).Find(&sub).Error; err != nil {
		return nil, Wrap(EINTERNAL, err, "subscription of contact %d", contactID)
	}
	sub.ContactID = contactID
	return &sub, nil
}

// SaveSubscription stores a contact's subscription answers.
func (s *Store) SaveSubscription(ctx context.Context, sub *Subscription) error {
	sub.UpdatedAt = s.now()
	err := s.DB(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "contact_id"}},
		DoUpdates: clause.AssignmentColumns([]string{"offered_at", "stopped_at", "updated_at"}),
	}).Create(sub).Error
	if err != nil {
		return Wrap(EINTERNAL, err, "save subscription of contact %d", sub.ContactID)
	}
	return nil
}

// HeartbeatReplica renews replica id's lease at now (wall-clock time),
// forgets replicas silent for ten leases, and returns how many replicas
// are alive: heartbeat within ttl, this one included.
func (s *Store) HeartbeatReplica(ctx context.Context, id, host string, now time.Time, ttl time.Duration) (int, error) {
	now = now.UTC()
	r := Replica{ID: id, Host: host, StartedAt: now, HeartbeatAt: now}
	err := s.DB(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "id"}},
		DoUpdates: clause.AssignmentColumns([]string{"heartbeat_at"}),
	}).Create(&r).Error
	if err != nil {
		return 0, Wrap(EINTERNAL, err, "heartbeat of replica %s", id)
	}
	if err := s.DB(ctx).Where("heartbeat_at < ?", now.Add(-10*ttl)).Delete(&Replica{}).Error; err != nil {
		return 0, Wrap(EINTERNAL, err, "forget silent replicas")
	}
	var n int64
	if err := s.DB(ctx).Model(&Replica{}).Where("heartbeat_at >= ?", now.Add(-ttl)).Count(&n).Error; err != nil {
		return 0, Wrap(EINTERNAL, err, "count live replicas")
	}
	return max(int(n), 1), nil
}

// RemoveReplica ends replica id's lease (a clean stop).
func (s *Store) RemoveReplica(ctx context.Context, id string) error {
	if err := s.DB(ctx).Where("id = ?", id).Delete(&Replica{}).Error; err != nil {
		return Wrap(EINTERNAL, err, "remove replica %s", id)
	}
	return nil
}
