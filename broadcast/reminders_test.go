package broadcast_test

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"electionbot/bot/outbox"
	"electionbot/bot/outbox/outboxtest"
	"electionbot/broadcast"
	"electionbot/demo"
	"electionbot/internal/testdb"
	"electionbot/models"
)

// testChannel is a broadcast.Channel of functions.
type testChannel struct {
	encode   func(chatID, text string) (string, error)
	eligible func(ctx context.Context, cs []*models.Contact) (map[int64]string, error)
}

func (c testChannel) EncodeText(chatID, text string) (string, error) { return c.encode(chatID, text) }

func (c testChannel) Eligible(ctx context.Context, cs []*models.Contact) (map[int64]string, error) {
	if c.eligible == nil {
		return nil, nil
	}
	return c.eligible(ctx, cs)
}

// unstarted is an outbox and its broadcaster, not started: the test ticks
// and delivers (tickAndDeliver), sending through r on channels.
type unstarted struct {
	o  *outbox.Outbox
	bc *broadcast.Broadcaster
	s  *models.Store
}

func newUnstarted(t *testing.T, s *models.Store, r *outboxtest.Recorder, channels map[string]testChannel) *unstarted {
	t.Helper()
	bc, err := broadcast.New(broadcast.Config{Store: s})
	if err != nil {
		t.Fatal(err)
	}
	o, err := outbox.New(context.Background(), outbox.Config{Store: s, ChatLimit: func(string) (rate.Limit, int) { return rate.Inf, 1 },
		Rate: 1000, Jobs: bc.Jobs()})
	if err != nil {
		t.Fatal(err)
	}
	bc.Connect(o)
	for name, ch := range channels {
		o.Register(name, r)
		bc.RegisterChannel(name, ch)
	}
	return &unstarted{o: o, bc: bc, s: s}
}

// tickAndDeliver ticks n times, each time sending every message due now
// (by the store's clock), as the jobs would.
func (u *unstarted) tickAndDeliver(t *testing.T, n int) {
	t.Helper()
	ctx := context.Background()
	for i := 0; i < n; i++ {
		if err := u.bc.Tick(ctx); err != nil {
			t.Fatal(err)
		}
		ms, err := u.s.DueOutbox(ctx, u.s.Now().UTC(), 100000)
		if err != nil {
			t.Fatal(err)
		}
		ids := make([]int64, len(ms))
		for i, m := range ms {
			ids[i] = m.ID
		}
		if _, err := u.o.Deliver(ctx, ids); err != nil {
			t.Fatal(err)
		}
	}
}

func at(d, h, m int, mo ...int) time.Time {
	month := time.June
	if len(mo) > 0 {
		month = time.Month(mo[0])
	}
	return time.Date(2022, month, d, h, m, 0, 0, models.VietnamTime)
}

