package models_test

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"electionbot/models"
)

// Tests of the law as it is applied (issue 15, docs/design.md §3): the
// household ballot of NĐ 59/2023 (Mẫu số 04), candidates nominated at the
// meeting (NĐ 59/2023), the all-voter meeting of NQLT 09/2008 Điều 8. Each
// test names its source.

// householdBallot is a consistent household ballot of 312 households: 300
// given a ballot, 290 returned, 285 valid, 5 invalid; An v1, Bình v2.
func householdBallot(v1, v2 int) models.TallyNumbers {
	return models.TallyNumbers{
		Kind: models.TallyKindHouseholdBallot, Method: models.MethodSecret, Households: 312,
		Issued: rulesInt(300), Returned: rulesInt(290), Valid: rulesInt(285), Invalid: rulesInt(5),
		Votes: map[int]int{1: v1, 2: v2},
	}
}

// TestCheckTally_ND59_2023_Mau04_HouseholdBallotConsistency: the minutes of
// the ballots sent to every household — households given ballots ≤
// households, returned ≤ given, valid + invalid = returned, votes ≤ valid,
// all four counts, no attendance, a written ballot.
func TestCheckTally_ND59_2023_Mau04_HouseholdBallotConsistency(t *testing.T) {
	cases := []struct {
		name string
		edit func(*models.TallyNumbers)
		want []string
		data map[string]any
	}{
		{name: "consistent"},
		{name: "the method left out is the written ballot", edit: func(n *models.TallyNumbers) { n.Method = "" }},
		{name: "every household given a ballot", edit: func(n *models.TallyNumbers) { n.Issued = rulesInt(312) }},
		{name: "more households given a ballot than the area has",
			edit: func(n *models.TallyNumbers) { n.Issued = rulesInt(313) },
			want: []string{models.VIssuedOverHouseholds}, data: map[string]any{"Issued": 313, "Households": 312}},
		{name: "more returned than given",
			edit: func(n *models.TallyNumbers) { n.Returned = rulesInt(301); n.Valid = rulesInt(296) },
			want: []string{models.VReturnedOverIssued}, data: map[string]any{"Returned": 301, "Issued": 300}},
		{name: "valid + invalid ≠ returned",
			edit: func(n *models.TallyNumbers) { n.Invalid = rulesInt(6) },
			want: []string{models.VValidInvalidSum}, data: map[string]any{"Valid": 285, "Invalid": 6, "Returned": 290}},
		{name: "votes over valid",
			edit: func(n *models.TallyNumbers) { n.Votes = map[int]int{1: 200, 2: 86} },
			want: []string{models.VVotesSumOverValid}, data: map[string]any{"Sum": 286, "Valid": 285}},
		{name: "a meeting's attendance in a household ballot",
			edit: func(n *models.TallyNumbers) { n.Attending = 150 },
			want: []string{models.VHouseholdBallotAttending}, data: map[string]any{"Attending": 150}},
		{name: "a show of hands is no household ballot",
			edit: func(n *models.TallyNumbers) { n.Method = models.MethodHands },
			want: []string{models.VHouseholdBallotHands}},
		{name: "every count missing, in the ballot's words",
			edit: func(n *models.TallyNumbers) { n.Issued, n.Returned, n.Valid, n.Invalid = nil, nil, nil, nil },
			want: []string{models.VHouseholdMissingIssued, models.VHouseholdMissingReturned,
				models.VHouseholdMissingValid, models.VHouseholdMissingInvalid}},
		{name: "an unknown kind of minutes",
			edit: func(n *models.TallyNumbers) { n.Kind = "postal"; n.Attending = 300 },
			want: []string{models.VKindUnknown}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			n := householdBallot(200, 85)
			if c.edit != nil {
				c.edit(&n)
			}
			got := models.CheckTallyRules(models.RulesLuat2022, n, rulesCands())
			if !slices.Equal(violationIDs(got), c.want) {
				t.Fatalf("violations %v, want %v", violationIDs(got), c.want)
			}
			if c.data != nil && !reflect.DeepEqual(got[0].Data, c.data) {
				t.Errorf("data %v, want %v", got[0].Data, c.data)
			}
		})
	}
}

