package results_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"electionbot/demo"
	"electionbot/internal/testdb"
	"electionbot/models"
	"electionbot/results"
)

func TestElectionResultsOneQueryRollUp(t *testing.T) {
	for _, n := range testdb.Stores(t) {
		t.Run(n.Name, func(t *testing.T) {
			seedKaLong(t, n.Store)
			e, areas, err := n.Store.ElectionResults(context.Background(), demo.ElectionCode)
			if err != nil {
				t.Fatal(err)
			}
			if e.Code != demo.ElectionCode || e.Ward == nil || e.Ward.Name != "Phường Ka Long" || e.Ward.Province != "Quảng Ninh" {
				t.Fatalf("election = %+v ward %+v", e, e.Ward)
			}
			if len(areas) != 6 {
				t.Fatalf("%d areas, want 6", len(areas))
			}
			got := map[string]*models.AreaTallies{}
			for _, a := range areas {
				got[a.Area.Code] = a
			}
			kp1 := got["kp1"]
			if len(kp1.Area.Candidates) != 2 || kp1.Area.Candidates[0].Name != "Nguyễn Văn An" || kp1.Latest == nil ||
				kp1.Latest.Status != models.TallyAccepted || len(kp1.Latest.Votes) != 2 || kp1.Latest.Votes[0].Votes != 250 {
				t.Fatalf("kp1 = %+v latest %+v", kp1.Area, kp1.Latest)
			}
			kp3 := got["kp3"]
			if kp3.Latest == nil || kp3.Latest.Version != 2 || kp3.Latest.Status != models.TallyConflict ||
				kp3.Previous == nil || kp3.Previous.Version != 1 || kp3.Previous.Votes[0].Votes != kp3FirstVotes1 {
				t.Fatalf("kp3 latest %+v previous %+v", kp3.Latest, kp3.Previous)
			}
			if got["kp2"].Previous != nil {
				t.Fatalf("kp2 (provisional) has a previous version %+v", got["kp2"].Previous)
			}
			if got["kp6"].Latest == nil || got["kp5"].Latest.Status != models.TallyRejected {
				t.Fatalf("kp5 %+v kp6 %+v", got["kp5"].Latest, got["kp6"].Latest)
			}
			if _, _, err := n.Store.ElectionResults(context.Background(), "no-such"); models.ErrorCode(err) != models.ENOTFOUND {
				t.Fatalf("unknown election: %v, want not-found", err)
			}
		})
	}
}

