package loadtest

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"electionbot/internal/testdb"
	"electionbot/models"
)

func TestProvinceLayout(t *testing.T) {
	p := QuangNinh(346_663)
	wards := p.Layout()
	if !reflect.DeepEqual(wards, p.Layout()) {
		t.Fatal("two layouts differ")
	}
	cities, codes := map[string]int{}, map[string]bool{}
	kinds := map[string]int{}
	areas, households, withKP1, withThon1, withBan := 0, 0, 0, 0, 0
	for _, w := range wards {
		cities[w.City]++
		if codes[w.Code] {
			t.Errorf("ward code %s twice", w.Code)
		}
		codes[w.Code] = true
		kind := models.WardKindFromName(w.Name)
		kinds[kind]++
		if kind == "" || len(w.Areas) == 0 {
			t.Errorf("ward %s %q: kind %q, %d areas", w.Code, w.Name, kind, len(w.Areas))
		}
		for _, a := range w.Areas {
			areas++
			households += a.Households
			unit := models.UnitFromName(a.Name)
			switch {
			case kind == models.WardUrban && unit != models.UnitKhuPho,
				kind == models.WardTown && unit != models.UnitKhu,
				kind == models.WardCommune && unit != models.UnitThon && unit != models.UnitBan:
				t.Errorf("%s (%s) has %q (%s)", w.Name, kind, a.Name, unit)
			}
			switch a.Code {
			case "kp1":
				withKP1++
			case "thon1":
				withThon1++
			case "ban1":
				withBan++
			}
			if pp := a.PollingPlace; pp.Lat == nil || *pp.Lat < 20.5 || *pp.Lat > 21.8 || *pp.Lon < 106.3 || *pp.Lon > 108.2 {
				t.Errorf("%s/%s polling place %v,%v is not in Quảng Ninh", w.Code, a.Code, pp.Lat, pp.Lon)
			}
		}
	}
	if len(wards) != 177 || len(cities) != 13 || areas != 1452 || households != 346_663 {
		t.Errorf("%d wards in %d cities, %d areas, %d households; want 177 in 13, 1452, 346663", len(wards), len(cities), areas, households)
	}
	if withKP1 < 50 || withThon1 < 50 || withBan == 0 || kinds[models.WardTown] != 7 {
		t.Errorf("kp1 in %d wards, thon1 in %d, ban1 in %d; %d thị trấn", withKP1, withThon1, withBan, kinds[models.WardTown])
	}
	t.Logf("%d phường, %d xã, %d thị trấn; Hạ Long %d wards, Cô Tô %d", kinds[models.WardUrban], kinds[models.WardCommune],
		kinds[models.WardTown], cities["TP Hạ Long"], cities["Huyện Cô Tô"])
}

func TestSpread(t *testing.T) {
	for _, tc := range []struct {
		total   int
		weights []int
		want    []int
	}{
		{10, []int{1, 1}, []int{5, 5}},
		{10, []int{1, 2}, []int{3, 7}},
		{3, []int{1, 1, 100}, []int{1, 1, 1}},
		{7, []int{1, 1, 1}, []int{3, 2, 2}},
	} {
		if got := spread(tc.total, tc.weights); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("spread(%d, %v) = %v, want %v", tc.total, tc.weights, got, tc.want)
		}
	}
}

