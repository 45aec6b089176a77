package models

import (
	"context"
	"time"

	"gorm.io/gorm/clause"
)

// Whether and how a contact can be reached: "blocked the bot" and back,
// the last message they sent (Zalo's customer-service window: the
// contact's last_inbound_at, migration 00005_zalo), their language and
// their reminder subscription.

// Subscription is a contact's answers about messages it did not ask for:
// when reminders were offered to it, and when it said /stop (nothing
// unasked any more: no reminders, no announcements).
type Subscription struct {
	ContactID int64 `gorm:"primaryKey;autoIncrement:false"`
	OfferedAt *time.Time
	StoppedAt *time.Time
	UpdatedAt time.Time
}

// Subscription returns a contact's subscription answers (zero if none).
func (s Contacts) Subscription(ctx context.Context, contactID int64) (*Subscription, error) {
	var sub Subscription
	if err := s.DB(ctx).Where("contact_id = ?", contactID).Limit(1).Find(&sub).Error; err != nil {
		return nil, Wrap(EINTERNAL, err, "subscription of contact %d", contactID)
	}
	sub.ContactID = contactID
	return &sub, nil
}

// SaveSubscription stores a contact's subscription answers.
func (s Contacts) SaveSubscription(ctx context.Context, sub *Subscription) error {
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

// TouchInbound records that the contact (channel, externalID) interacted
// at a time, keeping the latest time when events come out of order. A
// contact that does not exist is not created.
func (s Contacts) TouchInbound(ctx context.Context, channel, externalID string, at time.Time) error {
	at = at.UTC()
	err := s.DB(ctx).Exec(
		"UPDATE contacts SET last_inbound_at = ? WHERE channel = ? AND external_id = ? AND (last_inbound_at IS NULL OR last_inbound_at < ?)",
		at, channel, externalID, at).Error
	if err != nil {
		return Wrap(EINTERNAL, err, "record the last message of %s contact %s", channel, externalID)
	}
	return nil
}

// LastInbound returns when each of these contacts last interacted, as
// recorded by TouchInbound; contacts without a record are absent.
func (s Contacts) LastInbound(ctx context.Context, contactIDs []int64) (map[int64]time.Time, error) {
	out := make(map[int64]time.Time, len(contactIDs))
	for start := 0; start < len(contactIDs); start += 500 {
		batch := contactIDs[start:min(start+500, len(contactIDs))]
		var rows []struct {
			ID            int64
			LastInboundAt *time.Time
		}
		err := s.DB(ctx).Table("contacts").Select("id, last_inbound_at").
			Where("id IN ? AND last_inbound_at IS NOT NULL", batch).Scan(&rows).Error
		if err != nil {
			return nil, Wrap(EINTERNAL, err, "read the last messages of %d contacts", len(batch))
		}
		for _, r := range rows {
			if r.LastInboundAt != nil {
				out[r.ID] = r.LastInboundAt.UTC()
			}
		}
	}
	return out, nil
}

// StopReminders turns the reminders of contact (channel, externalID) off
// (a Zalo user who unfollows the Official Account), returning the number
// of contacts changed.
func (s Contacts) StopReminders(ctx context.Context, channel, externalID string) (int64, error) {
	res := s.DB(ctx).Model(&Contact{}).
		Where("channel = ? AND external_id = ? AND reminders = ?", channel, externalID, true).
		Updates(map[string]any{"reminders": false, "updated_at": s.now()})
	if res.Error != nil {
		return 0, Wrap(EINTERNAL, res.Error, "stop the reminders of %s contact %s", channel, externalID)
	}
	return res.RowsAffected, nil
}

// ContactLang is the language of contact (channel, externalID); "" when
// there is no such contact.
func (s Contacts) ContactLang(ctx context.Context, channel, externalID string) (string, error) {
	var langs []string
	err := s.DB(ctx).Model(&Contact{}).Where("channel = ? AND external_id = ?", channel, externalID).
		Limit(1).Pluck("lang", &langs).Error
	if err != nil {
		return "", Wrap(EINTERNAL, err, "read the language of %s contact %s", channel, externalID)
	}
	if len(langs) == 0 {
		return "", nil
	}
	return langs[0], nil
}

// MarkUnreachable records that the chat can no longer be written to (the
// user blocked the bot, the account is deleted, the chat does not exist):
// reminders and broadcasts skip the contact until they write again. It
// returns the number of contacts changed.
func (s Contacts) MarkUnreachable(ctx context.Context, channel, chatID string) (int64, error) {
	return s.setReachable(ctx, channel, chatID, false)
}

// MarkReachable undoes MarkUnreachable (the user wrote again, or unblocked
// the bot). It changes nothing for a contact that is reachable.
func (s Contacts) MarkReachable(ctx context.Context, channel, chatID string) (int64, error) {
	if s.knownReachable(channel, chatID) {
		return 0, nil // read reachable at the group's start (contact_prefetch.go)
	}
	return s.setReachable(ctx, channel, chatID, true)
}

func (s Contacts) setReachable(ctx context.Context, channel, chatID string, reachable bool) (int64, error) {
	res := s.DB(ctx).Model(&Contact{}).
		Where("channel = ? AND chat_id = ? AND reachable = ?", channel, chatID, !reachable).
		Updates(map[string]any{"reachable": reachable, "updated_at": s.now()})
	if res.Error != nil {
		return 0, Wrap(EINTERNAL, res.Error, "mark %s chat %s reachable=%v", channel, chatID, reachable)
	}
	return res.RowsAffected, nil
}
