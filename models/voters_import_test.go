package models_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"electionbot/demo"
	"electionbot/internal/testdb"
	"electionbot/models"
)

const importElection = "ka-long-2022"

// seedImportElection inserts a ward, the ka-long-2022 election (5 June 2022)
// and its areas directly (households by code; kp1: 5, kp2: 3, kp3: 4 when
// none are given) and returns the areas by code.
func seedImportElection(t testing.TB, s *models.Store, areas ...models.Area) map[string]*models.Area {
	t.Helper()
	ctx := context.Background()
	if len(areas) == 0 {
		areas = []models.Area{{Code: "kp1", Households: 5}, {Code: "kp2", Households: 3}, {Code: "kp3", Households: 4}}
	}
	w := &models.Ward{Code: "ka-long", Name: "Phường Ka Long", City: "TP Móng Cái", Province: "Quảng Ninh"}
	if err := s.DB(ctx).Create(w).Error; err != nil {
		t.Fatalf("create ward: %v", err)
	}
	opens := time.Date(2022, 6, 5, 0, 0, 0, 0, time.UTC) // 07:00 ICT
	e := &models.Election{Code: importElection, WardID: &w.ID, Title: "Bầu cử Trưởng khu phố nhiệm kỳ 2022–2025",
		Date: "2022-06-05", Opens: "07:00", Closes: "11:00", Timezone: "Asia/Ho_Chi_Minh",
		Rules: models.RulesNQLT2008, Method: models.MethodSecret, OpensAt: opens, ClosesAt: opens.Add(4 * time.Hour),
		ListPostedDays: 7, NoticeDays: 2}
	if err := s.DB(ctx).Create(e).Error; err != nil {
		t.Fatalf("create election: %v", err)
	}
	out := make(map[string]*models.Area, len(areas))
	for i := range areas {
		a := areas[i]
		a.ElectionID, a.WardID = e.ID, w.ID
		if a.Name == "" {
			a.Name = "Khu phố " + strings.TrimPrefix(a.Code, "kp")
		}
		if err := s.DB(ctx).Create(&a).Error; err != nil {
			t.Fatalf("create area %s: %v", a.Code, err)
		}
		out[a.Code] = &a
	}
	return out
}

func importCSV(s *models.Store, csv string) (*models.ImportReport, error) {
	return s.ImportVoters(context.Background(), strings.NewReader(csv), "csv", models.ImportOptions{ElectionCode: importElection})
}

// allVoters is the whole voters table, in a stable order, to compare
// before and after a refused import.
func allVoters(t testing.TB, s *models.Store) []models.Voter {
	t.Helper()
	var vs []models.Voter
	if err := s.DB(context.Background()).Order("area_id, household_no").Find(&vs).Error; err != nil {
		t.Fatalf("list voters: %v", err)
	}
	return vs
}

func votersOf(t testing.TB, s *models.Store, a *models.Area) []models.Voter {
	t.Helper()
	var vs []models.Voter
	if err := s.DB(context.Background()).Where("area_id = ?", a.ID).Order("household_no").Find(&vs).Error; err != nil {
		t.Fatalf("list voters: %v", err)
	}
	return vs
}

const (
	headerEN = "area_code,household_no,full_name,birth_year,address,phone\n"
	// A first list of kp1 and kp2, imported before the refused files.
	firstList = headerEN +
		"kp1,1,Nguyễn Văn An,1961,\"Số 1, đường Hùng Vương, Khu phố 1\",0912 345 678\n" +
		"kp1,2,Trần Thị Bình,1970,\"Số 3, đường Hùng Vương, Khu phố 1\",\n" +
		"kp1,3,Lê Văn Cường,1955,\"Số 5, đường Hùng Vương, Khu phố 1\",\n" +
		"kp2,1,Phạm Thị Dung,1980,\"Số 2, đường Trần Phú, Khu phố 2\",+84 987 654 321\n"
)

func ptr(s string) *string { return &s }

