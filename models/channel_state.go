package models

import (
	"context"
	"strings"
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
func (s Channels) RecordUpdate(ctx context.Context, channel, updateID string) (bool, error) {
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

// RecordUpdates is RecordUpdate for several updates of a channel in one
// statement (a group of updates, intake/group.go): fresh holds the IDs
// recorded now; an ID given twice is fresh once.
func (s Channels) RecordUpdates(ctx context.Context, channel string, updateIDs []string) (fresh map[string]bool, err error) {
	if channel == "" {
		return nil, Errorf(EINVALID, "update without channel")
	}
	fresh = make(map[string]bool, len(updateIDs))
	if len(updateIDs) == 0 {
		return fresh, nil
	}
	now := s.now()
	var q strings.Builder
	q.WriteString("INSERT INTO channel_updates (channel, update_id, processed_at) VALUES ")
	args := make([]any, 0, 3*len(updateIDs))
	seen := make(map[string]bool, len(updateIDs))
	for _, id := range updateIDs {
		if id == "" {
			return nil, Errorf(EINVALID, "update without id")
		}
		if seen[id] {
			continue
		}
		seen[id] = true
		if len(args) > 0 {
			q.WriteString(", ")
		}
		q.WriteString("(?, ?, ?)")
		args = append(args, channel, id, now)
	}
	q.WriteString(" ON CONFLICT DO NOTHING RETURNING update_id")
	var got []string
	if err := s.DB(ctx).Raw(q.String(), args...).Scan(&got).Error; err != nil {
		return nil, Wrap(EINTERNAL, err, "record %d %s updates", len(seen), channel)
	}
	for _, id := range got {
		fresh[id] = true
	}
	return fresh, nil
}

// UpdateProcessed tells whether (channel, updateID) was recorded.
func (s Channels) UpdateProcessed(ctx context.Context, channel, updateID string) (bool, error) {
	var n int64
	err := s.DB(ctx).Model(&ChannelUpdate{}).Where("channel = ? AND update_id = ?", channel, updateID).Count(&n).Error
	if err != nil {
		return false, Wrap(EINTERNAL, err, "look up %s update %s", channel, updateID)
	}
	return n > 0, nil
}

// PruneUpdates forgets updates processed before a time (channels stop
// redelivering long before: Telegram keeps updates for 24 hours).
func (s Channels) PruneUpdates(ctx context.Context, before time.Time) (int64, error) {
	res := s.DB(ctx).Where("processed_at < ?", before.UTC()).Delete(&ChannelUpdate{})
	if res.Error != nil {
		return 0, Wrap(EINTERNAL, res.Error, "prune channel updates")
	}
	return res.RowsAffected, nil
}

// ChannelState returns a channel's stored value for key, "" if none.
func (s Channels) ChannelState(ctx context.Context, channel, key string) (string, error) {
	var e ChannelStateEntry
	err := s.DB(ctx).Where("channel = ? AND key = ?", channel, key).Limit(1).Find(&e).Error
	if err != nil {
		return "", Wrap(EINTERNAL, err, "read %s state %s", channel, key)
	}
	return e.Value, nil
}

// SetChannelState stores a channel's value for key.
func (s Channels) SetChannelState(ctx context.Context, channel, key, value string) error {
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

// Replica is a live sender process (its heartbeat is its lease).
type Replica struct {
	ID          string `gorm:"primaryKey"`
	Host        string
	StartedAt   time.Time
	HeartbeatAt time.Time
}

// HeartbeatReplica renews replica id's lease at now (wall-clock time),
// forgets replicas silent for ten leases, and returns how many replicas
// are alive: heartbeat within ttl, this one included.
func (s Channels) HeartbeatReplica(ctx context.Context, id, host string, now time.Time, ttl time.Duration) (int, error) {
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
func (s Channels) RemoveReplica(ctx context.Context, id string) error {
	if err := s.DB(ctx).Where("id = ?", id).Delete(&Replica{}).Error; err != nil {
		return Wrap(EINTERNAL, err, "remove replica %s", id)
	}
	return nil
}

// LockChannelState reads a channel's value for key and holds its row
// until the transaction ends, so that a read-modify-write of the value
// happens once across replicas (a single-use refresh token must never be
// spent twice): SELECT … FOR UPDATE on PostgreSQL; on SQLite, where
// writers are serialised, a no-op UPDATE takes the database's write lock
// first. ok is false when there is no such row (nothing is locked then).
// Call it inside InTx, and make no other database call outside that
// transaction until it ends (the embedded database has one connection).
func (s Channels) LockChannelState(ctx context.Context, channel, key string) (value string, ok bool, err error) {
	if !s.inTx() {
		return "", false, Errorf(EINTERNAL, "lock %s state %s outside a transaction", channel, key)
	}
	q := "SELECT value FROM channel_state WHERE channel = ? AND key = ?"
	if s.dialect == DialectPostgres {
		q += " FOR UPDATE"
	} else {
		err := s.DB(ctx).Exec("UPDATE channel_state SET value = value WHERE channel = ? AND key = ?", channel, key).Error
		if err != nil {
			return "", false, Wrap(EINTERNAL, err, "lock %s state %s", channel, key)
		}
	}
	var values []string
	if err := s.DB(ctx).Raw(q, channel, key).Scan(&values).Error; err != nil {
		return "", false, Wrap(EINTERNAL, err, "lock %s state %s", channel, key)
	}
	if len(values) == 0 {
		return "", false, nil
	}
	return values[0], true, nil
}
