package models_test

// Voter files of an election with several wards (docs/design.md §5): each
// row names its ward (ward_code / ma_xa), and area codes are resolved
// within it — "kp1" is in phuong-mot and in trung-tam.

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"electionbot/internal/testdb"
	"electionbot/models"
)

const wardsVoters = "ward_code,area_code,household_no,full_name,birth_year,address,phone\n" +
	"phuong-mot,kp1,1,Nguyễn Văn An,1961,\"Số 1, đường Chính\",\n" +
	"trung-tam,kp1,1,Trần Thị Bình,1970,\"Số 2, thị trấn Trung Tâm\",0912 345 678\n" +
	"XA-HAI,Thon-1,1,Lê Văn Cường,1955,Thôn 1,\n" +
	"trung-tam,kp1,2,Phạm Thị Dung,1980,\"Số 4, thị trấn Trung Tâm\",\n"

func importVoters(s *models.Store, code, data, format string) (*models.ImportReport, error) {
	return s.ImportVoters(context.Background(), strings.NewReader(data), format, models.ImportOptions{ElectionCode: code})
}

func TestImportVotersWithWardCode(t *testing.T) {
	for _, n := range testdb.Stores(t) {
		t.Run(n.Name, func(t *testing.T) {
			s := n.Store
			if _, err := s.LoadElectionFile(context.Background(), wardsFile); err != nil {
				t.Fatal(err)
			}
			_, areas, _ := wardAreas(t, s, tinhThu)
			rep, err := importVoters(s, tinhThu, wardsVoters, "csv")
			if err != nil {
				t.Fatal(err)
			}
			want := "phuong-mot/kp1: 1 households\nphuong-mot/kp1: warning: the election file says 210 households\n" +
				"xa-hai/thon-1: 1 households\nxa-hai/thon-1: warning: the election file says 150 households\n" +
				"trung-tam/kp1: 2 households\ntrung-tam/kp1: warning: the election file says 175 households"
			if got := rep.String(); got != want {
				t.Errorf("report:\n%s\nwant:\n%s", got, want)
			}
			for i, names := range map[int][]string{0: {"Nguyễn Văn An"}, 2: {"Lê Văn Cường"}, 4: {"Trần Thị Bình", "Phạm Thị Dung"}} {
				vs := votersOf(t, s, areas[i])
				var got []string
				for _, v := range vs {
					got = append(got, v.FullName)
				}
				if strings.Join(got, ";") != strings.Join(names, ";") {
					t.Errorf("voters of %s/%s: %q, want %q", areas[i].Ward.Code, areas[i].Code, got, names)
				}
			}

			// The Vietnamese header, in an XLSX.
			x := excelize.NewFile()
			defer x.Close()
			for i, r := range [][]any{
				{"Mã xã", "Khu phố", "Số hộ", "Họ tên", "Năm sinh", "Địa chỉ"},
				{"trung-tam", "kp1", 7, "Đỗ Văn Em", 1966, "Số 7"},
			} {
				cell, _ := excelize.CoordinatesToCellName(1, i+1)
				if err := x.SetSheetRow(x.GetSheetName(0), cell, &r); err != nil {
					t.Fatal(err)
				}
			}
			var xb bytes.Buffer
			if _, err := x.WriteTo(&xb); err != nil {
				t.Fatal(err)
			}
			rep, err = s.ImportVoters(context.Background(), bytes.NewReader(xb.Bytes()), "xlsx", models.ImportOptions{ElectionCode: tinhThu})
			if err != nil {
				t.Fatal(err)
			}
			if got := rep.String(); !strings.HasPrefix(got, "trung-tam/kp1: 1 households (replaced 2)\n") {
				t.Errorf("xlsx report %q", got)
			}
		})
	}
}

func TestImportVotersWardCodeErrors(t *testing.T) {
	const header = "ward_code,area_code,household_no,full_name,birth_year,address\n"
	for _, n := range testdb.Stores(t) {
		t.Run(n.Name, func(t *testing.T) {
			s := n.Store
			if _, err := s.LoadElectionFile(context.Background(), wardsFile); err != nil {
				t.Fatal(err)
			}
			seedImportElection(t, s) // ka-long-2022: one ward, ka-long
			if _, err := importVoters(s, tinhThu, wardsVoters, "csv"); err != nil {
				t.Fatal(err)
			}
			before := allVoters(t, s)
			for _, tc := range []struct {
				name, election, csv, want string
			}{
				{"several wards, no ward_code column", tinhThu,
					"area_code,household_no,full_name,birth_year,address\nkp1,1,Nguyễn Văn An,1961,Số 1\n",
					"header: missing column ward_code (or ma_xa); election tinh-thu-2022 has 3 wards, so each row names its ward: " +
						"the header must have ward_code,area_code,household_no,full_name,birth_year,address[,phone] or ma_xa,khu_pho,so_ho,ho_ten,nam_sinh,dia_chi[,so_dien_thoai]"},
				{"unknown ward_code", tinhThu, header + "phuong-mot,kp1,9,Nguyễn Văn An,1961,Số 1\nxa-nam,kp1,1,Lê Văn Cường,1955,Số 3\n",
					`line 3: ward_code "xa-nam" is not a ward of election tinh-thu-2022`},
				{"ward_code empty", tinhThu, header + ",kp1,1,Nguyễn Văn An,1961,Số 1\n",
					"line 2: ward_code is empty"},
				{"an area of another ward", tinhThu, header + "phuong-mot,thon-1,1,Nguyễn Văn An,1961,Số 1\n",
					`line 2: area_code "thon-1" is not an area of ward phuong-mot in election tinh-thu-2022`},
				{"a household twice in one ward's kp1", tinhThu, header + "trung-tam,kp1,1,Nguyễn Văn An,1961,Số 1\nphuong-mot,kp1,1,Lê Văn Cường,1955,Số 3\ntrung-tam,kp1,1,Trần Văn Hùng,1970,Số 5\n",
					`line 4: household_no "1" of trung-tam/kp1 is already on line 2`},
				{"one ward, another ward's code", "ka-long-2022", header + "ka-long,kp1,1,Nguyễn Văn An,1961,Số 1\nhai-hoa,kp1,2,Lê Văn Cường,1955,Số 3\n",
					`line 3: ward_code "hai-hoa" is not the ward of election ka-long-2022 (ka-long)`},
			} {
				t.Run(tc.name, func(t *testing.T) {
					_, err := importVoters(s, tc.election, tc.csv, "csv")
					if models.ErrorCode(err) != models.EINVALID || models.ErrorMessage(err) != tc.want {
						t.Fatalf("error %v, want invalid:\n%s", err, tc.want)
					}
					if after := allVoters(t, s); len(after) != len(before) {
						t.Errorf("%d voters after a refused file, %d before", len(after), len(before))
					}
				})
			}

			// One ward: ward_code is optional, and may be left blank.
			for _, csv := range []string{
				"area_code,household_no,full_name,birth_year,address\nkp1,1,Nguyễn Văn An,1961,Số 1\n",
				header + "ka-long,kp1,1,Nguyễn Văn An,1961,Số 1\n,kp2,1,Lê Văn Cường,1955,Số 3\n",
			} {
				rep, err := importVoters(s, "ka-long-2022", csv, "csv")
				if err != nil {
					t.Errorf("one-ward file: %v", err)
				} else if strings.Contains(rep.String(), "/") {
					t.Errorf("one-ward report %q names the ward", rep)
				}
			}
		})
	}
}
