package models

import "context"

// AcceptedTally returns the latest accepted version of an area's counting
// minutes, with its votes, or an ENOTFOUND error when the ward has not
// accepted any tally of the area yet.
func (s Tallies) AcceptedTally(ctx context.Context, areaID int64) (*Tally, error) {
	var t Tally
	err := s.DB(ctx).Preload("Votes").
		Where("area_id = ? AND status = ?", areaID, TallyAccepted).
		Order("version DESC").Take(&t).Error
	if err != nil {
		return nil, notFound(err, "no accepted tally for area %d", areaID)
	}
	return &t, nil
}

// UnreportedAreas lists an election's areas that have no tally other than
// rejected ones, in id order.
func (s Tallies) UnreportedAreas(ctx context.Context, electionID int64) ([]*Area, error) {
	return s.areasWithout(ctx, electionID, "t.status <> 'rejected'")
}

// UnacceptedAreas lists an election's areas whose result the ward has not
// accepted yet, in id order.
func (s Tallies) UnacceptedAreas(ctx context.Context, electionID int64) ([]*Area, error) {
	return s.areasWithout(ctx, electionID, "t.status = 'accepted'")
}

func (s Tallies) areasWithout(ctx context.Context, electionID int64, cond string) ([]*Area, error) {
	var as []*Area
	err := s.DB(ctx).Where("election_id = ? AND NOT EXISTS (SELECT 1 FROM tallies t WHERE t.area_id = areas.id AND "+cond+")", electionID).
		Order("id").Find(&as).Error
	if err != nil {
		return nil, Wrap(EINTERNAL, err, "areas of election %d", electionID)
	}
	return as, nil
}
