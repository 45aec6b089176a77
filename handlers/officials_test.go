package handlers

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"electionbot/bot"
	"electionbot/models"
)

const kp1Tally = "KQ KP1 TD 290 PR 290 TV 289 HL 285 KHL 4 UV1 250 UV2 35"

func TestOfficialsDesignationByInvite(t *testing.T) {
	forStores(t, func(t *testing.T, o *offHarness) {
		// On Telegram the invite is a deep link to the bot.
		o.chann = models.ChannelTelegram
		admin := o.contact("1")
		el := o.el
		if err := o.s.Grant(context.Background(), &models.RoleGrant{ContactID: &admin.ID, Role: models.RoleAdmin, WardID: &el.Ward.ID}); err != nil {
			t.Fatal(err)
		}
		got := mine("1", o.send("1", "/moi kp1"))
		expect(t, got, "https://t.me/KaLongBot?start=inv_", "người báo cáo kết quả của Khu phố 1", "08/06/2022")
		code := inviteCode.FindString(got)

		// A resident is not an admin.
		expect(t, mine("4", o.send("4", "/moi kp1")), "chỉ dành cho cán bộ")

		out := o.send("2", "/start "+code)
		expect(t, mine("2", out), "đã được chỉ định là người báo cáo kết quả của Khu phố 1", "KQ KP1 TD 280 PR 280 TV 280 HL 275 KHL 5 UV1 220 UV2 54")
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
