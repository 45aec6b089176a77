package handlers

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"electionbot/bot"
	"electionbot/demo"
	"electionbot/internal/testdb"
	"electionbot/models"
)

const kp1Tally = "KQ KP1 TD 290 PR 290 TV 289 HL 285 KHL 4 UV1 250 UV2 35"

func TestOfficialsDesignationByInvite(t *testing.T) {
	forStores(t, func(t *testing.T, o *offHarness) {
		// On Telegram the invite is a deep link to the bot.
		o.chann = models.ChannelTelegram
		admin := o.contact("1")
		el := o.el
		if err := o.s.Grant(context.Background(), &models.RoleGrant{ContactID: &admin.ID, Role: models.RoleAdmin, WardID: &el.WardID}); err != nil {
			t.Fatal(err)
		}
		got := mine("1", o.send("1", "/moi kp1"))
		expect(t, got, "https://t.me/KaLongBot?start=inv_", "người báo cáo kết quả của Khu phố 1", "08/06/2022")
		code := inviteCode.FindString(got)

		// A resident is not an admin.
		expect(t, mine("4", o.send("4", "/moi kp1")), "chỉ dành cho cán bộ")

		out := o.send("2", "/start "+code)
		expect(t, mine("2", out), "đã được chỉ định là người báo cáo kết quả của Khu phố 1", "KQ KP1 TD 290")
		expect(t, others("2", out)["1"], "đã nhận lời mời")
		if out[len(out)-1].Channel != models.ChannelTelegram {
			t.Errorf("notice channel = %q", out[len(out)-1].Channel)
		}
		// Single use.
		expect(t, mine("3", o.send("3", "/start "+code)), "đã được sử dụng")
		// Expires after 72 hours (injected clock).
		code2 := inviteCode.FindString(mine("1", o.send("1", "/moi kp2")))
		o.now = o.now.Add(72*time.Hour - time.Second)
		code3 := inviteCode.FindString(mine("1", o.send("1", "/moi kp3")))
		o.now = o.now.Add(time.Second)
		expect(t, mine("3", o.send("3", "/start "+code2)), "đã hết hạn")
		expect(t, mine("3", o.send("3", "/start "+code3)), "Khu phố 3")
		expect(t, mine("3", o.send("3", "/start inv_doesnotexist00")), "không hợp lệ")

		// Audited: who granted whom, and the refused attempts.
		var byInvite []models.AuditEvent
		for _, ev := range o.audits("role.grant") {
			if strings.Contains(ev.Detail, "area=") {
				byInvite = append(byInvite, ev)
			}
		}
		if len(byInvite) != 2 || *byInvite[0].ContactID != admin.ID || !strings.Contains(byInvite[0].Detail, "contact="+itoa64(o.contact("2").ID)) {
			t.Fatalf("role.grant audits = %+v", byInvite)
		}
		redeems := o.audits("invite.redeem")
		ok, refused := 0, 0
		for _, ev := range redeems {
			if ev.OK {
				ok++
			} else {
				refused++
			}
		}
		if ok != 2 || refused != 3 {
			t.Errorf("invite.redeem audits: %d ok, %d refused; want 2, 3", ok, refused)
		}
		// The code is not stored.
		var n int64
		o.s.DB(context.Background()).Model(&models.Invite{}).Where("code_hash = ?", code).Count(&n)
		if n != 0 {
			t.Error("the invite code is stored in clear")
		}
	})
}

