package models_test

// Tests of the wards: form of the election file (docs/design.md §5):
// its checks, with field paths, and its load into both databases.

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"electionbot/internal/testdb"
	"electionbot/models"
)

const wardsFile = "testdata/election_wards.yaml"

func TestParseElectionFileWards(t *testing.T) {
	f := parse(t, readFile(t, wardsFile))
	if f.Province != "Tỉnh Ví Dụ" || len(f.Wards) != 3 || f.AreaCount() != 5 {
		t.Fatalf("province %q, %d wards, %d areas", f.Province, len(f.Wards), f.AreaCount())
	}
	type ward struct{ code, name, city, province, kind string }
	type area struct{ ward, code, unit string }
	var gotWards []ward
	var gotAreas []area
	for _, w := range f.AllWards() {
		gotWards = append(gotWards, ward{w.Code, w.Name, w.City, w.Province, w.Kind})
		for _, a := range w.Areas {
			gotAreas = append(gotAreas, area{w.Code, a.Code, a.Unit})
		}
	}
	wantWards := []ward{
		{"phuong-mot", "Phường Một", "TP Ví Dụ", "Tỉnh Ví Dụ", models.WardUrban}, // kind from the name
		{"xa-hai", "Xã Hai", "TP Ví Dụ", "Tỉnh Ví Dụ", models.WardCommune},       // kind from the name
		{"trung-tam", "Trung Tâm", "Huyện Khác", "Tỉnh Ví Dụ", models.WardTown},  // kind: thị trấn
	}
	wantAreas := []area{
		{"phuong-mot", "kp1", models.UnitKhuPho}, {"phuong-mot", "kp2", models.UnitKhuPho},
		{"xa-hai", "thon-1", models.UnitThon}, {"xa-hai", "thon-dong", models.UnitThon}, // unit: thôn
		{"trung-tam", "kp1", models.UnitKhuPho},
	}
	if !reflect.DeepEqual(gotWards, wantWards) {
		t.Errorf("wards\n%q\nwant\n%q", gotWards, wantWards)
	}
	if !reflect.DeepEqual(gotAreas, wantAreas) {
		t.Errorf("areas\n%q\nwant\n%q", gotAreas, wantAreas)
	}
	// The wards of the file itself carry no province: it is named once.
	if f.Wards[0].Province != "" || f.Ward.Code != "" || f.Areas != nil {
		t.Errorf("file ward %+v, top-level ward %+v, areas %v", f.Wards[0], f.Ward, f.Areas)
	}
}

func TestParseElectionFileWardsUnitsAndKinds(t *testing.T) {
	base := string(readFile(t, wardsFile))
	for _, tc := range []struct {
		unit, want string
	}{
		{"thon", models.UnitThon}, {"Thôn", models.UnitThon}, {"bản", models.UnitBan}, {"ap", models.UnitAp},
		{"khu", models.UnitKhu}, {"khu-pho", models.UnitKhuPho}, {"Khu phố", models.UnitKhuPho},
		{"to-dan-pho", models.UnitToDanPho}, {"Tổ dân phố", models.UnitToDanPho},
	} {
		f := parse(t, []byte(strings.Replace(base, "unit: thôn", "unit: "+tc.unit, 1)))
		if got := f.Wards[1].Areas[1].Unit; got != tc.want {
			t.Errorf("unit %q = %q, want %q", tc.unit, got, tc.want)
		}
	}
	for _, tc := range []struct {
		kind, want string
	}{
		{"xa", models.WardCommune}, {"Xã", models.WardCommune}, {"phuong", models.WardUrban}, {"phường", models.WardUrban},
		{"thi-tran", models.WardTown}, {"Thị trấn", models.WardTown},
	} {
		f := parse(t, []byte(strings.Replace(base, "kind: thị trấn", "kind: "+tc.kind, 1)))
		if got := f.Wards[2].Kind; got != tc.want {
			t.Errorf("kind %q = %q, want %q", tc.kind, got, tc.want)
		}
	}
}

