package handlers

import (
	"net/http/httptest"
	"strings"
	"testing"

	"electionbot/models"
	"electionbot/results"
)

// TestRecognitionEndToEnd_ND59_2023_OnlyTheWardUndoesIt: recognition is the
// ward's act (NĐ 59/2023; docs/design.md §3). On each store, with the real
// handlers and the results page: kp1 recognised; a newly invited reporter
// then sends different numbers — the public page and the residents' answer
// do not change, the reporter is told the result is already recognised,
// the ward is notified; the ward withdraws the recognition with a reason,
// residents and the page see it as not recognised, and the new version
// can be recognised; every step is audited.
func TestRecognitionEndToEnd_ND59_2023_OnlyTheWardUndoesIt(t *testing.T) {
	forStores(t, func(t *testing.T, o *offHarness) {
		srv, err := results.New(o.s, []byte("test-key"), results.Options{CacheTTL: -1, Now: o.clock})
		if err != nil {
			t.Fatal(err)
		}
		page := func() string {
			t.Helper()
			rec := httptest.NewRecorder()
			srv.ServeHTTP(rec, httptest.NewRequest("GET", "/results/"+o.el.Code, nil))
			if rec.Code != 200 {
				t.Fatalf("GET the public page: %d", rec.Code)
			}
			return rec.Body.String()
		}
		resident := func() string {
			t.Helper()
			return mine("4", o.send("4", "ngay bau cu"))
		}

		// Recognised: An 250 of 312 households.
		o.reporter("2", "kp1")
		o.submit("2", kp1Tally)
		expect(t, mine("1", o.send("1", "/congnhan kp1")), "Đã công nhận kết quả Khu phố 1: bản 1")
		o.now = at(2022, 6, 6, 9, 0)
		o.send("4", "kp1")
		recognised := resident()
		expect(t, recognised, "UBND phường đã công nhận kết quả", "Nguyễn Văn An (số 1 trên phiếu) trúng cử với 250 phiếu")
		before := page()
		expect(t, before, "Trúng cử: Nguyễn Văn An", "250 phiếu, bằng 80,13%")

		// A newly invited reporter's different numbers, the day after.
		o.reporter("3", "kp1")
		out := o.submit("3", "KQ KP1 TD 290 PR 290 TV 289 HL 285 KHL 4 UV1 140 UV2 145")
		expect(t, mine("3", out), "Kết quả của Khu phố 1 đã được UBND phường công nhận (bản 1)",
			"lưu thành bản 2 để UBND phường xem xét", "người dân vẫn thấy kết quả đã công nhận",
			"1. Nguyễn Văn An: 140 (bản 2) ≠ 250 (bản 1)")
		expect(t, others("3", out)["1"], "Khu phố 1: kết quả đã công nhận là bản 1", "Tổ BC KP1 Mai vừa gửi bản 2",
			"/congnhan kp1 2", "/huycongnhan kp1 lý do")
		if got := page(); got != before {
			t.Errorf("the public page changed after the late report:\n%s", got)
		}
		if got := resident(); got != recognised {
			t.Errorf("the residents' answer changed:\n%s\nwas\n%s", got, recognised)
		}
		expect(t, mine("1", o.send("1", "/ketqua")), "đã công nhận: 1", "Khu phố 1: bản 2 gửi sau khi đã công nhận bản 1")
		if h := o.history("kp1"); len(h.Versions) != 2 || h.Versions[0].Status != models.TallyAccepted || h.Versions[1].Status != models.TallyConflict {
			t.Fatalf("versions %+v", h.Versions)
		}

		// The ward withdraws the recognition, with a reason.
		out = o.send("1", "/huycongnhan kp1 biên bản ghi nhầm số phiếu")
		expect(t, mine("1", out), "Đã hủy công nhận kết quả Khu phố 1 (bản 1). Lý do: biên bản ghi nhầm số phiếu",
			"Bản mới nhất đang chờ: bản 2 — công nhận: /congnhan kp1 2")
		expect(t, others("1", out)["2"], "UBND phường đã hủy công nhận biên bản Khu phố 1 bản 1")
		expect(t, resident(), "chưa được UBND phường công nhận")
		withdrawn := page()
		expect(t, withdrawn, "Chưa được công nhận")
		expectNot(t, withdrawn, "Trúng cử: Nguyễn Văn An", "140", "145")

		// The new version recognised: nobody over 50% (NQLT 09/2008).
		expect(t, mine("1", o.send("1", "/congnhan kp1 2")), "Đã công nhận kết quả Khu phố 1: bản 2")
		expect(t, resident(), "người được nhiều phiếu nhất là Trần Thị Bình với 145 phiếu",
			"tổ chức lại vào ngày do UBND phường quyết định, chậm nhất 15 ngày sau lần bầu thứ nhất")
		expect(t, page(), "Phải bầu lại", "145 (46,47%)")

		// All of it audited.
		want := map[string][]string{
			"tally.submit":   {"version=1 status=provisional", "version=2 status=conflict conflicts_with=1 after_recognised=1"},
			"tally.accept":   {"version=1 was=provisional", "version=2 was=conflict"},
			"tally.withdraw": {"version=1 reason=biên bản ghi nhầm số phiếu"},
		}
		for action, details := range want {
			evs := o.audits(action)
			if len(evs) != len(details) {
				t.Errorf("%s: %d audit events, want %d: %+v", action, len(evs), len(details), evs)
				continue
			}
			for i, d := range details {
				if !strings.Contains(evs[i].Detail, d) || evs[i].Subject != "kp1" || !evs[i].OK {
					t.Errorf("%s[%d] = %+v, want %q", action, i, evs[i], d)
				}
			}
		}
		if evs := o.audits("tally.withdraw"); len(evs) == 1 && *evs[0].ContactID != o.contact("1").ID {
			t.Errorf("withdrawn by %d, want the admin", *evs[0].ContactID)
		}
	})
}
