package models_test

import (
	"context"
	"strings"
	"testing"

	"electionbot/demo"
	"electionbot/internal/testdb"
	"electionbot/models"
)

// The store's side of the law as applied (docs/design.md §3): a recognised
// result stays until the ward withdraws it or recognises another version;
// candidates nominated at the meeting are stored and flagged; the household
// ballot is a kind of minutes of its own.

func auditActions(t *testing.T, s *models.Store, subject string) string {
	t.Helper()
	rows, err := s.DB(context.Background()).Raw("SELECT action, detail FROM audit_events WHERE subject = ? ORDER BY id", subject).Rows()
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var a, d string
		if err := rows.Scan(&a, &d); err != nil {
			t.Fatal(err)
		}
		out = append(out, a+" "+d)
	}
	return strings.Join(out, "\n")
}

// TestRecognition_ND59_2023_OnlyTheWardUndoesIt: after the ward recognises
// v1, a different report is stored as v2 in conflict (to the ward's
// review) and changes neither the accepted tally residents read nor the
// recognised version the results show; rejecting v1 is refused; the ward
// withdraws v1's recognition with a reason (audited), then recognises v2.
func TestRecognition_ND59_2023_OnlyTheWardUndoesIt(t *testing.T) {
	for _, n := range testdb.Stores(t) {
		t.Run(n.Name, func(t *testing.T) {
			ctx := context.Background()
			s := n.Store
			f := newOfficialsFixture(t, s)
			kp1 := f.areas[0]
			if _, err := s.SubmitTally(ctx, models.TallySubmission{AreaID: kp1.ID, ReporterID: f.rep1.ID, Numbers: kp1Numbers(250, 35)}); err != nil {
				t.Fatal(err)
			}
			if _, err := s.ReviewTally(ctx, models.ReviewRequest{AreaID: kp1.ID, Accept: true, By: f.admin.ID}); err != nil {
				t.Fatal(err)
			}
			// The reporter of v1 himself sends other numbers: to review.
			res, err := s.SubmitTally(ctx, models.TallySubmission{AreaID: kp1.ID, ReporterID: f.rep1.ID, Numbers: kp1Numbers(240, 45)})
			if err != nil {
				t.Fatal(err)
			}
			if res.Kind != models.SubmitNew || res.Tally.Version != 2 || res.Tally.Status != models.TallyConflict ||
				res.Recognised == nil || res.Recognised.Version != 1 {
				t.Fatalf("late report: %+v (recognised %+v)", res, res.Recognised)
			}
			acc, err := s.AcceptedTally(ctx, kp1.ID)
			if err != nil || acc.Version != 1 {
				t.Fatalf("accepted tally after the late report: %+v, %v", acc, err)
			}
			_, ats, err := s.ElectionResults(ctx, demo.ElectionCode)
			if err != nil {
				t.Fatal(err)
			}
			at := ats[0]
			if at.Latest.Version != 2 || at.Recognised == nil || at.Recognised.Version != 1 || at.Pending() != at.Latest {
				t.Fatalf("results: latest %+v recognised %+v", at.Latest, at.Recognised)
			}
			if n := models.TallyNumbersOf(at.Recognised, at.Area.Candidates); n.Votes[1] != 250 || n.Votes[2] != 35 {
				t.Errorf("recognised votes %v", n.Votes)
			}
			if _, lines, err := s.ResultsLines(ctx, demo.ElectionCode, ""); err != nil || lines[0].Tally == nil || lines[0].Tally.Version != 1 ||
				lines[0].PendingVersion != 2 || lines[0].Review == nil || lines[0].Review.LatestVersion != 2 {
				t.Errorf("export: %+v, %v", lines[0], err)
			}
			// The recognised numbers sent again confirm v1, not v2.
			res, err = s.SubmitTally(ctx, models.TallySubmission{AreaID: kp1.ID, ReporterID: f.rep2.ID, Numbers: kp1Numbers(250, 35)})
			if err != nil || res.Kind != models.SubmitConfirmed || res.Tally.Version != 1 {
				t.Fatalf("recognised numbers again: %+v, %v", res, err)
			}
			// Neither rejected nor recognised twice: only withdrawn.
			if _, err := s.ReviewTally(ctx, models.ReviewRequest{AreaID: kp1.ID, Version: 1, Reason: "x", By: f.admin.ID}); models.ErrorCode(err) != models.ECONFLICT {
				t.Errorf("rejecting the recognised version: %v, want ECONFLICT", err)
			}
			if _, err := s.ReviewTally(ctx, models.ReviewRequest{AreaID: kp1.ID, Version: 1, Accept: true, By: f.admin.ID}); models.ErrorCode(err) != models.ECONFLICT {
				t.Errorf("recognising it again: %v, want ECONFLICT", err)
			}
			if _, err := s.WithdrawRecognition(ctx, models.WithdrawRequest{AreaID: kp1.ID, By: f.admin.ID}); models.ErrorCode(err) != models.EINVALID {
				t.Errorf("withdrawing without a reason: %v, want EINVALID", err)
			}
			wr, err := s.WithdrawRecognition(ctx, models.WithdrawRequest{AreaID: kp1.ID, Reason: "biên bản ghi nhầm", By: f.admin.ID})
			if err != nil {
				t.Fatal(err)
			}
			if wr.Tally.Version != 1 || wr.Tally.Status != models.TallyWithdrawn || wr.Pending == nil || wr.Pending.Version != 2 {
				t.Fatalf("withdrawal: %+v pending %+v", wr.Tally, wr.Pending)
			}
			if _, err := s.AcceptedTally(ctx, kp1.ID); models.ErrorCode(err) != models.ENOTFOUND {
				t.Errorf("accepted tally after the withdrawal: %v, want ENOTFOUND", err)
			}
			if _, err := s.WithdrawRecognition(ctx, models.WithdrawRequest{AreaID: kp1.ID, Reason: "again", By: f.admin.ID}); models.ErrorCode(err) != models.ENOTFOUND {
				t.Errorf("withdrawing twice: %v, want ENOTFOUND", err)
			}
			rv, err := s.ReviewTally(ctx, models.ReviewRequest{AreaID: kp1.ID, Version: 2, Accept: true, By: f.admin.ID})
			if err != nil || rv.Tally.Version != 2 || rv.Superseded != nil {
				t.Fatalf("recognising v2: %+v, %v", rv, err)
			}
			if acc, err := s.AcceptedTally(ctx, kp1.ID); err != nil || acc.Version != 2 {
				t.Errorf("accepted after recognising v2: %+v, %v", acc, err)
			}
			// Recognising a later version directly supersedes the earlier.
			if _, err := s.SubmitTally(ctx, models.TallySubmission{AreaID: kp1.ID, ReporterID: f.rep2.ID, Numbers: kp1Numbers(230, 55)}); err != nil {
				t.Fatal(err)
			}
			rv, err = s.ReviewTally(ctx, models.ReviewRequest{AreaID: kp1.ID, Accept: true, By: f.admin.ID})
			if err != nil || rv.Tally.Version != 3 || rv.Superseded == nil || rv.Superseded.Version != 2 {
				t.Fatalf("recognising v3: %+v, %v", rv, err)
			}
			h, err := s.AreaHistory(ctx, kp1.ID)
			if err != nil {
				t.Fatal(err)
			}
			var states []string
			for _, v := range h.Versions {
				states = append(states, v.Status)
			}
			if got := strings.Join(states, ","); got != "withdrawn,superseded,accepted" {
				t.Errorf("statuses %s", got)
			}
			if r := h.Review(h.Version(1), models.ReviewWithdraw); r == nil || r.Reason != "biên bản ghi nhầm" || *r.ContactID != f.admin.ID {
				t.Errorf("withdraw review %+v", r)
			}
			audit := auditActions(t, s, kp1.Code)
			for _, want := range []string{"tally.submit area=1 version=2 status=conflict conflicts_with=1 after_recognised=1",
				"tally.withdraw area=1 version=1 reason=biên bản ghi nhầm", "tally.accept area=1 version=2 was=conflict",
				"tally.accept area=1 version=3 was=conflict supersedes=2"} {
				if !strings.Contains(audit, want) {
					t.Errorf("audit lacks %q:\n%s", want, audit)
				}
			}
		})
	}
}

