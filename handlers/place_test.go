package handlers_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"electionbot/bot"
	"electionbot/handlers"
	"electionbot/internal/testdb"
	"electionbot/models"
)

// provinceChat is the conversation on a real store loaded with the test
// province (testdb.ProvinceYAML: five wards in three cities).
type provinceChat struct {
	t *testing.T
	s *models.Store
	h *handlers.Conversation
}

func newProvinceChat(t *testing.T, s *models.Store) *provinceChat {
	now := time.Date(2025, 6, 5, 9, 0, 0, 0, models.VietnamTime)
	clock := func() time.Time { return now }
	s.Now = clock
	testdb.LoadProvince(t, s)
	h, err := handlers.New(handlers.Config{Stores: handlers.StoresOf, Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	return &provinceChat{t: t, s: s, h: h}
}

// send handles one update of console user `user` and returns the replies.
func (c *provinceChat) send(user string, in bot.Incoming) []bot.Outgoing {
	c.t.Helper()
	in.Channel, in.UserID, in.ChatID = models.ChannelConsole, user, user
	out, err := c.h.Handle(context.Background(), c.s, in)
	if err != nil {
		c.t.Fatalf("%+v: %v", in, err)
	}
	if len(out) == 0 {
		c.t.Fatalf("%+v: no reply", in)
	}
	return out
}

func (c *provinceChat) say(user, text string) string {
	c.t.Helper()
	return joinTexts(c.send(user, bot.Incoming{Text: text}))
}

func joinTexts(out []bot.Outgoing) string {
	var b strings.Builder
	for _, o := range out {
		b.WriteString(o.Text + "\n")
		if o.Keyboard != nil {
			for _, row := range o.Keyboard.Rows {
				for _, btn := range row {
					b.WriteString("[" + btn.Text + "]")
				}
			}
			b.WriteString("\n")
		}
	}
	return b.String()
}

// placed is the contact's ward and area codes ("" when unset).
func (c *provinceChat) placed(user string) (ward, area string) {
	c.t.Helper()
	ctx := context.Background()
	ct := mustContact(c.t, c.s, user)
	if ct.WardID != nil {
		w, err := c.s.Ward(ctx, *ct.WardID)
		if err != nil {
			c.t.Fatal(err)
		}
		ward = w.Code
	}
	if ct.AreaID != nil {
		a, err := c.s.Area(ctx, *ct.AreaID)
		if err != nil {
			c.t.Fatal(err)
		}
		area = a.Code
	}
	return ward, area
}

func (c *provinceChat) wantPlaced(user, ward, area string) {
	c.t.Helper()
	if w, a := c.placed(user); w != ward || a != area {
		c.t.Errorf("user %s placed in %q/%q, want %q/%q", user, w, a, ward, area)
	}
}

func (c *provinceChat) areaID(ward, code string) int64 {
	c.t.Helper()
	var a models.Area
	err := c.s.DB(context.Background()).Joins("JOIN wards ON wards.id = areas.ward_id").
		Where("wards.code = ? AND areas.code = ?", ward, code).Take(&a).Error
	if err != nil {
		c.t.Fatal(err)
	}
	return a.ID
}

func TestProvincePlacement(t *testing.T) {
	for _, st := range testdb.Stores(t) {
		t.Run(st.Name, func(t *testing.T) {
			c := newProvinceChat(t, st.Store)

			// Nobody is placed at first: the ward is asked, with the wards as
			// buttons and the location button.
			got := c.say("1", "/start")
			expect(t, got, "Kính chào", "xã, phường hay thị trấn nào", "[Phường Ka Long]", "[📍 Gửi vị trí của tôi]")
			if strings.Contains(got, "Khu phố 1") {
				t.Errorf("an unplaced resident is shown one ward's areas:\n%s", got)
			}
			// The name as people type it: the ward, then its own areas.
			got = c.say("1", "ka long")
			expect(t, got, "ông/bà ở Phường Ka Long (TP Móng Cái)", "[Khu phố 1]", "[Khu phố 2]", "[🏙 Đổi xã, phường]")
			c.wantPlaced("1", "ka-long", "")
			c.say("1", "kp1")
			c.wantPlaced("1", "ka-long", "kp1")
			expect(t, c.say("1", "bo phieu o dau"), "Nhà văn hóa khu phố 1", "Hùng Vương")

			// A ward named in a question places the resident and says so; the
			// question is then answered for that ward (one area: no need to ask).
			got = c.say("2", "toi o phuong hong hai thi bau o dau")
			expect(t, got, "ông/bà ở Phường Hồng Hải (TP Hạ Long)", "Nhà văn hóa khu 1 Hồng Hải")
			c.wantPlaced("2", "hong-hai", "kp1")
			if strings.Contains(got, "Hùng Vương") {
				t.Errorf("Hồng Hải's resident got Ka Long's kp1:\n%s", got)
			}
			// Moving is said, never silent.
			got = c.say("2", "toi o phuong ka long")
			expect(t, got, "ông/bà ở Phường Ka Long")
			c.wantPlaced("2", "ka-long", "")

			// /xa moves a placed resident, forgetting the other ward's area.
			c.say("2", "kp2")
			c.wantPlaced("2", "ka-long", "kp2")
			c.say("2", "/xa hai tien")
			c.wantPlaced("2", "hai-tien", "")
			expect(t, c.say("2", "thon 1"), "ông/bà ở Thôn 1")
			c.wantPlaced("2", "hai-tien", "thon-1")
			c.say("2", "/xa ka long")
			c.say("2", "kp1")
			c.wantPlaced("2", "ka-long", "kp1")

			// A name in two districts: which one?, then the city alone answers.
			expect(t, c.say("3", "xa tan lap"), "Có nhiều nơi tên Xã Tân Lập", "[Xã Tân Lập (Huyện Đầm Hà)]", "[Xã Tân Lập (Huyện Hải Hà)]")
			expect(t, c.say("3", "hai ha"), "ông/bà ở Xã Tân Lập (Huyện Hải Hà)")
			c.wantPlaced("3", "tan-lap-hh", "thon-1")
			expect(t, c.say("3", "nguoi ung cu"), "Trịnh Văn Bảy")
			// The button text comes back as it was.
			c.say("4", "/xa")
			expect(t, c.say("4", "Xã Tân Lập (Huyện Đầm Hà)"), "ông/bà ở Xã Tân Lập (Huyện Đầm Hà)")
			c.wantPlaced("4", "tan-lap-dh", "thon-1")

			// Typos and no diacritics, when the ward is asked.
			c.say("5", "/start")
			expect(t, c.say("5", "hai tein"), "ông/bà ở Xã Hải Tiến (TP Móng Cái)", "[Thôn 1]", "[Thôn 2]")
			c.say("6", "/start")
			expect(t, c.say("6", "Phường Ca Long"), "ông/bà ở Phường Ka Long")
			c.say("7", "/start")
			expect(t, c.say("7", "xa khong co"), "Chưa tìm thấy xã, phường nào tên \"xa khong co\"")
			c.wantPlaced("7", "", "")

			// A shared location: the nearest polling places to choose from.
			out := c.send("8", bot.Incoming{Location: &bot.Location{Lat: 21.4810, Lon: 107.8910}})
			got = joinTexts(out)
			expect(t, got, "Nơi bỏ phiếu gần ông/bà nhất", "1. Nhà văn hóa thôn 1 — Thôn 1, Xã Hải Tiến")
			kb := out[len(out)-1].Keyboard
			if kb == nil || !kb.Inline || len(kb.Rows) < 2 || !strings.HasPrefix(kb.Rows[0][0].Data, "place:") {
				t.Fatalf("nearby keyboard = %+v", kb)
			}
			got = joinTexts(c.send("8", bot.Incoming{Callback: kb.Rows[0][0].Data}))
			expect(t, got, "ông/bà ở Thôn 1")
			c.wantPlaced("8", "hai-tien", "thon-1")
			expect(t, c.say("8", "ngay bau cu"), "Xã Hải Tiến", "08/06/2025")
			// Far from everything: nothing near, the ward is asked.
			expect(t, joinTexts(c.send("9", bot.Incoming{Location: &bot.Location{Lat: 10.77, Lon: 106.70}})),
				"Không có nơi bỏ phiếu nào trong vòng 10 km", "xã, phường hay thị trấn nào")

			// A poster's deep link, and its code typed.
			id := c.areaID("hong-hai", "kp1")
			expect(t, c.say("10", "/start "+models.AreaPayload(&models.Area{ID: id})), "Phường Hồng Hải", "ông/bà ở Khu phố 1")
			c.wantPlaced("10", "hong-hai", "kp1")
			id = c.areaID("hai-tien", "thon-2")
			expect(t, c.say("11", "A"+strings.TrimPrefix(models.AreaPayload(&models.Area{ID: id}), "a")), "ông/bà ở Thôn 2")
			c.wantPlaced("11", "hai-tien", "thon-2")
			// An unknown code is not a place.
			c.say("12", "/start a999999")
			c.wantPlaced("12", "", "")

			// Rules do not depend on the ward: answered without asking.
			got = c.say("13", "quy dinh bau cu")
			expect(t, got, "quá 50%")
			if strings.Contains(got, "xã, phường hay thị trấn nào") {
				t.Errorf("rules asked the ward:\n%s", got)
			}
			// Someone else's name in a lookup is not a ward ("Trần Hải Tiến").
			c.say("1", "tran hai tien 1970")
			c.wantPlaced("1", "ka-long", "kp1")
		})
	}
}

// A placed resident asking about another ward (or another ward's area) is
// answered for it once and stays where they are; the buttons move them.
func TestProvinceAnotherWardAnsweredOnce(t *testing.T) {
	for _, st := range testdb.Stores(t) {
		t.Run(st.Name, func(t *testing.T) {
			c := newProvinceChat(t, st.Store)
			c.say("1", "ka long")
			c.say("1", "kp1")
			c.wantPlaced("1", "ka-long", "kp1")

			// Hồng Hải has one area: answered for it, the contact stays.
			out := c.send("1", bot.Incoming{Text: "o phuong hong hai bau o dau"})
			got := joinTexts(out)
			expect(t, got, "Nhà văn hóa khu 1 Hồng Hải", "Câu trả lời trên là của Khu phố 1, Phường Hồng Hải",
				"vẫn là Khu phố 1, Phường Ka Long", "[🏠 Đổi sang Khu phố 1, Phường Hồng Hải][Giữ Khu phố 1, Phường Ka Long]")
			if strings.Contains(got, "Hùng Vương") || strings.Contains(got, "Đã ghi nhận") {
				t.Errorf("answered for the wrong place, or moved:\n%s", got)
			}
			c.wantPlaced("1", "ka-long", "kp1")
			expect(t, c.say("1", "bo phieu o dau"), "Hùng Vương") // still Ka Long's kp1

			// Hải Tiến has two thôn: which one (for this answer only)?
			out = c.send("1", bot.Incoming{Text: "xa hai tien bau o dau"})
			expect(t, joinTexts(out), "[Thôn 1][Thôn 2]")
			kb := out[len(out)-1].Keyboard
			if kb == nil || !kb.Inline || !strings.HasPrefix(kb.Rows[0][1].Data, "see:") {
				t.Fatalf("area keyboard of another ward = %+v", kb)
			}
			c.wantPlaced("1", "ka-long", "kp1")
			out = c.send("1", bot.Incoming{Callback: kb.Rows[0][1].Data})
			expect(t, joinTexts(out), "Nhà văn hóa thôn 2", "Câu trả lời trên là của Thôn 2, Xã Hải Tiến")
			c.wantPlaced("1", "ka-long", "kp1")
			// The offer's button moves the contact, and says so.
			kb = out[len(out)-1].Keyboard
			expect(t, joinTexts(c.send("1", bot.Incoming{Callback: kb.Rows[0][0].Data})), "Đã ghi nhận: ông/bà ở Thôn 2")
			c.wantPlaced("1", "hai-tien", "thon-2")
			expect(t, c.say("1", "bo phieu o dau"), "Nhà văn hóa thôn 2")

			// A ward that is none: said so, nothing answered, nobody moved.
			got = c.say("1", "toi o xa tan phong thi bau o dau")
			expect(t, got, "Chưa tìm thấy xã, phường nào tên \"xa tan phong\"", "[Phường Ka Long]")
			if strings.Contains(got, "Nhà văn hóa") {
				t.Errorf("answered for a place:\n%s", got)
			}
			c.wantPlaced("1", "hai-tien", "thon-2")

			// The ward alone, or the ward and its area alone, moves at once.
			expect(t, c.say("1", "toi o phuong hong hai"), "ông/bà ở Phường Hồng Hải")
			c.wantPlaced("1", "hong-hai", "kp1") // its only area
			c.say("1", "phuong ka long kp2")
			c.wantPlaced("1", "ka-long", "kp2")
		})
	}
}
