package handlers

import (
	"strings"
	"testing"

	"electionbot/bot"
	"electionbot/models"
)

func TestOfficialsSubmitConfirmOutcome(t *testing.T) {
	forStores(t, func(t *testing.T, o *offHarness) {
		o.reporter("2", "kp1")
		out := o.send("2", "kết quả khu phố 1: tham dự 290, phát ra 290, thu vào 289, hợp lệ 285, không hợp lệ 4, Nguyễn Văn An 250, Trần Thị Bình 35, ghi chú 7")
		expect(t, mine("2", out), "Tham dự: 290 (92,9%)", "Phiếu không hợp lệ: 4", "1. Nguyễn Văn An: 250 (80,1%)",
			"Chưa đọc được: «ghi chú 7»", "Kết quả tạm thời", "trúng cử với 250 phiếu, bằng 80,1% tổng số cử tri đại diện hộ gia đình (312 hộ)")
		if h := o.history("kp1"); len(h.Versions) != 0 {
			t.Fatal("stored before confirmation")
		}
		// The draft survives a restart of the bot.
		o.h = o.newHandler()
		summary := out
		out = o.press("2", out, "Xác nhận")
		expect(t, mine("2", out), "Đã nhận biên bản kiểm phiếu của Khu phố 1: bản 1 — tạm thời, chờ UBND phường công nhận")
		h := o.history("kp1")
		if len(h.Versions) != 1 || h.Versions[0].Attending != 290 || *h.Versions[0].Invalid != 4 || h.Versions[0].Status != models.TallyProvisional {
			t.Fatalf("stored = %+v", h.Versions)
		}
		// The same Confirm button pressed again does nothing more.
		expect(t, mine("2", o.press("2", summary, "Xác nhận")), "Không còn biên bản nào đang chờ xác nhận")
		if n := len(o.history("kp1").Versions); n != 1 {
			t.Fatalf("%d versions after a second press", n)
		}
		// Inconsistent numbers: each broken rule, no Confirm button.
		out = o.send("2", "KQ KP1 TD 290 PR 291 TV 289 HL 285 KHL 5 UV1 250 UV2 40")
		expect(t, mine("2", out), "phát ra 291 > tham dự 290", "hợp lệ 285 + không hợp lệ 5 ≠ thu vào 289")
		for _, m := range out {
			if m.Keyboard != nil {
				for _, row := range m.Keyboard.Rows {
					for _, b := range row {
						if strings.HasPrefix(b.Data, "o:ok") {
							t.Fatal("a Confirm button under an inconsistent tally")
						}
					}
				}
			}
		}
		// Missing fields are named; "fill in" asks them.
		out = o.send("2", "KQ KP1 TD 290 PR 290 TV 289 HL 285 UV1 250")
		expect(t, mine("2", out), "Còn thiếu: Phiếu không hợp lệ, 2. Trần Thị Bình")
		out = o.press("2", out, "Điền tiếp")
		expect(t, mine("2", out), "số phiếu không hợp lệ?")
		expect(t, mine("2", o.send("2", "4")), "số phiếu bầu cho 2. Trần Thị Bình?")
		out = o.send("2", "35")
		expect(t, mine("2", out), "Xin kiểm tra lại từng số")
		// The same numbers again: nothing changes.
		expect(t, mine("2", o.press("2", out, "Xác nhận")), "đã gửi đúng các số này")
		// English, for an English-speaking reporter.
		o.lang["6"] = "en"
		o.reporter6en(t, "kp3")
		out = o.send("6", "KQ KP3 TD 120 PR 120 TV 120 HL 118 KHL 2 UV1 60 UV2 58")
		expect(t, mine("6", out), "Attending: 120 (45.5%)", "attendance 120/264 households (45.5%) is not more than 50%")
	})
}

// reporter6en makes contact 6 (English) a reporter of an area.
func (o *offHarness) reporter6en(t *testing.T, area string) {
	t.Helper()
	expect(t, mine("6", o.send("6", "/start "+o.invite(area))), "You have been designated reporter of the results of")
}