func TestBuildStates(t *testing.T) {
	s := testdb.SQLite(t)
	seedKaLong(t, s)
	ctx := context.Background()
	want := map[bool]map[string]results.State{
		false: {"kp1": results.StateAccepted, "kp2": results.StateAwaiting, "kp3": results.StateAwaiting,
			"kp4": results.StateRerun, "kp5": results.StateNotReported, "kp6": results.StateAccepted},
		true: {"kp1": results.StateAccepted, "kp2": results.StateProvisional, "kp3": results.StateConflict,
			"kp4": results.StateRerun, "kp5": results.StateNotReported, "kp6": results.StateAccepted},
	}
	for admin, states := range want {
		r, err := results.Load(ctx, s, demo.ElectionCode, admin, electionDay)
		if err != nil {
			t.Fatal(err)
		}
		for code, st := range states {
			if got := r.Area(code).State; got != st {
				t.Errorf("admin=%v %s: state %s, want %s", admin, code, got, st)
			}
		}
		p := r.Progress
		if p.Areas != 6 || p.Recognised != 3 || p.Elected != 2 || p.Rerun != 1 || p.Received != 5 {
			t.Errorf("admin=%v progress %+v", admin, p)
		}
		if !r.Counting {
			t.Errorf("admin=%v: not counting on election day with 3/6 recognised", admin)
		}
		kp1 := r.Area("kp1").Tally
		if kp1.Winner == nil || kp1.Winner.Name != "Nguyễn Văn An" || kp1.WinnerVotes != 250 ||
			fmt.Sprintf("%.2f", kp1.WinnerPercent) != "80.13" {
			t.Errorf("kp1 winner %+v %d %.2f", kp1.Winner, kp1.WinnerVotes, kp1.WinnerPercent)
		}
		if kp4 := r.Area("kp4").Tally; kp4.OutcomeKind != models.OutcomeRerun || kp4.RerunWithinDays != 15 {
			t.Errorf("kp4 outcome %s within %d", kp4.OutcomeKind, kp4.RerunWithinDays)
		}
		// turnout of the recognised areas: (290+300+200)/(312+341+226)
		if got := fmt.Sprintf("%.2f", p.TurnoutPercent()); got != "89.87" {
			t.Errorf("turnout %s", got)
		}
		if len(r.RollUps) != 3 || r.RollUps[0].Level != "ward" || r.RollUps[0].Name != "Phường Ka Long" ||
			r.RollUps[1].Name != "TP Móng Cái" || r.RollUps[2].Name != "Quảng Ninh" || r.RollUps[2].Recognised != 3 {
			t.Errorf("rollups %+v", r.RollUps)
		}
		if !admin {
			for _, code := range []string{"kp2", "kp3", "kp5", "kp6"} {
				a := r.Area(code)
				if code != "kp6" && (a.Tally != nil || a.Previous != nil) {
					t.Errorf("public %s has numbers: %+v", code, a.Tally)
				}
				for _, c := range a.Candidates {
					if code != "kp6" && c.Votes != nil {
						t.Errorf("public %s candidate %s has votes", code, c.Name)
					}
				}
			}
			if r.Area("kp1").Tally.PhotoRef != "" || p.Provisional != 0 || p.Conflict != 0 {
				t.Errorf("public view has photo %q or provisional counts %+v", r.Area("kp1").Tally.PhotoRef, p)
			}
		}
	}
}

