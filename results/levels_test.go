package results_test

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"electionbot/demo"
	"electionbot/internal/testdb"
	"electionbot/results"
)

// counts is a roll-up's progress: received, recognised, elected, re-run.
type counts struct{ areas, received, recognised, elected, rerun, provisional, conflict, households int }

func countsOf(r results.RollUp) counts {
	return counts{r.Areas, r.Received, r.Recognised, r.Elected, r.Rerun, r.Provisional, r.Conflict, r.Households}
}

func TestLevelsRollUpCounts(t *testing.T) {
	for _, n := range testdb.Stores(t) {
		t.Run(n.Name, func(t *testing.T) {
			seedProvince(t, n.Store)
			for _, admin := range []bool{false, true} {
				r, err := results.Load(context.Background(), n.Store, provinceCode, admin, electionDay)
				if err != nil {
					t.Fatal(err)
				}
				if !r.MultiWard() || r.Election.Province != "Quảng Ninh" || r.Election.Ward != "" || r.Election.City != "" {
					t.Fatalf("admin=%v: multi %v, place %+v", admin, r.MultiWard(), r.Election)
				}
				// Provisional and conflict are the officials' only.
				pc := func(p, c int) (int, int) {
					if admin {
						return p, c
					}
					return 0, 0
				}
				p1, c0 := pc(1, 0)
				p0, c1 := pc(0, 1)
				want := map[string]counts{
					"ward ka-long":           {2, 2, 1, 1, 0, p1, c0, 599},
					"ward hai-hoa":           {2, 1, 1, 1, 0, 0, 0, 450},
					"ward tan-lap":           {2, 2, 1, 0, 1, p0, c1, 330},
					"city tp-mong-cai":       {4, 3, 2, 2, 0, p1, c0, 1049},
					"city huyen-dam-ha":      {2, 2, 1, 0, 1, p0, c1, 330},
					"province Quảng Ninh":    {6, 5, 3, 2, 1, p1, c1, 1379},
					"progress (whole page) ": {6, 5, 3, 2, 1, p1, c1, 1379},
				}
				got := map[string]counts{"progress (whole page) ": countsOf(r.Progress)}
				for _, ru := range r.RollUps {
					key := ru.Level + " " + ru.Code
					if ru.Level == "province" {
						key = "province " + ru.Name
					}
					got[key] = countsOf(ru)
				}
				for k, w := range want {
					if got[k] != w {
						t.Errorf("admin=%v %s = %+v, want %+v", admin, k, got[k], w)
					}
				}
				if len(got) != len(want) {
					t.Errorf("admin=%v roll-ups %v", admin, got)
				}
				cities := r.Cities()
				if len(cities) != 2 || cities[0].Name != "TP Móng Cái" || len(cities[0].Wards) != 2 ||
					cities[0].Wards[1].Name != "Phường Hải Hòa" || cities[0].Wards[1].City != "TP Móng Cái" ||
					cities[1].Name != "Huyện Đầm Hà" || len(cities[1].Wards) != 1 || cities[1].Wards[0].Code != "tan-lap" {
					t.Errorf("admin=%v cities %+v", admin, cities)
				}
				// Two kp1, each of its own ward.
				var kp1s []string
				for _, a := range r.Areas {
					if a.Code == "kp1" {
						kp1s = append(kp1s, a.WardCode+":"+a.Ward+":"+a.City+":"+strconv.Itoa(a.Tally.WinnerVotes))
					}
				}
				if !slices.Equal(kp1s, []string{"ka-long:Phường Ka Long:TP Móng Cái:250", "hai-hoa:Phường Hải Hòa:TP Móng Cái:190"}) {
					t.Errorf("admin=%v kp1s %v", admin, kp1s)
				}
			}
			// One ward: read alone, its place in the header.
			src := &countingSource{Store: n.Store}
			r, err := results.LoadScope(context.Background(), src, provinceCode, results.Scope{Ward: "hai-hoa"}, false, electionDay)
			if err != nil {
				t.Fatal(err)
			}
			if src.whole != 0 || src.ward != 1 || len(r.Areas) != 2 || r.MultiWard() || r.Election.Ward != "Phường Hải Hòa" ||
				r.Election.City != "TP Móng Cái" || r.Election.Province != "Quảng Ninh" || r.Progress.Elected != 1 {
				t.Errorf("ward view: %d whole, %d ward reads; %d areas; %+v %+v", src.whole, src.ward, len(r.Areas), r.Election, r.Progress)
			}
			r, err = results.LoadScope(context.Background(), n.Store, provinceCode, results.Scope{City: "TP Móng Cái"}, false, electionDay)
			if err != nil || len(r.Areas) != 4 || !r.MultiWard() || r.Election.City != "TP Móng Cái" || r.Election.Ward != "" {
				t.Errorf("city view: %v %+v", err, r)
			}
		})
	}
}