// TestSubmitTally_ND59_2023_NomineeStoredAndHouseholdBallotKind: a person
// named in the minutes who is not in the file is stored as a candidate
// nominated at the meeting (above the file's ballot numbers, audited); a
// second reporter naming them confirms; the household ballot keeps its
// kind; reloading the file leaves the nominee alone.
func TestSubmitTally_ND59_2023_NomineeStoredAndHouseholdBallotKind(t *testing.T) {
	for _, n := range testdb.Stores(t) {
		t.Run(n.Name, func(t *testing.T) {
			ctx := context.Background()
			s := n.Store
			f := newOfficialsFixture(t, s)
			kp1 := f.areas[0]
			nums := kp1Numbers(60, 35)
			nums.Nominees = []models.Nominee{{Name: "Lê Văn Cường", Votes: 190}}
			res, err := s.SubmitTally(ctx, models.TallySubmission{AreaID: kp1.ID, ReporterID: f.rep1.ID, Numbers: nums})
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Nominees) != 1 || res.Nominees[0].ID == 0 || !res.Nominees[0].Nominated || res.Nominees[0].BallotNo != 101 {
				t.Fatalf("nominees %+v", res.Nominees)
			}
			a, err := s.Area(ctx, kp1.ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(a.Candidates) != 3 || !a.Candidates[2].Nominated || a.Candidates[2].Name != "Lê Văn Cường" {
				t.Fatalf("candidates %+v", a.Candidates)
			}
			o, err := models.DecideOutcome(models.RulesNQLT2008, models.TallyNumbersOf(res.Tally, a.Candidates), a.Candidates)
			if err != nil || o.Winner == nil || o.Winner.ID != a.Candidates[2].ID {
				t.Errorf("outcome %+v, %v", o, err)
			}
			again := kp1Numbers(60, 35)
			again.Nominees = []models.Nominee{{Name: "le van cuong", Votes: 190}}
			res, err = s.SubmitTally(ctx, models.TallySubmission{AreaID: kp1.ID, ReporterID: f.rep2.ID, Numbers: again})
			if err != nil || res.Kind != models.SubmitConfirmed || len(res.Nominees) != 1 {
				t.Fatalf("the same nominee from another reporter: %+v, %v", res, err)
			}
			if audit := auditActions(t, s, kp1.Code); !strings.Contains(audit, "candidate.nominated area=1 ballot_no=101 name=Lê Văn Cường") ||
				!strings.Contains(audit, "nominees=Lê Văn Cường") {
				t.Errorf("audit:\n%s", audit)
			}
			// The file reloaded: its candidates are its own, the nominee stays.
			ef, err := demo.ElectionFile()
			if err != nil {
				t.Fatal(err)
			}
			if rep, err := s.LoadElection(ctx, ef); err != nil || rep.Changes != 0 {
				t.Fatalf("reload: %+v, %v", rep, err)
			}
			// A household ballot in kp2 (the stored kind is read back).
			kp2 := f.areas[1]
			if err := s.Grant(ctx, &models.RoleGrant{ContactID: &f.rep1.ID, Role: models.RoleReporter, AreaID: &kp2.ID, GrantedBy: &f.admin.ID}); err != nil {
				t.Fatal(err)
			}
			hb := models.TallyNumbers{Kind: models.TallyKindHouseholdBallot, Method: models.MethodSecret, Households: kp2.Households,
				Issued: ip(kp2.Households), Returned: ip(100), Valid: ip(100), Invalid: ip(0), Votes: map[int]int{1: 100}}
			res, err = s.SubmitTally(ctx, models.TallySubmission{AreaID: kp2.ID, ReporterID: f.rep1.ID, Numbers: hb})
			if err != nil {
				t.Fatal(err)
			}
			_, ats, err := s.ElectionResults(ctx, demo.ElectionCode)
			if err != nil {
				t.Fatal(err)
			}
			if got := ats[1].Latest; got == nil || got.Kind != models.TallyKindHouseholdBallot || got.Attending != 0 {
				t.Errorf("household ballot read back: %+v", got)
			}
			if got := ats[0].Area.Candidates; len(got) != 3 || !got[2].Nominated {
				t.Errorf("results' candidates %+v", got)
			}
			if n := models.TallyNumbersOf(ats[1].Latest, ats[1].Area.Candidates); !models.SameNumbers(res.Tally, n, ats[1].Area.Candidates) {
				t.Errorf("numbers read back %+v", n)
			}
			// The export names the nominee and the kind of minutes.
			_, lines, err := s.ResultsLines(ctx, demo.ElectionCode, "")
			if err != nil {
				t.Fatal(err)
			}
			h, kp1Row, kp2Row := models.ResultsColumns, lines[0].Cells(), lines[1].Cells()
			cell := func(row []string, col string) string {
				for i, c := range h {
					if c == col {
						return row[i]
					}
				}
				t.Fatalf("no column %s", col)
				return ""
			}
			if cell(kp1Row, "nominated") != "Lê Văn Cường" || cell(kp1Row, "winner_name") != "Lê Văn Cường" ||
				!strings.Contains(cell(kp1Row, "candidates"), ":Lê Văn Cường") || cell(kp1Row, "tally_kind") != models.TallyKindMeeting ||
				cell(kp2Row, "tally_kind") != models.TallyKindHouseholdBallot || cell(kp2Row, "electorate") != models.ElectorateHouseholds {
				t.Errorf("export rows:\n%v\n%v\n%v", h, kp1Row, kp2Row)
			}
		})
	}
}
