package models

import (
	"context"
	"time"

	"gorm.io/gorm/clause"
)

// ChannelUpdate records that one update of a channel was processed. It is
// written in the same transaction as the update's effects and replies, so
// a redelivered update is recognised and acknowledged without a second run.
type ChannelUpdate struct {
	Channel     string `gorm:"primaryKey"`
	UpdateID    string `gorm:"primaryKey"`
	ProcessedAt time.Time
}

// ChannelStateEntry is one small value a channel keeps across restarts and
// replicas (the long-polling offset, the webhook secret…).
type ChannelStateEntry struct {
	Channel   string `gorm:"primaryKey"`
	Key       string `gorm:"primaryKey"`
	Value     string
	UpdatedAt time.Time
}

// TableName is channel_state.
func (ChannelStateEntry) TableName() string { return "channel_state" }

// RecordUpdate marks (channel, updateID) processed. It returns false, and
// changes nothing, if it was recorded before. Call it inside the update's
// transaction (InTx): if that transaction rolls back, so does the record.
func (s *Store) RecordUpdate(ctx context.Context, channel, updateID string) (bool, error) {
	if channel == "" || updateID == "" {
		return false, Errorf(EINVALID, "update without channel or id")
	}
	res := s.DB(ctx).Clauses(clause.OnConflict{DoNothing: true}).
		Create(&ChannelUpdate{Channel: channel, UpdateID: updateID, ProcessedAt: s.now()})
	if res.Error != nil {
		return false, Wrap(EINTERNAL, res.Error, "record %s update %s", channel, updateID)
	}
	return res.RowsAffected == 1, nil
}

// UpdateProcessed tells whether (channel, updateID) was recorded.
func (s *Store) UpdateProcessed(ctx context.Context, channel, updateID string) (bool, error) {
	var n int64
	err := s.DB(ctx).Model(&ChannelUpdate{}).Where("channel = ? AND update_id = ?", channel, updateID).Count(&n).Error
	if err != nil {
		return false, Wrap(EINTERNAL, err, "look up %s update %s", channel, updateID)
	}
	return n > 0, nil
}

// PruneUpdates forgets updates processed before a time (channels stop
// redelivering long before: Telegram keeps updates for 24 hours).
func (s *Store) PruneUpdates(ctx context.Context, before time.Time) (int64, error) {
	res := s.DB(ctx).Where("processed_at < ?", before.UTC()).Delete(&ChannelUpdate{})
	if res.Error != nil {
		return 0, Wrap(EINTERNAL, res.Error, "prune channel updates")
	}
	return res.RowsAffected, nil
}

// ChannelState returns a channel's stored value for key, "" if none.
func (s *Store) ChannelState(ctx context.Context, channel, key string) (string, error) {
	var e ChannelStateEntry
	err := s.DB(ctx).Where("channel = ? AND key = ?", channel, key).Limit(1).Find(&e).Error
	if err != nil {
		return "", Wrap(EINTERNAL, err, "read %s state %s", channel, key)
	}
	return e.Value, nil
}

// SetChannelState stores a channel's value for key.
func (s *Store) SetChannelState(ctx context.Context, channel, key, value string) error {
	e := ChannelStateEntry{Channel: channel, Key: key, Value: value, UpdatedAt: s.now()}
	err := s.DB(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "channel"}, {Name: "key"}},
		DoUpdates: clause.AssignmentColumns([]string{"value", "updated_at"}),
	}).Create(&e).Error
	if err != nil {
		return Wrap(EINTERNAL, err, "store %s state %s", channel, key)
	}
	return nil
}

// MarkUnreachable records that the chat can no longer be written to (the
// user blocked the bot, the account is deleted, the chat does not exist):
// reminders and broadcasts skip the contact until they write again. It
// returns the number of contacts changed.
func (s *Store) MarkUnreachable(ctx context.Context, channel, chatID string) (int64, error) {
	return s.setReachable(ctx, channel, chatID, false)
}

// MarkReachable undoes MarkUnreachable (the user wrote again, or unblocked
// the bot). It changes nothing for a contact that is reachable.
func (s *Store) MarkReachable(ctx context.Context, channel, chatID string) (int64, error) {
	return s.setReachable(ctx, channel, chatID, true)
}

func (s *Store) setReachable(ctx context.Context, channel, chatID string, reachable bool) (int64, error) {
	res := s.DB(ctx).Model(&Contact{}).
		Where("channel = ? AND chat_id = ? AND reachable = ?", channel, chatID, !reachable).
		Updates(map[string]any{"reachable": reachable, "updated_at": s.now()})
	if res.Error != nil {
		return 0, Wrap(EINTERNAL, res.Error, "mark %s chat %s reachable=%v", channel, chatID, reachable)
	}
	return res.RowsAffected, nil
}