func TestPublicViewNeverShowsProvisionalNumbers(t *testing.T) {
	for _, n := range testdb.Stores(t) {
		t.Run(n.Name, func(t *testing.T) {
			seedKaLong(t, n.Store)
			_, ts := newServer(t, n.Store, electionDay, results.Options{})
			base := ts.URL + "/results/" + demo.ElectionCode
			secrets := []string{kp2Photo, kp3Photo, kp1Photo}
			for _, lang := range []string{"", "?lang=en"} {
				status, page, ctype := get(t, base+lang)
				if status != 200 || !strings.HasPrefix(ctype, "text/html") {
					t.Fatalf("GET %s%s: %d %s", base, lang, status, ctype)
				}
				for _, s := range secrets {
					if strings.Contains(page, s) {
						t.Errorf("public page shows photo reference %s", s)
					}
				}
				for _, code := range []string{"kp2", "kp3"} {
					blk := areaBlock(t, page, code)
					for _, num := range []int{kp2ProvisionalAttending, kp2ProvisionalVotes1, kp3ConflictAttending, kp3ConflictVotes1, kp3FirstVotes1, 273, 247, 246} {
						if strings.Contains(blk, strconv.Itoa(num)) {
							t.Errorf("public page, area %s shows %d:\n%s", code, num, blk)
						}
					}
					if !strings.Contains(blk, `data-state="awaiting-recognition"`) {
						t.Errorf("public %s is not awaiting recognition:\n%s", code, blk)
					}
				}
				_, text, _ := strings.Cut(page, "</style>") // class names may say it
				for _, word := range []string{"provisional", "conflict", "tạm thời", "mâu thuẫn", "Dẫn đầu", "Leading"} {
					if strings.Contains(strings.ToLower(text), strings.ToLower(word)) {
						t.Errorf("public page%s says %q", lang, word)
					}
				}
			}

			// JSON: no tally, no votes for kp2/kp3, no photo anywhere.
			_, body, ctype := get(t, base+".json")
			if !strings.HasPrefix(ctype, "application/json") {
				t.Fatalf("json content type %s", ctype)
			}
			var f results.Feed
			if err := json.Unmarshal([]byte(body), &f); err != nil {
				t.Fatal(err)
			}
			if f.View != results.ViewPublic || f.Progress.Provisional != nil || f.Progress.Conflict != nil {
				t.Errorf("public feed view %s progress %+v", f.View, f.Progress)
			}
			for _, a := range f.Areas {
				if a.Code == "kp2" || a.Code == "kp3" || a.Code == "kp5" {
					if a.Tally != nil || a.Previous != nil {
						t.Errorf("public feed %s has a tally", a.Code)
					}
					for _, c := range a.Candidates {
						if c.Votes != nil {
							t.Errorf("public feed %s candidate %d has votes", a.Code, c.BallotNo)
						}
					}
				}
				if a.Tally != nil && a.Tally.PhotoRef != "" {
					t.Errorf("public feed %s has photo %s", a.Code, a.Tally.PhotoRef)
				}
			}
			for _, s := range append(secrets, `"provisional"`, `"conflict"`, `"photo_ref"`) {
				if strings.Contains(body, s) {
					t.Errorf("public JSON contains %s", s)
				}
			}

			// CSV.
			_, body, _ = get(t, base+".csv")
			rows, err := csv.NewReader(strings.NewReader(body)).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			for _, row := range rows[1:] {
				if row[4] == "kp2" || row[4] == "kp3" {
					for i, cell := range row {
						// Only the candidates' names, the electorate and the ward's code may follow the state.
						if i > 7 && i != 24 && rows[0][i] != "electorate" && rows[0][i] != "ward_code" && cell != "" {
							t.Errorf("public CSV %s column %s = %q", row[4], rows[0][i], cell)
						}
					}
				}
			}
			for _, s := range append(secrets, "provisional", "conflict") {
				if strings.Contains(body, s) {
					t.Errorf("public CSV contains %s", s)
				}
			}
		})
	}
}

func TestAdminViewShowsProvisionalAndConflicts(t *testing.T) {
	s := testdb.SQLite(t)
	seedKaLong(t, s)
	_, ts := newServer(t, s, electionDay, results.Options{})
	link := results.SignAdminLink(ts.URL, demo.ElectionCode, testKey, electionDay.Add(24*time.Hour))
	status, page, _ := get(t, link)
	if status != 200 {
		t.Fatalf("admin link: %d\n%s", status, page)
	}
	if !strings.Contains(page, `id="admin-banner"`) || !strings.Contains(page, "noindex") {
		t.Error("admin page has no banner or robots noindex")
	}
	kp2 := areaBlock(t, page, "kp2")
	for _, want := range []string{`data-state="provisional"`, "Tạm thời, chờ công nhận", "Dẫn đầu (tạm thời): Phạm Văn Cường",
		strconv.Itoa(kp2ProvisionalAttending), strconv.Itoa(kp2ProvisionalVotes1), kp2Photo} {
		if !strings.Contains(kp2, want) {
			t.Errorf("admin kp2 lacks %q:\n%s", want, kp2)
		}
	}
	kp3 := areaBlock(t, page, "kp3")
	for _, want := range []string{`data-state="conflict"`, "Số liệu mâu thuẫn", "Khác với phiên bản 1",
		strconv.Itoa(kp3ConflictVotes1), strconv.Itoa(kp3FirstVotes1), kp3Photo} {
		if !strings.Contains(kp3, want) {
			t.Errorf("admin kp3 lacks %q:\n%s", want, kp3)
		}
	}
	// Feed links keep the signature; the language switch too.
	if !strings.Contains(page, "ka-long-2022.json?exp=") || !strings.Contains(page, "lang=en") {
		t.Error("admin page links lose the signature")
	}
	u, _ := url.Parse(link)
	q := u.Query()
	_, body, _ := get(t, ts.URL+"/results/"+demo.ElectionCode+".json?"+q.Encode())
	var f results.Feed
	if err := json.Unmarshal([]byte(body), &f); err != nil {
		t.Fatal(err)
	}
	if f.View != results.ViewAdmin || f.Progress.Provisional == nil || *f.Progress.Provisional != 1 || *f.Progress.Conflict != 1 {
		t.Fatalf("admin feed view %s progress %+v", f.View, f.Progress)
	}
	for _, a := range f.Areas {
		if a.Code == "kp3" && (a.Tally == nil || a.Tally.PhotoRef != kp3Photo || a.Previous == nil || a.Previous.Version != 1) {
			t.Errorf("admin feed kp3 %+v", a)
		}
	}
}

