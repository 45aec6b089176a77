package models

import "context"

// AcceptedTally returns the latest accepted version of an area's counting
// minutes, with its votes, or an ENOTFOUND error when the ward has not
// accepted any tally of the area yet.
func (s *Store) AcceptedTally(ctx context.Context, areaID int64) (*Tally, error) {
	var t Tally
	err := s.DB(ctx).Preload("Votes").
		Where("area_id = ? AND status = ?", areaID, TallyAccepted).
		Order("version DESC").Take(&t).Error
	if err != nil {
		return nil, notFound(err, "no accepted tally for area %d", areaID)
	}
	return &t, nil
}
