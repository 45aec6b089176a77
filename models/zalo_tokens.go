package models

import (
	"context"
	"time"
)

// The database side of the Zalo channel (bot/zalo): the OA's token pair
// is a channel_state value read and replaced under a row lock, and the
// customer-service window is the contact's last_inbound_at (migration
// 00005_zalo).

// LockChannelState reads a channel's value for key and holds its row
// until the transaction ends, so that a read-modify-write of the value
// happens once across replicas (a single-use refresh token must never be
// spent twice): SELECT … FOR UPDATE on PostgreSQL; on SQLite, where
// writers are serialised, a no-op UPDATE takes the database's write lock
// first. ok is false when there is no such row (nothing is locked then).
// Call it inside InTx, and make no other database call outside that
// transaction until it ends (the embedded database has one connection).
func (s *Store) LockChannelState(ctx context.Context, channel, key string) (value string, ok bool, err error) {
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

// TouchInbound records that the contact (channel, externalID) interacted
// at a time, keeping the latest time when events come out of order. A
// contact that does not exist is not created.
func (s *Store) TouchInbound(ctx context.Context, channel, externalID string, at time.Time) error {
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
func (s *Store) LastInbound(ctx context.Context, contactIDs []int64) (map[int64]time.Time, error) {
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
func (s *Store) StopReminders(ctx context.Context, channel, externalID string) (int64, error) {
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
func (s *Store) ContactLang(ctx context.Context, channel, externalID string) (string, error) {
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
