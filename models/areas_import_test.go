package models_test

// Tests of `import areas` (docs/design.md §5): the areas of a province as
// a table, loaded by the election file's own rules.

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"electionbot/internal/testdb"
	"electionbot/models"
)

const (
	areasTable   = "testdata/areas_tinh_thu.csv" // the areas of election_wards.yaml, as a table
	areasHeader  = "city,ward_code,ward,area_code,area,households,polling_place,address,lat,lon,candidates\n"
	tinhThu      = "tinh-thu-2022"
	customRemind = "reminders:\n  - {key: hop-dan, message: meeting_notice, offset: -3d}\n"
)

func importAreas(s *models.Store, data []byte, format string) (*models.LoadReport, error) {
	return s.ImportAreas(context.Background(), bytes.NewReader(data), format, models.AreaImportOptions{ElectionCode: tinhThu})
}

// loadWardsFile loads election_wards.yaml with a reminders: list of its
// own (which import areas must leave alone).
func loadWardsFile(t *testing.T, s *models.Store) {
	t.Helper()
	f := parse(t, append(readFile(t, wardsFile), customRemind...))
	if _, err := s.LoadElection(context.Background(), f); err != nil {
		t.Fatal(err)
	}
}

func reminderDump(t *testing.T, s *models.Store) []string {
	t.Helper()
	rows, err := s.SQL().QueryContext(context.Background(), "SELECT * FROM reminders ORDER BY id")
	if err != nil {
		t.Fatal(err)
	}
	return scanRows(t, rows)
}

// The table of the file's own areas changes nothing: not the areas, not
// the ids, not the reminders of the file's reminders: list.
func TestImportAreasSameAsTheFile(t *testing.T) {
	for _, n := range testdb.Stores(t) {
		t.Run(n.Name, func(t *testing.T) {
			s := n.Store
			loadWardsFile(t, s)
			before, reminders := dumpTables(t, s), reminderDump(t, s)
			if len(reminders) != 6 { // hop-dan and the officials' 5 (with the ward's recognition)
				t.Fatalf("%d reminders after the load: %q", len(reminders), reminders)
			}
			rep, err := importAreas(s, readFile(t, areasTable), "csv")
			if err != nil {
				t.Fatal(err)
			}
			if got, want := rep.String(), "tinh-thu-2022: loaded 5 areas in 3 wards, 8 candidates (unchanged)"; got != want || rep.Changes != 0 {
				t.Errorf("report %q (%d changes), want %q", got, rep.Changes, want)
			}
			sameDump(t, before, dumpTables(t, s))
			if got := reminderDump(t, s); !reflect.DeepEqual(got, reminders) {
				t.Errorf("reminders changed:\n%q\n%q", reminders, got)
			}
		})
	}
}

// A table that adds a ward with its own kp1, moves a polling place and
// drops a candidate is loaded; again, it changes nothing.
func TestImportAreasUpdatesThenIsIdempotent(t *testing.T) {
	table := string(readFile(t, areasTable))
	table = strings.Replace(table, "21.53,107.96", "21.531,107.962", 1)
	table = strings.Replace(table, "Phạm Văn Dũng; Hoàng Thị Em", "Phạm Văn Dũng", 1)
	table += "Huyện Khác,xa-bon,Xã Bốn,kp1,Khu phố 1,60,Nhà văn hóa xã Bốn,,21.3,107.6,Lý Văn Tư\n"
	for _, n := range testdb.Stores(t) {
		t.Run(n.Name, func(t *testing.T) {
			s := n.Store
			loadWardsFile(t, s)
			_, areas1, _ := wardAreas(t, s, tinhThu)
			reminders := reminderDump(t, s)
			rep, err := importAreas(s, []byte(table), "csv")
			if err != nil {
				t.Fatal(err)
			}
			if got, want := rep.String(), "tinh-thu-2022: loaded 6 areas in 4 wards, 8 candidates (updated)"; got != want {
				t.Errorf("report %q, want %q", got, want)
			}
			e, areas, got := wardAreas(t, s, tinhThu)
			want := []string{"phuong-mot/kp1 khu-pho", "phuong-mot/kp2 khu-pho", "xa-hai/thon-1 thon", "xa-hai/thon-dong thon",
				"trung-tam/kp1 khu-pho", "xa-bon/kp1 khu-pho"}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("areas %q, want %q", got, want)
			}
			for i := range areas1 {
				if areas[i].ID != areas1[i].ID {
					t.Errorf("area %s changed id", got[i])
				}
			}
			if e.WardID != nil || areas[5].Ward.Kind != models.WardCommune || areas[5].Ward.City != "Huyện Khác" || areas[5].Ward.Province != "Tỉnh Ví Dụ" {
				t.Errorf("election ward %v; new ward %+v", e.WardID, areas[5].Ward)
			}
			if areas[3].Unit != models.UnitThon || areas[4].Ward.Kind != models.WardTown {
				t.Errorf("stored unit %q and kind %q not kept where the table is silent", areas[3].Unit, areas[4].Ward.Kind)
			}
			if pp := areas[0].PollingPlace; *pp.Lat != 21.531 || *pp.Lon != 107.962 || pp.Address != "Số 1, đường Chính" {
				t.Errorf("moved polling place %+v", pp)
			}
			if len(areas[2].Candidates) != 1 {
				t.Errorf("thon-1 has %d candidates, want 1", len(areas[2].Candidates))
			}
			if got := reminderDump(t, s); !reflect.DeepEqual(got, reminders) {
				t.Errorf("reminders changed:\n%q\n%q", reminders, got)
			}
			before := dumpTables(t, s)
			rep, err = importAreas(s, []byte(table), "csv")
			if err != nil || rep.Changes != 0 || !strings.HasSuffix(rep.String(), "(unchanged)") {
				t.Fatalf("second import: %v, %v", err, rep)
			}
			sameDump(t, before, dumpTables(t, s))
		})
	}
}

