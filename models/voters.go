package models

import "context"

// FindVoters returns the voters of an area whose folded full name equals
// nameFolded exactly and who were born in birthYear. Only exact matches:
// a partial name never matches, so the list cannot be enumerated.
func (s Registry) FindVoters(ctx context.Context, areaID int64, nameFolded string, birthYear int) ([]*Voter, error) {
	var vs []*Voter
	err := s.DB(ctx).Where("area_id = ? AND name_folded = ? AND birth_year = ?", areaID, nameFolded, birthYear).
		Order("household_no").Limit(20).Find(&vs).Error
	if err != nil {
		return nil, Wrap(EINTERNAL, err, "find voters")
	}
	return vs, nil
}

// FindVotersByPhone returns the voters of an election's areas whose phone
// (E.164) is phone.
func (s Registry) FindVotersByPhone(ctx context.Context, electionID int64, phone string) ([]*Voter, error) {
	var vs []*Voter
	q := s.DB(ctx).Joins("JOIN areas ON areas.id = voters.area_id").Where("voters.phone = ?", phone)
	if electionID != 0 {
		q = q.Where("areas.election_id = ?", electionID).Order("voters.area_id, voters.household_no")
	} else {
		q = q.Order("areas.election_id DESC, voters.area_id, voters.household_no")
	}
	err := q.Limit(20).Find(&vs).Error
	if err != nil {
		return nil, Wrap(EINTERNAL, err, "find voters by phone")
	}
	return vs, nil
}
