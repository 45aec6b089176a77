package testdb

import (
	"context"
	"fmt"
	"testing"
	"time"

	"electionbot/models"
)

// SeedTalliesByPlace writes tallies for areas (each with two candidates)
// by their code in their ward: kp1 and kp2 accepted, kp3 provisional,
// kp4 a provisional version then a conflicting one, any other nothing.
// The tests of results at scale read them back through each reader.
func SeedTalliesByPlace(t testing.TB, s *models.Store, areas []*models.Area, reporterID int64, at time.Time) {
	t.Helper()
	ctx := context.Background()
	n := func(v int) *int { return &v }
	for _, a := range areas {
		add := func(version int, status string, v1, v2 int) {
			tl := &models.Tally{AreaID: a.ID, Version: version, ReporterID: reporterID, Method: models.MethodSecret,
				Households: a.Households, Attending: v1 + v2, Issued: n(v1 + v2), Returned: n(v1 + v2),
				Valid: n(v1 + v2), Invalid: n(0), Status: status, CreatedAt: at.UTC(),
				Votes: []models.TallyVote{{CandidateID: a.Candidates[0].ID, Votes: v1}, {CandidateID: a.Candidates[1].ID, Votes: v2}}}
			if err := s.DB(ctx).Create(tl).Error; err != nil {
				t.Fatal(err)
			}
		}
		switch a.Code {
		case "kp1", "kp2":
			add(1, models.TallyAccepted, 150, 30)
		case "kp3":
			add(1, models.TallyProvisional, 140, 20)
		case "kp4":
			add(1, models.TallyProvisional, 140, 20)
			add(2, models.TallyConflict, 120, 40)
		}
	}
}

// ScaleWards are the wards of an election of n areas for the tests of
// results at scale: wards "w01"… of 5 areas ("kp1"…"kp5", two candidates
// each), 4 wards a city ("TP 1"…), so a city has 20 areas however large
// the election.
func ScaleWards(n int) []models.FileWard {
	var wards []models.FileWard
	for w := 0; w < n/5; w++ {
		fw := models.FileWard{Code: fmt.Sprintf("w%02d", w+1), Name: fmt.Sprintf("Phường %d", w+1), City: fmt.Sprintf("TP %d", w/4+1)}
		for a := 0; a < 5; a++ {
			fw.Areas = append(fw.Areas, models.FileArea{Code: fmt.Sprintf("kp%d", a+1), Name: fmt.Sprintf("Khu phố %d", a+1),
				Households: 200 + a, PollingPlace: models.FilePollingPlace{Name: "Nhà văn hóa"},
				Candidates: []string{fmt.Sprintf("Nguyễn Văn %d", a+1), fmt.Sprintf("Trần Thị %d", a+1)}})
		}
		wards = append(wards, fw)
	}
	return wards
}
