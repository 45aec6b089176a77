package models

import (
	"context"
	"maps"
	"slices"
	"sort"
	"time"

	"gorm.io/gorm"
)

// The outbox's statements for many messages at once: a broadcast claims
// and marks its messages by the batch (one statement for N), and a reply
// is claimed and read in one statement.

const claimable = "((status = ? AND next_attempt_at <= ?) OR (status = ? AND locked_until < ?))"

// ClaimOutboxBatch claims, in one statement, those of ids that can be
// claimed (as ClaimOutbox: pending and due, or claimed by a sender whose
// lock expired), locked until now+lockFor, one attempt counted each, and
// returns them as claimed, in ID order. The others are left as they are.
// An expired claim on an atMostOnce channel whose call was started
// (OutboxCallStarted) is not claimed: see GiveUpUncertain.
func (s Outbox) ClaimOutboxBatch(ctx context.Context, ids []int64, lockFor time.Duration, atMostOnce ...string) ([]*OutboxMessage, error) {
	var ms []*OutboxMessage
	if len(ids) == 0 {
		return ms, nil
	}
	now := s.now()
	var err error
	if len(atMostOnce) == 0 {
		err = s.DB(ctx).Raw("UPDATE outbox SET status = ?, locked_until = ?, attempts = attempts + 1 WHERE id IN ? AND "+claimable+" RETURNING *",
			OutboxSending, now.Add(lockFor), ids, OutboxPending, now, OutboxSending, now).Scan(&ms).Error
	} else {
		err = s.DB(ctx).Raw("UPDATE outbox SET status = ?, locked_until = ?, attempts = attempts + 1 WHERE id IN ? AND "+onceClaimable+" RETURNING *",
			OutboxSending, now.Add(lockFor), ids, OutboxPending, now, OutboxSending, now, atMostOnce, OutboxUncertain+":%").Scan(&ms).Error
	}
	if err != nil {
		return nil, Wrap(EINTERNAL, err, "claim %d outbox messages", len(ids))
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].ID < ms[j].ID })
	return ms, nil
}

// ClaimOutboxMessage claims message id as ClaimOutbox does and returns it
// as claimed, in the same statement; nil when it could not be claimed.
func (s Outbox) ClaimOutboxMessage(ctx context.Context, id int64, lockFor time.Duration, atMostOnce ...string) (*OutboxMessage, error) {
	ms, err := s.ClaimOutboxBatch(ctx, []int64{id}, lockFor, atMostOnce...)
	if err != nil || len(ms) == 0 {
		return nil, err
	}
	return ms[0], nil
}

// OutboxSentBatch records the delivery of these messages in one
// statement.
func (s Outbox) OutboxSentBatch(ctx context.Context, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	err := s.DB(ctx).Model(&OutboxMessage{}).Where("id IN ?", ids).Updates(map[string]any{
		"status": OutboxSent, "sent_at": s.now(), "locked_until": nil, "last_error": "",
	}).Error
	if err != nil {
		return Wrap(EINTERNAL, err, "record %d deliveries", len(ids))
	}
	return nil
}

// LeftOutbox says which messages the outbox's sweep sends: those of
// Channels (all when empty) that nothing else is sending, and that no
// earlier message to the same chat waits before (a chat's messages go in
// order).
type LeftOutbox struct {
	// Now: a message claimed by a sender whose lock expired by Now is
	// left behind (the sender died).
	Now time.Time
	// FreshKinds (replies, acknowledgements) have no job of their own: one
	// is left behind when it is pending and due by Now and either was
	// tried before (its retries are the sweep's) or was due before Fresh
	// (the fast path had its time to send it).
	FreshKinds []string
	Fresh      time.Time
	// A message of another kind (a broadcast's, whose send job retries it)
	// is left behind when it was due before Stale (its job was lost).
	Stale    time.Time
	Channels []string
	Limit    int
}

