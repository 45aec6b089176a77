package models

import (
	"context"
	"strings"
	"time"
)

// At most once (issue 19): a channel with no idempotency key on the
// provider's side (ZNS) cannot tell a second call of a message from a new
// message, so a message whose call was made and whose result was never
// recorded (the process died mid-call) is not sent again. Its sender
// marks the call started (OutboxCallStarted) just before making it; a
// claim that expires with that mark is not claimable again, and the
// outbox's sweep gives it up as uncertain (GiveUpUncertain): status
// failed, last error "uncertain: …". A delivery receipt may settle it
// later (ZNSDelivered).

// OutboxUncertain is the prefix of the last error of a message given up
// as uncertain, and the code of its give-up.
const OutboxUncertain = "uncertain"

// uncertainMark is the last error of a message whose call is under way.
const uncertainMark = OutboxUncertain + ": the call was made and its result not recorded (the sender stopped mid-call)"

// IsUncertain says whether a message's status and last error are those
// of a message given up as uncertain.
func IsUncertain(status, lastError string) bool {
	return status == OutboxFailed && strings.HasPrefix(lastError, OutboxUncertain+":")
}

// onceClaimable is the claim condition with at-most-once channels: an
// expired claim on one of them is claimable only when its call was not
// started.
const onceClaimable = "((status = ? AND next_attempt_at <= ?) OR (status = ? AND locked_until < ? AND NOT (channel IN ? AND last_error LIKE ?)))"

// OutboxCallStarted marks claimed message id's call as under way (an
// at-most-once channel's, just before the call): if its result is never
// recorded, it is given up as uncertain, not sent again.
func (s Outbox) OutboxCallStarted(ctx context.Context, id int64) error {
	return s.updateOutbox(ctx, id, map[string]any{"last_error": uncertainMark})
}

// GiveUpUncertain gives up, as uncertain (status failed, last error
// "uncertain: …"), up to limit messages of channels whose claim expired
// by now with their call started (OutboxCallStarted), and returns them.
func (s Outbox) GiveUpUncertain(ctx context.Context, now time.Time, channels []string, limit int) ([]*OutboxMessage, error) {
	var ms []*OutboxMessage
	if len(channels) == 0 {
		return ms, nil
	}
	now = now.UTC()
	ids := s.DB(ctx).Model(&OutboxMessage{}).Select("id").
		Where("status = ? AND locked_until < ? AND channel IN ? AND last_error LIKE ?", OutboxSending, now, channels, OutboxUncertain+":%").
		Order("id").Limit(max(1, limit))
	err := s.DB(ctx).Raw("UPDATE outbox SET status = ?, locked_until = NULL WHERE id IN (?) AND status = ? RETURNING *",
		OutboxFailed, ids, OutboxSending).Scan(&ms).Error
	if err != nil {
		return nil, Wrap(EINTERNAL, err, "give up uncertain outbox messages")
	}
	return ms, nil
}
