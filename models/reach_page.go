package models

// The officials' results page's view of the ledger (issue 19): for one
// ward, the latest broadcast that went to its households and its reach by
// area. Read only: a GET of the page settles nothing; a queued ledger row
// whose outbox message was sent counts as reached here, as SettleReach
// would record it.

import (
	"context"
	"database/sql"
	"sort"
	"time"
)

// WardReach is a broadcast's reach of one ward's households.
type WardReach struct {
	BroadcastID int64
	Kind        string    // BroadcastAnnouncement, BroadcastReminder…
	At          time.Time // when it was queued (created, if never queued)
	Areas       []*WardAreaReach
}

// WardAreaReach is one area of the ward in the broadcast.
type WardAreaReach struct {
	AreaReach
	Code, Name string
}

// Total sums the areas up (ByChannel included).
func (w *WardReach) Total() *AreaReach {
	t := &AreaReach{ByChannel: map[string]int{}}
	for _, a := range w.Areas {
		t.plus(&a.AreaReach)
	}
	return t
}

// WardReach is the latest broadcast of the election (by code) that went
// to households of the ward (by code) with its reach by area of that
// ward, in area code order; nil, nil when no broadcast did.
func (s *Store) WardReach(ctx context.Context, electionCode, wardCode string) (*WardReach, error) {
	wardAreas := s.DB(ctx).Table("areas AS wa").Select("wa.id").
		Joins("JOIN wards ww ON ww.id = wa.ward_id").
		Joins("JOIN elections we ON we.id = wa.election_id").
		Where("we.code = ? AND ww.code = ?", electionCode, wardCode)
	var latest sql.NullInt64
	err := s.DB(ctx).Model(&ReachAttempt{}).Select("MAX(broadcast_id)").
		Where("area_id IN (?)", wardAreas).Row().Scan(&latest)
	if err != nil {
		return nil, Wrap(EINTERNAL, err, "latest household broadcast of ward %s", wardCode)
	}
	if !latest.Valid {
		return nil, nil
	}
	var b Broadcast
	if err := s.DB(ctx).Take(&b, latest.Int64).Error; err != nil {
		return nil, Wrap(EINTERNAL, err, "broadcast %d", latest.Int64)
	}
	out := &WardReach{BroadcastID: b.ID, Kind: b.Kind, At: b.CreatedAt.UTC()}
	if b.QueuedAt != nil {
		out.At = b.QueuedAt.UTC()
	}

	var rows []struct {
		AreaID  int64
		Channel string
		Outcome string
		N       int
		Cost    int64
	}
	err = s.DB(ctx).Table("reach_attempts AS r").
		Select("r.area_id, r.channel, CASE WHEN r.outcome = ? AND o.status = ? THEN ? ELSE r.outcome END AS outcome, "+
			"COUNT(*) AS n, SUM(r.cost_vnd) AS cost", ReachQueued, OutboxSent, ReachSent).
		Joins("LEFT JOIN outbox o ON o.id = r.outbox_id").
		Where("r.broadcast_id = ? AND r.area_id IN (?)", b.ID, wardAreas).
		Group("1, 2, 3").Scan(&rows).Error
	if err != nil {
		return nil, Wrap(EINTERNAL, err, "reach of broadcast %d in ward %s", b.ID, wardCode)
	}
	var hh []struct {
		AreaID int64
		N      int
		Code   string
		Name   string
	}
	err = s.DB(ctx).Table("reach_attempts AS r").
		Select("r.area_id, COUNT(DISTINCT r.voter_id) AS n, a.code, a.name").
		Joins("JOIN areas a ON a.id = r.area_id").
		Where("r.broadcast_id = ? AND r.area_id IN (?)", b.ID, wardAreas).
		Group("r.area_id, a.code, a.name").Scan(&hh).Error
	if err != nil {
		return nil, Wrap(EINTERNAL, err, "households of broadcast %d in ward %s", b.ID, wardCode)
	}
	by := make(map[int64]*WardAreaReach, len(hh))
	for _, h := range hh {
		a := &WardAreaReach{AreaReach: AreaReach{AreaID: h.AreaID, Households: h.N, ByChannel: map[string]int{}},
			Code: h.Code, Name: h.Name}
		by[h.AreaID] = a
		out.Areas = append(out.Areas, a)
	}
	for _, r := range rows {
		a := by[r.AreaID]
		if a == nil {
			continue
		}
		a.add(r.Channel, r.Outcome, r.N, r.Cost)
	}
	sort.Slice(out.Areas, func(i, j int) bool {
		a, b := out.Areas[i].Code, out.Areas[j].Code
		if len(a) != len(b) { // "kp9" before "kp10"
			return len(a) < len(b)
		}
		return a < b
	})
	return out, nil
}