func TestAdminLinkForbidden(t *testing.T) {
	s := testdb.SQLite(t)
	seedKaLong(t, s)
	_, ts := newServer(t, s, electionDay, results.Options{})
	good := results.SignAdminLink(ts.URL, demo.ElectionCode, testKey, electionDay.Add(time.Hour))
	u, _ := url.Parse(good)
	q := u.Query()
	sig, exp := q.Get("sig"), q.Get("exp")
	flip := func(s string) string {
		b := []byte(s)
		if b[0] == 'a' {
			b[0] = 'b'
		} else {
			b[0] = 'a'
		}
		return string(b)
	}
	base := ts.URL + "/results/" + demo.ElectionCode
	expired := results.SignAdminLink(ts.URL, demo.ElectionCode, testKey, electionDay.Add(-time.Second))
	cases := map[string]string{
		"expired":             expired,
		"expires now":         results.SignAdminLink(ts.URL, demo.ElectionCode, testKey, electionDay),
		"tampered signature":  base + "?exp=" + exp + "&sig=" + flip(sig),
		"later expiry":        base + "?exp=" + strconv.FormatInt(electionDay.Add(48*time.Hour).Unix(), 10) + "&sig=" + sig,
		"other election":      ts.URL + "/results/other-2022?exp=" + exp + "&sig=" + sig,
		"other key":           results.SignAdminLink(ts.URL, demo.ElectionCode, []byte("another key"), electionDay.Add(time.Hour)),
		"signature only":      base + "?sig=" + sig,
		"expiry only":         base + "?exp=" + exp,
		"not hex":             base + "?exp=" + exp + "&sig=zz",
		"padded expiry":       base + "?exp=0" + exp + "&sig=" + sig,
		"json tampered":       base + ".json?exp=" + exp + "&sig=" + flip(sig),
		"csv expired":         strings.Replace(expired, demo.ElectionCode+"?", demo.ElectionCode+".csv?", 1),
		"english and expired": expired + "&lang=en",
	}
	for name, link := range cases {
		status, body, _ := get(t, link)
		if status != 403 {
			t.Errorf("%s: %s → %d, want 403", name, link, status)
			continue
		}
		if strings.Contains(body, kp2Photo) || strings.Contains(body, "data-state") || strings.Contains(body, "sig=") {
			t.Errorf("%s: 403 page leaks data", name)
		}
		wantText := "hết hạn"
		if strings.Contains(link, "lang=en") {
			wantText = "expired"
		}
		if !strings.Contains(link, ".json") && !strings.Contains(body, wantText) {
			t.Errorf("%s: 403 page not localised:\n%s", name, body)
		}
	}
	if status, _, _ := get(t, good); status != 200 {
		t.Errorf("good link → %d", status)
	}

	// Without a key, no link is an officials' link.
	srv, err := results.New(s, nil, results.Options{Bundle: testBundle(t), Now: func() time.Time { return electionDay }})
	if err != nil {
		t.Fatal(err)
	}
	rec := serve(srv, strings.TrimPrefix(good, ts.URL))
	if rec.Code != 403 {
		t.Errorf("no key: good link → %d, want 403", rec.Code)
	}
}