// The province's areas table imported into its election (seeded with one
// area), then again: the second import changes nothing. The times are
// logged (go test -v; the figure that matters is on PostgreSQL, with
// TEST_DATABASE_URL). Then the election file of the same province loads
// unchanged (the table and the file agree), and a voter list with
// ward_code imports.
func TestProvinceImportAreas(t *testing.T) {
	if testing.Short() {
		t.Skip("imports 1,452 areas")
	}
	p := QuangNinh(4_356)
	var table bytes.Buffer
	if err := p.AreasCSV(&table); err != nil {
		t.Fatal(err)
	}
	for _, n := range testdb.Stores(t) {
		t.Run(n.Name, func(t *testing.T) {
			ctx := context.Background()
			s := n.Store
			if _, err := s.LoadElection(ctx, p.SeedElectionFile()); err != nil {
				t.Fatal(err)
			}
			var progress bytes.Buffer
			imp := func() (*models.LoadReport, time.Duration) {
				t.Helper()
				t0 := time.Now()
				rep, err := s.ImportAreas(ctx, bytes.NewReader(table.Bytes()), "csv", models.AreaImportOptions{ElectionCode: p.Code, Progress: &progress})
				if err != nil {
					t.Fatal(err)
				}
				return rep, time.Since(t0)
			}
			rep1, d1 := imp()
			if got, want := rep1.String(), "qn-2022: loaded 1452 areas in 177 wards, 3388 candidates (updated)"; got != want {
				t.Errorf("first import %q, want %q", got, want)
			}
			if want := "import: 1,000 rows read\nimport: 1,452 areas in 177 wards read; loading\n"; progress.String() != want {
				t.Errorf("progress %q, want %q", progress.String(), want)
			}
			e, err := s.ElectionByCode(ctx, p.Code)
			if err != nil {
				t.Fatal(err)
			}
			before, err := s.Areas(ctx, e.ID)
			if err != nil {
				t.Fatal(err)
			}
			rep2, d2 := imp()
			if !strings.HasSuffix(rep2.String(), "(unchanged)") || rep2.Changes != 0 {
				t.Errorf("second import %q, %d changes", rep2.String(), rep2.Changes)
			}
			after, _ := s.Areas(ctx, e.ID)
			if len(after) != 1452 || len(before) != 1452 {
				t.Fatalf("%d areas, then %d", len(before), len(after))
			}
			for i := range before {
				if before[i].ID != after[i].ID || before[i].PollingPlace.ID != after[i].PollingPlace.ID {
					t.Fatalf("area %d changed ids", i)
				}
			}
			t.Logf("%s on %s: import areas %s (1,451 areas in 176 wards added to a seed of 1), again %s (unchanged)",
				p, n.Name, d1.Round(time.Millisecond), d2.Round(time.Millisecond))

			if rep, err := s.LoadElection(ctx, p.ElectionFile()); err != nil || rep.Changes != 0 {
				t.Errorf("the election file after the table: %v, %+v", err, rep)
			}
			voters, err := p.VoterCSV()
			if err != nil {
				t.Fatal(err)
			}
			vr, err := s.ImportVoters(ctx, bytes.NewReader(voters), "csv", models.ImportOptions{ElectionCode: p.Code})
			if err != nil || vr.Rows != 4_356 || len(vr.Areas) != 1452 || vr.Areas[0].Ward == "" {
				t.Fatalf("voters: %v, %+v", err, vr)
			}
		})
	}
}

// TestWriteProvinceFiles writes the province's seed election file and
// areas table into $PROVINCE_OUT, to try `electionbot load` and `import
// areas` by hand:
//
//	PROVINCE_OUT=/tmp/qn go test ./internal/loadtest -run TestWriteProvinceFiles
//	electionbot load /tmp/qn/qn-2022-seed.yaml
//	electionbot import areas /tmp/qn/qn-2022-areas.csv --election qn-2022
func TestWriteProvinceFiles(t *testing.T) {
	dir := os.Getenv("PROVINCE_OUT")
	if dir == "" {
		t.Skip("PROVINCE_OUT is not set")
	}
	p := QuangNinh(346_663)
	seed, err := yaml.Marshal(p.SeedElectionFile())
	if err != nil {
		t.Fatal(err)
	}
	var table bytes.Buffer
	if err := p.AreasCSV(&table); err != nil {
		t.Fatal(err)
	}
	voters, err := p.VoterCSV()
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string][]byte{"qn-2022-seed.yaml": seed, "qn-2022-areas.csv": table.Bytes(), "qn-2022-voters.csv": voters} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := models.ParseElectionFile(seed); err != nil {
		t.Fatalf("the seed file does not parse: %v", err)
	}
}
