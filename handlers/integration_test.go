package handlers_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"electionbot/bot"
	"electionbot/demo"
	"electionbot/handlers"
	"electionbot/internal/testdb"
	"electionbot/models"
)

// TestDemoConversationOnRealStore runs the handlers on a real embedded
// SQLite store loaded with the Ka Long 2022 demo: the same path as
// `electionbot chat --demo`.
func TestDemoConversationOnRealStore(t *testing.T) {
	ctx := context.Background()
	s := testdb.SQLite(t)
	now := time.Date(2022, 6, 2, 9, 0, 0, 0, models.VietnamTime)
	clock := func() time.Time { return now }
	s.Now = clock
	if err := demo.Load(ctx, s); err != nil {
		t.Fatalf("demo.Load: %v", err)
	}
	h, err := handlers.New(handlers.Config{Stores: handlers.StoresOf, Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	say := func(user, msg string, contact *bot.SharedContact) string {
		t.Helper()
		out, err := h.Handle(ctx, s, bot.Incoming{Channel: models.ChannelConsole, UserID: user, ChatID: user, Text: msg, Contact: contact})
		if err != nil {
			t.Fatalf("%q: %v", msg, err)
		}
		if len(out) == 0 {
			t.Fatalf("%q: no reply", msg)
		}
		var b strings.Builder
		for _, o := range out {
			b.WriteString(o.Text + "\n")
		}
		return b.String()
	}

	expect(t, say("1", "/start", nil), "Kính chào ông/bà", "Phường Ka Long")
	expect(t, say("1", "ngay bau cu", nil), "Chủ nhật, 05/06/2022", "còn 3 ngày nữa", "07:00", "11:00")
	expect(t, say("1", "kp1", nil), "Khu phố 1")
	expect(t, say("1", "bo phieu o dau", nil), "Nhà văn hóa khu phố 1", "đường Hùng Vương")
	expect(t, say("1", "nguyen van an 1961", nil), "Ng*** V** An, sinh 1961", "hộ số 1,")
	expect(t, say("1", "tran van hung 1970", nil), "có 2 người")
	got := say("1", "3", nil)
	expect(t, got, "hộ số 3,")
	if strings.Contains(got, "Trần Văn Hùng") || strings.Contains(got, "88/4") {
		t.Errorf("full name or address shown:\n%s", got)
	}
	expect(t, say("2", "/start", &bot.SharedContact{Phone: "+84 912 345 678", Own: true}), "Ng*** V** An", "Khu phố 1")

	// The limit holds in the database: 3 lookups so far by contact 1.
	for i := 0; i < 7; i++ {
		say("1", "nguyen van an 1961", nil)
	}
	expect(t, say("1", "nguyen van an 1961", nil), "thử lại sau 09:10")
	n, err := s.CountAudit(ctx, mustContact(t, s, "1").ID, handlers.ActionLookup, now.Add(-time.Hour))
	if err != nil || n != 10 {
		t.Fatalf("audited lookups = %d, %v; want 10", n, err)
	}
	// State and language live on the contact.
	say("1", "/lang en", nil)
	if c := mustContact(t, s, "1"); c.Lang != "en" || c.AreaID == nil {
		t.Fatalf("contact = %+v", c)
	}
	expect(t, say("1", "when is the election", nil), "Sunday, 5 June 2022")

	// After the day: the latest ACCEPTED tally version (models.AcceptedTally);
	// "result" answers the area's result, not the date card.
	now = time.Date(2022, 6, 6, 9, 0, 0, 0, models.VietnamTime)
	expect(t, say("1", "result", nil), "The result for Khu phố 1 has not been recognised")
	areas, err := s.Areas(ctx, mustElection(t, s).ID)
	if err != nil {
		t.Fatal(err)
	}
	kp1 := areas[0]
	reporter := mustContact(t, s, "1")
	n290, n289, n285, n4 := 290, 289, 285, 4
	for _, tl := range []*models.Tally{
		{AreaID: kp1.ID, Version: 1, ReporterID: reporter.ID, Method: models.MethodSecret, Households: 312, Attending: 290, Issued: &n290, Returned: &n289, Valid: &n285, Invalid: &n4, Status: models.TallyAccepted,
			Votes: []models.TallyVote{{CandidateID: kp1.Candidates[0].ID, Votes: 100}, {CandidateID: kp1.Candidates[1].ID, Votes: 180}}},
		{AreaID: kp1.ID, Version: 2, ReporterID: reporter.ID, Method: models.MethodSecret, Households: 312, Attending: 290, Issued: &n290, Returned: &n289, Valid: &n285, Invalid: &n4, Status: models.TallyAccepted,
			Votes: []models.TallyVote{{CandidateID: kp1.Candidates[0].ID, Votes: 250}, {CandidateID: kp1.Candidates[1].ID, Votes: 35}}},
		{AreaID: kp1.ID, Version: 3, ReporterID: reporter.ID, Method: models.MethodSecret, Households: 312, Attending: 290, Issued: &n290, Returned: &n289, Valid: &n285, Invalid: &n4, Status: models.TallyProvisional,
			Votes: []models.TallyVote{{CandidateID: kp1.Candidates[1].ID, Votes: 290}}},
	} {
		if err := s.DB(ctx).Create(tl).Error; err != nil {
			t.Fatal(err)
		}
	}
	expect(t, say("1", "result", nil), "Nguyễn Văn An (no. 1 on the ballot) is elected neighbourhood head with 250 votes, 80.1% of all the household representatives (312 households)")
}

func mustElection(t *testing.T, s *models.Store) *models.Election {
	t.Helper()
	e, err := s.CurrentElection(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func mustContact(t *testing.T, s *models.Store, id string) *models.Contact {
	t.Helper()
	c, err := s.EnsureContact(context.Background(), &models.Contact{Channel: models.ChannelConsole, ExternalID: id})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// bcChat is the conversation on a real store with the Ka Long 2022 demo.
type bcChat struct {
	t   *testing.T
	s   *models.Store
	h   *handlers.Conversation
	now time.Time
	e   *models.Election
}

func newBCChat(t *testing.T, now time.Time) *bcChat {
	t.Helper()
	ctx := context.Background()
	s := testdb.SQLite(t)
	c := &bcChat{t: t, s: s, now: now}
	s.Now = func() time.Time { return c.now }
	if err := demo.Load(ctx, s); err != nil {
		t.Fatal(err)
	}
	var err error
	if c.e, err = s.ElectionByCode(ctx, "ka-long-2022"); err != nil {
		t.Fatal(err)
	}
	if c.h, err = handlers.New(handlers.Config{Stores: handlers.StoresOf, Now: func() time.Time { return c.now }}); err != nil {
		t.Fatal(err)
	}
	return c
}

func (c *bcChat) contact(user string) *models.Contact {
	c.t.Helper()
	ct, err := c.s.EnsureContact(context.Background(), &models.Contact{Channel: models.ChannelConsole, ExternalID: user, Lang: "vi"})
	if err != nil {
		c.t.Fatal(err)
	}
	return ct
}

func (c *bcChat) admin(user string) {
	c.t.Helper()
	ct := c.contact(user)
	if err := c.s.Grant(context.Background(), &models.RoleGrant{ContactID: &ct.ID, Role: models.RoleAdmin, WardID: c.e.WardID}); err != nil {
		c.t.Fatal(err)
	}
}

func (c *bcChat) send(user string, in bot.Incoming) []bot.Outgoing {
	c.t.Helper()
	in.Channel, in.UserID, in.ChatID = models.ChannelConsole, user, user
	out, err := c.h.Handle(context.Background(), c.s, in)
	if err != nil {
		c.t.Fatalf("%+v: %v", in, err)
	}
	return out
}

func (c *bcChat) say(user, text string) []bot.Outgoing {
	c.t.Helper()
	return c.send(user, bot.Incoming{Text: text})
}

func (c *bcChat) press(user, data string) []bot.Outgoing {
	c.t.Helper()
	return c.send(user, bot.Incoming{Callback: data})
}

func joined(out []bot.Outgoing) string {
	var b strings.Builder
	for _, o := range out {
		b.WriteString(o.Text + "\n")
	}
	return b.String()
}

// button finds the inline button whose text contains label.
func button(t *testing.T, out []bot.Outgoing, label string) string {
	t.Helper()
	for _, o := range out {
		if o.Keyboard == nil || !o.Keyboard.Inline {
			continue
		}
		for _, row := range o.Keyboard.Rows {
			for _, b := range row {
				if strings.Contains(b.Text, label) {
					return b.Data
				}
			}
		}
	}
	t.Fatalf("no button %q in %q", label, joined(out))
	return ""
}

func expect(t *testing.T, got string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(got, w) {
			t.Errorf("reply lacks %q:\n%s", w, got)
		}
	}
}

func TestBroadcastConversation(t *testing.T) {
	c := newBCChat(t, time.Date(2022, 6, 1, 9, 0, 0, 0, models.VietnamTime))
	ctx := context.Background()
	c.admin("1")
	for user, area := range map[string]string{"11": "kp1", "12": "kp1", "21": "kp2", "31": "kp3"} {
		c.say(user, area)
	}
	c.say("31", "/stop")

	// Someone who is not an admin.
	expect(t, joined(c.say("11", "/thongbao")), "chỉ dành cho cán bộ UBND phường")

	// To some areas: 1 and 2.
	out := c.say("1", "/thongbao")
	expect(t, joined(out), "Gửi thông báo tới ai?")
	// Everyone: the 4 residents but the one who said /stop, and the admin.
	if all := button(t, out, "Mọi người (4)"); !strings.HasSuffix(all, ":all") {
		t.Errorf("everyone button %q", all)
	}
	expect(t, joined(c.press("1", button(t, out, "Một số khu phố"))), "Gõ các khu phố", "Khu phố 1, Khu phố 2")
	expect(t, joined(c.say("1", "1, 9")), "Không nhận ra khu phố: 9.")
	expect(t, joined(c.say("1", "khu phố 12")), "Không nhận ra khu phố: khu phố 12.")
	expect(t, joined(c.say("1", "kp1 và khu phố 2")), "Xin gửi nội dung thông báo cho Khu phố 1, Khu phố 2", "tối đa 1.800 ký tự")
	expect(t, joined(c.say("1", strings.Repeat("dài ", 1000))), "quá 1.800 ký tự")
	out = c.say("1", "Tối nay 19:00 họp dân tại nhà văn hóa.")
	expect(t, joined(out), "Xem trước", "📢 Thông báo của Phường Ka Long:\n\nTối nay 19:00 họp dân tại nhà văn hóa.",
		"Người nhận: 3 (Khu phố 1, Khu phố 2)")
	send := button(t, out, "Gửi")
	expect(t, joined(c.press("1", send)), "Đã bắt đầu gửi thông báo #1 tới 3 người")
	b, err := c.s.Broadcast(ctx, 1)
	if err != nil || b.Status != models.BroadcastQueued || b.Audience != models.AudienceAreas || b.Body != "Tối nay 19:00 họp dân tại nhà văn hóa." {
		t.Fatalf("broadcast %+v, %v", b, err)
	}
	// Pressing again sends nothing more.
	expect(t, joined(c.press("1", send)), "đã được gửi hoặc đã hủy")

	// Election teams only, then cancelled at the preview.
	out = c.say("1", "/thongbao")
	expect(t, joined(c.press("1", button(t, out, "Chỉ tổ bầu cử (0)"))), "cho tổ bầu cử các khu phố")
	expect(t, joined(c.say("1", "Nộp biên bản trước 12:00")), "Chưa có ai trong nhóm người nhận này")
	b, _ = c.s.Broadcast(ctx, 2)
	if b.Status != models.BroadcastCancelled {
		t.Errorf("empty audience: %s", b.Status)
	}
	out = c.say("1", "/thongbao")
	c.press("1", button(t, out, "Mọi người"))
	out = c.say("1", "Nhắc: mang theo CCCD")
	expect(t, joined(out), "Người nhận: 4 (mọi người)")
	expect(t, joined(c.press("1", button(t, out, "Hủy"))), "Đã hủy thông báo")
	b, _ = c.s.Broadcast(ctx, 3)
	if b.Status != models.BroadcastCancelled {
		t.Errorf("cancelled: %s", b.Status)
	}
	// After /thongbao the text is taken as such, even one that looks like
	// a question; /huy leaves it.
	out = c.say("1", "/thongbao")
	c.press("1", button(t, out, "Mọi người"))
	c.say("1", "/huy")
	if got := joined(c.say("1", "ngày bầu cử là khi nào")); strings.Contains(got, "Xem trước") {
		t.Errorf("text after /huy still taken for the announcement: %s", got)
	}
	expect(t, joined(c.say("1", "/thongbao trangthai")), "Các thông báo gần đây", "#1", "chờ gửi", "#3", "đã hủy")
}

func TestReminderSubscription(t *testing.T) {
	c := newBCChat(t, time.Date(2022, 5, 20, 9, 0, 0, 0, models.VietnamTime))
	ctx := context.Background()
	// Choosing an area brings the offer, once.
	out := c.say("7", "Khu phố 1")
	expect(t, joined(out), "Đã ghi nhận", "có muốn nhận tin nhắc lịch bầu cử của Khu phố 1")
	yes := button(t, out, "Có, nhắc tôi")
	if got := joined(c.say("7", "Khu phố 2")); strings.Contains(got, "có muốn nhận tin nhắc") {
		t.Errorf("offered twice: %s", got)
	}
	got := joined(c.press("7", yes))
	expect(t, got, "Đã bật nhắc lịch bầu cử cho Khu phố 2", "29/05 07:00 — danh sách cử tri được niêm yết",
		"03/06 07:00 — thông báo hội nghị", "04/06 19:00 — nhắc tối hôm trước", "05/06 06:30 — nhắc sáng ngày bầu")
	ct := c.contact("7")
	if !ct.Reminders {
		t.Fatal("reminders off after yes")
	}
	// /stop: nothing unasked any more.
	expect(t, joined(c.say("7", "/stop")), "Đã dừng mọi tin nhắn tự động")
	ct = c.contact("7")
	sub, _ := c.s.Subscription(ctx, ct.ID)
	if ct.Reminders || sub.StoppedAt == nil {
		t.Fatalf("after /stop: reminders %v, stopped %v", ct.Reminders, sub.StoppedAt)
	}
	// /nhacnho bat undoes it.
	expect(t, joined(c.say("7", "/nhacnho bat")), "Đã bật nhắc lịch")
	ct = c.contact("7")
	sub, _ = c.s.Subscription(ctx, ct.ID)
	if !ct.Reminders || sub.StoppedAt != nil {
		t.Fatalf("after /nhacnho bat: reminders %v, stopped %v", ct.Reminders, sub.StoppedAt)
	}
	expect(t, joined(c.say("7", "/nhacnho tat")), "Đã tắt nhắc lịch")
	expect(t, joined(c.say("7", "/nhacnho tat")), "Đã tắt nhắc lịch")
	if c.contact("7").Reminders {
		t.Fatal("on after /nhacnho tat")
	}
	// Declining the offer.
	out = c.say("8", "kp3")
	expect(t, joined(c.press("8", button(t, out, "Không, cảm ơn"))), "/nhacnho bat")
	if c.contact("8").Reminders {
		t.Fatal("declined but on")
	}
	// No offer once the election has opened.
	c.now = time.Date(2022, 6, 5, 8, 0, 0, 0, models.VietnamTime)
	if got := joined(c.say("9", "kp2")); strings.Contains(got, "có muốn nhận tin nhắc") {
		t.Errorf("offered after the opening: %s", got)
	}
	// Reminders turned on without an area: the area is asked.
	c.now = time.Date(2022, 5, 20, 9, 0, 0, 0, models.VietnamTime)
	expect(t, joined(c.say("10", "/nhacnho bat")), "Đã bật nhắc lịch", "ở khu phố nào của Phường Ka Long")
	// The command alone shows the state, with both buttons; it never toggles.
	out = c.say("7", "/nhacnho")
	expect(t, joined(out), "Nhắc lịch bầu cử đang tắt")
	got = joined(c.press("7", button(t, out, "Bật")))
	expect(t, got, "Đã bật nhắc lịch bầu cử cho Khu phố 2", "04/06 19:00 — nhắc tối hôm trước")
	out = c.say("7", "/nhacnho")
	expect(t, joined(out), "Nhắc lịch bầu cử đang bật cho Khu phố 2", "04/06 19:00 — nhắc tối hôm trước")
	if !c.contact("7").Reminders {
		t.Fatal("/nhacnho a second time turned reminders off")
	}
	expect(t, joined(c.press("7", button(t, out, "Tắt"))), "Đã tắt nhắc lịch")
	if c.contact("7").Reminders {
		t.Fatal("on after pressing Tắt")
	}
}