func TestOfficialsRefuseNonReporter(t *testing.T) {
	forStores(t, func(t *testing.T, o *offHarness) {
		o.reporter("2", "kp1")
		expect(t, mine("4", o.send("4", kp1Tally)), "không phải là người báo cáo kết quả của Khu phố 1")
		expect(t, mine("2", o.send("2", "KQ KP2 TD 200 PR 200 TV 200 HL 195 KHL 5 UV1 150 UV2 40 UV3 5")), "không phải là người báo cáo kết quả của Khu phố 2")
		// Not even the admin reports without being designated.
		expect(t, mine("1", o.send("1", kp1Tally)), "không phải là người báo cáo")
		expect(t, mine("4", o.send("4", "/baocao")), "chưa được chỉ định")
		evs := o.audits(ActionTallyRefused)
		if len(evs) != 3 || evs[0].OK || evs[0].Subject != "kp1" || evs[1].Subject != "kp2" || *evs[0].ContactID != o.contact("4").ID {
			t.Fatalf("refusals audited = %+v", evs)
		}
		for _, code := range []string{"kp1", "kp2"} {
			if n := len(o.history(code).Versions); n != 0 {
				t.Errorf("%s has %d versions", code, n)
			}
		}
		// A resident's ordinary questions are untouched.
		expect(t, mine("4", o.send("4", "ngay bau cu")), "Chủ nhật, 05/06/2022")
	})
}

func TestOfficialsConflictBetweenReporters(t *testing.T) {
	forStores(t, func(t *testing.T, o *offHarness) {
		o.reporter("2", "kp1")
		o.reporter("3", "kp1")
		o.submit("2", kp1Tally)
		// Same numbers from the second reporter: confirmed twice.
		expect(t, mine("3", o.submit("3", kp1Tally)), "trùng với biên bản Khu phố 1 do Tổ BC KP1 Hùng gửi", "2 người báo cáo xác nhận")
		// Different numbers: a conflict; both reporters and the admin told.
		out := o.submit("3", "KQ KP1 TD 290 PR 290 TV 289 HL 285 KHL 4 UV1 240 UV2 45")
		expect(t, mine("3", out), "bản 2 — có sai khác", "1. Nguyễn Văn An: 240 (bản 2) ≠ 250 (bản 1)")
		to := others("3", out)
		expect(t, to["2"], "Tổ BC KP1 Mai vừa gửi bản 2", "2. Trần Thị Bình: 45 (bản 2) ≠ 35 (bản 1)")
		expect(t, to["1"], "Sai khác ở Khu phố 1", "/congnhan kp1", "/tuchoi kp1 v2")
		if len(to) != 2 {
			t.Errorf("told %v, want the other reporter and the admin", to)
		}
		h := o.history("kp1")
		if len(h.Versions) != 2 || h.Versions[1].Status != models.TallyConflict || h.Versions[0].Status != models.TallyProvisional {
			t.Fatalf("versions = %+v", h.Versions)
		}
		expect(t, mine("1", o.send("1", "/ketqua")), "Cần xem xét (1)", "Khu phố 1: bản 2 khác bản 1")
		// The first reporter agrees with the correction: resolved.
		expect(t, mine("2", o.submit("2", "KQ KP1 TD 290 PR 290 TV 289 HL 285 KHL 4 UV1 240 UV2 45")), "Sai khác trước đó đã được giải quyết")
		if h := o.history("kp1"); h.Versions[1].Status != models.TallyProvisional {
			t.Fatalf("after the confirmation: %+v", h.Versions[1])
		}
	})
}