// TestOutcome_ND59_2023_Mau04_HouseholdBallotWinnerOverHalfOfAllHouseholds:
// the household ballot elects with more than 50% of ALL the households of
// the area (not of the ballots returned), and has no attendance quorum.
func TestOutcome_ND59_2023_Mau04_HouseholdBallotWinnerOverHalfOfAllHouseholds(t *testing.T) {
	for _, c := range []struct {
		votes int
		want  models.OutcomeKind
	}{
		{156, models.OutcomeUndecided}, // 50% of 312: not more
		{157, models.OutcomeElected},   // 50% + 1
		{285, models.OutcomeElected},
		{0, models.OutcomeUndecided},
	} {
		n := householdBallot(c.votes, 0)
		o := rulesOutcome(t, models.RulesLuat2022, n)
		if o.Kind != c.want || !o.HouseholdBallot {
			t.Errorf("%d of 312 households: %s (household ballot %v), want %s", c.votes, o.Kind, o.HouseholdBallot, c.want)
		}
		if c.want == models.OutcomeElected && (o.Winner == nil || o.Winner.BallotNo != 1 || o.Percent != float64(c.votes)*100/312) {
			t.Errorf("%d votes: winner %+v, %.2f%%", c.votes, o.Winner, o.Percent)
		}
		if c.want == models.OutcomeUndecided && !o.InterimUntilElected {
			t.Errorf("%d votes: %+v, want an interim head until a new one is elected", c.votes, o)
		}
	}
	// 157 is more than half of the 290 returned too, but 150 is not of 312.
	if o := rulesOutcome(t, models.RulesLuat2022, householdBallot(150, 100)); o.Kind != models.OutcomeUndecided {
		t.Errorf("150 of 312 households (51.7%% of those returned): %s, want undecided", o.Kind)
	}
}

// TestOutcome_NQLT09_2008_Dieu8_NoHouseholdBallot: the 2008 regime has no
// household ballot; a meeting without the quorum is held again.
func TestOutcome_NQLT09_2008_Dieu8_NoHouseholdBallot(t *testing.T) {
	n := householdBallot(200, 85)
	if vs := models.CheckTallyRules(models.RulesNQLT2008, n, rulesCands()); !slices.Equal(violationIDs(vs), []string{models.VHouseholdBallotNotRegime}) {
		t.Fatalf("violations %v", violationIDs(vs))
	}
	if _, err := models.DecideOutcome(models.RulesNQLT2008, n, rulesCands()); models.ErrorCode(err) != models.EINVALID {
		t.Errorf("DecideOutcome: %v, want EINVALID", err)
	}
	if vs := models.CheckTally(n, rulesCands()); vs != nil {
		t.Errorf("the minutes themselves are consistent: %v", violationIDs(vs))
	}
}

// TestOutcome_ND59_2023_MeetingNominatedCandidateWins: NĐ 59/2023 (press
// summaries) lets the meeting nominate others or themselves; a person the
// file does not list is counted like any candidate and may be elected.
func TestOutcome_ND59_2023_MeetingNominatedCandidateWins(t *testing.T) {
	n := rulesSecret() // 312 households, 285 valid
	n.Votes = map[int]int{1: 60, 2: 35}
	n.Nominees = []models.Nominee{{Name: "  Lê  Văn Cường ", Votes: 190}}
	for _, rules := range []string{models.RulesLuat2022, models.RulesNQLT2008} {
		o := rulesOutcome(t, rules, n)
		if o.Kind != models.OutcomeElected || o.Winner == nil || !o.Winner.Nominated || o.Winner.Name != "Lê Văn Cường" ||
			o.Votes != 190 || !models.NomineeBallot(o.Winner.BallotNo) || o.Winner.ID != 0 {
			t.Fatalf("%s: outcome %+v winner %+v, want the nominee elected", rules, o, o.Winner)
		}
	}
	// The nominees count against the valid ballots like anyone.
	n.Nominees[0].Votes = 191
	if vs := models.CheckTally(n, rulesCands()); !slices.Equal(violationIDs(vs), []string{models.VVotesSumOverValid}) {
		t.Errorf("sum over valid with a nominee: %v", violationIDs(vs))
	}
	// Nominated in an earlier report: the same person, matched by name.
	stored := append(rulesCands(), &models.Candidate{ID: 9, BallotNo: 101, Name: "Lê Văn Cường", NameFolded: "le van cuong", Nominated: true})
	n.Nominees = []models.Nominee{{Name: "le van cuong", Votes: 190}}
	cands, m, vs := models.WithNominees(stored, n)
	if len(cands) != 3 || m.Votes[101] != 190 || m.Nominees != nil || vs != nil {
		t.Errorf("WithNominees of a stored nominee: %d candidates, votes %v, %v", len(cands), m.Votes, vs)
	}
	if got := models.NomineesOf(stored, m); len(got) != 1 || got[0].ID != 9 {
		t.Errorf("NomineesOf: %v", got)
	}
	// Named twice, or without a name.
	n.Nominees = []models.Nominee{{Name: "Lê Văn Cường", Votes: 1}, {Name: "LE VAN CUONG", Votes: 1}, {Name: "", Votes: 3}}
	n.Votes = map[int]int{1: 1}
	if vs := models.CheckTally(n, rulesCands()); !slices.Equal(violationIDs(vs), []string{models.VNomineeTwice, models.VNomineeNoName}) {
		t.Errorf("nominees twice and nameless: %v", violationIDs(vs))
	}
	// A nominee's number is a key, not shown: the refusal names them.
	n = rulesSecret()
	n.Nominees = []models.Nominee{{Name: "Lê Văn Cường", Votes: 300}}
	if vs := models.CheckTally(n, rulesCands()); len(vs) == 0 || vs[0].ID != models.VCandidateOverValid || vs[0].Data["BallotNo"] != 0 {
		t.Errorf("a nominee over valid: %+v", vs)
	}
}

