package cli

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"electionbot/bot/telegram/telegramtest"
	"electionbot/demo"
	"electionbot/handlers"
	"electionbot/models"
)

// groupUpdate is a message of user in group chat -1001.
func groupUpdate(id int, user int64, text string) string {
	return fmt.Sprintf(`{"update_id":%d,"message":{"message_id":%d,"date":1,"chat":{"id":-1001,"type":"supergroup","title":"Khu phố 1"},`+
		`"from":{"id":%d,"is_bot":false,"first_name":"An","language_code":"vi"},"text":%q}}`, id, id, user, text)
}

// TestServeGroupFirstContact is finding 2 of issue 17: a user whose first
// message to the bot was a command in a group had the group as their
// chat, and got broadcasts, reminders and role notices there, never
// privately; when the group refused the bot (403) the user became
// unreachable, even after writing privately. Now a contact is addressed
// by its private chat, and personal questions in a group are sent there.
func TestServeGroupFirstContact(t *testing.T) {
	t.Parallel()
	eachStore(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		if err := demo.Load(ctx, s); err != nil {
			t.Fatal(err)
		}
		fake := telegramtest.New(t)
		h := startServe(t, s, fake, webhookEnv(), nil) // the real conversation
		post := func(body string) {
			t.Helper()
			if code := h.post(body, testSecret); code != 200 {
				t.Fatalf("webhook: %d", code)
			}
		}
		// First words to the bot: a public command in the group,
		// answered in the group.
		post(groupUpdate(9501, 111, "/ngaybau@electionbot_test"))
		fake.WaitSent(t, -1001, 1)
		c := h.contact(111)
		if c.ChatID != "111" {
			t.Fatalf("the contact's chat is %q, want its private chat 111", c.ChatID)
		}
		// A lookup in the group: no personal data there, a link to the
		// private chat, and no lookup made.
		h.waitAllSent()
		n := len(fake.Sent(-1001))
		post(groupUpdate(9502, 111, "@electionbot_test nguyen van an 1961"))
		sent := fake.WaitSent(t, -1001, n+1)
		got := sent[len(sent)-1].Get("text")
		if !strings.Contains(got, "nhắn riêng cho bot: https://t.me/electionbot_test") || strings.Contains(got, "Ng***") {
			t.Fatalf("group answer to a lookup: %q", got)
		}
		var lookups int64
		s.DB(ctx).Model(&models.AuditEvent{}).Where("action = ?", handlers.ActionLookup).Count(&lookups)
		if lookups != 0 {
			t.Fatalf("%d lookups made from the group", lookups)
		}

		// The group now refuses the bot (it was removed, the group
		// closed): the person stays reachable.
		fake.Block(-1001)
		post(groupUpdate(9503, 111, "/ngaybau@electionbot_test"))
		h.waitAllSent()
		if !h.contact(111).Reachable {
			t.Fatal("the group's 403 made the person unreachable")
		}

		// Placed in Khu phố 1 (as when they choose it privately), they
		// get the ward's announcement in their private chat.
		e, err := s.ElectionByCode(ctx, demo.ElectionCode)
		if err != nil {
			t.Fatal(err)
		}
		areas, err := s.Areas(ctx, e.ID)
		if err != nil {
			t.Fatal(err)
		}
		c = h.contact(111)
		c.AreaID = &areas[0].ID
		if err := s.SaveContact(ctx, c); err != nil {
			t.Fatal(err)
		}
		b := &models.Broadcast{ElectionID: e.ID, Kind: models.BroadcastAnnouncement, Audience: models.AudienceAll,
			Body: "Tối nay 19:00 họp dân tại nhà văn hóa.", Source: "cli"}
		if err := s.CreateBroadcast(ctx, b); err != nil {
			t.Fatal(err)
		}
		if _, err := s.QueueBroadcast(ctx, b.ID, nil); err != nil {
			t.Fatal(err)
		}
		fake.WaitFor(t, "the announcement in the private chat", func([]telegramtest.Call) bool {
			_ = h.sv.broadcasts.Tick(ctx)
			for _, call := range fake.Sent(111) {
				if strings.Contains(call.Get("text"), "họp dân") {
					return true
				}
			}
			return false
		})
		for _, call := range fake.Sent(-1001) {
			if strings.Contains(call.Get("text"), "họp dân") {
				t.Errorf("the announcement went to the group: %q", call.Get("text"))
			}
		}
	})
}