func TestOfficialsCorrectionThenAcceptance(t *testing.T) {
	forStores(t, func(t *testing.T, o *offHarness) {
		o.reporter("2", "kp1")
		o.submit("2", "KQ KP1 TD 290 PR 290 TV 289 HL 285 KHL 4 UV1 240 UV2 45")
		expect(t, mine("2", o.submit("2", kp1Tally)), "bản 2 — tạm thời")
		expect(t, mine("1", o.send("1", "/tuchoi kp1")), "Phải ghi lý do")
		expect(t, mine("1", o.send("1", "/congnhan kp9")), "Phường Ka Long không có \"kp9\"", "Khu phố 6")
		expect(t, mine("1", o.send("1", "/congnhan kp1 7")), "không có bản 7")
		expect(t, mine("1", o.send("1", "/congnhan kp2")), "chưa có biên bản nào")
		detail := mine("1", o.send("1", "/ketqua kp1"))
		// Version 1 was replaced by the correction: not "tạm thời" any more.
		expect(t, detail, "bản 1 — đã được thay bằng bản 2", "bản 2 — tạm thời", "Bản đang xét: bản 2")
		if strings.Contains(detail, "bản 1 — tạm thời") {
			t.Errorf("/ketqua kp1 shows the replaced version as provisional:\n%s", detail)
		}
		out := o.send("1", "/congnhan kp1")
		expect(t, mine("1", out), "Đã công nhận kết quả Khu phố 1: bản 2 — đã được công nhận", "Nguyễn Văn An (số 1) trúng cử với 250 phiếu")
		expect(t, others("1", out)["2"], "đã công nhận biên bản của Khu phố 1 (bản 2)")
		h := o.history("kp1")
		if len(h.Versions) != 2 || h.Versions[0].Votes[0].Votes != 240 || h.Versions[1].Status != models.TallyAccepted {
			t.Fatalf("versions = %+v", h.Versions)
		}
		// Residents now see the recognised result.
		o.now = at(2022, 6, 6, 9, 0)
		o.send("4", "kp1")
		expect(t, mine("4", o.send("4", "ngay bau cu")), "UBND phường đã công nhận kết quả", "Nguyễn Văn An (số 1 trên phiếu) trúng cử với 250 phiếu")
		// A recognised version is not rejected: the ward withdraws the
		// recognition first, with a reason (docs/design.md §3).
		expect(t, mine("1", o.send("1", "/tuchoi kp1 v2 biên bản thiếu chữ ký")), "Kết quả đã công nhận thì không từ chối được", "/huycongnhan kp1 lý do")
		expect(t, mine("1", o.send("1", "/huycongnhan kp1")), "Cú pháp: /huycongnhan kp1 lý do")
		out = o.send("1", "/huycongnhan kp1 biên bản thiếu chữ ký")
		expect(t, mine("1", out), "Đã hủy công nhận kết quả Khu phố 1 (bản 2). Lý do: biên bản thiếu chữ ký")
		expect(t, others("1", out)["2"], "UBND phường đã hủy công nhận biên bản Khu phố 1 bản 2")
		expect(t, mine("4", o.send("4", "ngay bau cu")), "chưa được UBND phường công nhận")
		// Then rejected, with a reason; the reporter is told.
		out = o.send("1", "/tuchoi kp1 v2 biên bản thiếu chữ ký")
		expect(t, mine("1", out), "Đã từ chối biên bản Khu phố 1 bản 2", "biên bản thiếu chữ ký")
		expect(t, others("1", out)["2"], "Lý do: biên bản thiếu chữ ký")
		expect(t, mine("1", o.send("1", "/ketqua kp1")), "từ chối bởi Cán bộ Lan", "lý do: biên bản thiếu chữ ký", "công nhận bởi Cán bộ Lan",
			"hủy công nhận bởi Cán bộ Lan")
		expect(t, mine("1", o.send("1", "/ketqua")), "Bị từ chối, chờ báo cáo lại (1)")
		for _, a := range []string{"tally.accept", "tally.withdraw", "tally.reject"} {
			if evs := o.audits(a); len(evs) != 1 || *evs[0].ContactID != o.contact("1").ID {
				t.Errorf("%s audits = %+v", a, evs)
			}
		}
	})
}