// levelsServer serves the province election.
func levelsServer(t *testing.T) (string, func(string) (int, string)) {
	t.Helper()
	s := testdb.SQLite(t)
	seedProvince(t, s)
	_, ts := newServer(t, s, electionDay, results.Options{})
	base := ts.URL + "/results/" + provinceCode
	return base, func(u string) (int, string) {
		status, body, _ := get(t, u)
		return status, body
	}
}

// wardRow is the <tr> of one ward on a page of several wards.
func wardRow(t *testing.T, page, code string) string {
	t.Helper()
	start := strings.Index(page, `id="ward-`+code+`"`)
	if start < 0 {
		t.Fatalf("no ward %s on the page", code)
	}
	end := strings.Index(page[start:], "</tr>")
	return page[start : start+end]
}

func TestLevelsProvincePage(t *testing.T) {
	base, fetch := levelsServer(t)
	status, page := fetch(base)
	if status != 200 {
		t.Fatalf("%d", status)
	}
	expect := func(what, s string, wants ...string) {
		t.Helper()
		for _, w := range wants {
			if !strings.Contains(s, w) {
				t.Errorf("%s lacks %q:\n%s", what, w, s)
			}
		}
	}
	expect("province page", page, `id="levels"`, "<p>Quảng Ninh</p>", "Đã công nhận 3/6 khu dân cư (50%)",
		`href="?city=tp-mong-cai"`, `href="?city=huyen-dam-ha"`, "TP Móng Cái", "Huyện Đầm Hà", "2 xã, phường", "Tổng cộng")
	expect("Ka Long row", wardRow(t, page, "ka-long"), `href="?ward=ka-long"`, "Phường Ka Long",
		`data-received="2" data-recognised="1" data-elected="1" data-total="2"`, "<td>2/2</td>")
	expect("Hải Hòa row", wardRow(t, page, "hai-hoa"), `href="?ward=hai-hoa"`, `data-received="1"`, "<td>1/2</td>")
	expect("Tân Lập row", wardRow(t, page, "tan-lap"), `href="?ward=tan-lap"`, `data-elected="0"`)
	// The roll-up, not the areas.
	if strings.Contains(page, `id="area-`) || strings.Contains(page, `id="crumbs"`) {
		t.Error("the province page lists areas or has a way up")
	}
	// Nothing provisional at any level.
	_, text, _ := strings.Cut(page, "</style>")
	for _, secret := range []string{strconv.Itoa(klKp2ProvisionalAttending), strconv.Itoa(klKp2ProvisionalVotes1),
		strconv.Itoa(tlThon2ConflictVotes1), strconv.Itoa(tlThon2FirstVotes1), "PHOTO-", "Tạm thời", "Mâu thuẫn", "tạm thời", "mâu thuẫn"} {
		if strings.Contains(text, secret) {
			t.Errorf("public province page shows %q", secret)
		}
	}
	// English keeps the language in the links.
	_, en := fetch(base + "?lang=en")
	expect("en page", en, "Progress by city and ward", `href="?lang=en&amp;ward=ka-long"`, "wards and communes: 2")

	// A city: its wards only, a way back up.
	_, city := fetch(base + "?city=tp-mong-cai")
	expect("city page", city, `id="ward-ka-long"`, `id="ward-hai-hoa"`, "<p>TP Móng Cái, Quảng Ninh</p>",
		`<a href="?">Quảng Ninh</a>`, `<span aria-current="page">TP Móng Cái</span>`)
	if strings.Contains(city, `id="ward-tan-lap"`) {
		t.Error("the city page has another city's ward")
	}
	if _, byName := fetch(base + "?city=" + url.QueryEscape("TP Móng Cái")); !strings.Contains(byName, `id="ward-hai-hoa"`) {
		t.Error("?city= by name")
	}
}