func TestVerifyAdmin(t *testing.T) {
	exp := electionDay.Add(time.Hour)
	link := results.SignAdminLink("https://bot.example.vn/", "ka-long-2022", testKey, exp)
	want := fmt.Sprintf("https://bot.example.vn/results/ka-long-2022?exp=%d&sig=", exp.Unix())
	if !strings.HasPrefix(link, want) || len(link) != len(want)+64 {
		t.Fatalf("link %s", link)
	}
	u, _ := url.Parse(link)
	got, err := results.VerifyAdmin("ka-long-2022", u.Query().Get("exp"), u.Query().Get("sig"), testKey, electionDay)
	if err != nil || !got.Equal(exp.Truncate(time.Second)) {
		t.Fatalf("verify: %v %v", got, err)
	}
	if _, err := results.VerifyAdmin("ka-long-2022", u.Query().Get("exp"), u.Query().Get("sig"), testKey, exp); err != results.ErrExpired {
		t.Fatalf("at expiry: %v", err)
	}
}

func TestFeeds(t *testing.T) {
	s := testdb.SQLite(t)
	seedKaLong(t, s)
	_, ts := newServer(t, s, electionDay, results.Options{})
	base := ts.URL + "/results/" + demo.ElectionCode

	_, body, _ := get(t, base+".json")
	// Field names are a public interface.
	var raw map[string]any
	if err := json.Unmarshal([]byte(body), &raw); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"format_version", "view", "generated_at", "counting", "election", "progress", "rollups", "areas"} {
		if _, ok := raw[k]; !ok {
			t.Errorf("JSON lacks %q", k)
		}
	}
	var f results.Feed
	if err := json.Unmarshal([]byte(body), &f); err != nil {
		t.Fatal(err)
	}
	if f.FormatVersion != 2 || f.Election.Code != demo.ElectionCode || f.Election.Ward.Name != "Phường Ka Long" ||
		f.Election.Rules != "nqlt-09-2008" || !f.Counting || f.Election.OpensAt != "2022-06-05T00:00:00Z" {
		t.Errorf("feed head %+v", f.Election)
	}
	if f.Progress.Areas != 6 || f.Progress.Recognised != 3 || f.Progress.Received != 5 || f.Progress.RerunNeeded != 1 ||
		f.Progress.RecognisedPercent != 50 || f.Progress.TurnoutPercent != 89.87 {
		t.Errorf("progress %+v", f.Progress)
	}
	kp1 := f.Areas[0]
	if kp1.Code != "kp1" || kp1.State != results.StateAccepted || kp1.Tally == nil || kp1.Tally.Winner == nil ||
		kp1.Tally.Winner.Name != "Nguyễn Văn An" || kp1.Tally.Winner.Votes != 250 || kp1.Tally.Winner.Percent != 80.13 ||
		kp1.Tally.Attending != 290 || *kp1.Tally.Valid != 285 || *kp1.Tally.Invalid != 4 || kp1.Tally.Outcome != "elected" ||
		!kp1.Candidates[0].Elected || *kp1.Candidates[1].Votes != 35 || *kp1.Candidates[1].Percent != 11.22 {
		t.Errorf("kp1 %+v tally %+v", kp1, kp1.Tally)
	}
	kp4 := f.Areas[3]
	if kp4.State != results.StateRerun || kp4.Tally.Outcome != "rerun" || kp4.Tally.RerunWithinDays != 15 || kp4.Tally.Winner != nil {
		t.Errorf("kp4 %+v", kp4.Tally)
	}

	status, body, ctype := get(t, base+".csv")
	if status != 200 || !strings.HasPrefix(ctype, "text/csv") {
		t.Fatalf("csv %d %s", status, ctype)
	}
	rows, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(rows[0], results.CSVHeader) || len(rows) != 7 {
		t.Fatalf("csv header %v, %d rows", rows[0], len(rows))
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	r1 := rows[1]
	for k, want := range map[string]string{"election_code": "ka-long-2022", "province": "Quảng Ninh", "ward": "Phường Ka Long",
		"area_code": "kp1", "households": "312", "state": "accepted", "version": "1", "attending": "290",
		"turnout_percent": "92.95", "valid": "285", "invalid": "4", "outcome": "elected", "winner_name": "Nguyễn Văn An",
		"winner_votes": "250", "winner_percent": "80.13", "votes": "1:250;2:35", "candidates": "1:Nguyễn Văn An;2:Trần Thị Bình",
		"photo_ref": ""} {
		if got := r1[col[k]]; got != want {
			t.Errorf("csv kp1 %s = %q, want %q", k, got, want)
		}
	}
	if rows[4][col["state"]] != "rerun-needed" || rows[4][col["rerun_within_days"]] != "15" || rows[5][col["state"]] != "not-reported" {
		t.Errorf("csv kp4 %v kp5 %v", rows[4], rows[5])
	}
}