func TestImportVotersFormats(t *testing.T) {
	xlsx := func(t *testing.T, rows [][]any) []byte {
		t.Helper()
		f := excelize.NewFile()
		defer f.Close()
		sheet := f.GetSheetName(0)
		for i, r := range rows {
			if r == nil {
				continue // a blank row
			}
			cell, _ := excelize.CoordinatesToCellName(1, i+1)
			if err := f.SetSheetRow(sheet, cell, &r); err != nil {
				t.Fatal(err)
			}
		}
		var buf bytes.Buffer
		if _, err := f.WriteTo(&buf); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}
	want := []models.Voter{
		{HouseholdNo: "1", FullName: "Nguyễn Văn An", NameFolded: "nguyen van an", BirthYear: 1961, Address: "Số 1, đường Hùng Vương, Khu phố 1", Phone: ptr("+84912345678")},
		{HouseholdNo: "2", FullName: "Đặng Thị Bích Ngọc", NameFolded: "dang thi bich ngoc", BirthYear: 1970, Address: "Số 3, đường Hùng Vương, Khu phố 1"},
	}
	tests := []struct {
		name   string
		format string
		data   func(t *testing.T) []byte
	}{
		{"csv english header", "csv", func(*testing.T) []byte {
			return []byte(headerEN +
				"kp1,1,Nguyễn Văn An,1961,\"Số 1, đường Hùng Vương, Khu phố 1\",0912 345 678\n" +
				"kp1,2,  Đặng  Thị   Bích Ngọc ,1970,\"Số 3, đường Hùng Vương, Khu phố 1\",\n")
		}},
		{"csv vietnamese header, other order, extra column", "csv", func(*testing.T) []byte {
			return []byte("ho_ten,so_ho,ghi_chu,khu_pho,so_dien_thoai,dia_chi,nam_sinh\n" +
				"Nguyễn Văn An,1,chủ hộ,kp1,0912-345-678,\"Số 1, đường Hùng Vương, Khu phố 1\",1961\n" +
				"Đặng Thị Bích Ngọc,2,,kp1,,\"Số 3, đường Hùng Vương, Khu phố 1\",1970\n")
		}},
		{"csv header case and spacing, area code case", "csv", func(*testing.T) []byte {
			return []byte("Area_Code, HOUSEHOLD_NO ,Full_Name,Birth_Year,Address,Phone\n" +
				"KP1,1,Nguyễn Văn An,1961,\"Số 1, đường Hùng Vương, Khu phố 1\",+84.912.345.678\n" +
				"kp1,2,Đặng Thị Bích Ngọc,1970,\"Số 3, đường Hùng Vương, Khu phố 1\",\n")
		}},
		{"csv vietnamese header with diacritics", "csv", func(*testing.T) []byte {
			return []byte("Khu phố,Số hộ,Họ tên,Năm sinh,Địa chỉ,Số điện thoại\n" +
				"kp1,1,Nguyễn Văn An,1961,\"Số 1, đường Hùng Vương, Khu phố 1\",84912345678\n" +
				"kp1,2,Đặng Thị Bích Ngọc,1970,\"Số 3, đường Hùng Vương, Khu phố 1\",\n")
		}},
		{"csv BOM and CRLF", "csv", func(*testing.T) []byte {
			return []byte("\uFEFFkhu_pho,so_ho,ho_ten,nam_sinh,dia_chi,so_dien_thoai\r\n" +
				"kp1,1,Nguyễn Văn An,1961,\"Số 1, đường Hùng Vương, Khu phố 1\",0912345678\r\n" +
				"\r\n" +
				"kp1,2,Đặng Thị Bích Ngọc,1970,\"Số 3, đường Hùng Vương, Khu phố 1\",\r\n")
		}},
		{"xlsx", "xlsx", func(t *testing.T) []byte {
			return xlsx(t, [][]any{
				{"area_code", "household_no", "full_name", "birth_year", "address", "phone"},
				{"kp1", 1, "Nguyễn Văn An", 1961, "Số 1, đường Hùng Vương, Khu phố 1", "0912 345 678"},
				nil,
				{"kp1", "2", "Đặng Thị Bích Ngọc", "1970", "Số 3, đường Hùng Vương, Khu phố 1"},
			})
		}},
		{"xlsx vietnamese header, phone typed as a number", "xlsx", func(t *testing.T) []byte {
			return xlsx(t, [][]any{
				nil,
				{"so_ho", "khu_pho", "ho_ten", "nam_sinh", "dia_chi", "so_dien_thoai"},
				{1, "kp1", "Nguyễn Văn An", 1961, "Số 1, đường Hùng Vương, Khu phố 1", 912345678},
				{2, "kp1", "Đặng Thị Bích Ngọc", 1970, "Số 3, đường Hùng Vương, Khu phố 1"},
			})
		}},
	}
	for _, n := range testdb.Stores(t) {
		t.Run(n.Name, func(t *testing.T) {
			for _, tc := range tests {
				t.Run(tc.name, func(t *testing.T) {
					s := n.Store
					s.DB(context.Background()).Exec("DELETE FROM voters")
					areas := areasOnce(t, s)
					var progress bytes.Buffer
					rep, err := s.ImportVoters(context.Background(), bytes.NewReader(tc.data(t)), tc.format,
						models.ImportOptions{ElectionCode: importElection, Progress: &progress})
					if err != nil {
						t.Fatalf("import: %v", err)
					}
					wantRep := &models.ImportReport{Election: importElection, Rows: 2, Areas: []models.AreaImport{{Code: "kp1", Households: 2, Expected: 5}}}
					if !reflect.DeepEqual(rep, wantRep) {
						t.Errorf("report = %+v, want %+v", rep, wantRep)
					}
					if progress.Len() > 0 {
						t.Errorf("progress for a 2-row file: %q", progress.String())
					}
					got := votersOf(t, s, areas["kp1"])
					if len(got) != len(want) {
						t.Fatalf("got %d voters, want %d", len(got), len(want))
					}
					for i := range want {
						g, w := got[i], want[i]
						w.ID, w.AreaID = g.ID, areas["kp1"].ID
						if !reflect.DeepEqual(g, w) {
							t.Errorf("voter %d = %s, want %s", i, fmtVoter(g), fmtVoter(w))
						}
					}
				})
			}
		})
	}
}