func TestOfficialsDesignationByPhoneAndRevoke(t *testing.T) {
	forStores(t, func(t *testing.T, o *offHarness) {
		expect(t, mine("1", o.send("1", "/chidinh kp2 0912 345 678")), "+84912345678", "người báo cáo kết quả của Khu phố 2", "Gửi số điện thoại của tôi")
		// A forwarded contact card proves nothing.
		got := mine("3", o.do("3", bot.Incoming{Contact: &bot.SharedContact{Phone: "0912345678", Own: false}}))
		expectNot(t, got, "đã được chỉ định")
		// Another number proves nothing either.
		expectNot(t, mine("3", o.do("3", bot.Incoming{Contact: &bot.SharedContact{Phone: "0987654321", Own: true}})), "đã được chỉ định")
		expect(t, mine("2", o.do("2", bot.Incoming{Contact: &bot.SharedContact{Phone: "+84 912 345 678", Own: true}})),
			"đã được chỉ định là người báo cáo kết quả của Khu phố 2")
		expect(t, mine("2", o.send("2", "/vaitro")), "người báo cáo kết quả của Khu phố 2")
		expect(t, mine("1", o.send("1", "/vaitro kp2")), "Khu phố 2: Tổ BC KP1 Hùng (+84912345678)")

		// Someone who already shared their number gets the role at once.
		out := o.send("1", "/chidinh xem 0987654321")
		expect(t, mine("1", out), "người xem kết quả", "đã được thông báo")
		expect(t, others("1", out)["3"], "đã được chỉ định là người xem kết quả")
		expect(t, mine("3", o.send("3", "/ketqua")), "Đã nhận biên bản: 0/6")

		// Revoke by phone; the person is told; their tally is refused.
		out = o.send("1", "/thuhoi kp2 0912345678")
		expect(t, mine("1", out), "Đã thu hồi quyền của Tổ BC KP1 Hùng")
		expect(t, others("1", out)["2"], "đã thu hồi quyền của ông/bà")
		expect(t, mine("2", o.send("2", "KQ KP2 TD 200 PR 200 TV 200 HL 195 KHL 5 UV1 150 UV2 40 UV3 5")), "không phải là người báo cáo kết quả của Khu phố 2")
		// Revoke from the list.
		out = o.send("1", "/thuhoi xem")
		out = o.press("1", out, "Tổ BC KP1 Mai")
		expect(t, mine("1", out), "Đã thu hồi quyền của Tổ BC KP1 Mai (+84987654321): người xem kết quả")
		expect(t, mine("1", o.press("1", o.send("1", "/thuhoi quantri"), "Cán bộ Lan")), "không thể tự thu hồi")
		if revokes := o.audits("role.revoke"); len(revokes) != 2 || *revokes[0].ContactID != o.contact("1").ID {
			t.Fatalf("role.revoke audits = %+v", revokes)
		}
		if claims := o.audits("role.claim"); len(claims) != 1 {
			t.Fatalf("role.claim audits = %+v", claims)
		}
	})
}

