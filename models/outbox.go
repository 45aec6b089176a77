package models

import (
	"context"
	"database/sql"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Outbox statuses.
const (
	OutboxPending     = "pending"     // to send at NextAttemptAt
	OutboxSending     = "sending"     // claimed by a sender until LockedUntil
	OutboxSent        = "sent"        // delivered
	OutboxFailed      = "failed"      // given up: permanent error or attempts exhausted
	OutboxUnreachable = "unreachable" // the chat is gone or blocked the bot
)

// Outbox kinds.
const (
	OutboxReply = "reply" // the answer to an incoming update
	OutboxAck   = "ack"   // an acknowledgement (answer to a button press): not paced like a message
)

// OutboxMessage is one API call a channel has to make, inserted in the
// transaction that decided it (a transactional outbox) and sent after the
// commit; a message not sent then is retried from here.
type OutboxMessage struct {
	ID            int64 `gorm:"primaryKey"`
	Channel       string
	ChatID        string
	ContactID     *int64
	Kind          string
	DedupeKey     *string // unique when set: one delivery per key
	Payload       string  // the channel's encoding of the call
	Status        string
	Attempts      int
	NextAttemptAt time.Time
	LockedUntil   *time.Time
	LastError     string
	CreatedAt     time.Time
	SentAt        *time.Time
}

// TableName is outbox.
func (OutboxMessage) TableName() string { return "outbox" }

// pending makes m a new row to insert: pending, no attempt yet, created
// now and due at its NextAttemptAt (now when unset), of kind when it has
// none.
func (m *OutboxMessage) pending(now time.Time, kind string) {
	m.ID = 0
	if m.Kind == "" {
		m.Kind = kind
	}
	m.Status, m.Attempts, m.LockedUntil, m.SentAt, m.LastError = OutboxPending, 0, nil, nil, ""
	m.CreatedAt = now
	if m.NextAttemptAt.IsZero() {
		m.NextAttemptAt = now
	}
	m.NextAttemptAt = m.NextAttemptAt.UTC()
}

// EnqueueOutbox inserts messages, pending and due now, in the order given
// (their IDs give the sending order within a chat). A message whose
// DedupeKey is already in the outbox is skipped: its ID stays 0.
func (s Outbox) EnqueueOutbox(ctx context.Context, msgs []*OutboxMessage) error {
	now := s.now()
	for _, m := range msgs {
		if m.Channel == "" || m.ChatID == "" {
			return Errorf(EINVALID, "outbox message without channel or chat")
		}
		m.pending(now, OutboxReply)
	}
	// A run of messages without a key is one multi-row INSERT (a group of
	// updates' replies, intake/group.go); a keyed one goes alone, since a
	// skipped row would leave the returned IDs out of step with the rows.
	for len(msgs) > 0 {
		n := 1
		if msgs[0].DedupeKey == nil {
			for n < len(msgs) && msgs[n].DedupeKey == nil {
				n++
			}
		}
		run := msgs[:n]
		msgs = msgs[n:]
		q := s.DB(ctx)
		if run[0].DedupeKey != nil {
			q = q.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "dedupe_key"}}, DoNothing: true})
		}
		var err error
		if n == 1 {
			err = q.Create(run[0]).Error
		} else {
			err = q.Create(&run).Error
		}
		if err != nil {
			return Wrap(EINTERNAL, err, "enqueue %s message for chat %s", run[0].Channel, run[0].ChatID)
		}
	}
	return nil
}

// OutboxMessages returns the messages with these IDs, in ID order.
func (s Outbox) OutboxMessages(ctx context.Context, ids []int64) ([]*OutboxMessage, error) {
	var ms []*OutboxMessage
	if len(ids) == 0 {
		return ms, nil
	}
	if err := s.DB(ctx).Where("id IN ?", ids).Order("id").Find(&ms).Error; err != nil {
		return nil, Wrap(EINTERNAL, err, "read outbox messages")
	}
	return ms, nil
}

// ClaimOutbox takes message id for sending until now+lockFor, counting an
// attempt. Only a pending message that is due, or one whose sender's lock
// has expired (a crash mid-send), can be claimed; false means another
// sender has it, it is not due, or it is finished.
func (s Outbox) ClaimOutbox(ctx context.Context, id int64, lockFor time.Duration) (bool, error) {
	now := s.now()
	res := s.DB(ctx).Model(&OutboxMessage{}).
		Where("id = ? AND ((status = ? AND next_attempt_at <= ?) OR (status = ? AND locked_until < ?))",
			id, OutboxPending, now, OutboxSending, now).
		Updates(map[string]any{
			"status":       OutboxSending,
			"locked_until": now.Add(lockFor),
			"attempts":     gorm.Expr("attempts + 1"),
		})
	if res.Error != nil {
		return false, Wrap(EINTERNAL, res.Error, "claim outbox message %d", id)
	}
	return res.RowsAffected == 1, nil
}