func TestLevelsWardDrillDown(t *testing.T) {
	base, fetch := levelsServer(t)
	_, hh := fetch(base + "?ward=hai-hoa")
	kp1 := areaBlock(t, hh, "kp1")
	if !strings.Contains(kp1, "Hoàng Văn Em") || strings.Contains(kp1, "Nguyễn Văn An") || !strings.Contains(kp1, "190 phiếu") {
		t.Errorf("Hải Hòa's kp1:\n%s", kp1)
	}
	for _, w := range []string{"<p>Phường Hải Hòa, TP Móng Cái, Quảng Ninh</p>", `<a href="?">Quảng Ninh</a>`,
		`<a href="?city=tp-mong-cai">TP Móng Cái</a>`, `aria-current="page">Phường Hải Hòa<`, `id="rollups"`,
		`href="qn-levels-2022.json?ward=hai-hoa"`, `href="?lang=en&amp;ward=hai-hoa"`} {
		if !strings.Contains(hh, w) {
			t.Errorf("Hải Hòa's page lacks %q", w)
		}
	}
	if strings.Contains(hh, "Khu phố 1</span>") && strings.Count(hh, `id="area-`) != 2 || strings.Contains(hh, `id="levels"`) {
		t.Errorf("Hải Hòa's page has %d areas or the levels", strings.Count(hh, `id="area-`))
	}
	_, kl := fetch(base + "?ward=ka-long")
	if kp1 := areaBlock(t, kl, "kp1"); !strings.Contains(kp1, "Nguyễn Văn An") || !strings.Contains(kp1, "250 phiếu") {
		t.Errorf("Ka Long's kp1:\n%s", kp1)
	}
	kp2 := areaBlock(t, kl, "kp2")
	if !strings.Contains(kp2, `data-state="awaiting-recognition"`) || strings.Contains(kp2, strconv.Itoa(klKp2ProvisionalVotes1)) ||
		strings.Contains(kl, strconv.Itoa(klKp2ProvisionalAttending)) {
		t.Errorf("Ka Long's provisional kp2 in public:\n%s", kp2)
	}
	// A ward or city the election does not have; an unknown election.
	for _, c := range []struct{ path, want string }{
		{"?ward=no-such", "Không tìm thấy xã, phường"},
		{"?city=nowhere&lang=en", "Ward not found"},
		{".json?ward=no-such", `"status":404`},
	} {
		status, body := fetch(base + c.path)
		if status != 404 || !strings.Contains(body, c.want) {
			t.Errorf("%s → %d\n%s", c.path, status, body)
		}
	}
	if status, body := fetch(strings.Replace(base, provinceCode, "no-such-2022", 1) + "?ward=ka-long"); status != 404 || !strings.Contains(body, "Không tìm thấy cuộc bầu cử") {
		t.Errorf("unknown election with a ward → %d\n%s", status, body)
	}
}

