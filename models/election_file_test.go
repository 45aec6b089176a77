package models_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"electionbot/internal/testdb"
	"electionbot/models"
)

const demoFile = "../demo/ka-long-2022.yaml"

func readFile(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func parse(t testing.TB, data []byte) *models.ElectionFile {
	t.Helper()
	f, err := models.ParseElectionFile(data)
	if err != nil {
		t.Fatalf("ParseElectionFile: %v", err)
	}
	return f
}

func TestParseElectionFileDemo(t *testing.T) {
	f := parse(t, readFile(t, demoFile))
	e := f.Election
	if e.Code != "ka-long-2022" || e.Title != "Bầu cử Trưởng khu phố nhiệm kỳ 2022–2025" ||
		e.Date != "2022-06-05" || e.Opens != "07:00" || e.Closes != "11:00" ||
		e.Timezone != "Asia/Ho_Chi_Minh" || e.Rules != models.RulesNQLT2008 || e.Method != models.MethodSecret {
		t.Errorf("election = %+v", e)
	}
	if *e.ListPostedDays != 7 || *e.NoticeDays != 2 {
		t.Errorf("list_posted_days, notice_days = %d, %d, want 7, 2", *e.ListPostedDays, *e.NoticeDays)
	}
	if !reflect.DeepEqual(f.Ward, models.FileWard{Code: "ka-long", Name: "Phường Ka Long", City: "TP Móng Cái", Province: "Quảng Ninh", Kind: models.WardUrban}) {
		t.Errorf("ward = %+v", f.Ward)
	}
	if len(f.Areas) != 6 {
		t.Fatalf("%d areas, want 6", len(f.Areas))
	}
	households, candidates := 0, 0
	for i, a := range f.Areas {
		if want := fmt.Sprintf("kp%d", i+1); a.Code != want || a.Name != fmt.Sprintf("Khu phố %d", i+1) {
			t.Errorf("areas[%d] = %s %q, want %s", i, a.Code, a.Name, want)
		}
		if a.PollingPlace.Name != fmt.Sprintf("Nhà văn hóa khu phố %d", i+1) {
			t.Errorf("areas[%d].polling_place.name = %q", i, a.PollingPlace.Name)
		}
		if lat, lon := a.PollingPlace.Lat, a.PollingPlace.Lon; lat == nil || lon == nil ||
			*lat < 21.52 || *lat > 21.54 || *lon < 107.95 || *lon > 107.98 {
			t.Errorf("areas[%d] polling place is not near Móng Cái: %v, %v", i, lat, lon)
		}
		if n := len(a.Candidates); n < 2 || n > 3 {
			t.Errorf("areas[%d] has %d candidates, want 2–3", i, n)
		}
		households += a.Households
		candidates += len(a.Candidates)
	}
	if households != 1728 || candidates != 15 {
		t.Errorf("households, candidates = %d, %d, want 1728, 15", households, candidates)
	}
	if got := f.Areas[0].Candidates; !reflect.DeepEqual(got, []string{"Nguyễn Văn An", "Trần Thị Bình"}) {
		t.Errorf("kp1 candidates = %q", got)
	}
	if want := time.Date(2022, 6, 5, 0, 0, 0, 0, time.UTC); !f.OpensAt.Equal(want) || f.OpensAt.Location() != time.UTC {
		t.Errorf("OpensAt = %v, want %v", f.OpensAt, want)
	}
	if want := time.Date(2022, 6, 5, 4, 0, 0, 0, time.UTC); !f.ClosesAt.Equal(want) {
		t.Errorf("ClosesAt = %v, want %v", f.ClosesAt, want)
	}
}

func TestParseElectionFileOpensAtInUTC(t *testing.T) {
	base := string(readFile(t, "testdata/election_small.yaml"))
	for _, tc := range []struct {
		name, tz, opens, closes string
		wantOpens, wantCloses   string
	}{
		{"Asia/Ho_Chi_Minh 07:00 is 00:00Z", "Asia/Ho_Chi_Minh", "07:00", "11:00", "2022-06-05T00:00:00Z", "2022-06-05T04:00:00Z"},
		{"default zone is Asia/Ho_Chi_Minh", "", "07:00", "11:00", "2022-06-05T00:00:00Z", "2022-06-05T04:00:00Z"},
		{"early morning crosses to the day before in UTC", "Asia/Ho_Chi_Minh", "06:30", "23:59", "2022-06-04T23:30:00Z", "2022-06-05T16:59:00Z"},
		{"H:MM is accepted", "Asia/Ho_Chi_Minh", "7:00", "9:30", "2022-06-05T00:00:00Z", "2022-06-05T02:30:00Z"},
		{"UTC", "UTC", "07:00", "11:00", "2022-06-05T07:00:00Z", "2022-06-05T11:00:00Z"},
		{"Asia/Tokyo", "Asia/Tokyo", "07:00", "11:00", "2022-06-04T22:00:00Z", "2022-06-05T02:00:00Z"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			y := strings.Replace(base, `opens: "07:00"`, fmt.Sprintf("opens: %q", tc.opens), 1)
			y = strings.Replace(y, `closes: "11:00"`, fmt.Sprintf("closes: %q", tc.closes), 1)
			if tc.tz != "" {
				y = strings.Replace(y, "  rules:", "  timezone: "+tc.tz+"\n  rules:", 1)
			}
			f := parse(t, []byte(y))
			if got := f.OpensAt.Format(time.RFC3339); got != tc.wantOpens || f.OpensAt.Location() != time.UTC {
				t.Errorf("OpensAt = %s (%v), want %s", got, f.OpensAt.Location(), tc.wantOpens)
			}
			if got := f.ClosesAt.Format(time.RFC3339); got != tc.wantCloses {
				t.Errorf("ClosesAt = %s, want %s", got, tc.wantCloses)
			}
		})
	}
}

