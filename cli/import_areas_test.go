package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A province's election: its file names the election and one ward; the
// table then gives all its wards and areas.
const (
	importProvinceYAML = `election: {code: tinh-thu-2022, title: "Bầu cử Trưởng thôn, khu phố", date: 2022-06-05,
  opens: "07:00", closes: "11:00", rules: nqlt-09-2008, method: secret}
province: "Tỉnh Ví Dụ"
wards:
  - code: phuong-mot
    name: "Phường Một"
    city: "TP Ví Dụ"
    areas:
      - {code: kp1, name: "Khu phố 1", households: 210, polling_place: {name: "Nhà văn hóa khu phố 1"}}
`
	provinceTable = "thanh_pho,ma_xa,xa,ma_khu,khu,so_ho,noi_bo_phieu,dia_chi,vi_do,kinh_do,nguoi_ung_cu\n" +
		"TP Ví Dụ,phuong-mot,Phường Một,kp1,Khu phố 1,210,Nhà văn hóa khu phố 1,,21.53,107.96,Nguyễn Văn An;Trần Thị Bình\n" +
		"TP Ví Dụ,phuong-mot,Phường Một,kp2,Khu phố 2,190,Nhà văn hóa khu phố 2,,,,Lê Văn Cường\n" +
		"TP Ví Dụ,xa-hai,Xã Hai,thon-1,Thôn 1,150,Nhà văn hóa thôn 1,,21.50,107.90,Phạm Văn Dũng;Hoàng Thị Em\n" +
		"Huyện Khác,xa-ba,Xã Ba,kp1,Khu phố 1,175,Nhà văn hóa khu phố 1,,,,Đặng Văn Hải\n"
)

func TestImportAreasCommand(t *testing.T) {
	dir := t.TempDir()
	write := func(name, data string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	yamlPath, table := write("province.yaml", importProvinceYAML), write("areas.csv", provinceTable)
	dbPath := filepath.Join(dir, "e.db")
	t.Setenv("CLI_TEST_DATABASE_URL", "sqlite://"+dbPath)

	// --help: the usage on stdout, exit 0, no database opened.
	for _, args := range [][]string{{"import", "areas", "--help"}, {"import", "areas", table, "-h"}} {
		code, out, errOut := runCLI(t, "", args...)
		if code != 0 || !strings.HasPrefix(out, "usage: electionbot import areas FILE.csv|FILE.xlsx --election CODE") || errOut != "" {
			t.Fatalf("%q: exit %d, out %q, err %q", args, code, out, errOut)
		}
	}
	if _, err := os.Stat(dbPath); !os.IsNotExist(err) {
		t.Fatalf("--help touched the database: %v", err)
	}
	for _, args := range [][]string{{"import", "areas", table}, {"import", "areas", "--election", "x"}, {"import", "areas", table, "more", "--election", "x"}} {
		if code, _, errOut := runCLI(t, "", args...); code != 2 || !strings.Contains(errOut, "usage: electionbot import areas") {
			t.Errorf("%q: exit %d, stderr %q, want 2 and the usage", args, code, errOut)
		}
	}

	if code, _, errOut := runCLI(t, "", "import", "areas", table, "--election", "tinh-thu-2022"); code != 1 ||
		!strings.Contains(errOut, `election "tinh-thu-2022" not found: load its election file first`) {
		t.Fatalf("before load: exit %d, stderr %q", code, errOut)
	}
	if code, _, errOut := runCLI(t, "", "load", yamlPath); code != 0 {
		t.Fatalf("load: exit %d, %s", code, errOut)
	}
	bad := write("bad.csv", strings.Replace(provinceTable, ",190,", ",1 trăm,", 1))
	if code, _, errOut := runCLI(t, "", "import", "areas", bad, "--election", "tinh-thu-2022"); code != 1 ||
		errOut != "electionbot import areas: line 3: households \"1 trăm\" is not a whole number\n" {
		t.Fatalf("bad table: exit %d, stderr %q", code, errOut)
	}
	for _, want := range []string{
		"tinh-thu-2022: loaded 4 areas in 3 wards, 6 candidates (updated)\n" +
			"  wards: 2 added\n  areas: 3 added\n  polling places: 3 added, 1 changed\n  candidates: 6 added\n",
		"tinh-thu-2022: loaded 4 areas in 3 wards, 6 candidates (unchanged)\n",
	} {
		code, out, errOut := runCLI(t, "", "import", "areas", "--election", "tinh-thu-2022", table)
		if code != 0 || out != want {
			t.Fatalf("import: exit %d, out %q, want %q; err %q", code, out, want, errOut)
		}
	}
}
