package handlers_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"electionbot/bot"
	"electionbot/demo"
	"electionbot/handlers"
	"electionbot/internal/testdb"
	"electionbot/models"
)

// TestDemoConversationOnRealStore runs the handlers on a real embedded
// SQLite store loaded with the Ka Long 2022 demo: the same path as
// `electionbot chat --demo`.
func TestDemoConversationOnRealStore(t *testing.T) {
	ctx := context.Background()
	s := testdb.SQLite(t)
	now := time.Date(2022, 6, 2, 9, 0, 0, 0, models.VietnamTime)
	clock := func() time.Time { return now }
	s.Now = clock
	if err := demo.Load(ctx, s); err != nil {
		t.Fatalf("demo.Load: %v", err)
	}
	h, err := handlers.New(handlers.Config{Stores: handlers.StoresOf, Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	say := func(user, msg string, contact *bot.SharedContact) string {
		t.Helper()
		out, err := h.Handle(ctx, s, bot.Incoming{Channel: models.ChannelConsole, UserID: user, ChatID: user, Text: msg, Contact: contact})
		if err != nil {
			t.Fatalf("%q: %v", msg, err)
		}
		if len(out) == 0 {
			t.Fatalf("%q: no reply", msg)
		}
		var b strings.Builder
		for _, o := range out {
			b.WriteString(o.Text + "\n")
		}
		return b.String()
	}
	expect := func(got string, wants ...string) {
		t.Helper()
		for _, w := range wants {
			if !strings.Contains(got, w) {
				t.Errorf("reply lacks %q:\n%s", w, got)
			}
		}
	}

	expect(say("1", "/start", nil), "Kính chào ông/bà", "Phường Ka Long")
	expect(say("1", "ngay bau cu", nil), "Chủ nhật, 05/06/2022", "còn 3 ngày nữa", "07:00", "11:00")
	expect(say("1", "kp1", nil), "Khu phố 1")
	expect(say("1", "bo phieu o dau", nil), "Nhà văn hóa khu phố 1", "đường Hùng Vương")
	expect(say("1", "nguyen van an 1961", nil), "Ng*** V** An, sinh 1961", "hộ số 1,")
	expect(say("1", "tran van hung 1970", nil), "có 2 người")
	got := say("1", "3", nil)
	expect(got, "hộ số 3,")
	if strings.Contains(got, "Trần Văn Hùng") || strings.Contains(got, "88/4") {
		t.Errorf("full name or address shown:\n%s", got)
	}
	expect(say("2", "/start", &bot.SharedContact{Phone: "+84 912 345 678", Own: true}), "Ng*** V** An", "Khu phố 1")

	// The limit holds in the database: 3 lookups so far by contact 1.
	for i := 0; i < 7; i++ {
		say("1", "nguyen van an 1961", nil)
	}
	expect(say("1", "nguyen van an 1961", nil), "thử lại sau 09:10")
	n, err := s.CountAudit(ctx, mustContact(t, s, "1").ID, handlers.ActionLookup, now.Add(-time.Hour))
	if err != nil || n != 10 {
		t.Fatalf("audited lookups = %d, %v; want 10", n, err)
	}
	// State and language live on the contact.
	say("1", "/lang en", nil)
	if c := mustContact(t, s, "1"); c.Lang != "en" || c.AreaID == nil {
		t.Fatalf("contact = %+v", c)
	}
	expect(say("1", "when is the election", nil), "Sunday, 5 June 2022")

	// After the day: the latest ACCEPTED tally version (models.AcceptedTally).
	now = time.Date(2022, 6, 6, 9, 0, 0, 0, models.VietnamTime)
	expect(say("1", "result", nil), "already held", "not been recognised")
	areas, err := s.Areas(ctx, mustElection(t, s).ID)
	if err != nil {
		t.Fatal(err)
	}
	kp1 := areas[0]
	reporter := mustContact(t, s, "1")
	n290, n289, n285, n4 := 290, 289, 285, 4
	for _, tl := range []*models.Tally{
		{AreaID: kp1.ID, Version: 1, ReporterID: reporter.ID, Method: models.MethodSecret, Households: 312, Attending: 290, Issued: &n290, Returned: &n289, Valid: &n285, Invalid: &n4, Status: models.TallyAccepted,
			Votes: []models.TallyVote{{CandidateID: kp1.Candidates[0].ID, Votes: 100}, {CandidateID: kp1.Candidates[1].ID, Votes: 180}}},
		{AreaID: kp1.ID, Version: 2, ReporterID: reporter.ID, Method: models.MethodSecret, Households: 312, Attending: 290, Issued: &n290, Returned: &n289, Valid: &n285, Invalid: &n4, Status: models.TallyAccepted,
			Votes: []models.TallyVote{{CandidateID: kp1.Candidates[0].ID, Votes: 250}, {CandidateID: kp1.Candidates[1].ID, Votes: 35}}},
		{AreaID: kp1.ID, Version: 3, ReporterID: reporter.ID, Method: models.MethodSecret, Households: 312, Attending: 290, Issued: &n290, Returned: &n289, Valid: &n285, Invalid: &n4, Status: models.TallyProvisional,
			Votes: []models.TallyVote{{CandidateID: kp1.Candidates[1].ID, Votes: 290}}},
	} {
		if err := s.DB(ctx).Create(tl).Error; err != nil {
			t.Fatal(err)
		}
	}
	expect(say("1", "result", nil), "Nguyễn Văn An (no. 1 on the ballot) is elected with 250 votes, 80.1% of all households (312)")
}

func mustElection(t *testing.T, s *models.Store) *models.Election {
	t.Helper()
	e, err := s.CurrentElection(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func mustContact(t *testing.T, s *models.Store, id string) *models.Contact {
	t.Helper()
	c, err := s.EnsureContact(context.Background(), &models.Contact{Channel: models.ChannelConsole, ExternalID: id})
	if err != nil {
		t.Fatal(err)
	}
	return c
}
