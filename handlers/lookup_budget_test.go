package handlers_test

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"electionbot/bot"
	"electionbot/demo"
	"electionbot/handlers"
	"electionbot/internal/testdb"
	"electionbot/models"
)

// budgetChat is the conversation on a real store (each dialect under
// test) with the Ka Long demo, its lookups counted, at a settable clock.
type budgetChat struct {
	t      *testing.T
	s      *models.Store
	h      *handlers.Conversation
	now    time.Time
	mu     sync.Mutex
	counts map[string]int
	// notices are the messages sent to contacts other than the sender.
	notices []bot.Outgoing
}

func newBudgetChat(t *testing.T, s *models.Store, b handlers.LookupBudget) *budgetChat {
	t.Helper()
	c := &budgetChat{t: t, s: s, now: time.Date(2022, 6, 2, 9, 0, 0, 0, models.VietnamTime), counts: map[string]int{}}
	s.Now = func() time.Time { return c.now }
	if err := demo.Load(context.Background(), s); err != nil {
		t.Fatal(err)
	}
	h, err := handlers.New(handlers.Config{Stores: handlers.StoresOf, Now: s.Now, Budget: b,
		OnLookup: func(result string) { c.mu.Lock(); c.counts[result]++; c.mu.Unlock() }})
	if err != nil {
		t.Fatal(err)
	}
	c.h = h
	return c
}

// say is a Telegram message of user, in a private chat; it returns the
// replies to the user.
func (c *budgetChat) say(user, text string) string {
	c.t.Helper()
	out, err := c.h.Handle(context.Background(), c.s, bot.Incoming{Channel: models.ChannelTelegram, UserID: user, ChatID: user, Text: text})
	if err != nil {
		c.t.Fatalf("%s %q: %v", user, text, err)
	}
	var b strings.Builder
	for _, o := range out {
		if o.ChatID == user {
			b.WriteString(o.Text + "\n")
		} else {
			c.notices = append(c.notices, o)
		}
	}
	return b.String()
}

func (c *budgetChat) admin(user string) {
	c.t.Helper()
	ctx := context.Background()
	ct, err := c.s.EnsureContact(ctx, &models.Contact{Channel: models.ChannelTelegram, ExternalID: user, Lang: "vi"})
	if err != nil {
		c.t.Fatal(err)
	}
	e, err := c.s.ElectionByCode(ctx, demo.ElectionCode)
	if err != nil {
		c.t.Fatal(err)
	}
	if err := c.s.Grant(ctx, &models.RoleGrant{ContactID: &ct.ID, Role: models.RoleAdmin, WardID: e.WardID}); err != nil {
		c.t.Fatal(err)
	}
}

func (c *budgetChat) audits(action string) int64 {
	var n int64
	if err := c.s.DB(context.Background()).Model(&models.AuditEvent{}).Where("action = ?", action).Count(&n).Error; err != nil {
		c.t.Fatal(err)
	}
	return n
}

// TestLookupBudgetStopsManyAccounts is finding 3 of issue 17: 30 accounts
// × 10 name lookups = 300 lookups in 9 s, all answered, with no metric,
// log line or alert. Now the area's budget (60 an hour here) stops them:
// 60 answered, 240 refused, counted by result, and the ward's admin told
// once.
func TestLookupBudgetStopsManyAccounts(t *testing.T) {
	for _, n := range testdb.Stores(t) {
		t.Run(n.Name, func(t *testing.T) {
			c := newBudgetChat(t, n.Store, handlers.LookupBudget{Area: 60, Global: 5000, Window: time.Hour, Cooldown: 2 * time.Minute})
			c.admin("900")
			for i := 1; i <= 30; i++ {
				expect(t, c.say(strconv.Itoa(i), "kp1"), "Khu phố 1")
			}
			// A new account waits before its first lookup.
			expect(t, c.say("1", "nguyen van an 1961"), "tài khoản mới", "thử lại sau 09:02")
			c.now = c.now.Add(3 * time.Minute)
			var answered, refused int
			var last string
			for i := 1; i <= 30; i++ {
				for j := 0; j < 10; j++ {
					name := "nguyen van an 1961"
					if j > 0 {
						name = fmt.Sprintf("tran thi %s %d", []string{"lan", "mai", "hoa", "cuc", "dao", "hong", "thu", "ha", "nga"}[j-1], 1950+i)
					}
					got := c.say(strconv.Itoa(i), name)
					switch {
					case strings.Contains(got, "quá nhiều lượt tra cứu danh sách cử tri của Khu phố 1"):
						refused++
						last = got
					case strings.Contains(got, "Có tên trong danh sách") || strings.Contains(got, "Không tìm thấy"):
						answered++
					default:
						t.Fatalf("account %d lookup %d: %s", i, j, got)
					}
				}
			}
			if answered != 60 || refused != 240 {
				t.Fatalf("%d lookups answered and %d refused, want 60 and 240", answered, refused)
			}
			expect(t, last, "thử lại sau 10:03", "Nhà văn hóa khu phố 1")
			if got := c.counts; got[handlers.LookupFound]+got[handlers.LookupNotFound] != 60 ||
				got[handlers.LookupBudgetArea] != 240 || got[handlers.LookupCooldown] != 1 {
				t.Errorf("counted %v", got)
			}
			if n := c.audits(handlers.ActionLookup); n != 60 {
				t.Errorf("%d lookups audited, want 60", n)
			}
			if n := c.audits(handlers.ActionLookupBudget); n != 1 {
				t.Errorf("%d budget events audited, want 1", n)
			}
			if len(c.notices) != 1 || c.notices[0].ChatID != "900" {
				t.Fatalf("admin notices %+v, want one to 900", c.notices)
			}
			expect(t, c.notices[0].Text, "Cảnh báo bảo vệ dữ liệu", "60 lượt tra cứu", "Khu phố 1, Phường Ka Long", "ngưỡng 60")

			// Another area is not affected; kp1 answers again once the
			// window has moved on.
			expect(t, c.say("31", "kp2"), "Khu phố 2")
			c.now = c.now.Add(3 * time.Minute)
			expect(t, c.say("31", "nguyen van an 1961"), "Không tìm thấy")
			c.now = c.now.Add(time.Hour)
			expect(t, c.say("1", "nguyen van an 1961"), "Có tên trong danh sách")
		})
	}
}

