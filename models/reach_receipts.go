package models

import (
	"context"
	"time"
)

// ReachUncertain is the outcome of a ledger row whose message was given
// up as uncertain (models.IsUncertain): its channel has no idempotency
// key (ZNS) and the sender died mid-call, so it may have reached the
// household or not. It is final (no next channel: that could be a second
// message) and on the door-to-door list (ly_do=uncertain) unless a
// delivery receipt arrives (ZNSDelivered).
const ReachUncertain = "uncertain"

// ReachDeliveredReason is the reason of a ledger row whose delivery
// receipt arrived: its outcome is sent (reached).
const ReachDeliveredReason = "delivered"

// ZNSDelivered records a ZNS delivery receipt: the outbox message sent
// with trackingID (its dedupe key, hh:<broadcast>:<voter>:zns, see
// zns.TrackingID) reached the phone at at. The message becomes sent
// (also one given up as uncertain, or still claimed after a crash), and
// its ledger row sent with reason "delivered" — also an uncertain one:
// the household is reached and leaves the door-to-door list. found is
// false when no such message is in the outbox (a message that is not a
// household's, or pruned).
func (s Broadcasts) ZNSDelivered(ctx context.Context, trackingID string, at time.Time) (found bool, err error) {
	var ms []*OutboxMessage
	if err := s.DB(ctx).Where("dedupe_key = ? AND channel = ?", trackingID, ChannelZNS).Limit(1).Find(&ms).Error; err != nil {
		return false, Wrap(EINTERNAL, err, "ZNS message %s", trackingID)
	}
	if len(ms) == 0 {
		return false, nil
	}
	m, at := ms[0], at.UTC()
	if at.IsZero() {
		at = s.now().UTC()
	}
	err = s.InTx(ctx, func(tx *Store) error {
		if m.Status != OutboxSent {
			// Pending or claimed: the receipt proves the call went
			// through; it is not made again.
			err := tx.DB(ctx).Model(&OutboxMessage{}).
				Where("id = ? AND (status IN ? OR (status = ? AND last_error LIKE ?))", m.ID,
					[]string{OutboxPending, OutboxSending}, OutboxFailed, OutboxUncertain+":%").
				Updates(map[string]any{"status": OutboxSent, "sent_at": at, "locked_until": nil, "last_error": ""}).Error
			if err != nil {
				return Wrap(EINTERNAL, err, "ZNS message %d delivered", m.ID)
			}
		}
		err := tx.DB(ctx).Model(&ReachAttempt{}).
			Where("outbox_id = ? AND channel = ? AND outcome IN ?", m.ID, ChannelZNS, []string{ReachQueued, ReachSent, ReachUncertain}).
			Updates(map[string]any{"outcome": ReachSent, "reason": ReachDeliveredReason, "done_at": at}).Error
		if err != nil {
			return Wrap(EINTERNAL, err, "ledger of ZNS message %d", m.ID)
		}
		return nil
	})
	return err == nil, err
}
