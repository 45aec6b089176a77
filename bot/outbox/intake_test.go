package outbox_test

import (
	"context"
	"errors"
	"testing"

	"electionbot/bot/outbox"
	"electionbot/internal/testdb"
	"electionbot/models"
)

func TestTakeProcessesEachUpdateOnce(t *testing.T) {
	for _, named := range testdb.Stores(t) {
		t.Run(named.Name, func(t *testing.T) {
			s := named.Store
			ctx := context.Background()
			o, err := outbox.New(ctx, outbox.Config{Store: s})
			if err != nil {
				t.Fatal(err)
			}
			rec := newRecorder()
			o.Register("test", rec)
			runs := 0
			update := func(fail error) outbox.Update {
				return outbox.Update{Channel: "test", ID: "42", Process: func(ctx context.Context, tx *models.Store) ([]*models.OutboxMessage, error) {
					runs++
					if _, err := tx.EnsureContact(ctx, &models.Contact{Channel: "test", ExternalID: "u1"}); err != nil {
						return nil, err
					}
					return []*models.OutboxMessage{{Channel: "test", ChatID: "u1", Payload: "reply"}}, fail
				}}
			}
			// A failing update leaves nothing behind: not even its record.
			if _, err := o.Take(ctx, s, update(errors.New("boom"))); err == nil {
				t.Fatal("a failed Process did not fail Take")
			}
			var n int64
			s.DB(ctx).Model(&models.Contact{}).Count(&n)
			if done, _ := s.UpdateProcessed(ctx, "test", "42"); done || n != 0 {
				t.Fatalf("after a failure: recorded %v, %d contacts", done, n)
			}
			taken, err := o.Take(ctx, s, update(nil))
			if err != nil || taken.Duplicate || len(taken.Messages) != 1 || taken.Messages[0].ID == 0 {
				t.Fatalf("first delivery: %+v %v", taken, err)
			}
			waitFor(t, "the reply kicked", func() bool { return len(rec.delivered()) == 1 })
			taken, err = o.Take(ctx, s, update(nil))
			if err != nil || !taken.Duplicate || len(taken.Messages) != 0 {
				t.Fatalf("second delivery: %+v %v", taken, err)
			}
			if runs != 2 {
				t.Fatalf("Process ran %d times, want 2 (the failure and the first delivery)", runs)
			}
		})
	}
}

func TestRoutes(t *testing.T) {
	r := outbox.NewRoutes[string]()
	r.Add("zalo", func(_ context.Context, _ *models.Store, m string) ([]*models.OutboxMessage, error) {
		return []*models.OutboxMessage{{Channel: "zalo", Payload: m}}, nil
	})
	rows, err := r.Encode(context.Background(), nil, "zalo", "hi")
	if err != nil || len(rows) != 1 || rows[0].Payload != "hi" {
		t.Fatalf("%+v %v", rows, err)
	}
	if _, err := r.Encode(context.Background(), nil, "telegram", "hi"); err == nil {
		t.Fatal("no error for a channel without a route")
	}
	var none *outbox.Routes[string]
	if _, err := none.Encode(context.Background(), nil, "zalo", "hi"); err == nil {
		t.Fatal("nil routes encoded")
	}
}
