package loadtest

import (
	"context"
	"fmt"
	"time"

	"electionbot/models"
)

// SeedTallies stores counting minutes as they stand in the middle of the
// count, by area number: 2 in 3 accepted (1 in 10 of those a re-run), 1 in
// 6 provisional, 1 in 12 in conflict (after a provisional version), the
// rest not reported. It returns the reporting contact.
func (p Province) SeedTallies(ctx context.Context, s *models.Store) (*models.Contact, error) {
	e, err := s.ElectionByCode(ctx, p.Code)
	if err != nil {
		return nil, err
	}
	areas, err := s.Areas(ctx, e.ID)
	if err != nil {
		return nil, err
	}
	rep, err := s.EnsureContact(ctx, &models.Contact{Channel: models.ChannelConsole, ExternalID: "bench-reporter", Lang: "vi"})
	if err != nil {
		return nil, err
	}
	at := time.Date(2022, 6, 5, 4, 0, 0, 0, time.UTC)
	ip := func(n int) *int { return &n }
	mk := func(a *models.Area, version int, status string, winner int) *models.Tally {
		att := a.Households * 9 / 10
		t := &models.Tally{AreaID: a.ID, Version: version, ReporterID: rep.ID, Method: models.MethodSecret,
			Households: a.Households, Attending: att, Issued: ip(att), Returned: ip(att), Valid: ip(att - 2), Invalid: ip(2),
			Status: status, CreatedAt: at, PhotoRef: fmt.Sprintf("photo-%s-%d", a.Code, version)}
		rest := att - 2 - winner
		for i, c := range a.Candidates {
			v := 0
			switch i {
			case 0:
				v = winner
			case 1:
				v = rest
			}
			t.Votes = append(t.Votes, models.TallyVote{CandidateID: c.ID, Votes: v})
		}
		return t
	}
	var tallies []*models.Tally
	for i, a := range areas {
		win := a.Households*6/10 + 1
		switch {
		case i%3 != 2 && i%30 == 0:
			tallies = append(tallies, mk(a, 1, models.TallyAccepted, a.Households*4/10))
		case i%3 != 2:
			tallies = append(tallies, mk(a, 1, models.TallyAccepted, win))
		case i%12 == 2:
			tallies = append(tallies, mk(a, 1, models.TallyProvisional, win), mk(a, 2, models.TallyConflict, win-5))
		case i%6 == 5:
			tallies = append(tallies, mk(a, 1, models.TallyProvisional, win))
		}
	}
	if err := s.DB(ctx).CreateInBatches(tallies, 200).Error; err != nil {
		return nil, err
	}
	return rep, nil
}

// VoterKey is what an eligibility lookup asks: area, folded full name,
// birth year — and the name as written, for a chat message.
type VoterKey struct {
	AreaID    int64
	AreaCode  string
	Folded    string
	FullName  string
	BirthYear int
}

// SampleVoters draws n existing voters at random.
func SampleVoters(ctx context.Context, s *models.Store, n int) ([]VoterKey, error) {
	var out []VoterKey
	err := s.DB(ctx).Raw(`SELECT v.area_id, a.code AS area_code, v.name_folded AS folded, v.full_name, v.birth_year
		FROM voters v JOIN areas a ON a.id = v.area_id
		ORDER BY random() LIMIT ?`, n).Scan(&out).Error
	if err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no voters to sample")
	}
	return out, nil
}
