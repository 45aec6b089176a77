package handlers_test

import (
	"context"
	"strings"
	"testing"

	"electionbot/bot"
	"electionbot/internal/testdb"
	"electionbot/models"
)

// grant gives console user `user` a role: of a ward (code) or, with
// ward "", of every ward.
func (c *provinceChat) grant(user, role, ward string) {
	c.t.Helper()
	ctx := context.Background()
	ct := mustContact(c.t, c.s, user)
	g := &models.RoleGrant{ContactID: &ct.ID, Role: role}
	if ward != "" {
		w, err := c.s.WardByCode(ctx, ward)
		if err != nil {
			c.t.Fatal(err)
		}
		g.WardID = &w.ID
	}
	if err := c.s.Grant(ctx, g); err != nil {
		c.t.Fatal(err)
	}
}

// announce drafts a /thongbao [arg] to everyone and returns the preview.
func (c *provinceChat) announce(user, arg string) string {
	c.t.Helper()
	out := c.send(user, bot.Incoming{Text: strings.TrimSpace("/thongbao " + arg)})
	kb := out[len(out)-1].Keyboard
	if kb == nil || !kb.Inline {
		return joinTexts(out) // refused
	}
	c.send(user, bot.Incoming{Callback: kb.Rows[0][0].Data}) // everyone
	return c.say(user, "Họp tổ bầu cử lúc 19:00.")
}

func TestProvinceOfficialsScope(t *testing.T) {
	for _, st := range testdb.Stores(t) {
		t.Run(st.Name, func(t *testing.T) {
			c := newProvinceChat(t, st.Store)
			// Residents: two in Ka Long, one in Hải Tiến, one in Hồng Hải.
			c.say("r1", "ka long")
			c.say("r1", "kp1")
			c.say("r2", "ka long")
			c.say("r2", "kp2")
			c.say("r3", "hai tien")
			c.say("r3", "thon 1")
			c.say("r4", "hong hai")
			c.grant("ad", models.RoleAdmin, "ka-long") // a ward's admin
			c.grant("pa", models.RoleAdmin, "")        // the province's

			// A ward admin is put in front of their own ward, unasked.
			expect(t, c.say("ad", "/chuabao"), "Khu phố 1", "Khu phố 2")
			// Another ward's area: refused, naming the ward's own.
			expect(t, c.say("ad", "/congnhan thon-3"), "Phường Ka Long không có \"thon-3\"", "Khu phố 1, Khu phố 2")
			// Even after choosing another ward as a resident: the official
			// acts in their own ward.
			c.say("ad", "/xa hai tien")
			expect(t, c.say("ad", "/congnhan thon-3"), "Phường Ka Long không có \"thon-3\"")
			expect(t, c.say("ad", "/chuabao"), "Khu phố 1")

			// A ward admin's announcement reaches the ward's people (2
			// residents, its admin, the province's admin) and no one else.
			got := c.announce("ad", "")
			expect(t, got, "Phạm vi: Phường Ka Long.")
			expect(t, got, "Người nhận: 4 ")
			// The whole province is not theirs to reach.
			expect(t, c.announce("ad", "toan tinh"), "chỉ gửi được thông báo trong phạm vi Phường Ka Long")

			// Roles: a ward's admin grants within the ward, never the province.
			expect(t, c.say("ad", "/moi quantri toan tinh"), "chỉ cấp được quyền trong phạm vi Phường Ka Long")
			expect(t, c.say("ad", "/chidinh xem toan tinh 0912000111"), "chỉ cấp được quyền trong phạm vi Phường Ka Long")
			c.say("pa", "/xa hai tien") // a ward to work in (every ward is theirs)
			expect(t, c.say("pa", "/moi quantri toan tinh"), "cán bộ quản trị của tỉnh, thành phố")
			c.say("pa", "/chidinh xem toan tinh 0912000111")
			var pending models.RoleGrant
			if err := c.s.DB(context.Background()).Where("phone = ?", "+84912000111").Take(&pending).Error; err != nil ||
				pending.WardID != nil || pending.Role != models.RoleViewer {
				t.Errorf("province viewer grant = %+v, %v", pending, err)
			}

			// The province's admin: any ward they choose, or all of them.
			expect(t, c.say("pa", "/chuabao"), "Thôn 1", "Thôn 2")
			got = c.announce("pa", "toan tinh")
			expect(t, got, "Phạm vi: toàn bộ các xã, phường của cuộc bầu cử.", "Người nhận: 6 ")
			got = c.announce("pa", "TP Mong Cai")
			expect(t, got, "Phạm vi: TP Móng Cái.", "Người nhận: 5 ")
		})
	}
}
