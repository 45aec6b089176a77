package models_test

import (
	"context"
	"testing"
	"time"

	"electionbot/demo"
	"electionbot/internal/testdb"
	"electionbot/models"
)

// acceptAll records an accepted tally for every area of the demo
// election at a time, each electing its first candidate with votes of
// all but 10 households (or, for the area rerun names, nobody over 50%).
func acceptAll(t *testing.T, s *models.Store, at time.Time, rerun string) []*models.Area {
	t.Helper()
	ctx := context.Background()
	e, err := s.ElectionByCode(ctx, demo.ElectionCode)
	if err != nil {
		t.Fatal(err)
	}
	areas, err := s.Areas(ctx, e.ID)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := s.EnsureContact(ctx, &models.Contact{Channel: models.ChannelConsole, ExternalID: "reporter"})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range areas {
		hh := a.Households
		att := hh - 5
		votes := hh - 10
		if a.Code == rerun {
			votes = hh / 3
		}
		tl := &models.Tally{AreaID: a.ID, Version: 1, ReporterID: rep.ID, Method: models.MethodSecret, Households: hh,
			Attending: att, Issued: &att, Returned: &att, Valid: &att, Invalid: new(int), Status: models.TallyAccepted, CreatedAt: at,
			Votes: []models.TallyVote{{CandidateID: a.Candidates[0].ID, Votes: votes}}}
		if err := s.DB(ctx).Create(tl).Error; err != nil {
			t.Fatal(err)
		}
	}
	return areas
}

func TestPurgeDue(t *testing.T) {
	for _, n := range testdb.Stores(t) {
		t.Run(n.Name, func(t *testing.T) {
			ctx := context.Background()
			s := n.Store
			if err := demo.Load(ctx, s); err != nil {
				t.Fatal(err)
			}
			day := time.Date(2022, 6, 5, 5, 0, 0, 0, time.UTC)
			const after = 30 * 24 * time.Hour
			due := func(now time.Time) []string {
				t.Helper()
				codes, err := s.PurgeDue(ctx, now, after)
				if err != nil {
					t.Fatal(err)
				}
				return codes
			}
			if got := due(day.AddDate(1, 0, 0)); len(got) != 0 {
				t.Fatalf("due with nothing recognised: %v", got)
			}
			acceptAll(t, s, day, "")
			if got := due(day.Add(after - time.Minute)); len(got) != 0 {
				t.Fatalf("due before %v: %v", after, got)
			}
			if got := due(day.Add(after)); len(got) != 1 || got[0] != demo.ElectionCode {
				t.Fatalf("due after %v: %v", after, got)
			}
			if _, err := s.PurgeElection(ctx, demo.ElectionCode, false); err != nil {
				t.Fatal(err)
			}
			// Purged once: never again automatically, even if a list is
			// imported again (for a re-run, say).
			if err := demo.Load(ctx, s); err != nil {
				t.Fatal(err)
			}
			if got := due(day.AddDate(1, 0, 0)); len(got) != 0 {
				t.Fatalf("due again after a purge: %v", got)
			}
		})
	}
}

// TestPurgeDueNotWithARerun: an area whose meeting elected nobody may
// need its list again: the election is never purged automatically.
func TestPurgeDueNotWithARerun(t *testing.T) {
	for _, n := range testdb.Stores(t) {
		t.Run(n.Name, func(t *testing.T) {
			ctx := context.Background()
			s := n.Store
			if err := demo.Load(ctx, s); err != nil {
				t.Fatal(err)
			}
			day := time.Date(2022, 6, 5, 5, 0, 0, 0, time.UTC)
			acceptAll(t, s, day, "kp4")
			if got, err := s.PurgeDue(ctx, day.AddDate(1, 0, 0), 24*time.Hour); err != nil || len(got) != 0 {
				t.Fatalf("due with a re-run: %v, %v", got, err)
			}
		})
	}
}

func TestPurgeDryRunChangesNothing(t *testing.T) {
	for _, n := range testdb.Stores(t) {
		t.Run(n.Name, func(t *testing.T) {
			ctx := context.Background()
			s := n.Store
			if err := demo.Load(ctx, s); err != nil {
				t.Fatal(err)
			}
			var before int64
			s.DB(ctx).Model(&models.Voter{}).Count(&before)
			rep, err := s.PurgeElection(ctx, demo.ElectionCode, true)
			if err != nil || rep.Voters != before || before == 0 {
				t.Fatalf("dry run = %+v, %v; %d voters", rep, err, before)
			}
			var after, audits int64
			s.DB(ctx).Model(&models.Voter{}).Count(&after)
			s.DB(ctx).Model(&models.AuditEvent{}).Where("action = ?", models.ActionPurge).Count(&audits)
			if after != before || audits != 0 {
				t.Fatalf("a dry run deleted %d voters, audited %d purges", before-after, audits)
			}
			if _, err := s.PurgeElection(ctx, "no-such-election", true); models.ErrorCode(err) != models.ENOTFOUND {
				t.Fatalf("unknown election: %v", err)
			}
		})
	}
}
