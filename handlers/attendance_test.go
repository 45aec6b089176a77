package handlers

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"electionbot/internal/testdb"
	"electionbot/models"
	"electionbot/results"
)

// Live attendance, the officials' link and the results page (issue 20).

var testLinkKey = []byte("test-link-key")

// withResultsPage serves the results page of o's store on an httptest
// server and makes o's conversation issue /trangketqua's links to it.
func withResultsPage(t *testing.T, o *offHarness) *httptest.Server {
	t.Helper()
	srv, err := results.New(o.s, testLinkKey, results.Options{CacheTTL: -1, Now: o.clock})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	srv.Register(mux)
	ts := httptest.NewServer(mux)
	t.Cleanup(ts.Close)
	o.h, err = New(Config{Stores: StoresOf, Now: o.clock, InviteLink: telegramLink("KaLongBot"),
		OfficialsPageLink: results.OfficialsPage(ts.URL, testLinkKey, 0, o.clock)})
	if err != nil {
		t.Fatal(err)
	}
	return ts
}

var linkRe = regexp.MustCompile(`https?://\S+`)

// fetch GETs a URL: its status and body.
func fetch(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

// areaCard is an area's card on the results page.
func areaCard(t *testing.T, page, code string) string {
	t.Helper()
	i := strings.Index(page, `id="area-`+code+`"`)
	if i < 0 {
		t.Fatalf("no card of %s on the page", code)
	}
	j := strings.Index(page[i:], "</li>")
	return page[i : i+j]
}

// An area's attendance crosses the half-way line in /ketqua and on the
// officials' page opened through /trangketqua; the tally, once accepted,
// replaces it. Khu phố 1 has 312 households: more than half is 157.
func TestAttendanceAcrossHalfThenTally(t *testing.T) {
	forStores(t, func(t *testing.T, o *offHarness) {
		withResultsPage(t, o)
		o.reporter("2", "kp1")
		o.now = at(2022, 6, 5, 7, 40)
		expect(t, mine("2", o.send("2", "TD 150")), "Đã ghi nhận số tham dự Khu phố 1: 150/312 hộ (48,1%) — ⚠️ chưa quá nửa, cần ít nhất 157 · báo lúc 07:40")

		// The admin's link, then the page: below half.
		reply := mine("1", o.send("1", "/trangketqua"))
		expect(t, reply, "Trang kết quả dành cho cán bộ — Phường Ka Long", "có hiệu lực đến 19:40 05/06/2022 (12 giờ)")
		link := linkRe.FindString(reply)
		page := func() string {
			t.Helper()
			code, body := fetch(t, link)
			if code != http.StatusOK {
				t.Fatalf("GET %s: %d\n%s", link, code, body)
			}
			return body
		}
		card := areaCard(t, page(), "kp1")
		expect(t, card, `data-attending="150"`, `data-over-half="false"`, "150/312 hộ (48,08%) — ⚠️ chưa quá nửa · báo lúc 07:40")
		expect(t, mine("1", o.send("1", "/ketqua")), "Số tham dự hội nghị, chưa có biên bản (1):", "• Khu phố 1: 150/312 hộ (48,1%) — ⚠️ chưa quá nửa")

		// Over half.
		o.now = at(2022, 6, 5, 8, 5)
		expect(t, mine("2", o.send("2", "tham du 170")), "170/312 hộ (54,5%) — ✅ đã quá nửa · báo lúc 08:05")
		expect(t, areaCard(t, page(), "kp1"), `data-attending="170"`, `data-over-half="true"`, "✅ đã quá nửa · báo lúc 08:05")
		expect(t, mine("1", o.send("1", "/ketqua")), "• Khu phố 1: 170/312 hộ (54,5%) — ✅ đã quá nửa · báo lúc 08:05")

		// A lower number is confirmed first; more than the households is refused.
		out := o.send("2", "TD 160")
		expect(t, mine("2", out), "thấp hơn số đã báo trước đó (170, lúc 08:05 05/06/2022)")
		expect(t, mine("1", o.send("1", "/ketqua")), "170/312 hộ")
		expect(t, mine("2", o.press("2", out, "Đúng, là 160")), "160/312 hộ (51,3%) — ✅ đã quá nửa")
		expect(t, mine("2", o.send("2", "TD 400")), "lớn hơn tổng số 312 hộ của Khu phố 1; chưa ghi nhận")

		// The tally replaces it: on the page and in /ketqua.
		o.now = at(2022, 6, 5, 11, 0)
		o.submit("2", kp1Tally)
		expect(t, mine("2", o.send("2", "TD 200")), "Khu phố 1 đã có biên bản kiểm phiếu")
		expect(t, mine("1", o.send("1", "/congnhan kp1")), "Đã công nhận kết quả Khu phố 1")
		card = areaCard(t, page(), "kp1")
		if strings.Contains(card, "data-attending") || !strings.Contains(card, `data-state="accepted"`) {
			t.Errorf("kp1 after the accepted tally:\n%s", card)
		}
		if sum := mine("1", o.send("1", "/ketqua")); strings.Contains(sum, "Số tham dự hội nghị") || !strings.Contains(sum, "🏆 Trúng cử (1)") {
			t.Errorf("/ketqua after the accepted tally:\n%s", sum)
		}
	})
}

// /trangketqua issues a link that opens the officials' page; a link valid
// beyond the 7-day cap (or until 9999) is refused with how to get a new
// one; without PUBLIC_BASE_URL the reply says how to configure it.
func TestOfficialsLinkIssuedAndCapped(t *testing.T) {
	forStores(t, func(t *testing.T, o *offHarness) {
		ts := withResultsPage(t, o)
		link := linkRe.FindString(mine("1", o.send("1", "/trangketqua")))
		code, body := fetch(t, link)
		if code != http.StatusOK || !strings.Contains(body, "kp1") {
			t.Fatalf("GET the issued link: %d", code)
		}
		if !strings.Contains(link, "exp=") || !strings.Contains(link, "sig=") {
			t.Fatalf("not a signed link: %s", link)
		}
		for name, exp := range map[string]time.Time{
			"8 days":  o.now.Add(8 * 24 * time.Hour),
			"to 9999": time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC),
		} {
			code, body := fetch(t, results.SignAdminLink(ts.URL, o.el.Code, testLinkKey, exp))
			if code != http.StatusForbidden || !strings.Contains(body, "/trangketqua") {
				t.Errorf("%s: %d, want 403 with the how-to\n%s", name, code, body)
			}
		}
		code, body = fetch(t, results.SignAdminLink(ts.URL, o.el.Code, testLinkKey, o.now.Add(7*24*time.Hour))+"&lang=en")
		if code != http.StatusOK {
			t.Errorf("a 7-day link: %d", code)
		}
		_ = body
		code, body = fetch(t, results.SignAdminLink(ts.URL, o.el.Code, testLinkKey, o.now.Add(-time.Minute))+"&lang=en")
		if code != http.StatusForbidden || !strings.Contains(body, "send /trangketqua") {
			t.Errorf("an expired link in English: %d\n%s", code, body)
		}
		// A resident gets no link; a viewer does.
		expect(t, mine("4", o.send("4", "/trangketqua")), "chỉ dành cho cán bộ")
		// No public address: said so.
		o.h = o.newHandler()
		expect(t, mine("1", o.send("1", "/trangketqua")), "biến môi trường PUBLIC_BASE_URL")
	})
}