func TestLevelsFeeds(t *testing.T) {
	base, fetch := levelsServer(t)
	_, body := fetch(base + ".json")
	var f results.Feed
	if err := json.Unmarshal([]byte(body), &f); err != nil {
		t.Fatal(err)
	}
	if f.Scope.Level != "election" || len(f.Areas) != 6 || f.Areas[2].WardCode != "hai-hoa" || f.Areas[2].Code != "kp1" ||
		f.Areas[2].City != "TP Móng Cái" || f.Areas[2].Ward != "Phường Hải Hòa" {
		t.Errorf("feed scope %+v, areas %+v", f.Scope, f.Areas)
	}
	var wards []string
	for _, ru := range f.RollUps {
		if ru.Level == "ward" {
			wards = append(wards, ru.Code+"@"+ru.City+":"+strconv.Itoa(ru.Received)+"/"+strconv.Itoa(ru.Areas))
		}
	}
	if !slices.Equal(wards, []string{"ka-long@TP Móng Cái:2/2", "hai-hoa@TP Móng Cái:1/2", "tan-lap@Huyện Đầm Hà:2/2"}) {
		t.Errorf("feed wards %v", wards)
	}
	for _, s := range []string{`"provisional"`, `"conflict"`, "PHOTO-", strconv.Itoa(klKp2ProvisionalVotes1)} {
		if strings.Contains(body, s) {
			t.Errorf("public feed has %s", s)
		}
	}
	_, body = fetch(base + ".json?ward=tan-lap")
	f = results.Feed{}
	if err := json.Unmarshal([]byte(body), &f); err != nil {
		t.Fatal(err)
	}
	if f.Scope != (results.FeedScope{Level: "ward", Code: "tan-lap"}) || len(f.Areas) != 2 || f.Election.Ward.Name != "Xã Tân Lập" ||
		f.Progress.RerunNeeded != 1 {
		t.Errorf("ward feed %+v %+v %+v", f.Scope, f.Election.Ward, f.Progress)
	}

	// CSV: the columns of ever, each row its own ward.
	_, body = fetch(base + ".csv")
	rows, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(rows[0], results.CSVHeader) || len(rows) != 7 {
		t.Fatalf("csv %v, %d rows", rows[0], len(rows))
	}
	if got := rows[3][1] + "|" + rows[3][2] + "|" + rows[3][3] + "|" + rows[3][4]; got != "Quảng Ninh|TP Móng Cái|Phường Hải Hòa|kp1" {
		t.Errorf("csv row 3: %s", got)
	}
	_, body = fetch(base + ".csv?ward=hai-hoa")
	if rows, _ := csv.NewReader(strings.NewReader(body)).ReadAll(); len(rows) != 3 || rows[1][3] != "Phường Hải Hòa" {
		t.Errorf("ward csv %v", rows)
	}
}

func TestLevelsOfficialsLinks(t *testing.T) {
	s := testdb.SQLite(t)
	seedProvince(t, s)
	_, ts := newServer(t, s, electionDay, results.Options{})
	exp := electionDay.Add(time.Hour)

	// The whole election's link opens every level, its links keep it.
	all := results.SignAdminLink(ts.URL, provinceCode, testKey, exp)
	status, page, _ := get(t, all)
	if status != 200 || !strings.Contains(page, `id="admin-banner"`) || !strings.Contains(page, "Tạm thời") {
		t.Fatalf("officials' province page %d", status)
	}
	u, _ := url.Parse(all)
	sig := u.Query().Get("sig")
	if row := wardRow(t, page, "ka-long"); !strings.Contains(row, "sig="+sig) || !strings.Contains(row, "&amp;ward=ka-long") ||
		!strings.Contains(row, "<td>1</td><td>0</td>") {
		t.Errorf("officials' Ka Long row:\n%s", row)
	}
	status, page, _ = get(t, all+"&ward=ka-long")
	if status != 200 || !strings.Contains(areaBlock(t, page, "kp2"), strconv.Itoa(klKp2ProvisionalVotes1)) ||
		!strings.Contains(page, `<a href="?city=tp-mong-cai&amp;exp=`+u.Query().Get("exp")+"&amp;sig="+sig+`">TP Móng Cái</a>`) {
		t.Errorf("officials' Ka Long page %d", status)
	}

	// A ward's link opens that ward only, and links nowhere above it.
	ward := results.SignWardAdminLink(ts.URL, provinceCode, "ka-long", testKey, exp)
	status, page, _ = get(t, ward)
	if status != 200 || !strings.Contains(areaBlock(t, page, "kp2"), strconv.Itoa(klKp2ProvisionalVotes1)) || strings.Contains(page, `id="crumbs"`) {
		t.Errorf("ward link → %d", status)
	}
	for name, link := range map[string]string{
		"other ward":     strings.Replace(ward, "ward=ka-long", "ward=hai-hoa", 1),
		"whole election": strings.Replace(ward, "&ward=ka-long", "", 1),
		"city":           strings.Replace(ward, "ward=ka-long", "city=tp-mong-cai", 1),
	} {
		if status, _, _ := get(t, link); status != 403 {
			t.Errorf("ward link widened to %s → %d, want 403", name, status)
		}
	}
	if _, bound, err := results.VerifyAdminScope(provinceCode, "ka-long", u.Query().Get("exp"), sig, testKey, electionDay); err != nil || bound {
		t.Errorf("whole link for a ward: bound %v, %v", bound, err)
	}
}