// The Vietnamese header (with or without diacritics, in any order, with
// the unit and ward kind), as CSV and as XLSX, gives the same election.
func TestImportAreasVietnameseHeaderAndXLSX(t *testing.T) {
	rows := [][]any{
		{"Thành phố", "Mã xã", "Xã", "Loại xã", "Mã khu", "Khu", "Loại", "Số hộ", "Nơi bỏ phiếu", "Địa chỉ", "Vĩ độ", "Kinh độ", "Người ứng cử"},
		{"TP Ví Dụ", "phuong-mot", "Phường Một", "", "kp1", "Khu phố 1", "", 210, "Nhà văn hóa khu phố 1", "Số 1, đường Chính", 21.53, 107.96, "Nguyễn Văn An; Trần Thị Bình"},
		{"", "phuong-mot", "", "", "kp2", "Khu phố 2", "", "190", "Nhà văn hóa khu phố 2", "", "", "", "Lê Văn Cường"},
		{"TP Ví Dụ", "xa-hai", "Xã Hai", "xã", "thon-1", "Thôn 1", "", 150, "Nhà văn hóa thôn 1", "", "21,50", "107,90", "Phạm Văn Dũng;Hoàng Thị Em"},
		{"TP Ví Dụ", "xa-hai", "Xã Hai", "", "thon-dong", "Đồng Tâm", "Thôn", 120, "Nhà văn hóa Đồng Tâm", "", "", "", "Vũ Văn Giang"},
		{"Huyện Khác", "trung-tam", "Trung Tâm", "Thị trấn", "kp1", "Khu phố 1", "khu phố", 175, "Nhà văn hóa khu phố 1, thị trấn Trung Tâm", "", 21.4, 107.7, "Đặng Văn Hải;Bùi Thị Lan"},
	}
	var csv strings.Builder
	for _, r := range rows {
		for i, c := range r {
			if i > 0 {
				csv.WriteByte(',')
			}
			v := fmt.Sprint(c)
			if strings.ContainsAny(v, ",;") {
				v = `"` + v + `"`
			}
			csv.WriteString(v)
		}
		csv.WriteByte('\n')
	}
	xlsx := excelize.NewFile()
	defer xlsx.Close()
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+3) // two blank rows first
		if err := xlsx.SetSheetRow(xlsx.GetSheetName(0), cell, &r); err != nil {
			t.Fatal(err)
		}
	}
	var xb bytes.Buffer
	if _, err := xlsx.WriteTo(&xb); err != nil {
		t.Fatal(err)
	}
	for _, n := range testdb.Stores(t) {
		t.Run(n.Name, func(t *testing.T) {
			s := n.Store
			loadWardsFile(t, s)
			before := dumpTables(t, s)
			for _, tc := range []struct {
				format string
				data   []byte
			}{{"csv", []byte(csv.String())}, {"xlsx", xb.Bytes()}} {
				rep, err := importAreas(s, tc.data, tc.format)
				if err != nil {
					t.Fatalf("%s: %v", tc.format, err)
				}
				if rep.Changes != 0 {
					t.Errorf("%s: %d changes, want the file's election unchanged", tc.format, rep.Changes)
				}
				sameDump(t, before, dumpTables(t, s))
			}
		})
	}
}

