package cli

import (
	"bytes"
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"electionbot/demo"
)

// runCLI runs the command line in a fresh working directory with an
// embedded database there.
func runCLI(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	env := map[string]string{"DATABASE_URL": "sqlite://" + filepath.Join(t.TempDir(), "cli.db")}
	if dbEnv, ok := os.LookupEnv("CLI_TEST_DATABASE_URL"); ok {
		env["DATABASE_URL"] = dbEnv
	}
	code = Main(context.Background(), args, strings.NewReader(stdin), &out, &errb, env)
	return code, out.String(), errb.String()
}

func TestChatDemoAnswersStartAndDateWithoutDiacritics(t *testing.T) {
	t.Chdir(t.TempDir())
	code, out, errOut := runCLI(t, "/start\nngay bau cu\n", "chat", "--demo")
	if code != 0 {
		t.Fatalf("chat --demo exit %d\nstderr: %s", code, errOut)
	}
	for _, want := range []string{"> /start", "Phường Ka Long", "[1]", "> ngay bau cu", "Chủ nhật, 05/06/2022", "07:00", "11:00"} {
		if !strings.Contains(out, want) {
			t.Errorf("transcript lacks %q:\n%s", want, out)
		}
	}
	if _, err := os.Stat(demoDatabase); err != nil {
		t.Errorf("demo database not created: %v", err)
	}
}

func TestChatDemoEnglish(t *testing.T) {
	t.Chdir(t.TempDir())
	code, out, errOut := runCLI(t, "when is the election\n", "chat", "--demo", "--lang", "en")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if !strings.Contains(out, "Sunday") || !strings.Contains(out, "2022") {
		t.Errorf("English date answer missing:\n%s", out)
	}
}

func TestLoadTwiceThenBadVoterRow(t *testing.T) {
	dir := t.TempDir()
	yamlPath := filepath.Join(dir, "election.yaml")
	if err := os.WriteFile(yamlPath, demo.Election(), 0o644); err != nil {
		t.Fatal(err)
	}
	dbURL := "sqlite://" + filepath.Join(dir, "e.db")
	t.Setenv("CLI_TEST_DATABASE_URL", dbURL)
	for i := 0; i < 2; i++ {
		if code, out, errOut := runCLI(t, "", "load", yamlPath); code != 0 || !strings.Contains(out, "ka-long-2022") {
			t.Fatalf("load #%d: exit %d, out %q, err %q", i+1, code, out, errOut)
		}
	}
	csvPath := filepath.Join(dir, "voters.csv")
	csv := "area_code,household_no,full_name,birth_year,address,phone\n" +
		"kp1,1,Nguyễn Văn An,1961,Số 1,0912345678\n" +
		"kp1,2,Trần Thị Bình,19x1,Số 2,\n"
	if err := os.WriteFile(csvPath, []byte(csv), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errOut := runCLI(t, "", "import", "voters", csvPath)
	if code != 1 || !strings.Contains(errOut, `line 3: birth_year "19x1" is not a year`) {
		t.Fatalf("import bad file: exit %d, stderr %q", code, errOut)
	}
	good := strings.Replace(csv, "19x1", "1971", 1)
	if err := os.WriteFile(csvPath, []byte(good), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runCLI(t, "", "import", "voters", csvPath, "--election", "ka-long-2022")
	if code != 0 || !strings.Contains(out, "kp1: 2 households") {
		t.Fatalf("import good file: exit %d, out %q, err %q", code, out, errOut)
	}
}

func TestLoadBadYAMLExitsWithFieldPath(t *testing.T) {
	dir := t.TempDir()
	bad := strings.Replace(string(demo.Election()), "households: 264", "households: 0", 1)
	if bad == string(demo.Election()) {
		t.Fatal("demo file changed: update the test's replacement")
	}
	p := filepath.Join(dir, "bad.yaml")
	os.WriteFile(p, []byte(bad), 0o644)
	code, _, errOut := runCLI(t, "", "load", p)
	if code != 1 || !strings.Contains(errOut, "areas[2].households: must be greater than 0") {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
}

// The README's transcript: the scripted session gives each answer.
func TestScriptedDemoSession(t *testing.T) {
	script, err := os.ReadFile("../demo/session.txt")
	if err != nil {
		t.Fatal(err)
	}
	t.Chdir(t.TempDir())
	code, out, errOut := runCLI(t, string(script), "chat", "--demo", "--now", "2022-06-02 09:00")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{
		"Kính chào ông/bà",
		"Chủ nhật, 05/06/2022 (còn 3 ngày nữa)",
		"Nhà văn hóa khu phố 1",
		"📍 Nhà văn hóa khu phố 1 21.53020, 107.96410",
		"Ng*** V** An, sinh 1961 — hộ số 1, Khu phố 1",
		"có 2 người cùng họ tên",
		"T*** V** Hùng, sinh 1970 — hộ số 3",
		"Không tìm thấy",
		"Switched to English",
		"Sunday, 5 June 2022 (in 3 days)",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("session lacks %q", want)
		}
	}
	if strings.Contains(out, "Nguyễn Văn An, sinh") || strings.Contains(out, "0912345678") {
		t.Errorf("session shows a voter's full name or phone:\n%s", out)
	}
}

func TestExportResultsCSVAndXLSX(t *testing.T) {
	dir := t.TempDir()
	yamlPath := filepath.Join(dir, "election.yaml")
	if err := os.WriteFile(yamlPath, demo.Election(), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("CLI_TEST_DATABASE_URL", "sqlite://"+filepath.Join(dir, "e.db"))
	if code, _, errOut := runCLI(t, "", "load", yamlPath); code != 0 {
		t.Fatalf("load: %s", errOut)
	}
	code, out, errOut := runCLI(t, "", "export", "results", "--election", "ka-long-2022", "--format", "csv")
	if code != 0 {
		t.Fatalf("export csv: exit %d: %s", code, errOut)
	}
	recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatalf("export is not CSV: %v\n%s", err, out)
	}
	if len(recs) != 7 || recs[1][0] == "" || !strings.Contains(strings.Join(recs[1], ","), "kp1") {
		t.Fatalf("want a header and 6 areas, got %d rows: %v", len(recs), recs)
	}
	xlsxPath := filepath.Join(dir, "results.xlsx")
	if code, _, errOut := runCLI(t, "", "export", "results", "--election", "ka-long-2022", "--format", "xlsx", "--out", xlsxPath); code != 0 {
		t.Fatalf("export xlsx: exit %d: %s", code, errOut)
	}
	f, err := excelize.OpenFile(xlsxPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows(f.GetSheetName(0))
	if err != nil || len(rows) != 7 {
		t.Fatalf("xlsx rows = %d, %v; want 7", len(rows), err)
	}
	if code, _, errOut := runCLI(t, "", "export", "results", "--election", "nope", "--format", "csv"); code != 1 || !strings.Contains(errOut, "nope") {
		t.Fatalf("unknown election: exit %d, %q", code, errOut)
	}
	if code, _, _ := runCLI(t, "", "export", "results", "--election", "ka-long-2022", "--format", "pdf"); code != 2 {
		t.Fatalf("bad format: exit %d, want 2", code)
	}
}