// TestParseElectionFileWardsErrors edits the valid wards file into bad
// ones and checks the exact message, with its field path.
func TestParseElectionFileWardsErrors(t *testing.T) {
	base := string(readFile(t, wardsFile))
	for _, tc := range []struct {
		name, old, new string
		want           string
	}{
		{"households zero in the second ward", "households: 150", "households: 0",
			"wards[1].areas[0].households: must be greater than 0"},
		{"households not whole", "households: 120", "households: 12.5",
			`wards[1].areas[1].households: "12.5" is not a whole number (line 39)`},
		{"households not a number", "households: 175", "households: nhiều",
			`wards[2].areas[0].households: "nhiều" is not a whole number (line 49)`},
		{"ward code used twice", "code: trung-tam", "code: phuong-mot",
			`wards[2].code: "phuong-mot" is used twice (also wards[0])`},
		{"ward code not a slug", "code: xa-hai", "code: Xã Hai",
			`wards[1].code: "Xã Hai" must use only a-z, 0-9 and "-" (and start with a letter or digit)`},
		{"ward name missing", `    name: "Xã Hai"` + "\n", "",
			"wards[1].name: is required"},
		{"area code used twice in one ward", "code: kp2", "code: kp1",
			`wards[0].areas[1].code: "kp1" is used twice (also wards[0].areas[0])`},
		{"area code missing", "      - code: thon-1\n        name:", "      - name:",
			"wards[1].areas[0].code: is required"},
		{"unknown unit", "unit: thôn", "unit: village",
			`wards[1].areas[1].unit: "village" must be one of thon, ban, ap, khu, khu-pho, to-dan-pho`},
		{"unknown kind", "kind: thị trấn", "kind: quận",
			`wards[2].kind: "quận" must be one of xa, phuong, thi-tran`},
		{"ward without areas", base[strings.Index(base, "    kind: thị trấn\n"):], "    kind: thị trấn\n    areas: []\n",
			"wards[2].areas: at least one area is required"},
		{"ward: and wards: together", "province: \"Tỉnh Ví Dụ\"\n", "province: \"Tỉnh Ví Dụ\"\nward: {code: ka-long, name: \"Phường Ka Long\"}\n",
			"ward: a file has either ward: (one ward) or wards: (several), not both"},
		{"ward: with only a city beside wards:", "province: \"Tỉnh Ví Dụ\"\n", "province: \"Tỉnh Ví Dụ\"\nward: {city: \"TP Ví Dụ\"}\n",
			"ward: a file has either ward: (one ward) or wards: (several), not both"},
		{"top-level areas beside wards:", "province: \"Tỉnh Ví Dụ\"\n",
			"province: \"Tỉnh Ví Dụ\"\nareas:\n  - {code: kp9, name: \"Khu phố 9\", households: 9, polling_place: {name: \"Nhà văn hóa\"}}\n",
			"areas: with wards:, each ward lists its own areas"},
		{"a ward names its province", `    city: "Huyện Khác"` + "\n", `    city: "Huyện Khác"` + "\n    province: \"Tỉnh Khác\"\n",
			"wards[2].province: the province is named once, at the top of the file"},
		{"province: without wards:", base[strings.Index(base, "\nwards:")+1:], "",
			"wards: a file with province: lists its wards (or use ward: and areas: for one ward)"},
		{"lat without lon", "lat: 21.40, lon: 107.70", "lat: 21.40",
			"wards[2].areas[0].polling_place.lon: is required when lat is given"},
		{"candidate twice", `["Đặng Văn Hải", "Bùi Thị Lan"]`, `["Đặng Văn Hải", "Dang Van Hai"]`,
			`wards[2].areas[0].candidates[1]: "Dang Van Hai" is listed twice (also candidates[0])`},
		{"unknown field in a ward's area", "        unit: thôn\n", "        unit: thôn\n        head: \"Vũ Văn Giang\"\n",
			"wards[1].areas[1].head: unknown field (line 39)"},
		{"unknown field in a ward", `    city: "Huyện Khác"` + "\n", `    city: "Huyện Khác"` + "\n    district: \"Khác\"\n",
			"wards[2].district: unknown field (line 45)"},
		{"areas of a ward not a list", base[strings.Index(base, "    kind: thị trấn\n"):], "    kind: thị trấn\n    areas: kp1\n",
			`wards[2].areas: "kp1" is not a list (line 46)`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if !strings.Contains(base, tc.old) {
				t.Fatalf("%q is not in %s", tc.old, wardsFile)
			}
			f, err := models.ParseElectionFile([]byte(strings.Replace(base, tc.old, tc.new, 1)))
			if err == nil {
				t.Fatalf("ParseElectionFile accepted the file: %+v", f)
			}
			if models.ErrorCode(err) != models.EINVALID {
				t.Errorf("error code = %s, want %s", models.ErrorCode(err), models.EINVALID)
			}
			if got := models.ErrorMessage(err); got != tc.want {
				t.Errorf("message:\n%s\nwant:\n%s", got, tc.want)
			}
		})
	}
}

