package models_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"electionbot/internal/testdb"
	"electionbot/models"
)

// The sweep's list: messages left behind, oldest first, except those
// that an earlier message of their chat waits before (not due yet, or
// being sent), and never one that a live sender holds.
func TestLeftInOutboxKeepsEachChatsOrder(t *testing.T) {
	for _, named := range testdb.Stores(t) {
		t.Run(named.Name, func(t *testing.T) {
			s, ctx := named.Store, context.Background()
			now := time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC)
			old, later := now.Add(-time.Minute), now.Add(time.Minute)
			expired, held := now.Add(-time.Second), now.Add(time.Minute)
			row := func(chat, status string, attempts int, due time.Time, lock *time.Time) string {
				t.Helper()
				m := &models.OutboxMessage{Channel: "telegram", ChatID: chat, Kind: models.OutboxReply, Payload: "p",
					Status: status, Attempts: attempts, NextAttemptAt: due, LockedUntil: lock, CreatedAt: old}
				if err := s.DB(ctx).Create(m).Error; err != nil {
					t.Fatal(err)
				}
				return fmt.Sprint(m.ID)
			}
			waitingA := row("a", models.OutboxPending, 1, later, nil) // a retry not due yet
			afterA := row("a", models.OutboxPending, 0, old, nil)
			deadB := row("b", models.OutboxSending, 1, old, &expired) // its sender died
			afterB := row("b", models.OutboxPending, 0, old, nil)
			row("c", models.OutboxSending, 1, old, &held) // being sent
			afterC := row("c", models.OutboxPending, 0, old, nil)
			freshD := row("d", models.OutboxPending, 0, now, nil) // the fast path's, within its grace
			row("e", models.OutboxSent, 1, old, nil)
			ms, err := s.LeftInOutbox(ctx, models.LeftOutbox{Now: now, FreshKinds: []string{models.OutboxReply},
				Fresh: now.Add(-10 * time.Second), Stale: now.Add(-5 * time.Minute), Channels: []string{"telegram"}, Limit: 100})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, m := range ms {
				got = append(got, fmt.Sprint(m.ID))
			}
			want := []string{deadB, afterB}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("left behind %v, want %v (a: %s waits before %s; c waits before %s; d: %s is fresh)",
					got, want, waitingA, afterA, afterC, freshD)
			}
		})
	}
}
