package models_test

import (
	"context"
	"testing"
	"time"

	"electionbot/internal/testdb"
	"electionbot/models"
)

func TestRecordUpdateOnce(t *testing.T) {
	for _, n := range testdb.Stores(t) {
		t.Run(n.Name, func(t *testing.T) {
			s, ctx := n.Store, context.Background()
			steps := []struct {
				channel, id string
				want        bool
			}{
				{"telegram", "1", true},
				{"telegram", "1", false},
				{"zalo", "1", true},
				{"telegram", "2", true},
			}
			for _, st := range steps {
				got, err := s.RecordUpdate(ctx, st.channel, st.id)
				if err != nil || got != st.want {
					t.Fatalf("RecordUpdate(%s, %s) = %v, %v; want %v", st.channel, st.id, got, err, st.want)
				}
			}
			// Rolled back with its transaction.
			err := s.InTx(ctx, func(tx *models.Store) error {
				if ok, err := tx.RecordUpdate(ctx, "telegram", "3"); !ok || err != nil {
					t.Fatalf("in tx: %v %v", ok, err)
				}
				return models.Errorf(models.EINTERNAL, "handler failed")
			})
			if err == nil {
				t.Fatal("InTx: no error")
			}
			if done, _ := s.UpdateProcessed(ctx, "telegram", "3"); done {
				t.Fatal("a rolled back update is recorded")
			}
			if n, err := s.PruneUpdates(ctx, time.Now().Add(time.Hour)); err != nil || n != 3 {
				t.Fatalf("PruneUpdates = %d, %v", n, err)
			}
		})
	}
}

func TestChannelStateAndReachability(t *testing.T) {
	for _, n := range testdb.Stores(t) {
		t.Run(n.Name, func(t *testing.T) {
			s, ctx := n.Store, context.Background()
			if v, err := s.ChannelState(ctx, "telegram", "offset"); v != "" || err != nil {
				t.Fatalf("unset state = %q, %v", v, err)
			}
			for _, v := range []string{"10", "11"} {
				if err := s.SetChannelState(ctx, "telegram", "offset", v); err != nil {
					t.Fatal(err)
				}
			}
			if v, _ := s.ChannelState(ctx, "telegram", "offset"); v != "11" {
				t.Fatalf("offset = %q", v)
			}
			c, err := s.EnsureContact(ctx, &models.Contact{Channel: "telegram", ExternalID: "111"})
			if err != nil {
				t.Fatal(err)
			}
			for _, step := range []struct {
				unreachable bool
				changed     int64
				reachable   bool
			}{{true, 1, false}, {true, 0, false}, {false, 1, true}, {false, 0, true}} {
				f := s.MarkReachable
				if step.unreachable {
					f = s.MarkUnreachable
				}
				changed, err := f(ctx, "telegram", "111")
				got, _ := s.ContactByID(ctx, c.ID)
				if err != nil || changed != step.changed || got.Reachable != step.reachable {
					t.Fatalf("step %+v: changed %d, reachable %v, %v", step, changed, got.Reachable, err)
				}
			}
		})
	}
}

func TestOutboxRows(t *testing.T) {
	for _, n := range testdb.Stores(t) {
		t.Run(n.Name, func(t *testing.T) {
			s, ctx := n.Store, context.Background()
			key := "broadcast:1:contact:7"
			msgs := []*models.OutboxMessage{
				{Channel: "telegram", ChatID: "7", Payload: "a"},
				{Channel: "telegram", ChatID: "7", Payload: "b", DedupeKey: &key},
			}
			if err := s.EnqueueOutbox(ctx, msgs); err != nil {
				t.Fatal(err)
			}
			again := []*models.OutboxMessage{{Channel: "telegram", ChatID: "7", Payload: "b", DedupeKey: &key}}
			if err := s.EnqueueOutbox(ctx, again); err != nil || again[0].ID != 0 {
				t.Fatalf("second delivery with the same key: id %d, %v", again[0].ID, err)
			}
			a := msgs[0].ID
			if ok, err := s.ClaimOutbox(ctx, a, time.Minute); !ok || err != nil {
				t.Fatalf("first claim: %v %v", ok, err)
			}
			if ok, _ := s.ClaimOutbox(ctx, a, time.Minute); ok {
				t.Fatal("claimed twice")
			}
			if err := s.OutboxRetryAt(ctx, a, time.Now().Add(time.Hour), "500: down"); err != nil {
				t.Fatal(err)
			}
			if ok, _ := s.ClaimOutbox(ctx, a, time.Minute); ok {
				t.Fatal("claimed before it is due")
			}
			due, err := s.DueOutbox(ctx, time.Now().Add(2*time.Hour), 10)
			if err != nil || len(due) != 2 || due[0].ID != a || due[0].Attempts != 1 || due[0].LastError != "500: down" {
				t.Fatalf("DueOutbox = %+v, %v", due, err)
			}
			if n, err := s.OutboxCloseChat(ctx, "telegram", "7", models.OutboxUnreachable, "403"); err != nil || n != 2 {
				t.Fatalf("OutboxCloseChat = %d, %v", n, err)
			}
			if n, err := s.PruneOutbox(ctx, time.Now().Add(time.Hour)); err != nil || n != 1 {
				t.Fatalf("PruneOutbox = %d, %v (the keyed delivery stays)", n, err)
			}
		})
	}
}
