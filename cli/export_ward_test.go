package cli

import (
	"electionbot/models"
	"encoding/csv"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// provinceYAML is an election of two wards, each with its "kp1".
const provinceYAML = `election: {code: mc-2022, title: "Bầu cử Trưởng khu phố 2022", date: 2022-06-05, opens: "07:00", closes: "11:00",
           timezone: Asia/Ho_Chi_Minh, rules: nqlt-09-2008, method: secret}
province: "Quảng Ninh"
wards:
  - code: ka-long
    name: "Phường Ka Long"
    city: "TP Móng Cái"
    areas:
      - {code: kp1, name: "Khu phố 1", households: 312, polling_place: {name: "Nhà văn hóa khu phố 1"}, candidates: ["Nguyễn Văn An", "Trần Thị Bình"]}
      - {code: kp2, name: "Khu phố 2", households: 287, polling_place: {name: "Nhà văn hóa khu phố 2"}, candidates: ["Lê Văn Cường"]}
  - code: hai-hoa
    name: "Phường Hải Hòa"
    city: "TP Móng Cái"
    areas:
      - {code: kp1, name: "Khu phố 1", households: 250, polling_place: {name: "Nhà văn hóa khu phố 1"}, candidates: ["Hoàng Văn Em"]}
`

func TestExportResultsOfOneWard(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "province.yaml")
	if err := os.WriteFile(path, []byte(provinceYAML), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("CLI_TEST_DATABASE_URL", "sqlite://"+filepath.Join(dir, "e.db"))
	if code, _, errOut := runCLI(t, "", "load", path); code != 0 {
		t.Fatalf("load: %s", errOut)
	}
	export := func(args ...string) [][]string {
		t.Helper()
		code, out, errOut := runCLI(t, "", append([]string{"export", "results", "--election", "mc-2022", "--format", "csv"}, args...)...)
		if code != 0 {
			t.Fatalf("export %v: exit %d: %s", args, code, errOut)
		}
		rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		return rows
	}
	// The place of each row: province, city, ward, area_code, and ward_code.
	place := func(row []string) string {
		return strings.Join(append(row[1:5:5], row[slices.Index(models.ResultsColumns, "ward_code")]), ",")
	}
	if rows := export(); len(rows) != 4 || place(rows[3]) != "Quảng Ninh,TP Móng Cái,Phường Hải Hòa,kp1,hai-hoa" {
		t.Fatalf("whole election: %v", rows)
	}
	rows := export("--ward", "hai-hoa")
	if len(rows) != 2 || !slices.Equal(rows[0], models.ResultsColumns) || place(rows[1]) != "Quảng Ninh,TP Móng Cái,Phường Hải Hòa,kp1,hai-hoa" {
		t.Fatalf("--ward hai-hoa: %v", rows)
	}
	out := filepath.Join(dir, "kl.xlsx")
	if code, _, errOut := runCLI(t, "", "export", "results", "--election", "mc-2022", "--ward", "ka-long", "--format", "xlsx", "--out", out); code != 0 {
		t.Fatalf("xlsx: %s", errOut)
	}
	code, _, errOut := runCLI(t, "", "export", "results", "--election", "mc-2022", "--ward", "hai-tien", "--format", "csv", "--out", filepath.Join(dir, "no.csv"))
	if code != 1 || !strings.Contains(errOut, `no ward "hai-tien"`) || !strings.Contains(errOut, "ka-long, hai-hoa") {
		t.Fatalf("unknown ward: exit %d, %q", code, errOut)
	}
	if _, err := os.Stat(filepath.Join(dir, "no.csv")); !os.IsNotExist(err) {
		t.Errorf("a failed export left a file: %v", err)
	}
}
