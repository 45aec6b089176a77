package models

import (
	"context"
	"time"
)

// CountActions counts the audit events of an action since a time, of one
// subject ("area:12"), of the subjects starting with prefix when subject
// ends with "*" ("area:*"), or of any subject when subject is "". It
// also returns the oldest event's time (zero when there is none): the
// lookup budgets (handlers/lookup_budget.go) are sliding windows over the
// shared audit, so they hold across replicas.
func (s Contacts) CountActions(ctx context.Context, action, subject string, since time.Time) (int64, time.Time, error) {
	q := s.DB(ctx).Model(&AuditEvent{}).Where("action = ? AND at >= ?", action, since.UTC())
	switch {
	case subject == "":
	case subject[len(subject)-1] == '*':
		q = q.Where("subject LIKE ?", subject[:len(subject)-1]+"%")
	default:
		q = q.Where("subject = ?", subject)
	}
	var n int64
	if err := q.Count(&n).Error; err != nil {
		return 0, time.Time{}, Wrap(EINTERNAL, err, "count %s events", action)
	}
	if n == 0 {
		return 0, time.Time{}, nil
	}
	var first AuditEvent
	if err := q.Order("at ASC").Limit(1).Take(&first).Error; err != nil {
		return 0, time.Time{}, notFound(err, "oldest %s event", action)
	}
	return n, first.At.UTC(), nil
}

// ExpireStates forgets the conversation states whose time is up
// (Contact.StateExpiresAt: a searched name waiting for the area or the
// household number), returning how many. serve runs it every minute, so
// an abandoned lookup leaves no name in the database for longer than
// LOOKUP_PENDING_TTL and a minute.
func (s Contacts) ExpireStates(ctx context.Context, now time.Time) (int64, error) {
	res := s.DB(ctx).Model(&Contact{}).Where("state_expires_at <= ?", now.UTC()).
		Updates(map[string]any{"state": "", "state_expires_at": nil, "updated_at": s.now()})
	if res.Error != nil {
		return 0, Wrap(EINTERNAL, res.Error, "expire conversation states")
	}
	return res.RowsAffected, nil
}