// areasOnce seeds the election the first time a store is used in a test.
func areasOnce(t testing.TB, s *models.Store) map[string]*models.Area {
	t.Helper()
	var areas []*models.Area
	s.DB(context.Background()).Order("id").Find(&areas)
	if len(areas) == 0 {
		return seedImportElection(t, s)
	}
	out := make(map[string]*models.Area)
	for _, a := range areas {
		out[a.Code] = a
	}
	return out
}

func fmtVoter(v models.Voter) string {
	phone := "<nil>"
	if v.Phone != nil {
		phone = *v.Phone
	}
	return fmt.Sprintf("{%d %d %q %q %q %d %q %s}", v.ID, v.AreaID, v.HouseholdNo, v.FullName, v.NameFolded, v.BirthYear, v.Address, phone)
}

// TestImportVotersBadRowChangesNothing: a bad row refuses the whole file
// with its line and reason (docs/design.md §5, issue 3), and the lists imported
// before are left exactly as they were.
func TestImportVotersBadRowChangesNothing(t *testing.T) {
	var good15 strings.Builder
	for i := 1; i <= 15; i++ {
		fmt.Fprintf(&good15, "kp3,%d,Hoàng Văn Hộ %d,1960,,\n", i, i)
	}
	tests := []struct {
		name, csv, want string
	}{
		{"birth year not a number (issue example)", headerEN + good15.String() + "kp3,16,Vũ Thị Hoa,19x1,,\n",
			`line 17: birth_year "19x1" is not a year`},
		{"empty full_name", headerEN + "kp1,7,Ngô Văn Tám,1950,,\nkp1,8,  ,1950,,\n",
			`line 3: full_name is empty`},
		{"full_name of punctuation only", headerEN + "kp1,8,--,1950,,\n",
			`line 2: full_name "--" has no letters`},
		{"empty household_no", headerEN + "kp1,,Ngô Văn Tám,1950,,\n",
			`line 2: household_no is empty`},
		{"empty area_code", headerEN + ",1,Ngô Văn Tám,1950,,\n",
			`line 2: area_code is empty`},
		{"empty birth_year", headerEN + "kp1,1,Ngô Văn Tám,,,\n",
			`line 2: birth_year is empty`},
		{"negative birth_year", headerEN + "kp1,1,Ngô Văn Tám,-1950,,\n",
			`line 2: birth_year "-1950" is not a year`},
		{"birth year before 1900", headerEN + "kp1,1,Ngô Văn Tám,1899,,\n",
			`line 2: birth_year "1899" is before 1900`},
		{"under 18 in the election year", headerEN + "kp1,1,Ngô Văn Tám,2005,,\n",
			`line 2: birth_year "2005" makes the voter under 18 in 2022; household representatives are adults`},
		{"unknown area", headerEN + "kp1,7,A Văn B,1950,,\nkp1,8,A Văn C,1950,,\nkp2,7,A Văn D,1950,,\nkp9,1,Ngô Văn Tám,1950,,\n",
			`line 5: area_code "kp9" is not an area of election ka-long-2022`},
		{"duplicate household in an area", headerEN + "kp1,12,Lê Văn Một,1950,,\nkp2,12,Lê Văn Hai,1950,,\nkp1,12,Lê Văn Ba,1950,,\n",
			`line 4: household_no "12" of kp1 is already on line 2`},
		{"bad phone", headerEN + "kp1,1,Ngô Văn Tám,1950,,12345\n",
			`line 2: phone "12345" is not a Vietnamese number (0… or +84…)`},
		{"phone with letters", headerEN + "kp1,1,Ngô Văn Tám,1950,,09123x5678\n",
			`line 2: phone "09123x5678" has a character that is not a digit`},
		{"too few fields", headerEN + "kp1,1,Ngô Văn Tám,1950\n",
			`line 2: has 4 fields, the header has 6`},
		{"CSV syntax", headerEN + "kp1,1,Ngô \"Văn\" Tám,1950,,\n",
			`line 2: bare " in non-quoted-field`},
		{"not UTF-8", headerEN + "kp1,1,Ng\xf4 V\xe3n T\xe1m,1950,,\n",
			`line 2: full_name is not valid UTF-8 text (save the file as CSV UTF-8)`},
		{"physical lines: a quoted address on two lines, CRLF", strings.ReplaceAll(headerEN, "\n", "\r\n") +
			"kp1,1,Ngô Văn Tám,1950,\"Số 1,\r\nKhu phố 1\",\r\n\r\nkp1,2,Ngô Văn Chín,1850,,\r\n",
			`line 5: birth_year "1850" is before 1900`},
		{"header only", headerEN, `the file has a header but no voter rows`},
		{"empty file", "", `the file is empty: it needs a header and voter rows`},
		{"UTF-16 file", "\xff\xfea\x00", `the file is UTF-16 text; save it as CSV UTF-8`},
		{"missing column", "area_code,household_no,full_name,address\nkp1,1,Ngô Văn Tám,\n",
			`header: missing column birth_year (or nam_sinh); the header must have area_code,household_no,full_name,birth_year,address[,phone] or khu_pho,so_ho,ho_ten,nam_sinh,dia_chi[,so_dien_thoai]`},
		{"column twice", "area_code,household_no,full_name,birth_year,address,khu_pho\n",
			`header: column area_code appears twice (columns 1 and 6)`},
		{"several bad rows", headerEN + "kp1,1,Ngô Văn Tám,19x1,,\nkp1,2,Ngô Văn Chín,1950,,\nkp1,3,,1950,,\nkp1,1,Ngô Văn Mười,1950,,\n",
			"line 2: birth_year \"19x1\" is not a year\nline 4: full_name is empty"},
		{"more than ten bad rows", headerEN + strings.Repeat("kp1,1,Ngô Văn Tám,19x1,,\n", 13),
			strings.TrimSuffix(strings.Repeat("line N: birth_year \"19x1\" is not a year\n", 10), "\n") +
				"\n… and 3 more bad rows (only the first 10 are shown)"},
	}
	for _, n := range testdb.Stores(t) {
		t.Run(n.Name, func(t *testing.T) {
			s := n.Store
			seedImportElection(t, s)
			if _, err := importCSV(s, firstList); err != nil {
				t.Fatalf("first list: %v", err)
			}
			before := allVoters(t, s)
			if len(before) != 4 {
				t.Fatalf("first list has %d voters, want 4", len(before))
			}
			for _, tc := range tests {
				t.Run(tc.name, func(t *testing.T) {
					rep, err := importCSV(s, tc.csv)
					if err == nil {
						t.Fatalf("imported: %v", rep)
					}
					if code := models.ErrorCode(err); code != models.EINVALID {
						t.Errorf("code = %q, want %q (%v)", code, models.EINVALID, err)
					}
					want := tc.want
					if strings.Contains(want, "line N") {
						for i := 2; i <= 11; i++ {
							want = strings.Replace(want, "line N", fmt.Sprintf("line %d", i), 1)
						}
					}
					if got := models.ErrorMessage(err); got != want {
						t.Errorf("message:\n%s\nwant:\n%s", got, want)
					}
					if after := allVoters(t, s); !reflect.DeepEqual(after, before) {
						t.Errorf("voters changed by a refused file: %d before, %d after", len(before), len(after))
					}
				})
			}
		})
	}
}

