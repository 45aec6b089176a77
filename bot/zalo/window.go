package zalo

import (
	"context"
	"time"

	"electionbot/models"
)

// ReasonOutsideWindow is the reason a broadcast gives for the Zalo
// followers it skips because they are outside the customer-service
// window (count them under it in the broadcast report).
const ReasonOutsideWindow = "zalo_outside_window"

// InWindowAt tells whether a user whose last interaction was at last can
// get a customer-service message at now. A zero last (never recorded) is
// outside.
func InWindowAt(last, now time.Time, window time.Duration) bool {
	return !last.IsZero() && now.Sub(last) <= window
}

// InWindow tells whether a customer-service message can reach the contact
// now: a Zalo contact whose last interaction (a message, a button, a
// follow, shared info) is within Config.Window. Contacts of other channels are
// always in it.
func (c *Channel) InWindow(ctx context.Context, ct *models.Contact) (bool, error) {
	if ct.Channel != models.ChannelZalo {
		return true, nil
	}
	last, err := c.store.LastInbound(ctx, []int64{ct.ID})
	if err != nil {
		return false, err
	}
	return InWindowAt(last[ct.ID], c.now(), c.cfg.Window), nil
}

// SplitWindow sorts contacts for a broadcast: in are those a message can
// reach (every contact of another channel, Zalo contacts within the
// window), out the Zalo contacts outside it (skip them, counted under
// ReasonOutsideWindow). One query per 500 Zalo contacts.
func (c *Channel) SplitWindow(ctx context.Context, contacts []*models.Contact) (in, out []*models.Contact, err error) {
	var ids []int64
	for _, ct := range contacts {
		if ct.Channel == models.ChannelZalo {
			ids = append(ids, ct.ID)
		}
	}
	last, err := c.store.LastInbound(ctx, ids)
	if err != nil {
		return nil, nil, err
	}
	now := c.now()
	for _, ct := range contacts {
		if ct.Channel != models.ChannelZalo || InWindowAt(last[ct.ID], now, c.cfg.Window) {
			in = append(in, ct)
		} else {
			out = append(out, ct)
		}
	}
	return in, out, nil
}
