package models_test

import (
	"context"
	"testing"

	"electionbot/internal/testdb"
	"electionbot/models"
)

func TestMigrateTwiceIsNoop(t *testing.T) {
	for _, n := range testdb.Stores(t) {
		t.Run(n.Name, func(t *testing.T) {
			if err := n.Store.Migrate(context.Background()); err != nil {
				t.Fatalf("second migrate: %v", err)
			}
		})
	}
}

func TestEnsureContactCreatesOnce(t *testing.T) {
	for _, n := range testdb.Stores(t) {
		t.Run(n.Name, func(t *testing.T) {
			ctx := context.Background()
			a, err := n.Store.EnsureContact(ctx, &models.Contact{Channel: "console", ExternalID: "1", Lang: "en"})
			if err != nil {
				t.Fatal(err)
			}
			a.Reminders = true
			if err := n.Store.SaveContact(ctx, a); err != nil {
				t.Fatal(err)
			}
			b, err := n.Store.EnsureContact(ctx, &models.Contact{Channel: "console", ExternalID: "1", Lang: "vi"})
			if err != nil {
				t.Fatal(err)
			}
			if a.ID != b.ID || b.Lang != "en" || !b.Reminders || !b.Reachable {
				t.Fatalf("second EnsureContact = %+v, want the first contact (id %d, en, reminders on, reachable)", b, a.ID)
			}
		})
	}
}

func TestOpenRejectsUnknownScheme(t *testing.T) {
	_, err := models.Open(context.Background(), "mysql://x")
	if models.ErrorCode(err) != models.EINVALID {
		t.Fatalf("Open(mysql://) error = %v, want code invalid", err)
	}
}
