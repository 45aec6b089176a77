package models

// What the ledger tells the ward: reached / not reached by area
// (/thongbao trangthai) and the door-to-door list of the households no
// channel reached (electionbot export unreached, and in chat).

import (
	"context"
	"io"
	"sort"
)

// AreaReach is one area's households in a broadcast.
type AreaReach struct {
	AreaID     int64
	Households int // with a ledger row
	Reached    int
	Pending    int
	OptedOut   int
	ByChannel  map[string]int // reached, by channel
	CostVND    int64          // of the messages sent
}

// NotReached is the households of the area no channel reached and none
// is still trying (those who opted out aside): the door-to-door list.
func (a *AreaReach) NotReached() int { return a.Households - a.Reached - a.Pending - a.OptedOut }

// SumReach sums areas up (ByChannel included).
func SumReach(areas []*AreaReach) *AreaReach {
	t := &AreaReach{ByChannel: map[string]int{}}
	for _, a := range areas {
		t.plus(a)
	}
	return t
}

// plus adds area a's counts to t's.
func (t *AreaReach) plus(a *AreaReach) {
	t.Households += a.Households
	t.Reached += a.Reached
	t.Pending += a.Pending
	t.OptedOut += a.OptedOut
	t.CostVND += a.CostVND
	for ch, n := range a.ByChannel {
		t.ByChannel[ch] += n
	}
}

// add counts n households of the ledger with this channel and outcome
// (and their cost): reached, still trying or opted out; any other outcome
// is not reached (the households without a row of the others).
func (a *AreaReach) add(channel, outcome string, n int, cost int64) {
	switch outcome {
	case ReachSent:
		a.Reached += n
		a.ByChannel[channel] += n
		a.CostVND += cost
	case ReachQueued:
		a.Pending += n
	case ReachOptedOut:
		a.OptedOut += n
	}
}

// ReachByArea settles a broadcast's ledger and sums it up by area, in
// area id order.
func (s Broadcasts) ReachByArea(ctx context.Context, id int64) ([]*AreaReach, error) {
	if _, err := s.SettleReach(ctx, id); err != nil {
		return nil, err
	}
	var rows []struct {
		AreaID  int64
		Channel string
		Outcome string
		N       int
		Cost    int64
	}
	err := s.DB(ctx).Model(&ReachAttempt{}).
		Select("area_id, channel, outcome, COUNT(*) AS n, SUM(cost_vnd) AS cost").
		Where("broadcast_id = ?", id).Group("area_id, channel, outcome").Scan(&rows).Error
	if err != nil {
		return nil, Wrap(EINTERNAL, err, "reach of broadcast %d", id)
	}
	var hh []struct {
		AreaID int64
		N      int
	}
	err = s.DB(ctx).Model(&ReachAttempt{}).Select("area_id, COUNT(DISTINCT voter_id) AS n").
		Where("broadcast_id = ?", id).Group("area_id").Scan(&hh).Error
	if err != nil {
		return nil, Wrap(EINTERNAL, err, "households of broadcast %d", id)
	}
	by := map[int64]*AreaReach{}
	get := func(area int64) *AreaReach {
		if by[area] == nil {
			by[area] = &AreaReach{AreaID: area, ByChannel: map[string]int{}}
		}
		return by[area]
	}
	for _, h := range hh {
		get(h.AreaID).Households = h.N
	}
	for _, r := range rows {
		get(r.AreaID).add(r.Channel, r.Outcome, r.N, r.Cost)
	}
	out := make([]*AreaReach, 0, len(by))
	for _, a := range by {
		out = append(out, a)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].AreaID < out[j].AreaID })
	return out, nil
}

// UnreachedHousehold is a line of the door-to-door list.
type UnreachedHousehold struct {
	Voter  *Voter
	Reason string // the last ledger outcome: no_channel, unreachable, failed, ceiling, uncertain…
}