// A one-ward election given a one-ward table stays a one-ward election.
func TestImportAreasOneWardElection(t *testing.T) {
	table := "ma_xa,xa,thanh_pho,ma_khu,khu,so_ho,noi_bo_phieu\n" +
		"xa-thu,Xã Thử,Huyện Mẫu,t1,Thôn 1,120,Nhà văn hóa thôn 1\n" +
		"xa-thu,Xã Thử,Huyện Mẫu,t2,Thôn 2,95,Nhà văn hóa thôn 2\n" +
		"xa-thu,Xã Thử,Huyện Mẫu,t3,Thôn 3,80,Nhà văn hóa thôn 3\n"
	for _, n := range testdb.Stores(t) {
		t.Run(n.Name, func(t *testing.T) {
			s := n.Store
			ctx := context.Background()
			if _, err := s.LoadElectionFile(ctx, "testdata/election_small.yaml"); err != nil {
				t.Fatal(err)
			}
			before := dumpTables(t, s)
			// No address, lat, lon or candidates column: the stored ones stay.
			rep, err := s.ImportAreas(ctx, strings.NewReader(table), "csv", models.AreaImportOptions{ElectionCode: "test-2022"})
			if err != nil {
				t.Fatal(err)
			}
			if got, want := rep.String(), "test-2022: loaded 3 areas, 3 candidates (unchanged)"; got != want {
				t.Errorf("report %q, want %q", got, want)
			}
			sameDump(t, before, dumpTables(t, s))
		})
	}
}