func TestLanguages(t *testing.T) {
	s := testdb.SQLite(t)
	seedKaLong(t, s)
	_, ts := newServer(t, s, electionDay, results.Options{})
	base := ts.URL + "/results/" + demo.ElectionCode
	_, vi, _ := get(t, base)
	for _, want := range []string{`<html lang="vi">`, "Kết quả bầu cử", "Trúng cử: Nguyễn Văn An", "250 phiếu, bằng 80,13% tổng số cử tri đại diện hộ gia đình",
		"Đã công nhận 3/6 khu dân cư (50%)", "Phải bầu lại", "bầu lại vào ngày UBND cấp xã quyết định, chậm nhất 15 ngày sau lần bầu thứ nhất", "Chưa được công nhận", "Chưa báo cáo",
		"Tham dự: 290/312 hộ (92,95%)", `href="?lang=en"`, "Phường Ka Long", "05/06/2022"} {
		if !strings.Contains(vi, want) {
			t.Errorf("vi page lacks %q", want)
		}
	}
	_, en, _ := get(t, base+"?lang=en")
	for _, want := range []string{`<html lang="en">`, "Election results", "Elected: Nguyễn Văn An", "250 votes, 80.13% of all the household representatives",
		"3/6 areas recognised (50%)", "Re-run needed", "at the latest 15 days after the first", "Not yet recognised", "Not reported",
		"Turnout: 290/312 households (92.95%)", `href="?"`} {
		if !strings.Contains(en, want) {
			t.Errorf("en page lacks %q", want)
		}
	}
	if strings.Contains(en, "Trúng cử") || strings.Contains(vi, "Elected:") {
		t.Error("languages mixed")
	}
	// An unknown lang is the default.
	if _, page, _ := get(t, base+"?lang=fr"); !strings.Contains(page, `<html lang="vi">`) {
		t.Error("lang=fr is not Vietnamese")
	}
}

func TestUnknownElectionNotFound(t *testing.T) {
	s := testdb.SQLite(t)
	seedKaLong(t, s)
	_, ts := newServer(t, s, electionDay, results.Options{})
	for _, c := range []struct{ path, want string }{
		{"/results/no-such-2022", "Không tìm thấy cuộc bầu cử"},
		{"/results/no-such-2022?lang=en", "Election not found"},
		{"/results/%3Cscript%3Ealert(1)%3C%2Fscript%3E?lang=en", "&lt;script&gt;alert(1)&lt;/script&gt;"},
		{"/results/no-such-2022.json?lang=en", `"status": 404`},
		{"/results/no-such-2022.csv", "Không tìm thấy"},
	} {
		status, body, _ := get(t, ts.URL+c.path)
		if status != 404 {
			t.Errorf("%s → %d, want 404", c.path, status)
		}
		if !strings.Contains(strings.ReplaceAll(body, `"status":404`, `"status": 404`), c.want) {
			t.Errorf("%s lacks %q:\n%s", c.path, c.want, body)
		}
		if strings.Contains(body, "<script>") {
			t.Errorf("%s: unescaped script", c.path)
		}
	}
}