func TestImportVotersXLSXBadRowNamesSheetRow(t *testing.T) {
	f := excelize.NewFile()
	sheet := f.GetSheetName(0)
	f.SetSheetRow(sheet, "A1", &[]any{"khu_pho", "so_ho", "ho_ten", "nam_sinh", "dia_chi"})
	f.SetSheetRow(sheet, "A2", &[]any{"kp1", 1, "Ngô Văn Tám", 1950, ""})
	f.SetSheetRow(sheet, "A5", &[]any{"kp1", 2, "Ngô Văn Chín", "19x1", ""})
	var buf bytes.Buffer
	if _, err := f.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	f.Close()
	for _, n := range testdb.Stores(t) {
		t.Run(n.Name, func(t *testing.T) {
			seedImportElection(t, n.Store)
			_, err := n.Store.ImportVoters(context.Background(), bytes.NewReader(buf.Bytes()), "xlsx", models.ImportOptions{ElectionCode: importElection})
			if got, want := models.ErrorMessage(err), `line 5: birth_year "19x1" is not a year`; got != want {
				t.Errorf("error %q, want %q", got, want)
			}
			if n := len(allVoters(t, n.Store)); n != 0 {
				t.Errorf("%d voters stored", n)
			}
		})
	}
}

func TestImportVotersSameHouseholdInTwoAreas(t *testing.T) {
	for _, n := range testdb.Stores(t) {
		t.Run(n.Name, func(t *testing.T) {
			areas := seedImportElection(t, n.Store)
			rep, err := importCSV(n.Store, headerEN+"kp1,12,Lê Văn Một,1950,,\nkp2,12,Lê Văn Hai,1950,,\nkp3,12,Lê Văn Ba,1950,,\n")
			if err != nil {
				t.Fatal(err)
			}
			if rep.Rows != 3 || len(rep.Areas) != 3 {
				t.Errorf("report %+v", rep)
			}
			for _, code := range []string{"kp1", "kp2", "kp3"} {
				if vs := votersOf(t, n.Store, areas[code]); len(vs) != 1 || vs[0].HouseholdNo != "12" {
					t.Errorf("%s: %v", code, vs)
				}
			}
		})
	}
}

