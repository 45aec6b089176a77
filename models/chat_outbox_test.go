package models_test

import (
	"context"
	"testing"
	"time"

	"electionbot/internal/testdb"
	"electionbot/models"
)

// ChatOutbox is a chat's inbox: the messages to it after a cursor, in
// order, with their status, and nothing addressed to another chat.
func TestChatOutbox(t *testing.T) {
	for _, n := range testdb.Stores(t) {
		t.Run(n.Name, func(t *testing.T) {
			s, ctx := n.Store, context.Background()
			msg := func(chat, text string) *models.OutboxMessage {
				return &models.OutboxMessage{Channel: models.ChannelConsole, ChatID: chat, Payload: text}
			}
			msgs := []*models.OutboxMessage{msg("2", "a"), msg("1", "b"), msg("2", "c"), msg("2", "d"), msg("2", "e")}
			msgs = append(msgs, &models.OutboxMessage{Channel: models.ChannelTelegram, ChatID: "2", Payload: "tg"})
			if err := s.EnqueueOutbox(ctx, msgs); err != nil {
				t.Fatal(err)
			}
			for _, i := range []int{0, 1, 2, 4, 5} { // d stays pending
				if ok, err := s.ClaimOutbox(ctx, msgs[i].ID, time.Minute); !ok || err != nil {
					t.Fatalf("claim %d: %v %v", i, ok, err)
				}
				if err := s.OutboxSent(ctx, msgs[i].ID); err != nil {
					t.Fatal(err)
				}
			}
			if err := s.OutboxGiveUp(ctx, msgs[4].ID, models.OutboxFailed, "x"); err != nil {
				t.Fatal(err)
			}
			payloads := func(after int64, limit int) string {
				ms, err := s.ChatOutbox(ctx, models.ChannelConsole, "2", after, limit)
				if err != nil {
					t.Fatal(err)
				}
				var out string
				for _, m := range ms {
					out += m.Payload + ":" + m.Status + " "
				}
				return out
			}
			if got := payloads(0, 10); got != "a:sent c:sent d:pending e:failed " {
				t.Errorf("inbox of console:2 = %q", got)
			}
			if got := payloads(msgs[2].ID, 10); got != "d:pending e:failed " {
				t.Errorf("after c: %q", got)
			}
			if got := payloads(0, 1); got != "a:sent " {
				t.Errorf("limit 1: %q", got)
			}
		})
	}
}

// DueRemindersAt answers for a given time, not the store's clock.
func TestDueRemindersAt(t *testing.T) {
	s := testdb.SQLite(t)
	ctx := context.Background()
	s.Now = func() time.Time { return local(2022, 6, 4, 18, 0) }
	if _, err := s.LoadElectionFile(ctx, demoFile); err != nil {
		t.Fatal(err)
	}
	keys := func(rs []*models.Reminder) (out []string) {
		for _, r := range rs {
			out = append(out, r.Key)
		}
		return out
	}
	now, err := s.DueReminders(ctx, 20)
	if err != nil {
		t.Fatal(err)
	}
	later, err := s.DueRemindersAt(ctx, local(2022, 6, 5, 7, 0), 20)
	if err != nil {
		t.Fatal(err)
	}
	if len(later) != len(now)+2 || keys(later)[len(later)-2] != "evening-before" || keys(later)[len(later)-1] != "morning-of" {
		t.Errorf("due at 18:00 the day before: %v; by 07:00 on the day: %v", keys(now), keys(later))
	}
}
