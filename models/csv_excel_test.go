package models_test

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"

	"electionbot/internal/testdb"
)

// excelCSV rewrites a comma-separated table as Excel saves it: sep
// between cells, CRLF, and a UTF-8 byte order mark when bom.
func excelCSV(t *testing.T, data []byte, sep rune, bom bool) []byte {
	t.Helper()
	recs, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if bom {
		b.WriteString("\uFEFF")
	}
	w := csv.NewWriter(&b)
	w.Comma, w.UseCRLF = sep, true
	if err := w.WriteAll(recs); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// A voter list and an areas table saved by Excel with ";" (a Vietnamese
// locale) or tabs, with or without a BOM, import as the comma CSV does.
func TestImportCSVAsExcelWritesIt(t *testing.T) {
	voters := "khu_pho,so_ho,ho_ten,nam_sinh,dia_chi,so_dien_thoai\n" +
		"kp1,1,Nguyễn Văn An,1961,\"Số 1, đường Hùng Vương\",0912 345 678\n" +
		"kp2,7,Trần Thị Bình,1970,\"Số 3; ngõ 2\",\n"
	cases := []struct {
		name string
		sep  rune
		bom  bool
	}{{"comma", ',', false}, {"comma BOM", ',', true}, {"semicolon", ';', false}, {"semicolon BOM", ';', true}, {"tab", '\t', false}, {"tab BOM", '\t', true}}
	for _, n := range testdb.Stores(t) {
		t.Run(n.Name, func(t *testing.T) {
			s := n.Store
			seedImportElection(t, s)
			loadWardsFile(t, s)
			areas := readFile(t, areasTable)
			for _, c := range cases {
				t.Run(c.name, func(t *testing.T) {
					rep, err := importCSV(s, string(excelCSV(t, []byte(voters), c.sep, c.bom)))
					if err != nil {
						t.Fatalf("voters: %v", err)
					}
					if got, want := rep.String(), "kp1: 1 households (replaced 1)\nkp1: warning: the election file says 5 households\nkp2: 1 households (replaced 1)\nkp2: warning: the election file says 3 households"; c.name != "comma" && got != want {
						t.Errorf("voters report:\n%s\nwant\n%s", got, want)
					}
					arep, err := importAreas(s, excelCSV(t, areas, c.sep, c.bom), "csv")
					if err != nil {
						t.Fatalf("areas: %v", err)
					}
					if !strings.Contains(arep.String(), "loaded 5 areas in 3 wards") {
						t.Errorf("areas report %q", arep.String())
					}
				})
			}
		})
	}
}
