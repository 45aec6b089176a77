package outbox

import "context"

// DeliverDue sends every message due now (by the store's clock), as the
// jobs would: for tests that step an injected clock without River.
func (o *Outbox) DeliverDue(ctx context.Context) error {
	ms, err := o.store.DueOutbox(ctx, o.now(), 100000)
	if err != nil {
		return err
	}
	ids := make([]int64, len(ms))
	for i, m := range ms {
		ids[i] = m.ID
	}
	_, err = o.Deliver(ctx, ids)
	return err
}