// The ward's /thamdu view and the reminder to the households of an area
// below half: a broadcast to that area only, after the preview.
func TestAttendanceViewAndReminder(t *testing.T) {
	forStores(t, func(t *testing.T, o *offHarness) {
		o.reporter("2", "kp1")
		o.reporter("3", "kp2")
		o.send("4", "Khu phố 2") // a resident of kp2, who gets the reminder
		o.now = at(2022, 6, 5, 7, 30)
		// The admin reports for no area: told who does, nothing recorded.
		expect(t, mine("1", o.send("1", "TD 250")), "Số tham dự do người báo cáo của từng khu phố gửi")
		o.send("2", "TD 200")
		o.send("3", "/thamdu 100")
		out := o.send("1", "/thamdu")
		expect(t, mine("1", out), "Số tham dự hội nghị — Phường Ka Long", "• Khu phố 1: 200/312 hộ", "• Khu phố 2: 100/287 hộ (34,8%) — ⚠️ chưa quá nửa",
			"Chưa báo số tham dự (4): Khu phố 3")
		out = o.press("1", out, "Nhắc hộ dân Khu phố 2")
		expect(t, mine("1", out), "Hội nghị bầu Trưởng khu phố Khu phố 2 đang diễn ra tại Nhà văn hóa khu phố 2", "Hiện mới có 100/287 hộ tham dự")
		o.press("1", out, "Gửi")
		bs, err := o.s.RecentBroadcasts(context.Background(), o.el.ID, 1)
		if err != nil {
			t.Fatal(err)
		}
		kp2 := o.areas[1]
		if len(bs) != 1 || bs[0].Status != models.BroadcastQueued || bs[0].Audience != models.AudienceAreas || bs[0].AreaIDs != itoa64(kp2.ID) {
			t.Fatalf("broadcast = %+v", bs)
		}
		// No button for an area over half; viewers see no button at all.
		if strings.Contains(dump(out), "Nhắc hộ dân Khu phố 1") {
			t.Error("a reminder offered for an area over half")
		}
	})
}