// fakeSource serves crafted rows and counts its queries.
type fakeSource struct {
	mu    sync.Mutex
	e     *models.Election
	areas []*models.AreaTallies
	calls atomic.Int64
	delay time.Duration
}

func (f *fakeSource) ElectionResults(ctx context.Context, code string) (*models.Election, []*models.AreaTallies, error) {
	f.calls.Add(1)
	time.Sleep(f.delay)
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.e == nil || code != f.e.Code {
		return nil, nil, models.Errorf(models.ENOTFOUND, "election %q not found", code)
	}
	return f.e, f.areas, nil
}

// craftedElection has one area whose every name tries to break out of HTML.
func craftedElection(status string) *fakeSource {
	opens := time.Date(2025, 5, 1, 0, 0, 0, 0, time.UTC)
	evil := `<script>alert("x")</script>`
	e := &models.Election{ID: 1, Code: "evil", Title: "T " + evil, Date: "2025-05-01", Opens: "07:00", Closes: "11:00",
		Timezone: "Asia/Ho_Chi_Minh", Rules: models.RulesLuat2022, Method: models.MethodHands,
		OpensAt: opens, ClosesAt: opens.Add(4 * time.Hour),
		Ward: &models.Ward{Code: "w", Name: "W " + evil, City: "C " + evil, Province: "P " + evil}}
	cands := []*models.Candidate{{ID: 1, BallotNo: 1, Name: "A " + evil}, {ID: 2, BallotNo: 2, Name: "B"}}
	area := &models.Area{ID: 1, ElectionID: 1, Code: "a1", Name: "Area " + evil, Households: 100, Candidates: cands}
	tl := &models.Tally{ID: 1, AreaID: 1, Version: 1, Method: models.MethodHands, Households: 100, Attending: 80,
		PhotoRef: `"><img src=x onerror=alert(1)>`, Status: status,
		Votes: []models.TallyVote{{TallyID: 1, CandidateID: 1, Votes: 60}, {TallyID: 1, CandidateID: 2, Votes: 20}}}
	return &fakeSource{e: e, areas: []*models.AreaTallies{{Area: area, Latest: tl}}}
}

func TestEscapesEverything(t *testing.T) {
	for _, status := range []string{models.TallyAccepted, models.TallyProvisional} {
		src := craftedElection(status)
		srv, ts := newServer(t, src, src.e.OpensAt.Add(time.Hour), results.Options{})
		_ = srv
		for _, link := range []string{ts.URL + "/results/evil", results.SignAdminLink(ts.URL, "evil", testKey, src.e.OpensAt.Add(48*time.Hour))} {
			status, page, _ := get(t, link)
			if status != 200 {
				t.Fatalf("%s → %d", link, status)
			}
			if strings.Contains(page, "<script>") || strings.Contains(page, "<img") {
				t.Errorf("%s: unescaped markup", link)
			}
			if !strings.Contains(page, "&lt;script&gt;") {
				t.Errorf("%s: names missing", link)
			}
		}
		// Under luat-10-2022, 60 of 100 by show of hands is elected.
		_, page, _ := get(t, ts.URL+"/results/evil")
		if status == models.TallyAccepted && !strings.Contains(page, "Biểu quyết giơ tay") {
			t.Error("show of hands not shown")
		}
	}
}