// TestOutcome_NQLT09_2008_Dieu8_AllVoterMeetingThresholdOnVoters: "cử tri
// hoặc cử tri đại diện hộ gia đình": in an all-voter meeting the quorum and
// the winner's majority are shares of all the voters of the area.
func TestOutcome_NQLT09_2008_Dieu8_AllVoterMeetingThresholdOnVoters(t *testing.T) {
	// 1,000 voters in 312 households: 400 attending is more than half of
	// the households but not of the voters.
	if o := rulesOutcome(t, models.RulesNQLT2008, rulesVotes(1000, 400, 390, 0)); o.Kind != models.OutcomeMeetingInvalid {
		t.Errorf("400 of 1,000 voters attending: %s, want meeting-invalid", o.Kind)
	}
	for _, c := range []struct {
		votes int
		want  models.OutcomeKind
	}{{500, models.OutcomeRerun}, {501, models.OutcomeElected}} {
		if o := rulesOutcome(t, models.RulesNQLT2008, rulesVotes(1000, 800, c.votes, 0)); o.Kind != c.want {
			t.Errorf("%d of 1,000 voters: %s, want %s", c.votes, o.Kind, c.want)
		}
	}
	if !models.Regimes[models.RulesNQLT2008].AllowsElectorate(models.ElectorateVoters) ||
		models.Regimes[models.RulesLuat2022].AllowsElectorate(models.ElectorateVoters) ||
		!models.Regimes[models.RulesLuat2022].AllowsElectorate("") {
		t.Error("electorates: voters only under nqlt-09-2008, households under both")
	}
}

// TestElectionFile_NQLT09_2008_Dieu8_Electorate: the file says who votes —
// households (default) or voters, for the election or an area; an
// all-voter area counts its voters; luat-10-2022 elects by households only.
func TestElectionFile_NQLT09_2008_Dieu8_Electorate(t *testing.T) {
	base := func(rules, electorate, area string) string {
		return "election:\n  code: e\n  title: T\n  date: \"2022-06-05\"\n  opens: \"07:00\"\n  closes: \"11:00\"\n" +
			"  rules: " + rules + "\n  method: secret\n" + electorate +
			"ward:\n  code: w\n  name: Phường Ka Long\n  city: Móng Cái\n" +
			"areas:\n  - code: kp1\n    name: Khu phố 1\n    polling_place: {name: NVH}\n    candidates: [A]\n" + area
	}
	f, err := models.ParseElectionFile([]byte(base(models.RulesNQLT2008, "  electorate: cử tri\n", "    voters: 1024\n")))
	if err != nil {
		t.Fatal(err)
	}
	if a := f.Areas[0]; f.Election.Electorate != models.ElectorateVoters || a.Electorate != models.ElectorateVoters || a.ElectorateCount() != 1024 {
		t.Errorf("all-voter election: %q, area %q %d", f.Election.Electorate, a.Electorate, a.ElectorateCount())
	}
	f, err = models.ParseElectionFile([]byte(base(models.RulesNQLT2008, "", "    electorate: voters\n    voters: 800\n")))
	if err != nil {
		t.Fatal(err)
	}
	if f.Election.Electorate != models.ElectorateHouseholds || f.Areas[0].ElectorateCount() != 800 {
		t.Errorf("an all-voter area: %q %d", f.Election.Electorate, f.Areas[0].ElectorateCount())
	}
	for _, c := range []struct{ name, file, want string }{
		{"voters under luat-10-2022", base(models.RulesLuat2022, "  electorate: voters\n", "    voters: 10\n"), "election.electorate: voters: luat-10-2022"},
		{"an unknown electorate", base(models.RulesNQLT2008, "  electorate: everyone\n", "    households: 10\n"), `election.electorate: "everyone"`},
		{"households given for an all-voter area", base(models.RulesNQLT2008, "", "    electorate: voters\n    households: 10\n"), "areas[0].households: an all-voter area"},
		{"voters given for a household area", base(models.RulesNQLT2008, "", "    households: 10\n    voters: 30\n"), "areas[0].voters: is for an all-voter area"},
		{"no count", base(models.RulesNQLT2008, "", "    electorate: voters\n"), "areas[0].voters: must be greater than 0"},
	} {
		_, err := models.ParseElectionFile([]byte(c.file))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", c.name, err, c.want)
		}
	}
}
