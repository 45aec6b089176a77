package models

// The fan-out of a broadcast: who is in its audience, the outbox rows and
// deliveries it becomes, and the statistics the ward sees.

import (
	"context"
	"regexp"
	"sort"
	"strings"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

const optedOut = "NOT EXISTS (SELECT 1 FROM subscriptions su WHERE su.contact_id = contacts.id AND su.stopped_at IS NOT NULL)"

// audience is the query of a broadcast's recipients (reachable or not;
// contacts who said /stop are never in it), within its scope: one ward
// (WardID), one city (City) or the whole election.
func (s Broadcasts) audience(ctx context.Context, b *Broadcast) (*gorm.DB, error) {
	db := s.DB(ctx)
	areas := db.Model(&Area{}).Select("id").Where("election_id = ?", b.ElectionID)
	switch {
	case b.WardID != nil:
		areas = areas.Where("ward_id = ?", *b.WardID)
	case b.City != "":
		areas = areas.Where("ward_id IN (?)", db.Model(&Ward{}).Select("id").Where("city = ?", b.City))
	}
	wards := db.Model(&Area{}).Select("ward_id").Where("id IN (?)", areas)
	residents := db.Where("contacts.area_id IN (?)", areas)
	reporters := db.Where("contacts.id IN (?)", db.Model(&RoleGrant{}).Select("contact_id").
		Where("role = ? AND revoked_at IS NULL AND contact_id IS NOT NULL AND area_id IN (?)", RoleReporter, areas))
	// The admins of the wards in scope and those of every ward.
	admins := db.Where("contacts.id IN (?)", db.Model(&RoleGrant{}).Select("contact_id").
		Where("role = ? AND revoked_at IS NULL AND contact_id IS NOT NULL AND area_id IS NULL", RoleAdmin).
		Where(db.Where("ward_id IS NULL").Or("ward_id IN (?)", wards)))
	q := db.Model(&Contact{}).Where(optedOut)
	switch b.Audience {
	case AudienceAll:
		q = q.Where(residents.Or(reporters).Or(admins))
	case AudienceAreas:
		ids := b.Areas()
		if len(ids) == 0 {
			return nil, Errorf(EINVALID, "a broadcast to some areas needs at least one area")
		}
		q = q.Where("contacts.area_id IN ?", ids).Where("contacts.area_id IN (?)", areas)
	case AudienceReporters:
		q = q.Where(reporters)
	case AudienceSubscribers:
		q = q.Where("contacts.reminders = ?", true).Where("contacts.area_id IN (?)", areas)
	case AudienceOfficials:
		q = q.Where(reporters.Or(admins))
	default:
		return nil, Errorf(EINVALID, "broadcast audience %q", b.Audience)
	}
	return q, nil
}

// AudienceCount is the size of a broadcast's audience.
type AudienceCount struct {
	Reachable   int // will be sent the message (unless a channel skips them)
	Unreachable int // blocked the bot: skipped
}

// CountAudience counts a broadcast's recipients (the preview).
func (s Broadcasts) CountAudience(ctx context.Context, b *Broadcast) (AudienceCount, error) {
	var out AudienceCount
	for _, reachable := range []bool{true, false} {
		q, err := s.audience(ctx, b)
		if err != nil {
			return out, err
		}
		var n int64
		if err := q.Where("contacts.reachable = ?", reachable).Count(&n).Error; err != nil {
			return out, Wrap(EINTERNAL, err, "count audience of broadcast %d", b.ID)
		}
		if reachable {
			out.Reachable = int(n)
		} else {
			out.Unreachable = int(n)
		}
	}
	return out, nil
}

// BroadcastRecipients returns up to limit recipients of a broadcast after
// contact id after, in id order (the fan-out's pages).
func (s Broadcasts) BroadcastRecipients(ctx context.Context, b *Broadcast, after int64, limit int) ([]*Contact, error) {
	q, err := s.audience(ctx, b)
	if err != nil {
		return nil, err
	}
	var cs []*Contact
	if err := q.Where("contacts.id > ?", after).Order("contacts.id").Limit(limit).Find(&cs).Error; err != nil {
		return nil, Wrap(EINTERNAL, err, "recipients of broadcast %d", b.ID)
	}
	return cs, nil
}

// InsertBroadcastMessages inserts a page of broadcast messages into the
// outbox, pending and due now, in batches; a message whose DedupeKey is
// already there is not inserted again. Every message gets the ID of the
// outbox row that holds its key (new or old).
func (s Broadcasts) InsertBroadcastMessages(ctx context.Context, msgs []*OutboxMessage) error {
	if len(msgs) == 0 {
		return nil
	}
	now := s.now()
	keys := make([]string, 0, len(msgs))
	for _, m := range msgs {
		if m.Channel == "" || m.ChatID == "" || m.DedupeKey == nil {
			return Errorf(EINVALID, "broadcast message without channel, chat or dedupe key")
		}
		m.pending(now, OutboxBroadcast)
		keys = append(keys, *m.DedupeKey)
	}
	err := s.DB(ctx).Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "dedupe_key"}}, DoNothing: true}).
		CreateInBatches(msgs, 200).Error
	if err != nil {
		return Wrap(EINTERNAL, err, "enqueue %d broadcast messages", len(msgs))
	}
	ids := make(map[string]int64, len(keys))
	for len(keys) > 0 {
		n := min(len(keys), 500)
		var rows []struct {
			ID        int64
			DedupeKey string
		}
		if err := s.DB(ctx).Model(&OutboxMessage{}).Select("id, dedupe_key").Where("dedupe_key IN ?", keys[:n]).Find(&rows).Error; err != nil {
			return Wrap(EINTERNAL, err, "ids of broadcast messages")
		}
		for _, r := range rows {
			ids[r.DedupeKey] = r.ID
		}
		keys = keys[n:]
	}
	for _, m := range msgs {
		m.ID = ids[*m.DedupeKey]
		if m.ID == 0 {
			return Errorf(EINTERNAL, "broadcast message %s was not stored", *m.DedupeKey)
		}
	}
	return nil
}