func TestParseElectionFileNormalises(t *testing.T) {
	f := parse(t, readFile(t, "testdata/election_small.yaml"))
	e := f.Election
	// The timeline's defaults are the regime's (models.Timelines).
	if e.Timezone != models.DefaultTimezone || *e.ListPostedDays != models.TimelineDays(e.Rules, models.StepListPosted) ||
		*e.NoticeDays != models.TimelineDays(e.Rules, models.StepNotice) || *e.PlanDays != models.TimelineDays(e.Rules, models.StepPlan) {
		t.Errorf("defaults: timezone %q, list_posted_days %d, notice_days %d", e.Timezone, *e.ListPostedDays, *e.NoticeDays)
	}
	if e.Method != models.MethodHands {
		t.Errorf(`method "giơ tay" = %q, want %q`, e.Method, models.MethodHands)
	}
	if f.Areas[1].PollingPlace.Lat != nil || f.Areas[1].PollingPlace.Lon != nil {
		t.Errorf("areas[1] has no coordinates, got %v, %v", f.Areas[1].PollingPlace.Lat, f.Areas[1].PollingPlace.Lon)
	}
	for _, tc := range []struct{ in, want string }{
		{"secret", models.MethodSecret}, {"bỏ phiếu kín", models.MethodSecret}, {"Bo phieu kin", models.MethodSecret},
		{"hands", models.MethodHands}, {"gio tay", models.MethodHands},
	} {
		y := strings.Replace(string(readFile(t, "testdata/election_small.yaml")), "method: giơ tay", "method: "+tc.in, 1)
		if got := parse(t, []byte(y)).Election.Method; got != tc.want {
			t.Errorf("method %q = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestParseElectionFileErrors edits the valid testdata/election_small.yaml
// into bad files and checks the exact message of each.
func TestParseElectionFileErrors(t *testing.T) {
	small := string(readFile(t, "testdata/election_small.yaml"))
	cases := []struct {
		name, old, new string
		want           string
	}{
		{"households zero", "households: 80", "households: 0",
			"areas[2].households: must be greater than 0"},
		{"households negative", "households: 95", "households: -3",
			"areas[1].households: must be greater than 0"},
		{"households too large", "households: 95", "households: 5000000",
			"areas[1].households: 5000000 must be at most 1000000"},
		{"households not a number", "households: 95", "households: many",
			`areas[1].households: "many" is not a whole number (line 19)`},
		{"households not whole", "households: 95", "households: 9.5",
			`areas[1].households: "9.5" is not a whole number (line 19)`},
		{"area code used twice", "code: t3", "code: t1",
			`areas[2].code: "t1" is used twice (also areas[0])`},
		{"area code not a slug", "code: t2", "code: Thôn 2",
			`areas[1].code: "Thôn 2" must use only a-z, 0-9 and "-" (and start with a letter or digit)`},
		{"area code missing", "- code: t2\n    name:", "- name:",
			"areas[1].code: is required"},
		{"area name missing", `name: "Thôn 3"`, `name: "  "`,
			"areas[2].name: is required"},
		{"election code missing", "  code: test-2022\n", "",
			"election.code: is required"},
		{"election code not a slug", "code: test-2022", "code: test_2022",
			`election.code: "test_2022" must use only a-z, 0-9 and "-" (and start with a letter or digit)`},
		{"title missing", "  title: \"Bầu cử Trưởng thôn nhiệm kỳ 2022–2025\"\n", "",
			"election.title: is required"},
		{"date in Vietnamese order", "date: 2022-06-05", "date: 05/06/2022",
			`election.date: "05/06/2022" is not a valid date (YYYY-MM-DD)`},
		{"date that does not exist", "date: 2022-06-05", "date: 2022-02-30",
			`election.date: "2022-02-30" is not a valid date (YYYY-MM-DD)`},
		{"date missing", "  date: 2022-06-05\n", "",
			"election.date: is required"},
		{"opens not a time", `opens: "07:00"`, `opens: "7 giờ"`,
			`election.opens: "7 giờ" is not a valid time (HH:MM)`},
		{"opens out of range", `opens: "07:00"`, `opens: "24:00"`,
			`election.opens: "24:00" is not a valid time (HH:MM)`},
		{"closes before opens", `closes: "11:00"`, `closes: "06:59"`,
			"election.closes: 06:59 must be after opens (07:00)"},
		{"closes equal to opens", `closes: "11:00"`, `closes: "07:00"`,
			"election.closes: 07:00 must be after opens (07:00)"},
		{"unknown time zone", "  rules:", "  timezone: Asia/Ha_Noi\n  rules:",
			`election.timezone: "Asia/Ha_Noi" is not a known time zone`},
		{"unknown rules", "rules: luat-10-2022", "rules: luat-2023",
			`election.rules: "luat-2023" must be nqlt-09-2008 or luat-10-2022`},
		{"rules missing", "  rules: luat-10-2022\n", "",
			"election.rules: is required (nqlt-09-2008 or luat-10-2022)"},
		{"unknown method", "method: giơ tay", "method: online",
			`election.method: "online" must be secret or hands`},
		{"negative list_posted_days", "  method: giơ tay\n", "  method: giơ tay\n  list_posted_days: -1\n",
			"election.list_posted_days: -1 must be between 0 and 365"},
		{"ward code missing", "{code: xa-thu, ", "{",
			"ward.code: is required"},
		{"ward name missing", `name: "Xã Thử", `, "",
			"ward.name: is required"},
		{"no areas", small[strings.Index(small, "areas:"):], "areas: []\n",
			"areas: at least one area is required"},
		{"lon out of range", "lat: 21.0, lon: 105.8", "lat: 21.0, lon: 185.8",
			"areas[0].polling_place.lon: 185.8 must be between -180 and 180"},
		{"lat out of range", "lat: 21.0, lon: 105.8", "lat: -91, lon: 105.8",
			"areas[0].polling_place.lat: -91 must be between -90 and 90"},
		{"lat without lon", "lat: 21.0, lon: 105.8", "lat: 21.0",
			"areas[0].polling_place.lon: is required when lat is given"},
		{"lon without lat", "lat: 21.0, lon: 105.8", "lon: 105.8",
			"areas[0].polling_place.lat: is required when lon is given"},
		{"polling place name missing", `{name: "Nhà văn hóa thôn 2"}`, `{address: "Đầu làng"}`,
			"areas[1].polling_place.name: is required"},
		{"polling place missing", "    polling_place: {name: \"Nhà văn hóa thôn 2\"}\n", "",
			"areas[1].polling_place.name: is required"},
		{"candidate name empty", `["Lê Văn C"]`, `["Lê Văn C", " "]`,
			"areas[1].candidates[1]: is required"},
		{"candidate twice, compared folded", `["Nguyễn Văn A", "Trần Thị B"]`, `["Nguyễn Văn A", "Trần Thị B", "NGUYEN  VAN A"]`,
			`areas[0].candidates[2]: "NGUYEN VAN A" is listed twice (also candidates[0])`},
		{"candidates not a list", "candidates: []", `candidates: "Lê Văn D"`,
			`areas[2].candidates: "Lê Văn D" is not a list (line 26)`},
		{"unknown field in an area", "    name: \"Thôn 2\"\n", "    name: \"Thôn 2\"\n    head: \"Lê Văn C\"\n",
			"areas[1].head: unknown field (line 19)"},
		{"unknown field in a flow mapping", `{name: "Nhà văn hóa thôn 2"}`, `{name: "Nhà văn hóa thôn 2", phone: "0912"}`,
			"areas[1].polling_place.phone: unknown field (line 20)"},
		{"unknown top-level field", "areas:\n", "area:\n",
			"area: unknown field (line 11)"},
		{"syntax error", "code: t1\n", "code: [t1\n",
			"line 11: did not find expected ',' or ']'"},
		{"tab indentation", "    name: \"Thôn 1\"\n", "\tname: \"Thôn 1\"\n",
			"line 12: found a tab character that violates indentation"},
		{"two documents", "candidates: []\n", "candidates: []\n---\nelection: {}\n",
			"line 27: only one YAML document is allowed in an election file"},
		{"empty file", small, "# nothing\n",
			"the election file is empty"},
		{"H:MM closes before opens", `closes: "11:00"`, `closes: "5:00"`,
			"election.closes: 05:00 must be after opens (07:00)"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if !strings.Contains(small, tc.old) {
				t.Fatalf("%q is not in election_small.yaml", tc.old)
			}
			y := strings.Replace(small, tc.old, tc.new, 1)
			f, err := models.ParseElectionFile([]byte(y))
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

func TestParseElectionFileCollectsAllProblems(t *testing.T) {
	_, err := models.ParseElectionFile(readFile(t, "testdata/election_bad.yaml"))
	want := strings.Join([]string{
		`election.code: "Test 2022" must use only a-z, 0-9 and "-" (and start with a letter or digit)`,
		`election.date: "2022-06-31" is not a valid date (YYYY-MM-DD)`,
		`election.closes: 07:00 must be after opens (11:00)`,
		`election.timezone: "Asia/Ha_Noi" is not a known time zone`,
		`ward.name: is required`,
		`areas[0].polling_place.lon: is required when lat is given`,
		`areas[1].polling_place.lat: 95 must be between -90 and 90`,
		`areas[1].candidates[1]: "le van c" is listed twice (also candidates[0])`,
		`areas[2].households: must be greater than 0`,
		`areas[3].code: "t1" is used twice (also areas[0])`,
		`areas[3].name: is required`,
		`areas[3].polling_place.name: is required`,
	}, "\n")
	if models.ErrorCode(err) != models.EINVALID || models.ErrorMessage(err) != want {
		t.Fatalf("error %s:\n%s\nwant invalid:\n%s", models.ErrorCode(err), models.ErrorMessage(err), want)
	}
}

// Anchors and aliases have no use in an election file and would let a small
// file expand into a huge one ("billion laughs"): aliases are refused.
func TestParseElectionFileRefusesAliases(t *testing.T) {
	y := strings.Replace(string(readFile(t, "testdata/election_small.yaml")), "code: t2", "code: &c t2", 1)
	y = strings.Replace(y, "code: t3", "code: *c", 1)
	_, err := models.ParseElectionFile([]byte(y))
	want := "line 22: aliases (*c) are not allowed in an election file: write the value out"
	if models.ErrorCode(err) != models.EINVALID || models.ErrorMessage(err) != want {
		t.Fatalf("error %v, want invalid %q", err, want)
	}
}

func TestParseElectionFileCapsProblems(t *testing.T) {
	var b strings.Builder
	b.WriteString("election: {code: x}\nward: {code: w, name: W}\nareas:\n")
	for i := 0; i < 5000; i++ {
		fmt.Fprintf(&b, "  - {code: a%d, name: A, households: %d, polling_place: {name: P}}\n", i, -i)
	}
	_, err := models.ParseElectionFile([]byte(b.String()))
	lines := strings.Split(models.ErrorMessage(err), "\n")
	if len(lines) != 101 || lines[0] != "election.title: is required" || lines[100] != "… and 4906 more problems" {
		t.Errorf("%d lines: first %q, last %q", len(lines), lines[0], lines[len(lines)-1])
	}
}

func FuzzParseElectionFile(f *testing.F) {
	for _, p := range []string{demoFile, "testdata/election_small.yaml", "testdata/election_bad.yaml"} {
		f.Add(readFile(f, p))
	}
	for _, s := range []string{"", "election: {}", "areas: [{}]", "areas: [1, [2], {code: x}]", "a: &a [*a, *a]",
		"election: {date: 2022-06-05, opens: '23:59', closes: '00:00'}", "---\n---\n", "areas: {code: kp1}"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		ef, err := models.ParseElectionFile(data)
		if err != nil {
			if models.ErrorCode(err) != models.EINVALID || models.ErrorMessage(err) == "" {
				t.Fatalf("error %v is not an invalid error with a message", err)
			}
			return
		}
		if len(ef.Areas) == 0 || !ef.OpensAt.Before(ef.ClosesAt) || ef.Election.Code == "" {
			t.Fatalf("accepted an invalid file: %+v", ef)
		}
		if err := ef.Check(); err != nil {
			t.Fatalf("Check of a parsed file: %v", err)
		}
	})
}

// dumpTables returns every row of the tables an election file writes, as
// text, in id order.
func dumpTables(t *testing.T, s *models.Store) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for _, table := range []string{"wards", "elections", "areas", "polling_places", "candidates"} {
		rows, err := s.SQL().QueryContext(context.Background(), "SELECT * FROM "+table+" ORDER BY id")
		if err != nil {
			t.Fatal(err)
		}
		out[table] = scanRows(t, rows)
	}
	return out
}

func scanRows(t *testing.T, rows *sql.Rows) []string {
	t.Helper()
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		for i, v := range vals {
			if b2, ok := v.([]byte); ok {
				v = string(b2)
			}
			fmt.Fprintf(&b, "%s=%v ", cols[i], v)
		}
		out = append(out, b.String())
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func sameDump(t *testing.T, before, after map[string][]string) {
	t.Helper()
	if !reflect.DeepEqual(before, after) {
		for table := range before {
			if !reflect.DeepEqual(before[table], after[table]) {
				t.Errorf("%s changed:\nbefore %q\nafter  %q", table, before[table], after[table])
			}
		}
	}
}

func TestLoadElectionTwiceIsIdempotent(t *testing.T) {
	for _, n := range testdb.Stores(t) {
		t.Run(n.Name, func(t *testing.T) {
			ctx := context.Background()
			rep, err := n.Store.LoadElectionFile(ctx, demoFile)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := rep.String(), "ka-long-2022: loaded 6 areas, 15 candidates (created)"; got != want {
				t.Errorf("first report %q, want %q", got, want)
			}
			before := dumpTables(t, n.Store)
			if len(before["areas"]) != 6 || len(before["polling_places"]) != 6 || len(before["candidates"]) != 15 {
				t.Fatalf("rows after the first load: %d areas, %d polling places, %d candidates",
					len(before["areas"]), len(before["polling_places"]), len(before["candidates"]))
			}
			rep, err = n.Store.LoadElectionFile(ctx, demoFile)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := rep.String(), "ka-long-2022: loaded 6 areas, 15 candidates (unchanged)"; got != want || rep.Changes != 0 {
				t.Errorf("second report %q (%d changes), want %q", got, rep.Changes, want)
			}
			sameDump(t, before, dumpTables(t, n.Store))
		})
	}
}

func TestLoadElectionStoresOpensAtInUTC(t *testing.T) {
	for _, n := range testdb.Stores(t) {
		t.Run(n.Name, func(t *testing.T) {
			ctx := context.Background()
			if _, err := n.Store.LoadElectionFile(ctx, demoFile); err != nil {
				t.Fatal(err)
			}
			e, err := n.Store.ElectionByCode(ctx, "ka-long-2022")
			if err != nil {
				t.Fatal(err)
			}
			if got := e.OpensAt.UTC().Format(time.RFC3339); got != "2022-06-05T00:00:00Z" {
				t.Errorf("OpensAt = %s, want 2022-06-05T00:00:00Z", got)
			}
			if got := e.ClosesAt.UTC().Format(time.RFC3339); got != "2022-06-05T04:00:00Z" {
				t.Errorf("ClosesAt = %s, want 2022-06-05T04:00:00Z", got)
			}
			if e.Ward == nil || e.Ward.Name != "Phường Ka Long" || e.ListPostedDays != 7 || e.NoticeDays != 2 {
				t.Errorf("election = %+v, ward %+v", e, e.Ward)
			}
			if got := e.Day().Format("Monday 02/01/2006"); got != "Sunday 05/06/2022" {
				t.Errorf("Day = %s", got)
			}
		})
	}
}

func TestLoadElectionBadFileChangesNothing(t *testing.T) {
	dir := t.TempDir()
	demo := string(readFile(t, demoFile))
	bad := filepath.Join(dir, "bad.yaml")
	// The households of kp3 (areas[2]) set to 0, and a new title: nothing may be written.
	y := strings.Replace(demo, "households: 264", "households: 0", 1)
	y = strings.Replace(y, "nhiệm kỳ 2022–2025", "nhiệm kỳ 2025–2030", 1)
	if err := os.WriteFile(bad, []byte(y), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, n := range testdb.Stores(t) {
		t.Run(n.Name, func(t *testing.T) {
			ctx := context.Background()
			if _, err := n.Store.LoadElectionFile(ctx, demoFile); err != nil {
				t.Fatal(err)
			}
			before := dumpTables(t, n.Store)
			_, err := n.Store.LoadElectionFile(ctx, bad)
			if models.ErrorCode(err) != models.EINVALID || models.ErrorMessage(err) != "areas[2].households: must be greater than 0" {
				t.Fatalf("load of the bad file: %v", err)
			}
			sameDump(t, before, dumpTables(t, n.Store))
			if _, err := n.Store.LoadElectionFile(ctx, filepath.Join(dir, "missing.yaml")); models.ErrorCode(err) != models.EINVALID {
				t.Errorf("load of a missing file: %v, want invalid", err)
			}
		})
	}
}

func TestLoadElectionRefusesToDropAnAreaWithVoters(t *testing.T) {
	for _, n := range testdb.Stores(t) {
		t.Run(n.Name, func(t *testing.T) {
			ctx := context.Background()
			s := n.Store
			if _, err := s.LoadElectionFile(ctx, demoFile); err != nil {
				t.Fatal(err)
			}
			e, _ := s.ElectionByCode(ctx, "ka-long-2022")
			areas, _ := s.Areas(ctx, e.ID)
			kp6 := areas[5]
			if err := s.DB(ctx).Create(&models.Voter{AreaID: kp6.ID, HouseholdNo: "1", FullName: "Lý Thị Xuân",
				NameFolded: models.Fold("Lý Thị Xuân"), BirthYear: 1980}).Error; err != nil {
				t.Fatal(err)
			}
			before := dumpTables(t, s)
			f := parse(t, readFile(t, demoFile))
			f.Areas = f.Areas[:5]       // kp6 leaves the file…
			f.Areas[0].Households = 999 // …and an earlier change must be rolled back
			_, err := s.LoadElection(ctx, f)
			want := "area kp6 is not in the file but has 1 voter and 0 tallies: loading would delete them; keep it in the file"
			if models.ErrorCode(err) != models.ECONFLICT || models.ErrorMessage(err) != want {
				t.Fatalf("load without kp6: %v, want conflict %q", err, want)
			}
			sameDump(t, before, dumpTables(t, s))
		})
	}
}

func TestLoadElectionRemovesAnEmptyArea(t *testing.T) {
	for _, n := range testdb.Stores(t) {
		t.Run(n.Name, func(t *testing.T) {
			ctx := context.Background()
			s := n.Store
			if _, err := s.LoadElectionFile(ctx, demoFile); err != nil {
				t.Fatal(err)
			}
			f := parse(t, readFile(t, demoFile))
			f.Areas = append(f.Areas[:2], f.Areas[3:]...) // kp3 leaves
			rep, err := s.LoadElection(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := rep.String(), "ka-long-2022: loaded 5 areas, 13 candidates (updated); removed areas kp3"; got != want {
				t.Errorf("report %q, want %q", got, want)
			}
			d := dumpTables(t, s)
			if len(d["areas"]) != 5 || len(d["polling_places"]) != 5 || len(d["candidates"]) != 13 {
				t.Errorf("rows: %d areas, %d polling places, %d candidates, want 5, 5, 13",
					len(d["areas"]), len(d["polling_places"]), len(d["candidates"]))
			}
		})
	}
}

func TestLoadElectionUpdatesInPlace(t *testing.T) {
	for _, n := range testdb.Stores(t) {
		t.Run(n.Name, func(t *testing.T) {
			ctx := context.Background()
			s := n.Store
			if _, err := s.LoadElectionFile(ctx, demoFile); err != nil {
				t.Fatal(err)
			}
			e1, _ := s.ElectionByCode(ctx, "ka-long-2022")
			areas1, _ := s.Areas(ctx, e1.ID)

			f := parse(t, readFile(t, demoFile))
			f.Election.Closes = "11:30"
			f.Ward.City = "Thành phố Móng Cái"
			f.Areas[0].Households = 315
			f.Areas[0].Candidates[1] = "Trần Thị Bính"                            // spelling fixed: same candidate
			f.Areas[0].Candidates = append(f.Areas[0].Candidates, "Mai Văn Chín") // a third one
			f.Areas[1].Candidates = f.Areas[1].Candidates[:2]                     // kp2's ballot number 3 withdraws
			lat := 21.5311
			f.Areas[2].PollingPlace.Lat = &lat
			f.Areas[3].PollingPlace.Lat, f.Areas[3].PollingPlace.Lon = nil, nil
			rep, err := s.LoadElection(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			if rep.Created || rep.Changes == 0 || rep.Candidates != 15 {
				t.Errorf("report %+v", rep)
			}
			e2, _ := s.ElectionByCode(ctx, "ka-long-2022")
			areas2, _ := s.Areas(ctx, e2.ID)
			if e2.ID != e1.ID || *e2.WardID != *e1.WardID || e2.Closes != "11:30" ||
				e2.ClosesAt.UTC().Format(time.RFC3339) != "2022-06-05T04:30:00Z" || e2.Ward.City != "Thành phố Móng Cái" {
				t.Errorf("election after reload: %+v ward %+v", e2, e2.Ward)
			}
			if len(areas2) != 6 {
				t.Fatalf("%d areas", len(areas2))
			}
			for i := range areas2 {
				if areas2[i].ID != areas1[i].ID || areas2[i].PollingPlace.ID != areas1[i].PollingPlace.ID {
					t.Errorf("area %s changed ids: %d/%d → %d/%d", areas2[i].Code, areas1[i].ID,
						areas1[i].PollingPlace.ID, areas2[i].ID, areas2[i].PollingPlace.ID)
				}
			}
			kp1 := areas2[0]
			if kp1.Households != 315 || len(kp1.Candidates) != 3 {
				t.Fatalf("kp1 = %d households, %d candidates", kp1.Households, len(kp1.Candidates))
			}
			for i, c := range kp1.Candidates[:2] {
				if c.ID != areas1[0].Candidates[i].ID {
					t.Errorf("kp1 candidate %d changed id", i+1)
				}
			}
			if c := kp1.Candidates[1]; c.BallotNo != 2 || c.Name != "Trần Thị Bính" || c.NameFolded != "tran thi binh" {
				t.Errorf("kp1 candidate 2 = %+v", c)
			}
			if c := kp1.Candidates[2]; c.BallotNo != 3 || c.Name != "Mai Văn Chín" || c.NameFolded != "mai van chin" {
				t.Errorf("kp1 candidate 3 = %+v", c)
			}
			if len(areas2[1].Candidates) != 2 {
				t.Errorf("kp2 has %d candidates, want 2", len(areas2[1].Candidates))
			}
			if pp := areas2[2].PollingPlace; pp.Lat == nil || *pp.Lat != lat {
				t.Errorf("kp3 lat = %v, want %v", pp.Lat, lat)
			}
			if pp := areas2[3].PollingPlace; pp.Lat != nil || pp.Lon != nil {
				t.Errorf("kp4 coordinates = %v, %v, want none", pp.Lat, pp.Lon)
			}

			// Loading the changed file again changes nothing more.
			before := dumpTables(t, s)
			rep, err = s.LoadElection(ctx, parse(t, readFile(t, demoFile)))
			if err != nil || rep.Changes == 0 {
				t.Fatalf("reload of the original: %v %+v", err, rep)
			}
			rep, err = s.LoadElection(ctx, f)
			if err != nil || rep.Changes == 0 {
				t.Fatalf("reload of the changed file: %v %+v", err, rep)
			}
			after := dumpTables(t, s)
			// Same rows except kp2's withdrawn candidate, which came back with a new id.
			if len(before["candidates"]) != len(after["candidates"]) || !reflect.DeepEqual(before["areas"], after["areas"]) {
				t.Errorf("state differs after a round trip:\n%q\n%q", before["areas"], after["areas"])
			}
			rep, err = s.LoadElection(ctx, f)
			if err != nil || rep.Changes != 0 {
				t.Fatalf("third load of the same file: %v, %+v, want no changes", err, rep)
			}
		})
	}
}

func TestLoadElectionTwoElectionsShareAWard(t *testing.T) {
	for _, n := range testdb.Stores(t) {
		t.Run(n.Name, func(t *testing.T) {
			ctx := context.Background()
			s := n.Store
			if _, err := s.LoadElectionFile(ctx, demoFile); err != nil {
				t.Fatal(err)
			}
			f := parse(t, readFile(t, demoFile))
			f.Election.Code = "ka-long-2025"
			f.Election.Date = "2025-06-08"
			f.Election.Rules = models.RulesLuat2022
			rep, err := s.LoadElection(ctx, f)
			if err != nil || !rep.Created {
				t.Fatalf("second election: %v %+v", err, rep)
			}
			d := dumpTables(t, s)
			if len(d["wards"]) != 1 || len(d["elections"]) != 2 || len(d["areas"]) != 12 {
				t.Errorf("%d wards, %d elections, %d areas, want 1, 2, 12", len(d["wards"]), len(d["elections"]), len(d["areas"]))
			}
		})
	}
}

func TestLoadElectionKeepsCountedData(t *testing.T) {
	for _, n := range testdb.Stores(t) {
		t.Run(n.Name, func(t *testing.T) {
			ctx := context.Background()
			s := n.Store
			if _, err := s.LoadElectionFile(ctx, demoFile); err != nil {
				t.Fatal(err)
			}
			e, _ := s.ElectionByCode(ctx, "ka-long-2022")
			areas, _ := s.Areas(ctx, e.ID)
			kp2 := areas[1]
			reporter := &models.Contact{Channel: models.ChannelConsole, ExternalID: "9", Lang: "vi", Reachable: true}
			if err := s.DB(ctx).Create(reporter).Error; err != nil {
				t.Fatal(err)
			}
			tally := &models.Tally{AreaID: kp2.ID, Version: 1, ReporterID: reporter.ID, Method: models.MethodHands,
				Households: kp2.Households, Attending: 200, Status: models.TallyProvisional, CreatedAt: time.Now().UTC()}
			if err := s.DB(ctx).Create(tally).Error; err != nil {
				t.Fatal(err)
			}
			if err := s.DB(ctx).Create(&models.TallyVote{TallyID: tally.ID, CandidateID: kp2.Candidates[2].ID, Votes: 12}).Error; err != nil {
				t.Fatal(err)
			}
			before := dumpTables(t, s)
			for _, tc := range []struct {
				name string
				edit func(f *models.ElectionFile)
				want string
			}{
				{"candidate with votes dropped", func(f *models.ElectionFile) { f.Areas[1].Candidates = f.Areas[1].Candidates[:2] },
					"areas[1].candidates: ballot number 3 (Hoàng Văn Đức) has votes in a tally: loading would delete them; keep the candidate in the file"},
				{"area with a tally dropped", func(f *models.ElectionFile) { f.Areas = append(f.Areas[:1], f.Areas[2:]...) },
					"area kp2 is not in the file but has 0 voters and 1 tally: loading would delete them; keep it in the file"},
			} {
				t.Run(tc.name, func(t *testing.T) {
					f := parse(t, readFile(t, demoFile))
					tc.edit(f)
					_, err := s.LoadElection(ctx, f)
					if models.ErrorCode(err) != models.ECONFLICT || models.ErrorMessage(err) != tc.want {
						t.Fatalf("load: %v, want conflict %q", err, tc.want)
					}
					sameDump(t, before, dumpTables(t, s))
				})
			}
		})
	}
}