func TestImportAreasErrors(t *testing.T) {
	good := string(readFile(t, areasTable))
	lines := strings.SplitAfter(good, "\n")
	row := func(i int) string { return lines[i] } // row(1) is line 2, phuong-mot/kp1
	many := areasHeader
	for i := range 30 {
		many += fmt.Sprintf("TP Ví Dụ,phuong-mot,Phường Một,kp%d,Khu phố %d,-%d,Nhà văn hóa,,,,\n", i+1, i+1, i+1)
	}
	manyWant := ""
	for i := range 20 {
		manyWant += fmt.Sprintf("line %d: households must be greater than 0\n", i+2)
	}
	manyWant += "… and 10 more problems"
	cases := []struct {
		name string
		csv  string
		want string
	}{
		{"households not a number", strings.Replace(good, ",190,", ",nhiều,", 1),
			`line 3: households "nhiều" is not a whole number`},
		{"households empty", strings.Replace(good, ",190,", ",,", 1),
			`line 3: households is empty`},
		{"households zero", strings.Replace(good, ",190,", ",0,", 1),
			`line 3: households must be greater than 0`},
		{"households too many, grouped by thousands", strings.Replace(good, ",190,", ",\"2.000.000\",", 1),
			`line 3: households 2000000 must be at most 1000000`},
		{"lat not a number", strings.Replace(good, "21.50,", "21°30',", 1),
			`line 4: lat "21°30'" is not a number`},
		{"lat without lon", strings.Replace(good, "21.50,107.90", "21.50,", 1),
			`line 4: lon is required when lat is given`},
		{"lat out of range", strings.Replace(good, "21.50,", "95,", 1),
			`line 4: lat 95 must be between -90 and 90`},
		{"area code twice in a ward", strings.Replace(good, ",kp2,", ",kp1,", 1),
			`line 3: area_code "kp1" is used twice (also line 2)`},
		{"area code not a slug", strings.Replace(good, ",kp2,", ",KP 2,", 1),
			`line 3: area_code "KP 2" must use only a-z, 0-9 and "-" (and start with a letter or digit)`},
		{"area name missing", strings.Replace(good, ",Khu phố 2,", ",,", 1),
			`line 3: area is required`},
		{"polling place missing", strings.Replace(good, ",Nhà văn hóa khu phố 2,", ",,", 1),
			`line 3: polling_place is required`},
		{"ward code empty", strings.Replace(good, ",xa-hai,Xã Hai,thon-dong", ",,Xã Hai,thon-dong", 1),
			`line 5: ward_code is empty`},
		{"ward code not a slug", strings.ReplaceAll(good, ",xa-hai,", ",Xã Hai,"),
			`line 4: ward_code "Xã Hai" must use only a-z, 0-9 and "-" (and start with a letter or digit)`},
		{"ward named two ways", strings.Replace(good, ",Xã Hai,thon-dong", ",Xã Hai Mới,thon-dong", 1),
			`line 5: ward "Xã Hai Mới" differs from line 4 ("Xã Hai") for ward_code xa-hai: a ward has one name`},
		{"ward in two cities", strings.Replace(good, "TP Ví Dụ,xa-hai,Xã Hai,thon-dong", "Huyện Khác,xa-hai,Xã Hai,thon-dong", 1),
			`line 5: city "Huyện Khác" differs from line 4 ("TP Ví Dụ") for ward_code xa-hai: a ward has one city`},
		{"unknown unit and ward kind", "ward_code,ward,area_code,area,households,polling_place,unit,ward_kind\n" +
			"phuong-mot,Phường Một,kp1,Khu phố 1,210,Nhà văn hóa,làng,quận\n",
			"line 2: ward_kind \"quận\" must be one of xa, phuong, thi-tran\n" +
				"line 2: unit \"làng\" must be one of thon, ban, ap, khu, khu-pho, to-dan-pho"},
		{"candidate twice", strings.Replace(good, "Nguyễn Văn An;Trần Thị Bình", "Nguyễn Văn An;Nguyen Van An", 1),
			`line 2: candidates "Nguyen Van An" is listed twice (also candidate 1)`},
		{"a row too short", strings.Replace(good, ",Lê Văn Cường\n", "\n", 1),
			`line 3: has 10 fields, the header has 11`},
		{"problems in line order, parser's and the file's", strings.Replace(strings.Replace(good, ",175,", ",0,", 1), "21.53,", "x,", 1),
			"line 2: lat \"x\" is not a number\nline 6: households must be greater than 0"},
		{"header missing columns", "ward_code,area_code,households\n" + row(1),
			"header: missing column ward (or xa), area (or khu), polling_place (or noi_bo_phieu); the header must have city,ward_code,ward,area_code,area,households,polling_place,address,lat,lon,candidates or thanh_pho,ma_xa,xa,ma_khu,khu,so_ho,noi_bo_phieu,dia_chi,vi_do,kinh_do,nguoi_ung_cu"},
		{"header column twice", strings.Replace(good, "city,", "so_ho,", 1),
			"header: column households appears twice (columns 1 and 6)"},
		{"header only", areasHeader, "the file has a header but no area rows"},
		{"empty", "", "the file is empty: it needs a header and area rows"},
		{"many bad rows", many, manyWant},
	}
	for _, n := range testdb.Stores(t) {
		t.Run(n.Name, func(t *testing.T) {
			s := n.Store
			loadWardsFile(t, s)
			before := dumpTables(t, s)
			for _, tc := range cases {
				t.Run(tc.name, func(t *testing.T) {
					_, err := importAreas(s, []byte(tc.csv), "csv")
					if models.ErrorCode(err) != models.EINVALID || models.ErrorMessage(err) != tc.want {
						t.Errorf("error %s:\n%s\nwant invalid:\n%s", models.ErrorCode(err), models.ErrorMessage(err), tc.want)
					}
					sameDump(t, before, dumpTables(t, s))
				})
			}
			_, err := s.ImportAreas(context.Background(), strings.NewReader(good), "csv", models.AreaImportOptions{ElectionCode: "nowhere-2022"})
			if want := `election "nowhere-2022" not found: load its election file first (electionbot load FILE.yaml)`; models.ErrorCode(err) != models.ENOTFOUND || models.ErrorMessage(err) != want {
				t.Errorf("unknown election: %v, want not found %q", err, want)
			}
			if _, err := s.ImportAreasFile(context.Background(), "testdata/areas.ods", models.AreaImportOptions{ElectionCode: tinhThu}); models.ErrorMessage(err) != "areas.ods: an areas table must be .csv or .xlsx" {
				t.Errorf("an .ods table: %v", err)
			}
		})
	}
}