// The one-ward file keeps its own rules: its areas beside ward:, not in it.
func TestParseElectionFileOneWardAreasInsideWard(t *testing.T) {
	y := strings.Replace(string(readFile(t, "testdata/election_small.yaml")),
		`province: "Tỉnh Ví Dụ"}`, `province: "Tỉnh Ví Dụ", areas: [{code: t9, name: "Thôn 9", households: 9, polling_place: {name: "Nhà văn hóa"}}]}`, 1)
	_, err := models.ParseElectionFile([]byte(y))
	if want := "ward.areas: areas: of a one-ward file go at the top level, beside ward:"; models.ErrorMessage(err) != want {
		t.Fatalf("error %v, want %q", err, want)
	}
}

// wardAreas is the stored areas of an election as "ward/code unit
// households", in load order.
func wardAreas(t *testing.T, s *models.Store, code string) (*models.Election, []*models.Area, []string) {
	t.Helper()
	ctx := context.Background()
	e, err := s.ElectionByCode(ctx, code)
	if err != nil {
		t.Fatal(err)
	}
	areas, err := s.Areas(ctx, e.ID)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, a := range areas {
		out = append(out, a.Ward.Code+"/"+a.Code+" "+a.Unit)
	}
	return e, areas, out
}

func TestLoadElectionWards(t *testing.T) {
	for _, n := range testdb.Stores(t) {
		t.Run(n.Name, func(t *testing.T) {
			ctx := context.Background()
			s := n.Store
			rep, err := s.LoadElectionFile(ctx, wardsFile)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := rep.String(), "tinh-thu-2022: loaded 5 areas in 3 wards, 8 candidates (created)"; got != want {
				t.Errorf("report %q, want %q", got, want)
			}
			e, areas, got := wardAreas(t, s, "tinh-thu-2022")
			if e.WardID != nil || e.Ward != nil || e.Province != "Tỉnh Ví Dụ" {
				t.Errorf("election ward_id %v, ward %+v, province %q: want no ward and the province", e.WardID, e.Ward, e.Province)
			}
			want := []string{"phuong-mot/kp1 khu-pho", "phuong-mot/kp2 khu-pho", "xa-hai/thon-1 thon", "xa-hai/thon-dong thon", "trung-tam/kp1 khu-pho"}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("areas %q, want %q", got, want)
			}
			if areas[0].ID == areas[4].ID || areas[0].WardID == areas[4].WardID {
				t.Errorf("the two kp1 share a row or a ward: %+v %+v", areas[0], areas[4])
			}
			if pp := areas[4].PollingPlace; pp == nil || pp.Name != "Nhà văn hóa khu phố 1, thị trấn Trung Tâm" || pp.Lat == nil || *pp.Lat != 21.40 {
				t.Errorf("trung-tam/kp1 polling place %+v", pp)
			}
			if c := areas[4].Candidates; len(c) != 2 || c[0].Name != "Đặng Văn Hải" || c[1].BallotNo != 2 {
				t.Errorf("trung-tam/kp1 candidates %+v", c)
			}
			wards, err := s.ElectionWards(ctx, e.ID)
			if err != nil {
				t.Fatal(err)
			}
			var ws []string
			for _, w := range wards {
				ws = append(ws, strings.Join([]string{w.Code, w.Name, w.City, w.Province, w.Kind}, "|"))
			}
			wantWards := []string{"phuong-mot|Phường Một|TP Ví Dụ|Tỉnh Ví Dụ|phuong", "xa-hai|Xã Hai|TP Ví Dụ|Tỉnh Ví Dụ|xa",
				"trung-tam|Trung Tâm|Huyện Khác|Tỉnh Ví Dụ|thi-tran"}
			if !reflect.DeepEqual(ws, wantWards) {
				t.Errorf("wards %q, want %q", ws, wantWards)
			}

			// Again: nothing written, the same ids.
			before := dumpTables(t, s)
			rep, err = s.LoadElectionFile(ctx, wardsFile)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := rep.String(), "tinh-thu-2022: loaded 5 areas in 3 wards, 8 candidates (unchanged)"; got != want || rep.Changes != 0 {
				t.Errorf("second report %q (%d changes), want %q", got, rep.Changes, want)
			}
			sameDump(t, before, dumpTables(t, s))
		})
	}
}

