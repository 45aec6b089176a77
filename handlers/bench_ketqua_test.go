package handlers_test

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"electionbot/bot"
	"electionbot/handlers"
	"electionbot/internal/loadtest"
	"electionbot/internal/testdb"
	"electionbot/models"
	"electionbot/results"
)

// BenchmarkKetqua1452Areas is /ketqua on Quảng Ninh's 1,452 areas in 177
// wards (internal/loadtest, its tallies seeded: 2 in 3 accepted, 1 in 6
// provisional, 1 in 12 in conflict): "province" a province admin's
// roll-up (by city and ward, the areas in conflict), "ward" a ward
// admin's results of their ward (8 areas); each with its progress chart
// ("+chart") and without. The roll-up must not cost what reading 1,452
// areas' tallies costs. PostgreSQL with TEST_DATABASE_URL, else SQLite.
func BenchmarkKetqua1452Areas(b *testing.B) {
	s := testdb.SQLite(b)
	if os.Getenv("TEST_DATABASE_URL") != "" {
		s = testdb.Postgres(b)
	}
	ctx := context.Background()
	now := time.Date(2022, 6, 5, 11, 30, 0, 0, models.VietnamTime)
	s.Now = func() time.Time { return now }
	p := loadtest.QuangNinh(346663)
	f := p.ElectionFile()
	if _, err := s.LoadElection(ctx, f); err != nil {
		b.Fatal(err)
	}
	if _, err := p.SeedTallies(ctx, s); err != nil {
		b.Fatal(err)
	}
	w, err := s.WardByCode(ctx, f.Wards[0].Code)
	if err != nil {
		b.Fatal(err)
	}
	for _, g := range []struct {
		user string
		ward *int64
	}{{"province-admin", nil}, {"ward-admin", &w.ID}} {
		c, err := s.EnsureContact(ctx, &models.Contact{Channel: models.ChannelConsole, ExternalID: g.user, Lang: "vi"})
		if err != nil {
			b.Fatal(err)
		}
		if err := s.Grant(ctx, &models.RoleGrant{ContactID: &c.ID, Role: models.RoleAdmin, WardID: g.ward}); err != nil {
			b.Fatal(err)
		}
	}
	clock := func() time.Time { return now }
	for _, c := range []struct {
		name, user string
		charts     handlers.Charts
		want       string
	}{
		{"province", "province-admin", nil, "🏙"},
		{"province+chart", "province-admin", results.Charts{}, "🏙"},
		{"ward", "ward-admin", nil, "Chi tiết một"},
		{"ward+chart", "ward-admin", results.Charts{}, "Chi tiết một"},
	} {
		h, err := handlers.New(handlers.Config{Stores: handlers.StoresOf, Now: clock, Charts: c.charts})
		if err != nil {
			b.Fatal(err)
		}
		in := bot.Incoming{Channel: models.ChannelConsole, UserID: c.user, ChatID: c.user, Text: "/ketqua"}
		// The first read brings the standings up to the tallies seeded.
		if out, err := handle(ctx, s, h, in); err != nil || len(out) == 0 || !strings.Contains(out[0].Text, c.want) {
			b.Fatalf("/ketqua: %v %+v", err, out)
		}
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			stmts := s.Statements()
			for b.Loop() {
				if _, err := handle(ctx, s, h, in); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(s.Statements()-stmts)/float64(b.N), "stmts/op")
		})
	}
}