// InsertDeliveries records a page of a broadcast's recipients; a
// (broadcast, contact) already recorded is left as it is.
func (s Broadcasts) InsertDeliveries(ctx context.Context, ds []*BroadcastDelivery) error {
	if len(ds) == 0 {
		return nil
	}
	err := s.DB(ctx).Clauses(clause.OnConflict{DoNothing: true}).CreateInBatches(ds, 500).Error
	if err != nil {
		return Wrap(EINTERNAL, err, "record %d deliveries", len(ds))
	}
	return nil
}

// BroadcastStats is where a broadcast's deliveries are.
type BroadcastStats struct {
	Total       int // delivery rows
	Sent        int
	Pending     int // waiting or being sent (retries included)
	Unreachable int // blocked the bot, chat gone (at fan-out or at sending)
	Failed      int // refused, or out of attempts
	Skipped     int // not sent for another reason (a channel's window…)
	// Reasons counts the failed and skipped deliveries by reason, most
	// frequent first.
	Reasons []ReasonCount
}

// ReasonCount is how many deliveries ended for one reason.
type ReasonCount struct {
	Reason string
	Count  int
}

// Finished is the number of deliveries that will not change any more.
func (st *BroadcastStats) Finished() int { return st.Total - st.Pending }

// BroadcastStats counts a broadcast's deliveries by outcome.
func (s Broadcasts) BroadcastStats(ctx context.Context, id int64) (*BroadcastStats, error) {
	var rows []struct {
		DStatus string
		Reason  string
		OStatus *string
		OError  *string
		N       int
	}
	err := s.DB(ctx).Table("broadcast_deliveries AS d").
		Select("d.status AS d_status, d.reason AS reason, o.status AS o_status, o.last_error AS o_error, COUNT(*) AS n").
		Joins("LEFT JOIN outbox o ON o.id = d.outbox_id").
		Where("d.broadcast_id = ?", id).
		Group("d.status, d.reason, o.status, o.last_error").
		Scan(&rows).Error
	if err != nil {
		return nil, Wrap(EINTERNAL, err, "statistics of broadcast %d", id)
	}
	st := &BroadcastStats{}
	reasons := map[string]int{}
	for _, r := range rows {
		st.Total += r.N
		if r.DStatus == DeliverySkipped {
			if r.Reason == ReasonUnreachable {
				st.Unreachable += r.N
			} else {
				st.Skipped += r.N
				reasons[ShortReason(r.Reason)] += r.N
			}
			continue
		}
		status, lastErr := "", ""
		if r.OStatus != nil {
			status = *r.OStatus
		}
		if r.OError != nil {
			lastErr = *r.OError
		}
		switch status {
		case OutboxSent:
			st.Sent += r.N
		case OutboxPending, OutboxSending:
			st.Pending += r.N
		case OutboxUnreachable:
			st.Unreachable += r.N
		case OutboxFailed:
			st.Failed += r.N
			reasons[ShortReason(lastErr)] += r.N
		default: // the outbox row is gone
			st.Failed += r.N
			reasons["lost"] += r.N
		}
	}
	for k, n := range reasons {
		st.Reasons = append(st.Reasons, ReasonCount{Reason: k, Count: n})
	}
	sort.Slice(st.Reasons, func(i, j int) bool {
		if st.Reasons[i].Count != st.Reasons[j].Count {
			return st.Reasons[i].Count > st.Reasons[j].Count
		}
		return st.Reasons[i].Reason < st.Reasons[j].Reason
	})
	return st, nil
}

var tokenRE = regexp.MustCompile(`bot[0-9]+:[A-Za-z0-9_-]+`)

// ShortReason makes a send error fit a report shown to an admin: the
// error code and a short description ("500: Internal Server Error",
// "network error"), never a URL with the bot's token.
func ShortReason(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return "unknown"
	}
	code, rest, _ := strings.Cut(s, ": ")
	switch code {
	case "network":
		if strings.Contains(rest, "timeout") || strings.Contains(rest, "deadline") {
			return "network timeout"
		}
		return "network error"
	case "bad_response":
		return "bad response"
	}
	s = tokenRE.ReplaceAllString(s, "bot***")
	if r := []rune(s); len(r) > 80 {
		s = string(r[:79]) + "…"
	}
	return s
}