// What hangs on the stored areas stops a table that would delete it: an
// area with voters, a candidate with votes (named by the table's line).
func TestImportAreasConflicts(t *testing.T) {
	good := string(readFile(t, areasTable))
	for _, n := range testdb.Stores(t) {
		t.Run(n.Name, func(t *testing.T) {
			ctx := context.Background()
			s := n.Store
			loadWardsFile(t, s)
			_, areas, _ := wardAreas(t, s, tinhThu)
			kp1 := areas[4] // trung-tam/kp1
			if err := s.DB(ctx).Create(&models.Voter{AreaID: kp1.ID, HouseholdNo: "1", FullName: "Lý Thị Xuân",
				NameFolded: models.Fold("Lý Thị Xuân"), BirthYear: 1980}).Error; err != nil {
				t.Fatal(err)
			}
			reporter := &models.Contact{Channel: models.ChannelConsole, ExternalID: "9", Lang: "vi", Reachable: true}
			if err := s.DB(ctx).Create(reporter).Error; err != nil {
				t.Fatal(err)
			}
			thon1 := areas[2]
			tally := &models.Tally{AreaID: thon1.ID, Version: 1, ReporterID: reporter.ID, Method: models.MethodSecret,
				Households: thon1.Households, Attending: 100, Status: models.TallyProvisional, CreatedAt: time.Now().UTC()}
			if err := s.DB(ctx).Create(tally).Error; err != nil {
				t.Fatal(err)
			}
			if err := s.DB(ctx).Create(&models.TallyVote{TallyID: tally.ID, CandidateID: thon1.Candidates[1].ID, Votes: 40}).Error; err != nil {
				t.Fatal(err)
			}
			before := dumpTables(t, s)
			for _, tc := range []struct{ name, csv, want string }{
				{"an area with voters left out", good[:strings.Index(good, "Huyện Khác")],
					"area kp1 of ward trung-tam is not in the file but has 1 voter and 0 tallies: loading would delete them; keep it in the file"},
				{"a candidate with votes dropped", strings.Replace(good, "Phạm Văn Dũng; Hoàng Thị Em", "Phạm Văn Dũng", 1),
					"line 4: candidates ballot number 2 (Hoàng Thị Em) has votes in a tally: loading would delete them; keep the candidate in the file"},
			} {
				t.Run(tc.name, func(t *testing.T) {
					_, err := importAreas(s, []byte(tc.csv), "csv")
					if models.ErrorCode(err) != models.ECONFLICT || models.ErrorMessage(err) != tc.want {
						t.Fatalf("error %v, want conflict %q", err, tc.want)
					}
					sameDump(t, before, dumpTables(t, s))
				})
			}
		})
	}
}

func TestImportAreasTooLarge(t *testing.T) {
	s := testdb.SQLite(t)
	loadWardsFile(t, s)
	big := io.MultiReader(strings.NewReader(string(readFile(t, areasTable))), strings.NewReader(strings.Repeat("\n", 64<<20)))
	_, err := s.ImportAreas(context.Background(), big, "csv", models.AreaImportOptions{ElectionCode: tinhThu})
	if want := "the areas table is larger than 64 MB"; models.ErrorMessage(err) != want {
		t.Fatalf("error %v, want %q", err, want)
	}
}

// TestImportAreas_NQLT09_2008_Dieu8_ElectorateColumn: the optional
// electorate column (cu_tri) makes an area an all-voter meeting's, whose
// households column then counts its voters; left out, the stored
// electorate stays; a value that is none is refused on its line.
func TestImportAreas_NQLT09_2008_Dieu8_ElectorateColumn(t *testing.T) {
	s := testdb.SQLite(t)
	loadWardsFile(t, s)
	table := strings.Replace(string(readFile(t, areasTable)), ",candidates\n", ",candidates,cu_tri\n", 1)
	lines := strings.Split(strings.TrimRight(table, "\n"), "\n")
	for i := 1; i < len(lines); i++ {
		lines[i] += ","
	}
	lines[2] = strings.TrimSuffix(lines[2], ",") + ",cử tri" // kp2: all voters
	if _, err := importAreas(s, []byte(strings.Join(lines, "\n")+"\n"), "csv"); err != nil {
		t.Fatal(err)
	}
	e, err := s.ElectionByCode(context.Background(), tinhThu)
	if err != nil {
		t.Fatal(err)
	}
	areas, err := s.Areas(context.Background(), e.ID)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, a := range areas {
		got[a.Code] = a.Electorate
	}
	if got["kp2"] != models.ElectorateVoters || got["kp1"] != models.ElectorateHouseholds {
		t.Errorf("electorates %v", got)
	}
	lines[2] = strings.TrimSuffix(lines[2], "cử tri") + "everyone"
	_, err = importAreas(s, []byte(strings.Join(lines, "\n")+"\n"), "csv")
	if err == nil || !strings.Contains(err.Error(), `line 3: electorate "everyone" must be households or voters`) {
		t.Errorf("a bad electorate: %v", err)
	}
}