// A voter of the second kp1 (trung-tam's) holds that area: the file
// without it is refused, names the area by its ward, and changes nothing.
// The first kp1 (phuong-mot's), empty, may go.
func TestLoadElectionWardsRemovingAreas(t *testing.T) {
	for _, n := range testdb.Stores(t) {
		t.Run(n.Name, func(t *testing.T) {
			ctx := context.Background()
			s := n.Store
			if _, err := s.LoadElectionFile(ctx, wardsFile); err != nil {
				t.Fatal(err)
			}
			_, areas, _ := wardAreas(t, s, "tinh-thu-2022")
			if err := s.DB(ctx).Create(&models.Voter{AreaID: areas[4].ID, HouseholdNo: "1", FullName: "Lý Thị Xuân",
				NameFolded: models.Fold("Lý Thị Xuân"), BirthYear: 1980}).Error; err != nil {
				t.Fatal(err)
			}
			before := dumpTables(t, s)
			for _, tc := range []struct {
				name string
				edit func(f *models.ElectionFile)
				want string
			}{
				{"the area leaves its ward", func(f *models.ElectionFile) {
					f.Wards[2].Areas = append(f.Wards[2].Areas, f.Wards[0].Areas[1]) // a new area, so the ward stays
					f.Wards[2].Areas = f.Wards[2].Areas[1:]
					f.Wards[0].Areas[0].Households = 999 // rolled back too
				}, "area kp1 of ward trung-tam is not in the file but has 1 voter and 0 tallies: loading would delete them; keep it in the file"},
				{"its ward leaves the file", func(f *models.ElectionFile) { f.Wards = f.Wards[:2] },
					"area kp1 of ward trung-tam is not in the file but has 1 voter and 0 tallies: loading would delete them; keep it in the file"},
			} {
				t.Run(tc.name, func(t *testing.T) {
					f := parse(t, readFile(t, wardsFile))
					tc.edit(f)
					_, err := s.LoadElection(ctx, f)
					if models.ErrorCode(err) != models.ECONFLICT || models.ErrorMessage(err) != tc.want {
						t.Fatalf("load: %v, want conflict %q", err, tc.want)
					}
					sameDump(t, before, dumpTables(t, s))
				})
			}

			f := parse(t, readFile(t, wardsFile))
			f.Wards[0].Areas = f.Wards[0].Areas[1:] // phuong-mot/kp1 has no voters
			rep, err := s.LoadElection(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := rep.String(), "tinh-thu-2022: loaded 4 areas in 3 wards, 6 candidates (updated); removed areas phuong-mot/kp1"; got != want {
				t.Errorf("report %q, want %q", got, want)
			}
			if _, _, got := wardAreas(t, s, "tinh-thu-2022"); !reflect.DeepEqual(got,
				[]string{"phuong-mot/kp2 khu-pho", "xa-hai/thon-1 thon", "xa-hai/thon-dong thon", "trung-tam/kp1 khu-pho"}) {
				t.Errorf("areas after the removal: %q", got)
			}
		})
	}
}

// A one-ward election can grow into several wards and back: the
// election's ward_id follows the file's form, and the ids stay.
func TestLoadElectionWardsFromOneWard(t *testing.T) {
	for _, n := range testdb.Stores(t) {
		t.Run(n.Name, func(t *testing.T) {
			ctx := context.Background()
			s := n.Store
			one := parse(t, readFile(t, wardsFile))
			one.Ward, one.Areas, one.Wards = one.Wards[0], one.Wards[0].Areas, nil
			one.Ward.Areas, one.Ward.Province, one.Province = nil, "Tỉnh Ví Dụ", ""
			if _, err := s.LoadElection(ctx, one); err != nil {
				t.Fatal(err)
			}
			e1, areas1, _ := wardAreas(t, s, "tinh-thu-2022")
			if e1.WardID == nil || e1.Ward.Code != "phuong-mot" || len(areas1) != 2 {
				t.Fatalf("one-ward election %+v, %d areas", e1, len(areas1))
			}
			rep, err := s.LoadElectionFile(ctx, wardsFile)
			if err != nil || rep.Created {
				t.Fatalf("load of the wards: %v %+v", err, rep)
			}
			e2, areas2, _ := wardAreas(t, s, "tinh-thu-2022")
			if e2.ID != e1.ID || e2.WardID != nil || len(areas2) != 5 || areas2[0].ID != areas1[0].ID || areas2[1].ID != areas1[1].ID {
				t.Errorf("after the wards: election %+v, %d areas", e2, len(areas2))
			}
		})
	}
}