// TestImportVotersReplacesArea: a newly posted list supersedes the old one
// of the same area (issue 3), other areas are left alone.
func TestImportVotersReplacesArea(t *testing.T) {
	for _, n := range testdb.Stores(t) {
		t.Run(n.Name, func(t *testing.T) {
			s := n.Store
			areas := seedImportElection(t, s)
			rep, err := importCSV(s, firstList)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := rep.String(), "kp1: 3 households\nkp1: warning: the election file says 5 households\nkp2: 1 households\nkp2: warning: the election file says 3 households"; got != want {
				t.Errorf("first report:\n%s\nwant:\n%s", got, want)
			}
			kp2 := votersOf(t, s, areas["kp2"])
			second := headerEN
			for i := 1; i <= 5; i++ {
				second += fmt.Sprintf("kp1,%d,Bùi Thị Mới %d,1975,,\n", 100+i, i)
			}
			rep, err = importCSV(s, second)
			if err != nil {
				t.Fatal(err)
			}
			want := &models.ImportReport{Election: importElection, Rows: 5, Areas: []models.AreaImport{{Code: "kp1", Households: 5, Replaced: 3, Expected: 5}}}
			if !reflect.DeepEqual(rep, want) {
				t.Errorf("report %+v, want %+v", rep, want)
			}
			if got := rep.String(); got != "kp1: 5 households (replaced 3)" {
				t.Errorf("String() = %q", got)
			}
			kp1 := votersOf(t, s, areas["kp1"])
			if len(kp1) != 5 || kp1[0].HouseholdNo != "101" || kp1[0].NameFolded != "bui thi moi 1" {
				t.Errorf("kp1 after re-import: %v", kp1)
			}
			if got := votersOf(t, s, areas["kp2"]); !reflect.DeepEqual(got, kp2) {
				t.Errorf("kp2 changed: %v, was %v", got, kp2)
			}
		})
	}
}