func TestOfficialsGuidedFormResumesAfterRestart(t *testing.T) {
	forStores(t, func(t *testing.T, o *offHarness) {
		o.reporter("2", "kp1")
		o.reporter("2", "kp2")
		out := o.send("2", "/baocao")
		expect(t, mine("2", out), "khu phố nào")
		out = o.press("2", out, "Khu phố 1")
		expect(t, mine("2", out), "(1/9) Khu phố 1 — hội nghị đã bầu bằng hình thức nào?")
		out = o.press("2", out, "Bỏ phiếu kín")
		expect(t, mine("2", out), "số cử tri đại diện hộ gia đình tham dự (trên tổng số 312 hộ)?")
		expect(t, mine("2", o.send("2", "290 hộ")), "số phiếu phát ra?")
		expect(t, mine("2", o.send("2", "1.290")), "số phiếu thu vào?")
		// A restart (a new handler on the same store) continues the form.
		o.h = o.newHandler()
		expect(t, mine("2", o.send("2", "289")), "số phiếu hợp lệ?")
		o.h = o.newHandler()
		expect(t, mine("2", o.send("2", "/baocao")), "Tiếp tục", "số phiếu hợp lệ?")
		o.send("2", "285")
		o.send("2", "4")
		o.send("2", "250")
		// NĐ 59/2023: anyone nominated at the meeting? Not here.
		expect(t, mine("2", o.send("2", "35")), "(9/9) Khu phố 1 — tại hội nghị có ai ứng cử ngoài danh sách")
		out = o.send("2", "không")
		expect(t, mine("2", out), "phát ra 1290 > tham dự 290")
		out = o.press("2", out, "Sửa")
		out = o.press("2", out, "Phiếu phát ra")
		out = o.send("2", "290")
		expect(t, mine("2", out), "Phiếu phát ra: 290", "trúng cử")
		o.h = o.newHandler()
		expect(t, mine("2", o.press("2", out, "Xác nhận")), "bản 1 — tạm thời")
		if h := o.history("kp1"); len(h.Versions) != 1 || *h.Versions[0].Issued != 290 {
			t.Fatalf("stored = %+v", h.Versions)
		}
		// /huy cancels a form.
		o.send("2", "/baocao kp2")
		expect(t, mine("2", o.send("2", "/huy")), "Đã hủy biên bản")
		if c := o.contact("2"); c.State != "" {
			t.Fatalf("state after /huy = %q", c.State)
		}
		expect(t, mine("2", o.send("2", "/baocao kp3")), "không phải là người báo cáo kết quả của Khu phố 3")
	})
}

func TestOfficialsPhoto(t *testing.T) {
	forStores(t, func(t *testing.T, o *offHarness) {
		o.reporter("2", "kp1")
		expect(t, mine("2", o.do("2", bot.Incoming{PhotoRef: "ph0"})), "chưa gửi biên bản nào")
		expect(t, mine("1", o.send("1", "/anh kp1")), "Chưa có ảnh")
		// A photo with the tally as its caption: stored with it.
		out := o.do("2", bot.Incoming{PhotoRef: "ph1", Text: kp1Tally})
		expect(t, mine("2", out), "Có ảnh biên bản kèm theo")
		o.press("2", out, "Xác nhận")
		if h := o.history("kp1"); h.Versions[0].PhotoRef != "ph1" {
			t.Fatalf("photo = %q", h.Versions[0].PhotoRef)
		}
		// A photo after a tally replaces it (audited).
		expect(t, mine("2", o.do("2", bot.Incoming{PhotoRef: "ph2"})), "Đã đính kèm ảnh biên bản vào Khu phố 1, bản 1")
		out = o.send("1", "/anh kp1")
		if len(out) != 1 || out[0].Photo != "ph2" || !strings.Contains(out[0].Text, "bản 1") {
			t.Fatalf("/anh = %+v", out)
		}
		if evs := o.audits("tally.photo"); len(evs) != 1 || !strings.Contains(evs[0].Detail, "replaced=ph1") {
			t.Fatalf("photo audits = %+v", evs)
		}
		// A resident's photo is not taken.
		expect(t, mine("4", o.do("4", bot.Incoming{PhotoRef: "cat"})), "chưa hiểu")
	})
}