func TestOfficialsSubmitConfirmOutcome(t *testing.T) {
	forStores(t, func(t *testing.T, o *offHarness) {
		o.reporter("2", "kp1")
		out := o.send("2", "kết quả khu phố 1: tham dự 290, phát ra 290, thu vào 289, hợp lệ 285, không hợp lệ 4, Nguyễn Văn An 250, Trần Thị Bình 35, ghi chú 7")
		expect(t, mine("2", out), "Tham dự: 290 (92,9%)", "Phiếu không hợp lệ: 4", "1. Nguyễn Văn An: 250 (80,1%)",
			"chưa đọc được: «ghi chú 7»", "Kết quả tạm thời", "trúng cử với 250 phiếu, bằng 80,1% tổng số hộ (312 hộ)")
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
		expect(t, mine("1", o.send("1", "/congnhan kp9")), "Cú pháp")
		expect(t, mine("1", o.send("1", "/congnhan kp1 7")), "không có bản 7")
		expect(t, mine("1", o.send("1", "/congnhan kp2")), "chưa có biên bản nào")
		detail := mine("1", o.send("1", "/ketqua kp1"))
		expect(t, detail, "bản 1 — tạm thời", "bản 2 — tạm thời", "Bản đang xét: bản 2")
		out := o.send("1", "/congnhan kp1")
		expect(t, mine("1", out), "Đã công nhận kết quả Khu phố 1: bản 2 — đã được công nhận", "Nguyễn Văn An (số 1) trúng cử với 250 phiếu")
		expect(t, others("1", out)["2"], "đã công nhận biên bản Khu phố 1 bản 2")
		h := o.history("kp1")
		if len(h.Versions) != 2 || h.Versions[0].Votes[0].Votes != 240 || h.Versions[1].Status != models.TallyAccepted {
			t.Fatalf("versions = %+v", h.Versions)
		}
		// Residents now see the recognised result.
		o.now = at(2022, 6, 6, 9, 0)
		o.send("4", "kp1")
		expect(t, mine("4", o.send("4", "ngay bau cu")), "Kết quả đã được công nhận", "Nguyễn Văn An (số 1 trên phiếu) trúng cử với 250 phiếu")
		// Rejecting the accepted version with a reason; the reporter is told.
		out = o.send("1", "/tuchoi kp1 v2 biên bản thiếu chữ ký")
		expect(t, mine("1", out), "Đã từ chối biên bản Khu phố 1 bản 2", "biên bản thiếu chữ ký")
		expect(t, others("1", out)["2"], "Lý do: biên bản thiếu chữ ký")
		expect(t, mine("1", o.send("1", "/ketqua kp1")), "từ chối bởi Cán bộ Lan", "lý do: biên bản thiếu chữ ký", "công nhận bởi Cán bộ Lan")
		expect(t, mine("1", o.send("1", "/ketqua")), "Bị từ chối, chờ báo cáo lại (1)")
		for _, a := range []string{"tally.accept", "tally.reject"} {
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
		expect(t, mine("2", out), "(1/8) Khu phố 1 — hội nghị đã bầu bằng hình thức nào?")
		out = o.press("2", out, "Bỏ phiếu kín")
		expect(t, mine("2", out), "số cử tri đại diện hộ tham dự (trên tổng số 312 hộ)?")
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
		out = o.send("2", "35")
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
			"winner": "Nguyễn Văn An", "outcome": "elected", "reporter": "Tổ BC KP1 Hùng", "reviewed_by": "Cán bộ Lan"} {
			if row[k] != v {
				t.Errorf("xlsx %s = %q, want %q", k, row[k], v)
			}
		}
		out = o.send("1", "/xuat csv")
		recs, err := csv.NewReader(bytes.NewReader(out[0].Document.Data)).ReadAll()
		if err != nil || len(recs) != 7 || recs[1][2] != "kp1" || out[0].Document.MIME != "text/csv" {
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
		expect(t, to["3"], "chưa nhận được biên bản kiểm phiếu của Khu phố 2", "KQ KP2 TD 290 PR 290 TV 289 HL 285 KHL 4 UV1 250 UV2 35 UV3 0")
		expect(t, to["6"], "Reminder from Phường Ka Long")
		if _, ok := to["2"]; ok {
			t.Error("the reporter of a reported area was reminded")
		}
		if evs := o.audits(ActionRemind); len(evs) != 1 {
			t.Errorf("remind audits = %+v", evs)
		}
	})
}

func TestHandleRunsInTheCallersTransaction(t *testing.T) {
	forStores(t, func(t *testing.T, o *offHarness) {
		o.reporter("2", "kp1")
		ctx := context.Background()
		boom := errors.New("rollback")
		// The update's transaction fails after the handler ran: the draft
		// is not kept.
		err := o.s.InTx(ctx, func(tx *models.Store) error {
			out, err := o.h.Handle(ctx, tx, bot.Incoming{Channel: o.chann, UserID: "2", ChatID: "2", Text: kp1Tally})
			if err != nil || !strings.Contains(mine("2", out), "Xác nhận") {
				t.Fatalf("in tx: %v %v", out, err)
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatal(err)
		}
		if c := o.contact("2"); c.State != "" {
			t.Fatalf("state kept after rollback: %q", c.State)
		}
		err = o.s.InTx(ctx, func(tx *models.Store) error {
			_, err := o.h.Handle(ctx, tx, bot.Incoming{Channel: o.chann, UserID: "2", ChatID: "2", Text: kp1Tally})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if c := o.contact("2"); c.State == "" {
			t.Fatal("state lost after commit")
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
			expect(t, first, "Đã nhận biên bản: 1.401/1.452 khu phố", "Trúng cử (", "(trang 1/")
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
			expect(t, mine("1", page), fmt.Sprintf("(trang %d/%d)", all, all), "Chưa báo cáo: 51 khu phố")
			if all < 10 {
				t.Errorf("%d pages for 1,452 areas", all)
			}
			missing := mine("1", o.send("1", "/chuabao"))
			expect(t, missing, "Chưa gửi biên bản: 51/1.452", "Thôn Số 0001")
		})
	}
}

func TestOfficialsNotInGroups(t *testing.T) {
	forStores(t, func(t *testing.T, o *offHarness) {
		o.reporter("2", "kp1")
		for _, in := range []bot.Incoming{
			{Text: "/moi kp1", Group: true, Mention: true},
			{Text: kp1Tally, Group: true, Mention: true},
			{Callback: "o:kq:1", Group: true, Mention: true},
		} {
			user := "1"
			if in.Text == kp1Tally {
				user = "2"
			}
			in.Channel, in.UserID, in.ChatID = o.chann, user, "-100"
			out, err := o.h.Handle(context.Background(), o.s, in)
			if err != nil || len(out) != 1 || !strings.Contains(out[0].Text, "tin nhắn riêng") || out[0].ChatID != "-100" {
				t.Errorf("%+v in a group → %+v, %v", in, out, err)
			}
		}
		if n := len(o.history("kp1").Versions); n != 0 {
			t.Errorf("%d versions", n)
		}
	})
}