func TestLevelsCachePerScope(t *testing.T) {
	s := testdb.SQLite(t)
	seedProvince(t, s)
	src := &countingSource{Store: s}
	_, ts := newServer(t, src, electionDay, results.Options{})
	base := ts.URL + "/results/" + provinceCode
	for _, path := range []string{"?ward=ka-long", "?ward=ka-long&lang=en", ".json?ward=ka-long", "?ward=hai-hoa", "", ".csv", "?city=tp-mong-cai"} {
		if status, _, _ := get(t, base+path); status != 200 {
			t.Fatalf("%s → %d", path, status)
		}
	}
	// One read per ward (alone), one of the whole election (its CSV; its
	// page is the wards' standings), none for the city's page (the
	// standings too).
	if src.ward != 2 || src.whole != 1 {
		t.Errorf("%d ward reads, %d whole reads; want 2 and 1", src.ward, src.whole)
	}
}

// A one-ward election keeps its page: no levels, no way up.
func TestLevelsOneWardPageUnchanged(t *testing.T) {
	s := testdb.SQLite(t)
	seedKaLong(t, s)
	_, ts := newServer(t, s, electionDay, results.Options{})
	_, page, _ := get(t, ts.URL+"/results/"+demo.ElectionCode)
	if strings.Contains(page, `id="levels"`) || strings.Contains(page, `id="crumbs"`) || strings.Count(page, `id="area-`) != 6 ||
		!strings.Contains(page, "<p>Phường Ka Long, TP Móng Cái, Quảng Ninh</p>") {
		t.Error("the one-ward page changed")
	}
	r, err := results.Load(context.Background(), s, demo.ElectionCode, false, electionDay)
	if err != nil || r.MultiWard() || len(r.Cities()) != 1 || r.Cities()[0].Wards[0].Code != "ka-long" {
		t.Errorf("one ward: %v %+v", err, r.Cities())
	}
}

func TestRollupMessagesAreThePagesKeys(t *testing.T) {
	var law []string
	for _, id := range results.LawMessageIDs {
		if strings.HasPrefix(id, "law_results_") {
			law = append(law, id)
		}
	}
	for _, c := range []struct {
		file, prefix string
		want         []string
	}{{"rollup", "rollup_", results.RollupMessageIDs}, {"law", "law_results_", law}} {
		want := slices.Sorted(slices.Values(c.want))
		for _, lang := range results.Languages {
			buf, err := os.ReadFile(filepath.Join("..", "locales", c.file+"."+lang+".yaml"))
			if err != nil {
				t.Fatal(err)
			}
			var m map[string]any
			if err := yaml.Unmarshal(buf, &m); err != nil {
				t.Fatal(err)
			}
			var got []string
			for k := range m {
				if strings.HasPrefix(k, c.prefix) {
					got = append(got, k)
				}
			}
			slices.Sort(got)
			if !slices.Equal(got, want) {
				t.Errorf("%s.%s.yaml %s* keys differ from the package's ids:\n%v\n%v", c.file, lang, c.prefix, got, want)
			}
		}
	}
}

func TestOfficialsLinks(t *testing.T) {
	now := func() time.Time { return electionDay }
	link := results.OfficialsLinks("https://kq.example.vn/", testKey, time.Hour, now)
	exp := strconv.FormatInt(electionDay.Add(time.Hour).Unix(), 10)
	all, ward := link("qn-2022", ""), link("qn-2022", "ka-long")
	if !strings.HasPrefix(all, "https://kq.example.vn/results/qn-2022?exp="+exp+"&sig=") || strings.Contains(all, "ward") {
		t.Errorf("election link %s", all)
	}
	u, _ := url.Parse(ward)
	q := u.Query()
	if _, bound, err := results.VerifyAdminScope("qn-2022", "ka-long", q.Get("exp"), q.Get("sig"), testKey, electionDay); err != nil || !bound {
		t.Errorf("ward link %s: bound %v, %v", ward, bound, err)
	}
	if got := results.OfficialsLinks("https://kq.example.vn", nil, time.Hour, now)("qn-2022", "ka-long"); got != "https://kq.example.vn/results/qn-2022?ward=ka-long" {
		t.Errorf("without a key: %s", got)
	}
	if got := results.OfficialsLinks(" ", testKey, time.Hour, now)("qn-2022", ""); got != "" {
		t.Errorf("without a base: %q", got)
	}
}