func TestCacheSharesOneQuery(t *testing.T) {
	src := craftedElection(models.TallyAccepted)
	src.delay = 20 * time.Millisecond
	var mu sync.Mutex
	now := src.e.OpensAt.Add(time.Hour)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	srv, ts := newServer(t, src, now, results.Options{Now: clock})
	var wg sync.WaitGroup
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			suffix := []string{"", ".json", ".csv", "?lang=en"}[i%4]
			if status, _, _ := get(t, ts.URL+"/results/evil"+suffix); status != 200 {
				t.Errorf("status %d", status)
			}
		}(i)
	}
	wg.Wait()
	if got := src.calls.Load(); got != 1 {
		t.Errorf("%d queries for 20 concurrent public requests within the TTL, want 1", got)
	}
	// The officials' view is another entry.
	get(t, results.SignAdminLink(ts.URL, "evil", testKey, now.Add(time.Hour)))
	if got := src.calls.Load(); got != 2 {
		t.Errorf("%d queries after the admin view, want 2", got)
	}
	mu.Lock()
	now = now.Add(results.DefaultCacheTTL)
	mu.Unlock()
	get(t, ts.URL+"/results/evil")
	if got := src.calls.Load(); got != 3 {
		t.Errorf("%d queries after the TTL, want 3", got)
	}
	if _, err := srv.Results(context.Background(), "evil", false); err != nil || src.calls.Load() != 3 {
		t.Errorf("Results: %v, %d queries", err, src.calls.Load())
	}
}

func TestAutoRefreshWhileCounting(t *testing.T) {
	src := craftedElection(models.TallyProvisional)
	for _, c := range []struct {
		name   string
		now    time.Time
		status string
		want   bool
	}{
		{"before opening", src.e.OpensAt.Add(-time.Hour), models.TallyProvisional, false},
		{"counting", src.e.OpensAt.Add(time.Hour), models.TallyProvisional, true},
		{"all recognised", src.e.OpensAt.Add(time.Hour), models.TallyAccepted, false},
	} {
		src.areas[0].Latest.Status = c.status
		_, ts := newServer(t, src, c.now, results.Options{})
		_, page, _ := get(t, ts.URL+"/results/evil")
		if got := strings.Contains(page, `http-equiv="refresh" content="30"`); got != c.want {
			t.Errorf("%s: refresh %v, want %v", c.name, got, c.want)
		}
	}
}

func TestMessageFilesHaveTheSameKeys(t *testing.T) {
	keys := map[string][]string{}
	for _, lang := range results.Languages {
		buf, err := os.ReadFile(filepath.Join("..", "locales", "results."+lang+".yaml"))
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		if err := yaml.Unmarshal(buf, &m); err != nil {
			t.Fatal(err)
		}
		for k := range m {
			keys[lang] = append(keys[lang], k)
		}
		slices.Sort(keys[lang])
	}
	want := slices.Clone(results.MessageIDs)
	slices.Sort(want)
	for lang, ks := range keys {
		if !slices.Equal(ks, want) {
			t.Errorf("results.%s.yaml keys differ from MessageIDs:\n%v\n%v", lang, ks, want)
		}
	}
	// New without a bundle uses the locales package's, which has them.
	if _, err := results.New(craftedElection(models.TallyAccepted), nil, results.Options{}); err != nil {
		t.Fatal(err)
	}
}

func TestHeadAndMethods(t *testing.T) {
	src := craftedElection(models.TallyAccepted)
	srv, _ := newServer(t, src, src.e.OpensAt, results.Options{})
	rec := serve(srv, "/results/evil")
	if rec.Code != 200 || rec.Header().Get("Content-Security-Policy") == "" || rec.Header().Get("Cache-Control") != "public, max-age=3" {
		t.Errorf("GET %d %v", rec.Code, rec.Header())
	}
	if rec := serveGzip(srv, "/results/evil"); rec.Header().Get("Content-Encoding") != "gzip" || !bytes.HasPrefix(rec.Body.Bytes(), []byte{0x1f, 0x8b}) {
		t.Errorf("gzip: %v", rec.Header())
	}
}