// LeftInOutbox lists up to q.Limit messages left behind (see LeftOutbox),
// oldest first. A message that an earlier one to its chat waits before is
// left out, so fewer than q.Limit may come although more are left: the
// next sweep has them.
func (s Outbox) LeftInOutbox(ctx context.Context, q LeftOutbox) ([]*OutboxMessage, error) {
	now, fresh, stale := q.Now.UTC(), q.Fresh.UTC(), q.Stale.UTC()
	kinds := q.FreshKinds
	if len(kinds) == 0 {
		kinds = []string{""}
	}
	// Two bounded statements rather than one with NOT EXISTS: on a table
	// whose statistics lag a burst of replies, PostgreSQL ran that one as
	// a scan of every open row per candidate (0.5–19 s a sweep behind
	// 9,000 replies, issue 18). The candidates first, by the open rows'
	// index (outbox_open_idx)…
	db := s.DB(ctx).Where("outbox.status IN ?", []string{OutboxPending, OutboxSending}).
		Where("((outbox.status = ? AND outbox.locked_until < ?)"+
			" OR (outbox.status = ? AND outbox.next_attempt_at <= ? AND outbox.kind IN ? AND (outbox.attempts > 0 OR outbox.next_attempt_at <= ?))"+
			" OR (outbox.status = ? AND outbox.next_attempt_at <= ?))",
			OutboxSending, now, OutboxPending, now, kinds, fresh, OutboxPending, stale)
	if len(q.Channels) > 0 {
		db = db.Where("outbox.channel IN ?", q.Channels)
	}
	var ms []*OutboxMessage
	if err := db.Order("outbox.id").Limit(max(1, q.Limit)).Find(&ms).Error; err != nil {
		return nil, Wrap(EINTERNAL, err, "list outbox messages left behind")
	}
	if len(ms) == 0 {
		return ms, nil
	}
	// …then, in their chats only (outbox_chat_idx), the first message that
	// waits: not due yet, or being sent. A candidate after it waits too.
	chans, chats := map[string]bool{}, map[string]bool{}
	for _, m := range ms {
		chans[m.Channel], chats[m.ChatID] = true, true
	}
	var waiting []struct {
		Channel, ChatID string
		ID              int64
	}
	err := s.DB(ctx).Model(&OutboxMessage{}).Select("channel, chat_id, MIN(id) AS id").
		Where("channel IN ? AND chat_id IN ? AND status IN ?", slices.Collect(maps.Keys(chans)), slices.Collect(maps.Keys(chats)),
			[]string{OutboxPending, OutboxSending}).
		Where("(status = ? AND next_attempt_at > ?) OR (status = ? AND locked_until >= ?)", OutboxPending, now, OutboxSending, now).
		Group("channel, chat_id").Scan(&waiting).Error
	if err != nil {
		return nil, Wrap(EINTERNAL, err, "list outbox messages left behind")
	}
	first := make(map[[2]string]int64, len(waiting))
	for _, w := range waiting {
		first[[2]string{w.Channel, w.ChatID}] = w.ID
	}
	return slices.DeleteFunc(ms, func(m *OutboxMessage) bool {
		id, ok := first[[2]string{m.Channel, m.ChatID}]
		return ok && id < m.ID
	}), nil
}

// ReleaseOutbox gives back claimed messages that were not sent (their
// sender is stopping): pending, due now, the claim's attempt not counted.
func (s Outbox) ReleaseOutbox(ctx context.Context, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	err := s.DB(ctx).Model(&OutboxMessage{}).Where("id IN ? AND status = ?", ids, OutboxSending).Updates(map[string]any{
		"status": OutboxPending, "locked_until": nil, "next_attempt_at": s.now(), "attempts": gorm.Expr("CASE WHEN attempts > 0 THEN attempts - 1 ELSE 0 END"),
	}).Error
	if err != nil {
		return Wrap(EINTERNAL, err, "release %d outbox messages", len(ids))
	}
	return nil
}