// TestLookupGlobalBudget: the deployment's budget counts every area's
// name lookups.
func TestLookupGlobalBudget(t *testing.T) {
	for _, n := range testdb.Stores(t) {
		t.Run(n.Name, func(t *testing.T) {
			c := newBudgetChat(t, n.Store, handlers.LookupBudget{Global: 12, Window: 10 * time.Minute})
			c.admin("900")
			for i := 1; i <= 3; i++ {
				c.say(strconv.Itoa(i), fmt.Sprintf("kp%d", i))
			}
			refused := 0
			for k := 0; k < 15; k++ {
				if strings.Contains(c.say(strconv.Itoa(k%3+1), fmt.Sprintf("le van tam %d", 1960+k)), "quá nhiều lượt tra cứu danh sách cử tri,") {
					refused++
				}
			}
			if refused != 3 || c.counts[handlers.LookupBudgetGlobal] != 3 {
				t.Fatalf("%d refused (counted %v), want 3", refused, c.counts)
			}
			if len(c.notices) != 1 {
				t.Fatalf("admin notices %+v, want 1", c.notices)
			}
			expect(t, c.notices[0].Text, "trên toàn hệ thống", "ngưỡng 12")
		})
	}
}

// TestNoNameInContactsAfterAbandonedLookup is finding 4 of issue 17: after
// "nguyen van an 1961" with no area chosen, contacts.state held
// {"await":"area","q":{"n":["nguyen van an"],"y":1961}} for ever. Now the
// searched name expires within LOOKUP_PENDING_TTL: the sweep forgets it,
// and so does the contact's next message.
func TestNoNameInContactsAfterAbandonedLookup(t *testing.T) {
	for _, n := range testdb.Stores(t) {
		t.Run(n.Name, func(t *testing.T) {
			ctx := context.Background()
			c := newBudgetChat(t, n.Store, handlers.LookupBudget{PendingTTL: 5 * time.Minute})
			names := []string{"nguyen van an", "tran van hung", "le thi nam"}
			expect(t, c.say("1", "nguyen van an 1961"), "khu phố nào")              // the area is asked
			expect(t, c.say("2", "kp1"), "Khu phố 1")                               // namesakes: the household is asked
			expect(t, c.say("2", "tran van hung 1970"), "có 2 người")               //
			expect(t, c.say("3", "le thi nam 1980"), "khu phố nào")                 // abandoned, then back
			if hits := testdb.FindText(t, c.s, names, "contacts"); len(hits) != 3 { // held while waiting
				t.Fatalf("while waiting: %+v", hits)
			}
			c.now = c.now.Add(4 * time.Minute)
			if n, err := c.s.ExpireStates(ctx, c.now); err != nil || n != 0 {
				t.Fatalf("expired before their time: %d, %v", n, err)
			}
			c.now = c.now.Add(time.Minute)
			// Contact 3 comes back after the time: the name is gone, "kp2"
			// only chooses the area.
			got := c.say("3", "kp2")
			if strings.Contains(got, "Không tìm thấy") || strings.Contains(got, "Có tên") {
				t.Fatalf("an expired lookup was made: %s", got)
			}
			if n, err := c.s.ExpireStates(ctx, c.now); err != nil || n != 2 {
				t.Fatalf("ExpireStates = %d, %v; want the 2 abandoned lookups", n, err)
			}
			if hits := testdb.FindText(t, c.s, names, "contacts"); len(hits) > 0 {
				t.Fatalf("names left in contacts after the lookups were abandoned: %+v", hits)
			}
			if hits := testdb.FindText(t, c.s, []string{"1961", "1970", "1980"}, "contacts"); len(hits) > 0 {
				t.Fatalf("birth years left in contacts: %+v", hits)
			}
		})
	}
}
