package handlers

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"image/png"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"electionbot/bot"
	"electionbot/demo"
	"electionbot/internal/testdb"
	"electionbot/models"
)

func TestOfficialsExportInChat(t *testing.T) {
	forStores(t, func(t *testing.T, o *offHarness) {
		o.reporter("2", "kp1")
		o.submit("2", kp1Tally)
		o.send("1", "/congnhan kp1")
		expect(t, mine("2", o.send("2", "/xuat")), "chỉ dành cho cán bộ")
		out := o.send("1", "/xuat")
		if len(out) != 1 || out[0].Document == nil || !strings.HasSuffix(out[0].Document.Name, ".xlsx") {
			t.Fatalf("/xuat = %+v", out)
		}
		x, err := excelize.OpenReader(bytes.NewReader(out[0].Document.Data))
		if err != nil {
			t.Fatal(err)
		}
		defer x.Close()
		rows, err := x.GetRows("results")
		if err != nil || len(rows) != 7 {
			t.Fatalf("xlsx rows = %d, %v", len(rows), err)
		}
		row := map[string]string{}
		for i, h := range rows[0] {
			if i < len(rows[1]) {
				row[h] = rows[1][i]
			}
		}
		for k, v := range map[string]string{"area_code": "kp1", "status": "accepted", "version": "1", "attending": "290",
			"winner_name": "Nguyễn Văn An", "outcome": "elected", "reporter": "Tổ BC KP1 Hùng", "reviewed_by": "Cán bộ Lan"} {
			if row[k] != v {
				t.Errorf("xlsx %s = %q, want %q", k, row[k], v)
			}
		}
		out = o.send("1", "/xuat csv")
		recs, err := csv.NewReader(bytes.NewReader(out[0].Document.Data)).ReadAll()
		if err != nil || len(recs) != 7 || recs[1][4] != "kp1" || out[0].Document.MIME != "text/csv" {
			t.Fatalf("csv = %v, %v", recs, err)
		}
		if evs := o.audits(ActionExport); len(evs) != 2 {
			t.Errorf("export audits = %d", len(evs))
		}
	})
}

func TestOfficialsMissingAndRemind(t *testing.T) {
	forStores(t, func(t *testing.T, o *offHarness) {
		o.reporter("2", "kp1")
		o.reporter("3", "kp2")
		o.lang["6"] = "en"
		o.reporter6en(t, "kp2")
		o.send("1", "/chidinh kp3 0912345678")
		o.submit("2", kp1Tally)
		out := o.send("1", "/chuabao")
		expect(t, mine("1", out), "Chưa gửi biên bản: 5/6", "Khu phố 2 — 2 người báo cáo", "Khu phố 3 — chưa có người báo cáo (1 số điện thoại chờ xác nhận)")
		expectNot(t, mine("1", out), "Khu phố 1")
		out = o.press("1", out, "Nhắc")
		expect(t, mine("1", out), "Đã gửi lời nhắc tới 2 người báo cáo của 1 khu phố", "Không nhắc được 4 khu phố")
		to := others("1", out)
		expect(t, to["3"], "chưa nhận được biên bản kiểm phiếu của Khu phố 2", "KQ KP2 TD 258 PR 258 TV 258 HL 253 KHL 5 UV1 202 UV2 50 UV3 0")
		expect(t, to["6"], "Reminder from Phường Ka Long")
		if _, ok := to["2"]; ok {
			t.Error("the reporter of a reported area was reminded")
		}
		if evs := o.audits(ActionRemind); len(evs) != 1 {
			t.Errorf("remind audits = %+v", evs)
		}
	})
}