// The default reminders of the Ka Long 2022 election (Sunday 05/06/2022,
// polls 07:00–11:00, Asia/Ho_Chi_Minh) fire at their local times — 7×24 h
// before opening (29/05 07:00), 2×24 h before (03/06 07:00), the evening
// before at 19:00 and the morning of the day at 06:30 — localised and
// personalised, to the subscribed reachable residents only; the officials'
// deadlines go to the admin and the reporters. The clock is injected and
// moved step by step; nothing fires a minute early, nothing twice.
func TestRemindersFireAtLocalTimes(t *testing.T) {
	for _, n := range testdb.Stores(t) {
		t.Run(n.Name, func(t *testing.T) {
			ctx := context.Background()
			s := n.Store
			clk := outboxtest.NewClock(at(20, 9, 0, 5))
			s.Now = clk.Now
			if err := demo.Load(ctx, s); err != nil {
				t.Fatal(err)
			}
			e, _ := s.ElectionByCode(ctx, "ka-long-2022")
			areas, _ := s.Areas(ctx, e.ID)
			contact := func(name, lang string, area int, reminders, reachable bool) *models.Contact {
				c, err := s.EnsureContact(ctx, &models.Contact{Channel: "test", ExternalID: name, Lang: lang})
				if err != nil {
					t.Fatal(err)
				}
				if area >= 0 {
					c.AreaID = &areas[area].ID
				}
				c.Reminders, c.Reachable = reminders, reachable
				if err := s.SaveContact(ctx, c); err != nil {
					t.Fatal(err)
				}
				return c
			}
			contact("an-kp1", "vi", 0, true, true)
			contact("bob-kp2", "en", 1, true, true)
			contact("unsubscribed-kp1", "vi", 0, false, true)
			contact("blocked-kp3", "vi", 2, true, false)
			stopped := contact("stopped-kp4", "vi", 3, true, true)
			now := clk.Now()
			s.SaveSubscription(ctx, &models.Subscription{ContactID: stopped.ID, StoppedAt: &now})
			contact("no-area", "vi", -1, true, true)
			admin := contact("admin", "vi", -1, false, true)
			s.Grant(ctx, &models.RoleGrant{ContactID: &admin.ID, Role: models.RoleAdmin, WardID: e.WardID})
			rep := contact("reporter-kp3", "vi", -1, false, true)
			s.Grant(ctx, &models.RoleGrant{ContactID: &rep.ID, Role: models.RoleReporter, AreaID: &areas[2].ID})
			rep1 := contact("reporter-kp1", "vi", -1, false, true)
			s.Grant(ctx, &models.RoleGrant{ContactID: &rep1.ID, Role: models.RoleReporter, AreaID: &areas[0].ID})

			r := outboxtest.NewRecorder(nil)
			u := newUnstarted(t, s, r, map[string]testChannel{"test": {
				encode: func(chatID, text string) (string, error) { return chatID + "|" + text, nil }}})

			seen := 0
			step := func(when time.Time) map[string][]string {
				t.Helper()
				clk.Set(when)
				u.tickAndDeliver(t, 3) // ticks at the same minute send nothing more
				all := r.Delivered()
				got := map[string][]string{}
				for _, p := range all[seen:] {
					chat, text, _ := strings.Cut(p, "|")
					got[chat] = append(got[chat], text)
				}
				seen = len(all)
				return got
			}
			chats := func(got map[string][]string) string {
				var cs []string
				for c, texts := range got {
					for range texts {
						cs = append(cs, c)
					}
				}
				sort.Strings(cs)
				return strings.Join(cs, " ")
			}
			steps := []struct {
				when  time.Time
				chats string
				want  map[string][]string // chat → substrings of its one message
			}{
				{at(28, 7, 59, 5), "", nil},
				{at(28, 8, 0, 5), "admin reporter-kp1 reporter-kp3", map[string][]string{
					"admin": {"danh sách cử tri phải được niêm yết", "chậm nhất Chủ nhật 29/05/2022", "ít nhất 7 ngày"}}},
				{at(29, 6, 59, 5), "", nil},
				{at(29, 7, 0, 5), "an-kp1 bob-kp2", map[string][]string{
					"an-kp1":  {"Danh sách cử tri", "Khu phố 1", "Nhà văn hóa khu phố 1", "Số 12, đường Hùng Vương", "Chủ nhật 05/06/2022, từ 07:00"},
					"bob-kp2": {"The list of household representatives", "Khu phố 2", "Nhà văn hóa khu phố 2", "Sunday 05/06/2022, from 07:00"}}},
				{at(2, 8, 0), "admin reporter-kp1 reporter-kp3", map[string][]string{
					"reporter-kp3": {"thời gian, địa điểm hội nghị bầu cử phải được niêm yết và thông báo", "Thứ Sáu 03/06/2022"}}},
				{at(3, 6, 59), "", nil},
				{at(3, 7, 0), "an-kp1 bob-kp2", map[string][]string{
					"an-kp1":  {"Hội nghị cử tri đại diện hộ gia đình Khu phố 1 bầu Trưởng khu phố họp lúc 07:00, Chủ nhật 05/06/2022", "kết thúc lúc 11:00"},
					"bob-kp2": {"meeting of household representatives of Khu phố 2 to elect the neighbourhood head is at 07:00 on Sunday 05/06/2022"}}},
				{at(4, 18, 59), "", nil},
				{at(4, 19, 0), "an-kp1 bob-kp2", map[string][]string{
					"an-kp1":  {"ngày mai, Chủ nhật 05/06/2022, Khu phố 1 họp bầu Trưởng khu phố từ 07:00 đến 11:00 tại Nhà văn hóa khu phố 1"},
					"bob-kp2": {"tomorrow, Sunday 05/06/2022, Khu phố 2 meets to elect the neighbourhood head from 07:00 to 11:00"}}},
				{at(5, 6, 29), "", nil},
				{at(5, 6, 30), "an-kp1 bob-kp2", map[string][]string{
					"an-kp1":  {"Hôm nay Khu phố 1 họp bầu Trưởng khu phố", "Kính mời cử tri đại diện hộ gia đình"},
					"bob-kp2": {"Today Khu phố 2 meets to elect the neighbourhood head"}}},
				{at(5, 11, 59), "", nil},
				// An hour after closing: kp1 has reported, the others not.
				{at(5, 12, 0), "admin reporter-kp3", map[string][]string{
					"admin":        {"còn 5 khu phố chưa gửi biên bản kiểm phiếu: Khu phố 2, Khu phố 3, Khu phố 4, Khu phố 5, Khu phố 6", "chậm nhất Thứ Sáu 10/06/2022"},
					"reporter-kp3": {"chưa nhận được biên bản kiểm phiếu của Khu phố 3"}}},
				// Results due Friday 10/06 (5 working days): reminded Thursday.
				{at(9, 7, 59), "", nil},
				{at(9, 8, 0), "admin reporter-kp1 reporter-kp3", map[string][]string{
					"admin": {"Thứ Sáu 10/06/2022 (5 ngày làm việc sau ngày bầu)", "Còn 6 khu phố chưa được công nhận"}}},
				// The ward recognises within 5 working days of receiving
				// the results (NĐ 59/2023): Friday 17/06, reminded Thursday,
				// to its admins only.
				{at(16, 7, 59), "", nil},
				{at(16, 8, 0), "admin", map[string][]string{
					"admin": {"5 ngày làm việc kể từ khi nhận kết quả", "chậm nhất Thứ Sáu 17/06/2022", "Còn 6 khu phố chưa được công nhận"}}},
				{at(30, 0, 0), "", nil},
			}
			for i, st := range steps {
				if i == 12 {
					// kp1's reporter sends the minutes before closing time + 1 h.
					if err := s.DB(ctx).Create(&models.Tally{AreaID: areas[0].ID, Version: 1, ReporterID: rep1.ID, Method: models.MethodSecret,
						Households: 312, Attending: 290, Status: models.TallyProvisional, CreatedAt: clk.Now()}).Error; err != nil {
						t.Fatal(err)
					}
				}
				if i == 4 {
					// The election file is loaded again: nothing is sent twice.
					if _, err := s.LoadElectionFile(ctx, "../demo/ka-long-2022.yaml"); err != nil {
						t.Fatal(err)
					}
				}
				got := step(st.when)
				if c := chats(got); c != st.chats {
					t.Errorf("%s: messages to [%s], want [%s]", st.when.Format("02/01 15:04"), c, st.chats)
				}
				for chat, subs := range st.want {
					if len(got[chat]) != 1 {
						continue
					}
					for _, sub := range subs {
						if !strings.Contains(got[chat][0], sub) {
							t.Errorf("%s: %s's message lacks %q:\n%s", st.when.Format("02/01 15:04"), chat, sub, got[chat][0])
						}
					}
				}
			}
			rs, _ := s.ElectionReminders(ctx, e.ID)
			for _, r := range rs {
				if r.Status != models.ReminderFired {
					t.Errorf("reminder %s is %s", r.Key, r.Status)
				}
			}
		})
	}
}

