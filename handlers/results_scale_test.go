package handlers

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"electionbot/internal/testdb"
	"electionbot/models"
	"electionbot/results"
)

// /ketqua at the scale of a province (issue 18): what a province's and a
// ward's official's /ketqua read must not grow with the number of areas
// and tallies of the election. The same election shape at 20 and at 200
// areas must cost the same statements, and the province's roll-up reads
// no area's tallies at all (one row per ward).

// scaleFile is an election of `areas` areas in wards of 5, 4 wards a
// city; "w01" is the first ward.
func scaleFile(areas int) *models.ElectionFile {
	f := levelsFile()
	f.Wards = testdb.ScaleWards(areas)
	return f
}

// seedScale writes tallies for every area by its place in its ward
// (testdb.SeedTalliesByPlace).
func seedScale(t *testing.T, o *offHarness) {
	t.Helper()
	rep := o.contact("2")
	testdb.SeedTalliesByPlace(t, o.s, o.areas, rep.ID, o.now)
}

// areaReads counts the areas a results store returned: the rows of
// tallies a command read.
type areaReads struct {
	*models.Store
	areas *int
}

func (r areaReads) ElectionResults(ctx context.Context, code string) (*models.Election, []*models.AreaTallies, error) {
	e, ats, err := r.Store.ElectionResults(ctx, code)
	*r.areas += len(ats)
	return e, ats, err
}

func (r areaReads) ElectionResultsOf(ctx context.Context, code string, wardID int64) (*models.Election, []*models.AreaTallies, error) {
	e, ats, err := r.Store.ElectionResultsOf(ctx, code, wardID)
	*r.areas += len(ats)
	return e, ats, err
}

// ketquaCost is what one /ketqua of user costs on an election of
// `areas` areas: statements sent and areas' tallies read. A first
// /ketqua, not counted, brings the stored standings up to the tallies
// written directly.
type ketquaCost struct{ statements, areas int64 }

func measureKetqua(t *testing.T, s *models.Store, areas int, user string) (ketquaCost, string) {
	t.Helper()
	o, _ := newLevelsHarness(t, s, scaleFile(areas))
	seedScale(t, o)
	read := new(int)
	h, err := New(Config{Now: o.clock, Charts: o.h.charts, Stores: func(tx *models.Store) Stores {
		st := StoresOf(tx)
		st.Results = areaReads{Store: tx, areas: read}
		return st
	}})
	if err != nil {
		t.Fatal(err)
	}
	o.h = h
	w, err := s.WardByCode(context.Background(), "w01")
	if err != nil {
		t.Fatal(err)
	}
	grant(t, s, o.contact("7"), models.RoleAdmin, &w.ID)
	o.send(user, "/ketqua")
	before := s.Statements()
	*read = 0
	reply := mine(user, o.send(user, "/ketqua"))
	return ketquaCost{statements: s.Statements() - before, areas: int64(*read)}, reply
}

// freshStore is a new store of the kind name names (testdb.Stores).
func freshStore(t *testing.T, name string) *models.Store {
	if name == "postgres" {
		return testdb.Postgres(t)
	}
	return testdb.SQLite(t)
}

func TestKetquaCostIndependentOfAreas(t *testing.T) {
	for _, n := range testdb.Stores(t) {
		t.Run(n.Name, func(t *testing.T) {
			for _, who := range []struct {
				name, user string
				areas      int64 // areas' tallies read: the ward's own, or none
			}{{"province admin", "5", 0}, {"ward admin", "7", 5}} {
				small, _ := measureKetqua(t, freshStore(t, n.Name), 20, who.user)
				large, reply := measureKetqua(t, freshStore(t, n.Name), 200, who.user)
				t.Logf("%s /ketqua: 20 areas %+v, 200 areas %+v", who.name, small, large)
				if small.statements != large.statements || small.areas != who.areas || large.areas != who.areas {
					t.Errorf("%s /ketqua: 20 areas %+v, 200 areas %+v; want the same statements and %d areas read",
						who.name, small, large, who.areas)
				}
				if who.user == "5" {
					// A chat message, not 200 lines: 30 wards, 10 areas in
					// conflict, the rest counted.
					expect(t, reply, "Đã nhận biên bản: 160/200 khu dân cư", "Chờ xem xét: 40 bản tạm thời, 40 bản mâu thuẫn.",
						"⚠️ Khu dân cư có báo cáo mâu thuẫn, cần xã, phường xem xét (40):",
						"• Khu phố 4 — Phường 10: /ketqua w10", "…và 30 khu dân cư khác.",
						"• Phường 30 (w30): nhận 4/5", "…và 10 xã, phường khác")
					expectNot(t, reply, "Phường 11: /ketqua", "Phường 31 (w31)")
					if lines := strings.Count(reply, "\n") + 1; lines > 80 {
						t.Errorf("the roll-up of 200 areas is %d lines", lines)
					}
				}
			}
		})
	}
}

// plainCharts is a Charts without WardCharts.
type plainCharts struct{ c results.Charts }

func (p plainCharts) Progress(e *models.Election, ats []*models.AreaTallies, now time.Time, lang string) ([]byte, error) {
	return p.c.Progress(e, ats, now, lang)
}

func (p plainCharts) Votes(e *models.Election, ats []*models.AreaTallies, areaCode string, now time.Time, lang string) ([]byte, bool, error) {
	return p.c.Votes(e, ats, areaCode, now, lang)
}

// The roll-up's chart is the same drawn from the standings by ward as
// from every area's tallies (a Charts without WardCharts).
func TestRollUpChartFromStandings(t *testing.T) {
	o, whole := newLevelsHarness(t, testdb.SQLite(t), levelsFile())
	chart := func() []byte {
		t.Helper()
		for _, m := range o.send("5", "/ketqua") {
			if m.Document != nil && m.Document.Name == "tien-do-qn-2022.png" {
				return m.Document.Data
			}
		}
		t.Fatal("no progress chart")
		return nil
	}
	fromStandings := chart()
	if *whole != 0 {
		t.Errorf("the chart read the whole election %d times", *whole)
	}
	o.h.charts = plainCharts{results.Charts{}}
	if fromTallies := chart(); !bytes.Equal(fromStandings, fromTallies) || *whole != 1 {
		t.Errorf("charts differ (%d and %d bytes), %d whole reads", len(fromStandings), len(fromTallies), *whole)
	}
}