// A province-sized roll-up: Quảng Ninh held 1,452 elections on 5 June 2022.
// /ketqua reads them in one query and pages the text under Telegram's
// 4,096 characters.
func TestOfficialsResultsAtProvinceScale(t *testing.T) {
	if testing.Short() {
		t.Skip("loads 1,452 areas")
	}
	for _, n := range testdb.Stores(t) {
		t.Run(n.Name, func(t *testing.T) {
			ctx := context.Background()
			ef, err := demo.ElectionFile()
			if err != nil {
				t.Fatal(err)
			}
			ef.Election.Code = "quang-ninh-2022"
			ef.Areas = nil
			for i := 1; i <= 1452; i++ {
				ef.Areas = append(ef.Areas, models.FileArea{Code: fmt.Sprintf("a%04d", i), Name: fmt.Sprintf("Thôn Số %04d", i),
					Households: 200 + i%150, PollingPlace: models.FilePollingPlace{Name: "Nhà văn hóa"},
					Candidates: []string{"Nguyễn Văn A" + strconv.Itoa(i), "Trần Thị B" + strconv.Itoa(i)}})
			}
			o := newOffHarnessFile(t, n.Store, "vi", ef)
			reporter := o.contact("2")
			var tallies []*models.Tally
			for i, a := range o.areas {
				if i%29 == 0 { // 51 areas not reported
					continue
				}
				hh := a.Households
				att := hh * 9 / 10
				win := hh/2 + 1
				if i%10 == 0 {
					win = hh / 3 // nobody elected
				}
				tallies = append(tallies, &models.Tally{AreaID: a.ID, Version: 1, ReporterID: reporter.ID, Method: models.MethodSecret,
					Households: hh, Attending: att, Issued: &att, Returned: &att, Valid: &att, Invalid: ptr(0),
					Status: models.TallyProvisional, CreatedAt: o.now.UTC(),
					Votes: []models.TallyVote{{CandidateID: a.Candidates[0].ID, Votes: win}, {CandidateID: a.Candidates[1].ID, Votes: att - win}}})
			}
			if err := o.s.DB(ctx).CreateInBatches(tallies, 200).Error; err != nil {
				t.Fatal(err)
			}
			out := o.send("1", "/ketqua")
			first := mine("1", out)
			// The areas are named "Thôn …", so they are thôn (models.UnitFromName).
			// Provisional results are never listed as elected (issue 20).
			expect(t, first, "Đã nhận biên bản: 1.401/1.452 thôn", "Dẫn đầu (tạm thời, chờ UBND phường công nhận) (", "(trang 1/")
			if strings.Contains(first, "Trúng cử (") {
				t.Errorf("provisional results listed under Trúng cử:\n%s", first)
			}
			pagesSeen, page := 1, out
			for {
				for _, m := range page {
					if n := len([]rune(m.Text)); n > 4096 {
						t.Fatalf("a message of %d characters", n)
					}
				}
				var next string
				for _, m := range page {
					if m.Keyboard != nil {
						for _, b := range m.Keyboard.Rows[0] {
							if strings.HasSuffix(b.Text, "▶") {
								next = b.Data
							}
						}
					}
				}
				if next == "" {
					break
				}
				page = o.do("1", bot.Incoming{Callback: next})
				pagesSeen++
			}
			all := pagesSeen
			if testing.Verbose() {
				t.Logf("%d pages; first:\n%s", all, first)
			}
			expect(t, mine("1", page), fmt.Sprintf("(trang %d/%d)", all, all), "Chưa báo cáo: 51 thôn")
			if all < 10 {
				t.Errorf("%d pages for 1,452 areas", all)
			}
			missing := mine("1", o.send("1", "/chuabao"))
			expect(t, missing, "Chưa gửi biên bản: 51/1.452", "Thôn Số 0001")
		})
	}
}

// /ketqua sends the ward's progress chart, /ketqua kp1 the area's votes:
// PNGs of the results package's size; none for an area not yet counted.
func TestResultsChartsInChat(t *testing.T) {
	forStores(t, func(t *testing.T, o *offHarness) {
		o.reporter("2", "kp1")
		o.submit("2", "KQ KP1 TD 290 PR 290 TV 289 HL 285 KHL 4 UV1 250 UV2 35")
		for _, tc := range []struct {
			cmd, name string
		}{
			{"/ketqua", "tien-do-ka-long-2022.png"},
			{"/ketqua kp1", "ket-qua-kp1.png"},
		} {
			var doc *bot.Document
			for _, out := range o.send("1", tc.cmd) {
				if out.Document != nil {
					doc = out.Document
				}
			}
			if doc == nil || doc.Name != tc.name || doc.MIME != "image/png" {
				t.Fatalf("%s: document = %+v, want %s", tc.cmd, doc, tc.name)
			}
			img, err := png.Decode(bytes.NewReader(doc.Data))
			if err != nil {
				t.Fatalf("%s: not a PNG: %v", tc.cmd, err)
			}
			if b := img.Bounds(); b.Dx() != 800 || b.Dy() != 450 {
				t.Errorf("%s: chart is %v, want 800×450", tc.cmd, b)
			}
		}
		for _, out := range o.send("1", "/ketqua kp2") {
			if out.Document != nil {
				t.Errorf("/ketqua kp2 (not counted) sent a chart %s", out.Document.Name)
			}
		}
		// Residents get no officials' chart.
		for _, out := range o.send("4", "/ketqua") {
			if out.Document != nil {
				t.Errorf("a resident got the chart %s", out.Document.Name)
			}
		}
	})
}
