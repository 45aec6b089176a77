package results_test

import (
	"strings"
	"testing"
	"time"

	"electionbot/models"
	"electionbot/results"
)

// lawElection is an election under luat-10-2022 of three areas: a1
// recognised (v1: A elected) with a later different report v2 pending; a2
// recognised, won by a person nominated at the meeting; a3 recognised from
// ballots sent to every household, nobody over 50%.
func lawElection() *fakeSource {
	opens := time.Date(2025, 5, 4, 0, 0, 0, 0, time.UTC)
	e := &models.Election{ID: 1, Code: "law", Title: "T", Date: "2025-05-04", Opens: "07:00", Closes: "11:00",
		Timezone: "Asia/Ho_Chi_Minh", Rules: models.RulesLuat2022, Method: models.MethodSecret,
		OpensAt: opens, ClosesAt: opens.Add(4 * time.Hour),
		Ward: &models.Ward{Code: "w", Name: "Xã Hải Tiến", City: "Móng Cái", Province: "Quảng Ninh", Kind: models.WardCommune}}
	secret := func(id int64, area int64, version int, status string, votes ...models.TallyVote) *models.Tally {
		return &models.Tally{ID: id, AreaID: area, Version: version, Method: models.MethodSecret, Households: 100, Attending: 80,
			Issued: ip(80), Returned: ip(80), Valid: ip(80), Invalid: ip(0), Status: status, Votes: votes}
	}
	a1 := &models.Area{ID: 1, Code: "a1", Name: "Thôn 1", Households: 100,
		Candidates: []*models.Candidate{{ID: 1, BallotNo: 1, Name: "An"}, {ID: 2, BallotNo: 2, Name: "Bình"}}}
	a2 := &models.Area{ID: 2, Code: "a2", Name: "Thôn 2", Households: 100,
		Candidates: []*models.Candidate{{ID: 3, BallotNo: 1, Name: "Chi"}, {ID: 4, BallotNo: 101, Name: "Dũng", Nominated: true},
			{ID: 5, BallotNo: 102, Name: "Em", Nominated: true}}} // Em: nominated in a rejected report only
	a3 := &models.Area{ID: 3, Code: "a3", Name: "Thôn 3", Households: 100,
		Candidates: []*models.Candidate{{ID: 6, BallotNo: 1, Name: "Giang"}}}
	hb := &models.Tally{ID: 6, AreaID: 3, Version: 1, Kind: models.TallyKindHouseholdBallot, Method: models.MethodSecret,
		Households: 100, Issued: ip(100), Returned: ip(90), Valid: ip(88), Invalid: ip(2), Status: models.TallyAccepted,
		Votes: []models.TallyVote{{TallyID: 6, CandidateID: 6, Votes: 50}}}
	rec := secret(1, 1, 1, models.TallyAccepted, models.TallyVote{TallyID: 1, CandidateID: 1, Votes: 70}, models.TallyVote{TallyID: 1, CandidateID: 2, Votes: 10})
	late := secret(2, 1, 2, models.TallyConflict, models.TallyVote{TallyID: 2, CandidateID: 1, Votes: 30}, models.TallyVote{TallyID: 2, CandidateID: 2, Votes: 50})
	won := secret(4, 2, 1, models.TallyAccepted, models.TallyVote{TallyID: 4, CandidateID: 3, Votes: 20}, models.TallyVote{TallyID: 4, CandidateID: 4, Votes: 60})
	return &fakeSource{e: e, areas: []*models.AreaTallies{
		{Area: a1, Latest: late, Previous: rec, Recognised: rec},
		{Area: a2, Latest: won, Recognised: won},
		{Area: a3, Latest: hb, Recognised: hb},
	}}
}

// TestResults_ND59_2023_RecognitionNomineeHouseholdBallot: the public
// page shows the recognised result of a1 and nothing of the later report
// (docs/design.md §3: only the ward changes it), the officials' view shows
// the report pending; a2's winner is named as nominated at the meeting
// (and a nominee of no shown tally is not listed); a3's household ballot
// is shown with its own counts and the luat-10-2022 outcome.
func TestResults_ND59_2023_RecognitionNomineeHouseholdBallot(t *testing.T) {
	src := lawElection()
	now := src.e.ClosesAt.Add(time.Hour)
	pub := results.Build(src.e, src.areas, false, now)
	a1 := pub.Area("a1")
	if a1.State != results.StateAccepted || a1.Tally == nil || a1.Tally.Version != 1 || a1.Pending != nil ||
		a1.Tally.Winner == nil || a1.Tally.Winner.Name != "An" || *a1.Candidates[0].Votes != 70 {
		t.Fatalf("public a1: %+v tally %+v", a1, a1.Tally)
	}
	adm := results.Build(src.e, src.areas, true, now)
	if a := adm.Area("a1"); a.State != results.StateAccepted || a.Tally.Version != 1 || a.Pending == nil || a.Pending.Version != 2 {
		t.Fatalf("officials' a1: %+v pending %+v", a, a.Pending)
	}
	a2 := pub.Area("a2")
	if len(a2.Candidates) != 2 || !a2.Candidates[1].Nominated || !a2.Candidates[1].Winner || a2.Tally.Winner.Name != "Dũng" {
		t.Errorf("a2 candidates %+v", a2.Candidates)
	}
	a3 := pub.Area("a3")
	if a3.State != results.StateRerun || a3.Tally.OutcomeKind != models.OutcomeUndecided || !a3.Tally.HouseholdBallot() || !a3.Tally.InterimUntilElected {
		t.Errorf("a3: %+v %+v", a3, a3.Tally)
	}
	if pub.Progress.Recognised != 3 || pub.Progress.Elected != 2 {
		t.Errorf("progress %+v", pub.Progress)
	}

	_, ts := newServer(t, src, now, results.Options{})
	_, page, _ := get(t, ts.URL+"/results/law")
	for _, want := range []string{"Dũng <span class=\"lvl\">(ứng cử tại hội nghị)</span>", "Phát phiếu lấy ý kiến hộ gia đình",
		"Số hộ được phát phiếu 100 · Thu về 90", "Phiếu thu về: 90/100 hộ (90%)",
		"cho đến khi bầu được người mới", "70 (70%)"} {
		if !strings.Contains(page, want) {
			t.Errorf("public page lacks %q", want)
		}
	}
	for _, not := range []string{"Bản 2", "30 (30%)", "Em", "101."} {
		if strings.Contains(page, not) {
			t.Errorf("public page shows %q", not)
		}
	}
	_, admin, _ := get(t, results.SignAdminLink(ts.URL, "law", testKey, now.Add(time.Hour)))
	if !strings.Contains(admin, "Bản 2 gửi sau, khác kết quả đã công nhận") || !strings.Contains(admin, "30 (30%)") {
		t.Error("the officials' page does not show the pending report")
	}
	_, body, _ := get(t, ts.URL+"/results/law.json")
	for _, want := range []string{`"nominated": true`, `"kind": "household-ballot"`, `"interim_until_elected": true`, `"electorate": "households"`} {
		if !strings.Contains(body, want) {
			t.Errorf("JSON lacks %s", want)
		}
	}
	if strings.Contains(body, `"pending"`) {
		t.Error("public JSON has the pending report")
	}
}