func TestImportReportString(t *testing.T) {
	tests := []struct {
		rep  models.ImportReport
		want string
	}{
		{models.ImportReport{Areas: []models.AreaImport{{Code: "kp1", Households: 312, Replaced: 305, Expected: 312}}}, "kp1: 312 households (replaced 305)"},
		{models.ImportReport{Areas: []models.AreaImport{{Code: "kp1", Households: 312, Expected: 312}}}, "kp1: 312 households"},
		{models.ImportReport{Areas: []models.AreaImport{{Code: "kp1", Households: 312, Expected: 310}, {Code: "kp2", Households: 1, Replaced: 2, Expected: 1}}},
			"kp1: 312 households\nkp1: warning: the election file says 310 households\nkp2: 1 households (replaced 2)"},
	}
	for _, tc := range tests {
		if got := tc.rep.String(); got != tc.want {
			t.Errorf("String() = %q, want %q", got, tc.want)
		}
	}
}

// TestImportVotersDatabaseErrorRollsBack: a database error after part of
// the rows were written leaves the previous lists intact.
func TestImportVotersDatabaseErrorRollsBack(t *testing.T) {
	for _, n := range testdb.Stores(t) {
		t.Run(n.Name, func(t *testing.T) {
			s := n.Store
			ctx := context.Background()
			seedImportElection(t, s)
			if _, err := importCSV(s, firstList); err != nil {
				t.Fatal(err)
			}
			before := allVoters(t, s)
			// Valid for the importer, refused by the database.
			var ddl string
			if s.Dialect() == models.DialectPostgres {
				ddl = "ALTER TABLE voters ADD CONSTRAINT no_boom CHECK (household_no <> 'boom')"
			} else {
				ddl = "CREATE TRIGGER no_boom BEFORE INSERT ON voters WHEN NEW.household_no = 'boom' BEGIN SELECT RAISE(ABORT, 'boom'); END"
			}
			if err := s.DB(ctx).Exec(ddl).Error; err != nil {
				t.Fatal(err)
			}
			var b strings.Builder
			b.WriteString(headerEN)
			for i := 1; i <= 1200; i++ {
				fmt.Fprintf(&b, "kp1,%d,Đỗ Văn Số %d,1960,,\n", i, i)
			}
			b.WriteString("kp2,boom,Đỗ Văn Nổ,1960,,\n")
			_, err := importCSV(s, b.String())
			if err == nil {
				t.Fatal("imported despite the database refusing a row")
			}
			if code := models.ErrorCode(err); code != models.EINTERNAL {
				t.Errorf("code %q (%v)", code, err)
			}
			if after := allVoters(t, s); !reflect.DeepEqual(after, before) {
				t.Errorf("voters changed: %d before, %d after", len(before), len(after))
			}
		})
	}
}