// The reporter's example is built from the area's own numbers: sending the
// bot's own example is accepted, for every area.
func TestReporterExampleIsAccepted(t *testing.T) {
	o := newOffHarness(t, testdb.SQLite(t))
	for _, a := range o.areas {
		o.reporter("2", a.Code)
	}
	for _, a := range o.areas {
		ex := exampleTally(a)
		if !strings.Contains(mine("2", o.send("2", "/help")), "KQ ") {
			t.Fatal("no example in /help")
		}
		out := o.submit("2", ex)
		expect(t, mine("2", out), "Đã nhận biên bản")
		if h := o.history(a.Code); len(h.Versions) != 1 {
			t.Errorf("%s: example %q not stored: %s", a.Code, ex, dump(out))
		}
	}
}

// attendanceScript is the golden conversation of live attendance: reports,
// the form's button, the ward's view, the reminder, the officials' link,
// /ketqua with a provisional leader and a replaced version.
func attendanceScript(o *offHarness, lang string) {
	for _, r := range [][2]string{{"2", "kp1"}, {"2", "kp2"}, {"3", "kp3"}} {
		o.send(r[0], "/start "+o.invite(r[1]))
	}
	o.send("4", "Khu phố 1") // a resident of kp1
	o.now = at(2022, 6, 5, 7, 30)
	o.send("2", "/thamdu")
	out := o.send("2", "TD 120")
	o.press("2", out, "Khu phố 1")
	o.send("2", "KP2 TD 200")
	out = o.send("2", "KP2 TD 150")
	o.press("2", out, "150")
	o.send("2", "KP1 TD 400")
	o.send("2", "KQ KP1 TD 160")
	out = o.send("3", "/baocao")
	out = o.press("3", out, "👥")
	o.send("3", "130")
	o.send("1", "/thamdu")
	out = o.send("1", "/thamdu")
	out = o.press("1", out, "Khu phố 1")
	o.press("1", out, "✖")
	o.send("1", "/trangketqua")
	o.submit("2", "KQ KP1 TD 290 PR 290 TV 289 HL 285 KHL 4 UV1 240 UV2 45")
	o.submit("2", kp1Tally)
	o.send("2", "KP1 TD 170")
	o.send("1", "/ketqua")
	o.send("1", "/ketqua kp1")
	o.send("1", "/congnhan kp9")
	o.send("1", "/tuchoi kp9 sai")
}

// TestGoldenAttendance holds the replies of attendanceScript in both
// languages (go test ./handlers -run GoldenAttendance -update).
func TestGoldenAttendance(t *testing.T) {
	for _, lang := range []string{"vi", "en"} {
		t.Run(lang, func(t *testing.T) {
			o := newOffHarnessLang(t, testdb.SQLite(t), lang)
			o.h.officialsPage = results.OfficialsPage("https://kq.example.vn", testLinkKey, 0, o.clock)
			o.log = &bytes.Buffer{}
			attendanceScript(o, lang)
			checkGolden(t, filepath.Join("testdata", "attendance_"+lang+".golden"), o.log.Bytes())
		})
	}
}
