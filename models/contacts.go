package models

import (
	"context"
	"time"

	"gorm.io/gorm"
)

type gormDB = gorm.DB

// EnsureContact returns the contact for (channel, externalID), creating it
// with the given defaults the first time someone writes.
func (s Contacts) EnsureContact(ctx context.Context, c *Contact) (*Contact, error) {
	if c.Channel == "" || c.ExternalID == "" {
		return nil, Errorf(EINVALID, "contact without channel or id")
	}
	// A contact is written to in its private chat, never in the group it
	// first wrote from: broadcasts, reminders and role notices are for
	// the person. Telegram's private chat with a user has the user's id.
	if c.ChatID == "" || c.Channel == ChannelTelegram {
		c.ChatID = c.ExternalID
	}
	if c.Lang == "" {
		c.Lang = "vi"
	}
	if got := s.prefetched(c.Channel, c.ExternalID); got != nil {
		return got, nil // read at the group's start (contact_prefetch.go)
	}
	c.Reachable = true
	now := s.now()
	c.CreatedAt, c.UpdatedAt = now, now
	// One statement, a new contact or not, and safe when two replicas see
	// a first message at once.
	cols := `channel, external_id, chat_id, display_name, lang, ward_id, area_id, reminders,
		reachable, phone, state, state_expires_at, created_at, updated_at`
	vals := []any{c.Channel, c.ExternalID, c.ChatID, c.DisplayName, c.Lang, c.WardID, c.AreaID, c.Reminders,
		c.Reachable, c.Phone, c.State, c.StateExpiresAt, c.CreatedAt, c.UpdatedAt}
	var q string
	if s.dialect == DialectPostgres {
		// Inserted, or else the stored row: nothing written for a contact
		// who wrote before.
		q = `WITH ins AS (INSERT INTO contacts (` + cols + `) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (channel, external_id) DO NOTHING RETURNING *)
			SELECT c.*, ` + catalogTokenColumn + ` FROM (SELECT * FROM ins UNION ALL
			SELECT * FROM contacts WHERE channel = ? AND external_id = ? LIMIT 1) c`
		vals = append(vals, c.Channel, c.ExternalID)
	} else {
		// SQLite has no INSERT in WITH: the conflict "updates" a column to
		// itself so that RETURNING gives the stored row.
		q = `INSERT INTO contacts (` + cols + `) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (channel, external_id) DO UPDATE SET channel = contacts.channel
			RETURNING *, ` + catalogTokenColumn
	}
	// The catalog's version comes with it: the update's one read of it
	// (catalog.go) costs no round trip of its own.
	var got []struct {
		Contact
		CatalogToken string
	}
	if err := s.DB(ctx).Raw(q, vals...).Scan(&got).Error; err != nil {
		return nil, Wrap(EINTERNAL, err, "ensure contact %s/%s", c.Channel, c.ExternalID)
	}
	if len(got) == 1 {
		s.seeCatalog(got[0].CatalogToken)
		return &got[0].Contact, nil
	}
	// PostgreSQL: inserted by a transaction that committed after this
	// statement's snapshot was taken.
	var g Contact
	err := s.DB(ctx).Where("channel = ? AND external_id = ?", c.Channel, c.ExternalID).Take(&g).Error
	if err != nil {
		return nil, notFound(err, "contact %s/%s", c.Channel, c.ExternalID)
	}
	return &g, nil
}

// ContactByID finds a contact.
func (s Contacts) ContactByID(ctx context.Context, id int64) (*Contact, error) {
	var c Contact
	if err := s.DB(ctx).Where("id = ?", id).Take(&c).Error; err != nil {
		return nil, notFound(err, "contact %d not found", id)
	}
	return &c, nil
}

// SaveContact stores every field of an existing contact.
func (s Contacts) SaveContact(ctx context.Context, c *Contact) error {
	c.UpdatedAt = s.now()
	if err := s.DB(ctx).Save(c).Error; err != nil {
		return Wrap(EINTERNAL, err, "save contact %d", c.ID)
	}
	return nil
}

// Audit records an event.
func (s Contacts) Audit(ctx context.Context, ev *AuditEvent) error {
	if ev.At.IsZero() {
		ev.At = s.now()
	}
	if err := s.DB(ctx).Create(ev).Error; err != nil {
		return Wrap(EINTERNAL, err, "audit %s", ev.Action)
	}
	return nil
}

// CountAudit counts a contact's events of one action since a time. Used as
// a sliding-window limit that holds across replicas, since the events are
// in the shared database.
func (s Contacts) CountAudit(ctx context.Context, contactID int64, action string, since time.Time) (int64, error) {
	var n int64
	err := s.DB(ctx).Model(&AuditEvent{}).
		Where("contact_id = ? AND action = ? AND at >= ?", contactID, action, since.UTC()).Count(&n).Error
	if err != nil {
		return 0, Wrap(EINTERNAL, err, "count audit events")
	}
	return n, nil
}

// OldestAuditSince returns the time of the contact's oldest event of an
// action since a time (to tell a rate-limited user when to retry).
func (s Contacts) OldestAuditSince(ctx context.Context, contactID int64, action string, since time.Time) (time.Time, error) {
	var ev AuditEvent
	err := s.DB(ctx).Where("contact_id = ? AND action = ? AND at >= ?", contactID, action, since.UTC()).
		Order("at ASC").Take(&ev).Error
	if err != nil {
		return time.Time{}, notFound(err, "no %s events", action)
	}
	return ev.At, nil
}

// ContactsByPhone lists the contacts whose verified phone is phone (E.164),
// on any channel.
func (s Contacts) ContactsByPhone(ctx context.Context, phone string) ([]*Contact, error) {
	var cs []*Contact
	if err := s.DB(ctx).Where("phone = ?", phone).Order("id").Find(&cs).Error; err != nil {
		return nil, Wrap(EINTERNAL, err, "contacts by phone")
	}
	return cs, nil
}

// ContactsByID loads contacts by id (unknown ids are left out).
func (s Contacts) ContactsByID(ctx context.Context, ids []int64) (map[int64]*Contact, error) {
	out := make(map[int64]*Contact, len(ids))
	ids = uniqueIDs(ids)
	for len(ids) > 0 {
		n := min(len(ids), 500)
		var cs []*Contact
		if err := s.DB(ctx).Where("id IN ?", ids[:n]).Find(&cs).Error; err != nil {
			return nil, Wrap(EINTERNAL, err, "contacts by id")
		}
		for _, c := range cs {
			out[c.ID] = c
		}
		ids = ids[n:]
	}
	return out, nil
}