// TestImportVotersInsideTransaction: called on a store bound to a
// transaction, the import is part of it (committed or rolled back with it).
func TestImportVotersInsideTransaction(t *testing.T) {
	for _, n := range testdb.Stores(t) {
		t.Run(n.Name, func(t *testing.T) {
			s := n.Store
			ctx := context.Background()
			seedImportElection(t, s)
			errRollback := errors.New("roll back")
			err := s.InTx(ctx, func(tx *models.Store) error {
				if _, err := tx.ImportVoters(ctx, strings.NewReader(firstList), "csv", models.ImportOptions{ElectionCode: importElection}); err != nil {
					return err
				}
				if n := len(allVoters(t, tx)); n != 4 {
					t.Errorf("inside the transaction: %d voters", n)
				}
				return errRollback
			})
			if !errors.Is(err, errRollback) {
				t.Fatalf("InTx: %v", err)
			}
			if n := len(allVoters(t, s)); n != 0 {
				t.Errorf("after rollback: %d voters", n)
			}
			err = s.InTx(ctx, func(tx *models.Store) error {
				_, err := tx.ImportVoters(ctx, strings.NewReader(firstList), "csv", models.ImportOptions{ElectionCode: importElection})
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			vs := allVoters(t, s)
			if len(vs) != 4 || vs[0].Phone == nil || *vs[0].Phone != "+84912345678" {
				t.Errorf("after commit: %v", vs)
			}
		})
	}
}

func TestImportVotersElectionChoice(t *testing.T) {
	for _, n := range testdb.Stores(t) {
		t.Run(n.Name, func(t *testing.T) {
			s := n.Store
			ctx := context.Background()
			rep, err := s.ImportVoters(ctx, strings.NewReader(firstList), "csv", models.ImportOptions{})
			if models.ErrorCode(err) != models.ENOTFOUND {
				t.Errorf("no election loaded: %v, %v", rep, err)
			}
			seedImportElection(t, s)
			if rep, err = s.ImportVoters(ctx, strings.NewReader(firstList), "csv", models.ImportOptions{}); err != nil || rep.Election != importElection {
				t.Errorf("current election: %v, %v", rep, err)
			}
			_, err = s.ImportVoters(ctx, strings.NewReader(firstList), "csv", models.ImportOptions{ElectionCode: "nowhere-2022"})
			if models.ErrorCode(err) != models.ENOTFOUND {
				t.Errorf("unknown election: %v", err)
			}
			_, err = s.ImportVoters(ctx, strings.NewReader(firstList), "ods", models.ImportOptions{})
			if models.ErrorCode(err) != models.EINVALID {
				t.Errorf("format ods: %v", err)
			}
		})
	}
}

func TestImportVotersFile(t *testing.T) {
	dir := t.TempDir()
	xlsxPath := filepath.Join(dir, "DanhSach.XLSX")
	f := excelize.NewFile()
	f.SetSheetRow(f.GetSheetName(0), "A1", &[]any{"area_code", "household_no", "full_name", "birth_year", "address", "phone"})
	f.SetSheetRow(f.GetSheetName(0), "A2", &[]any{"kp2", "1", "Phạm Thị Dung", 1980, "Số 2, đường Trần Phú, Khu phố 2", "0987654321"})
	if err := f.SaveAs(xlsxPath); err != nil {
		t.Fatal(err)
	}
	f.Close()
	txtPath := filepath.Join(dir, "voters.txt")
	os.WriteFile(txtPath, []byte(firstList), 0o644)
	for _, n := range testdb.Stores(t) {
		t.Run(n.Name, func(t *testing.T) {
			s := n.Store
			ctx := context.Background()
			areas := seedImportElection(t, s)
			opts := models.ImportOptions{ElectionCode: importElection}
			rep, err := s.ImportVotersFile(ctx, "testdata/voters_ka_long_small.csv", opts)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := rep.String(), "kp1: 5 households\nkp2: 3 households\nkp3: 4 households"; got != want {
				t.Errorf("report:\n%s\nwant:\n%s", got, want)
			}
			if rep, err = s.ImportVotersFile(ctx, xlsxPath, opts); err != nil || rep.String() != "kp2: 1 households (replaced 3)\nkp2: warning: the election file says 3 households" {
				t.Errorf("xlsx: %v, %v", rep, err)
			}
			if vs := votersOf(t, s, areas["kp2"]); len(vs) != 1 || *vs[0].Phone != "+84987654321" {
				t.Errorf("kp2 after the xlsx: %v", vs)
			}
			if _, err := s.ImportVotersFile(ctx, txtPath, opts); models.ErrorCode(err) != models.EINVALID || models.ErrorMessage(err) != "voters.txt: a voter file must be .csv or .xlsx" {
				t.Errorf(".txt: %v", err)
			}
			if _, err := s.ImportVotersFile(ctx, filepath.Join(dir, "missing.csv"), opts); models.ErrorCode(err) != models.ENOTFOUND {
				t.Errorf("missing file: %v", err)
			}
			if _, err := s.ImportVotersFile(ctx, "testdata/voters_bad_birth_year.csv", opts); models.ErrorMessage(err) != `line 17: birth_year "19x1" is not a year` {
				t.Errorf("bad fixture: %v", err)
			}
		})
	}
}

// TestImportVotersProgress: files of 100,000+ rows report progress, by
// steps of 100,000 rows, not per row.
func TestImportVotersProgress(t *testing.T) {
	var gen []demo.GenArea
	var areas []models.Area
	for i := 1; i <= 12; i++ {
		code := fmt.Sprintf("kp%d", i)
		gen = append(gen, demo.GenArea{Code: code, Households: 10_000})
		areas = append(areas, models.Area{Code: code, Households: 10_000})
	}
	var data bytes.Buffer
	if err := demo.GenerateVoters(&data, gen, 7); err != nil {
		t.Fatal(err)
	}
	for _, n := range testdb.Stores(t) {
		t.Run(n.Name, func(t *testing.T) {
			s := n.Store
			byCode := seedImportElection(t, s, areas...)
			var progress bytes.Buffer
			rep, err := s.ImportVoters(context.Background(), bytes.NewReader(data.Bytes()), "csv", models.ImportOptions{Progress: &progress})
			if err != nil {
				t.Fatal(err)
			}
			if rep.Rows != 120_000 || len(rep.Areas) != 12 || rep.Areas[11] != (models.AreaImport{Code: "kp12", Households: 10_000, Expected: 10_000}) {
				t.Errorf("report %+v", rep)
			}
			want := "import: 100,000 rows read\nimport: 120,000 rows read\nimport: 100,000/120,000 rows written\nimport: 120,000/120,000 rows written\n"
			if progress.String() != want {
				t.Errorf("progress:\n%s\nwant:\n%s", progress.String(), want)
			}
			var count, phones int64
			s.DB(context.Background()).Model(&models.Voter{}).Count(&count)
			s.DB(context.Background()).Model(&models.Voter{}).Where("phone LIKE ?", "+84_________").Count(&phones)
			if count != 120_000 {
				t.Errorf("%d voters stored", count)
			}
			if share := float64(phones) / float64(count); share < 0.35 || share > 0.45 {
				t.Errorf("share of E.164 mobile phones %.3f, want about 0.40", share)
			}
			vs := votersOf(t, s, byCode["kp7"])
			if len(vs) != 10_000 || vs[0].NameFolded != models.Fold(vs[0].FullName) {
				t.Errorf("kp7: %d voters, first %v", len(vs), vs[0])
			}
		})
	}
}