// UnreachedHouseholds are a broadcast's households that no channel
// reached and none is still trying (opted-out households excluded: they
// asked for nothing more), in areaIDs when given, by area and household
// number.
func (s Broadcasts) UnreachedHouseholds(ctx context.Context, id int64, areaIDs []int64) ([]*UnreachedHousehold, error) {
	if _, err := s.SettleReach(ctx, id); err != nil {
		return nil, err
	}
	q := s.DB(ctx).Model(&ReachAttempt{}).Select("voter_id, outcome, id").
		Where("broadcast_id = ?", id).
		Where("voter_id NOT IN (?)", s.DB(ctx).Model(&ReachAttempt{}).Select("voter_id").
			Where("broadcast_id = ? AND outcome IN ?", id, []string{ReachSent, ReachQueued, ReachOptedOut}))
	if len(areaIDs) > 0 {
		q = q.Where("area_id IN ?", areaIDs)
	}
	var rows []struct {
		VoterID int64
		Outcome string
		ID      int64
	}
	if err := q.Order("id").Scan(&rows).Error; err != nil {
		return nil, Wrap(EINTERNAL, err, "unreached households of broadcast %d", id)
	}
	last := map[int64]string{}
	var ids []int64
	for _, r := range rows {
		if _, ok := last[r.VoterID]; !ok {
			ids = append(ids, r.VoterID)
		}
		last[r.VoterID] = r.Outcome
	}
	var out []*UnreachedHousehold
	for len(ids) > 0 {
		n := min(len(ids), 500)
		var vs []*Voter
		if err := s.DB(ctx).Where("id IN ?", ids[:n]).Find(&vs).Error; err != nil {
			return nil, Wrap(EINTERNAL, err, "unreached households of broadcast %d", id)
		}
		for _, v := range vs {
			out = append(out, &UnreachedHousehold{Voter: v, Reason: last[v.ID]})
		}
		ids = ids[n:]
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i].Voter, out[j].Voter
		if a.AreaID != b.AreaID {
			return a.AreaID < b.AreaID
		}
		if len(a.HouseholdNo) != len(b.HouseholdNo) { // "9" before "10"
			return len(a.HouseholdNo) < len(b.HouseholdNo)
		}
		return a.HouseholdNo < b.HouseholdNo
	})
	return out, nil
}

// LatestReachBroadcast is an election's latest broadcast that went to
// its households (has a ledger); ENOTFOUND when none did.
func (s Broadcasts) LatestReachBroadcast(ctx context.Context, electionID int64) (*Broadcast, error) {
	var b Broadcast
	err := s.DB(ctx).Where("election_id = ? AND id IN (?)", electionID,
		s.DB(ctx).Model(&ReachAttempt{}).Select("broadcast_id")).Order("id DESC").Take(&b).Error
	if err != nil {
		return nil, notFound(err, "no broadcast of election %d reached households", electionID)
	}
	return &b, nil
}

// UnreachedHeader is the door-to-door list's header: Vietnamese column
// names, as the tổ trưởng reads them.
var UnreachedHeader = []string{"ma_xa", "khu_pho", "so_ho", "ho_ten", "dia_chi", "ly_do"}

// WriteUnreachedCSV writes the door-to-door list as CSV: ward and area
// codes, household number, the masked name (models.MaskName), address,
// why no channel reached it. areas gives each area (with its ward).
func WriteUnreachedCSV(w io.Writer, hs []*UnreachedHousehold, areas map[int64]*Area) error {
	cw := NewCSVWriter(w)
	if err := cw.Write(UnreachedHeader); err != nil {
		return err
	}
	for _, h := range hs {
		ward, area := "", ""
		if a := areas[h.Voter.AreaID]; a != nil {
			area = a.Code
			if a.Ward != nil {
				ward = a.Ward.Code
			}
		}
		if err := cw.Write([]string{ward, area, h.Voter.HouseholdNo, MaskName(h.Voter.FullName), h.Voter.Address, h.Reason}); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