// A reminder whose time passed long ago (the election was loaded late) is
// not sent late.
func TestReminderTooLateIsMissed(t *testing.T) {
	ctx := context.Background()
	s := testdb.SQLite(t)
	clk := outboxtest.NewClock(at(1, 9, 0)) // 1 June: the 7-day reminder was due on 29 May
	s.Now = clk.Now
	if err := demo.Load(ctx, s); err != nil {
		t.Fatal(err)
	}
	e, _ := s.ElectionByCode(ctx, "ka-long-2022")
	areas, _ := s.Areas(ctx, e.ID)
	c, _ := s.EnsureContact(ctx, &models.Contact{Channel: "test", ExternalID: "1"})
	c.AreaID, c.Reminders = &areas[0].ID, true
	s.SaveContact(ctx, c)
	r := outboxtest.NewRecorder(nil)
	u := newUnstarted(t, s, r, map[string]testChannel{"test": {encode: func(_, text string) (string, error) { return text, nil }}})
	u.tickAndDeliver(t, 1)
	if got := r.Delivered(); len(got) != 0 {
		t.Fatalf("sent late: %q", got)
	}
	rs, _ := s.ElectionReminders(ctx, e.ID)
	for _, r := range rs {
		if r.Key == "list-posted" && r.Status != models.ReminderMissed {
			t.Fatalf("list-posted is %s", r.Status)
		}
	}
}

