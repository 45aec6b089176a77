package models

import (
	"context"
)

// CurrentElection is the election residents are asking about: the next one
// that has not closed yet, or else the most recent one.
func (s Elections) CurrentElection(ctx context.Context) (*Election, error) {
	var e Election
	now := s.now()
	err := s.DB(ctx).Preload("Ward").Where("closes_at >= ?", now).Order("opens_at ASC").Take(&e).Error
	if err == nil {
		return &e, nil
	}
	err = s.DB(ctx).Preload("Ward").Order("opens_at DESC").Take(&e).Error
	if err != nil {
		return nil, notFound(err, "no election is loaded")
	}
	return &e, nil
}

// ElectionByCode finds an election by its code.
func (s Elections) ElectionByCode(ctx context.Context, code string) (*Election, error) {
	var e Election
	if err := s.DB(ctx).Preload("Ward").Where("code = ?", code).Take(&e).Error; err != nil {
		return nil, notFound(err, "election %q not found", code)
	}
	return &e, nil
}

// Areas lists an election's areas in code order, with polling places and
// candidates (by ballot number).
func (s Elections) Areas(ctx context.Context, electionID int64) ([]*Area, error) {
	var areas []*Area
	err := s.DB(ctx).Preload("PollingPlace").
		Preload("Candidates", func(db *gormDB) *gormDB { return db.Order("ballot_no") }).
		Where("election_id = ?", electionID).Order("id").Find(&areas).Error
	if err != nil {
		return nil, Wrap(EINTERNAL, err, "areas of election %d", electionID)
	}
	return areas, nil
}

// Area finds one area with its polling place and candidates.
func (s Elections) Area(ctx context.Context, id int64) (*Area, error) {
	var a Area
	err := s.DB(ctx).Preload("PollingPlace").
		Preload("Candidates", func(db *gormDB) *gormDB { return db.Order("ballot_no") }).
		Where("id = ?", id).Take(&a).Error
	if err != nil {
		return nil, notFound(err, "area %d not found", id)
	}
	return &a, nil
}

// ElectionByID finds an election with its ward.
func (s Elections) ElectionByID(ctx context.Context, id int64) (*Election, error) {
	var e Election
	if err := s.DB(ctx).Preload("Ward").Where("id = ?", id).Take(&e).Error; err != nil {
		return nil, notFound(err, "election %d not found", id)
	}
	return &e, nil
}