// OutboxSent records a delivery.
func (s Outbox) OutboxSent(ctx context.Context, id int64) error {
	now := s.now()
	return s.updateOutbox(ctx, id, map[string]any{
		"status": OutboxSent, "sent_at": now, "locked_until": nil, "last_error": "",
	})
}

// OutboxRetryAt puts a claimed message back to pending, due at a time,
// with the reason of the failed attempt.
func (s Outbox) OutboxRetryAt(ctx context.Context, id int64, at time.Time, reason string) error {
	return s.updateOutbox(ctx, id, map[string]any{
		"status": OutboxPending, "next_attempt_at": at.UTC(), "locked_until": nil, "last_error": reason,
	})
}

// OutboxGiveUp ends a message with OutboxFailed or OutboxUnreachable.
func (s Outbox) OutboxGiveUp(ctx context.Context, id int64, status, reason string) error {
	return s.updateOutbox(ctx, id, map[string]any{"status": status, "locked_until": nil, "last_error": reason})
}

func (s Outbox) updateOutbox(ctx context.Context, id int64, fields map[string]any) error {
	if err := s.DB(ctx).Model(&OutboxMessage{}).Where("id = ?", id).Updates(fields).Error; err != nil {
		return Wrap(EINTERNAL, err, "update outbox message %d", id)
	}
	return nil
}

// OutboxCloseChat ends every pending message to a chat with status (after
// the chat turned out unreachable), returning how many.
func (s Outbox) OutboxCloseChat(ctx context.Context, channel, chatID, status, reason string) (int64, error) {
	res := s.DB(ctx).Model(&OutboxMessage{}).
		Where("channel = ? AND chat_id = ? AND status = ?", channel, chatID, OutboxPending).
		Updates(map[string]any{"status": status, "last_error": reason})
	if res.Error != nil {
		return 0, Wrap(EINTERNAL, res.Error, "close outbox of %s chat %s", channel, chatID)
	}
	return res.RowsAffected, nil
}

// DueOutbox lists up to limit messages that should have been sent by
// before and are not: pending and due, or claimed by a sender whose lock
// expired. Oldest first.
func (s Outbox) DueOutbox(ctx context.Context, before time.Time, limit int) ([]*OutboxMessage, error) {
	before = before.UTC()
	var ms []*OutboxMessage
	err := s.DB(ctx).
		Where("(status = ? AND next_attempt_at <= ?) OR (status = ? AND locked_until < ?)", OutboxPending, before, OutboxSending, before).
		Order("id").Limit(limit).Find(&ms).Error
	if err != nil {
		return nil, Wrap(EINTERNAL, err, "list due outbox messages")
	}
	return ms, nil
}

// ChatOutbox lists up to limit messages to a chat after the message
// afterID, in ID order, whatever their status: the terminal chat shows its
// contact what the outbox delivered to it, whichever process sent it, and
// waits for what is not sent yet.
func (s Outbox) ChatOutbox(ctx context.Context, channel, chatID string, afterID int64, limit int) ([]*OutboxMessage, error) {
	var ms []*OutboxMessage
	err := s.DB(ctx).Where("id > ? AND channel = ? AND chat_id = ?", afterID, channel, chatID).
		Order("id").Limit(limit).Find(&ms).Error
	if err != nil {
		return nil, Wrap(EINTERNAL, err, "messages to %s chat %s", channel, chatID)
	}
	return ms, nil
}

// PruneOutbox deletes finished messages (sent, failed, unreachable)
// created before a time, returning how many. Messages with a DedupeKey are
// kept: they are the record that a delivery happened.
func (s Outbox) PruneOutbox(ctx context.Context, before time.Time) (int64, error) {
	res := s.DB(ctx).
		Where("created_at < ? AND dedupe_key IS NULL AND status IN ?", before.UTC(), []string{OutboxSent, OutboxFailed, OutboxUnreachable}).
		Delete(&OutboxMessage{})
	if res.Error != nil {
		return 0, Wrap(EINTERNAL, res.Error, "prune outbox")
	}
	return res.RowsAffected, nil
}

// SQLTx returns the database/sql transaction the store is bound to (inside
// InTx), or nil outside a transaction: for libraries that take a *sql.Tx,
// such as River's InsertTx, to join the same transaction.
func (s Outbox) SQLTx() *sql.Tx {
	tx, _ := s.db.Statement.ConnPool.(*sql.Tx)
	return tx
}