// A channel's eligibility check (Zalo's customer-service window) skips the
// contacts it rejects, with its reason in the report; contacts of a channel
// the broadcaster does not serve are skipped too.
func TestBroadcastEligibleHook(t *testing.T) {
	ctx := context.Background()
	s := testdb.SQLite(t)
	if err := demo.Load(ctx, s); err != nil {
		t.Fatal(err)
	}
	e, _ := s.ElectionByCode(ctx, "ka-long-2022")
	areas, _ := s.Areas(ctx, e.ID)
	for i, ch := range []string{"test", "test", "test", "window", "window", "console"} {
		c, err := s.EnsureContact(ctx, &models.Contact{Channel: ch, ExternalID: strconv.Itoa(i)})
		if err != nil {
			t.Fatal(err)
		}
		c.AreaID = &areas[0].ID
		s.SaveContact(ctx, c)
	}
	enc := func(_, text string) (string, error) { return text, nil }
	var asked []int
	u := newUnstarted(t, s, outboxtest.NewRecorder(nil), map[string]testChannel{
		"test": {encode: enc},
		"window": {encode: enc, eligible: func(_ context.Context, cs []*models.Contact) (map[int64]string, error) {
			asked = append(asked, len(cs))
			return map[int64]string{cs[0].ID: "zalo_outside_window"}, nil
		}},
	})
	b := &models.Broadcast{ElectionID: e.ID, Kind: models.BroadcastAnnouncement, Audience: models.AudienceAll, Body: "x", Status: models.BroadcastQueued}
	if err := s.CreateBroadcast(ctx, b); err != nil {
		t.Fatal(err)
	}
	u.tickAndDeliver(t, 3)
	st, _ := u.bc.Stats(ctx, b.ID)
	want := "{Total:6 Sent:4 Pending:0 Unreachable:0 Failed:0 Skipped:2 Reasons:[{Reason:channel not served: console Count:1} {Reason:zalo_outside_window Count:1}]}"
	if got := fmt.Sprintf("%+v", *st); got != want {
		t.Errorf("stats %s\nwant  %s", got, want)
	}
	if len(asked) != 1 || asked[0] != 2 {
		t.Errorf("Eligible asked about %v, want one page of 2", asked)
	}
	if got, _ := s.Broadcast(ctx, b.ID); got.Status != models.BroadcastDone {
		t.Errorf("status %s", got.Status)
	}
}
