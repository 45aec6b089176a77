package models_test

import (
	"context"
	"errors"
	"testing"

	"electionbot/internal/testdb"
	"electionbot/models"
)

// A group's contacts read in one statement serve its EnsureContact and
// MarkReachable calls without one each, and never after a write to the
// contacts table in the transaction: a change is always read back.
func TestPrefetchContacts(t *testing.T) {
	for _, named := range testdb.Stores(t) {
		t.Run(named.Name, func(t *testing.T) {
			s, ctx := named.Store, context.Background()
			for _, id := range []string{"a", "b", "c"} {
				if _, err := s.EnsureContact(ctx, &models.Contact{Channel: "test", ExternalID: id, DisplayName: "old " + id}); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := s.MarkUnreachable(ctx, "test", "c"); err != nil {
				t.Fatal(err)
			}
			ensure := func(tx *models.Store, id string) *models.Contact {
				t.Helper()
				c, err := tx.EnsureContact(ctx, &models.Contact{Channel: "test", ExternalID: id})
				if err != nil {
					t.Fatal(err)
				}
				return c
			}
			stmts := func(f func()) int64 {
				n := s.Statements()
				f()
				return s.Statements() - n
			}
			done := errors.New("rolled back")
			err := s.InTx(ctx, func(tx *models.Store) error {
				if n := stmts(func() {
					if err := tx.PrefetchContacts(ctx, "test", []string{"a", "b", "c", "new"}); err != nil {
						t.Fatal(err)
					}
				}); n != 1 {
					t.Errorf("prefetch: %d statements, want 1", n)
				}
				if n := stmts(func() {
					if c := ensure(tx, "a"); c.DisplayName != "old a" || c.ID == 0 {
						t.Errorf("a from the memo: %+v", c)
					}
					if got, err := tx.MarkReachable(ctx, "test", "b"); err != nil || got != 0 {
						t.Errorf("b is reachable: %d %v", got, err)
					}
				}); n != 0 {
					t.Errorf("a known contact cost %d statements, want 0", n)
				}
				// Not prefetched, or unreachable: the statements as before.
				if c := ensure(tx, "new"); c.ID == 0 {
					t.Errorf("new contact not created: %+v", c)
				}
				if n := stmts(func() {
					if got, err := tx.MarkReachable(ctx, "test", "c"); err != nil || got != 1 {
						t.Errorf("c made reachable: %d %v", got, err)
					}
				}); n != 1 {
					t.Errorf("an unreachable contact: %d statements, want 1", n)
				}
				// The write above dropped the memo: b is read again, and a
				// second ask for a is never served from it.
				b := ensure(tx, "b")
				b.DisplayName = "new b"
				if err := tx.SaveContact(ctx, b); err != nil {
					t.Fatal(err)
				}
				if n := stmts(func() {
					if c := ensure(tx, "b"); c.DisplayName != "new b" {
						t.Errorf("b after its change: %q", c.DisplayName)
					}
				}); n == 0 {
					t.Error("b served from the memo after a write")
				}
				return done
			})
			if !errors.Is(err, done) {
				t.Fatal(err)
			}
			// Saving one contact drops that contact alone: the others are
			// still served without a statement, the saved one is read again.
			err = s.InTx(ctx, func(tx *models.Store) error {
				if err := tx.PrefetchContacts(ctx, "test", []string{"a", "b"}); err != nil {
					t.Fatal(err)
				}
				var b models.Contact
				if err := tx.DB(ctx).Where("channel = ? AND external_id = ?", "test", "b").Take(&b).Error; err != nil {
					t.Fatal(err)
				}
				b.DisplayName, b.Reachable = "saved b", false
				if err := tx.SaveContact(ctx, &b); err != nil {
					t.Fatal(err)
				}
				if n := stmts(func() {
					if c := ensure(tx, "a"); c.DisplayName != "old a" {
						t.Errorf("a: %q", c.DisplayName)
					}
				}); n != 0 {
					t.Errorf("a after b was saved: %d statements, want 0", n)
				}
				if c := ensure(tx, "b"); c.DisplayName != "saved b" {
					t.Errorf("b after its save: %q", c.DisplayName)
				}
				if got, err := tx.MarkReachable(ctx, "test", "b"); err != nil || got != 1 {
					t.Errorf("b saved unreachable, then made reachable: %d %v", got, err)
				}
				return done
			})
			if !errors.Is(err, done) {
				t.Fatal(err)
			}
			// In another transaction, a write before any ask drops the memo.
			err = s.InTx(ctx, func(tx *models.Store) error {
				if err := tx.PrefetchContacts(ctx, "test", []string{"a"}); err != nil {
					t.Fatal(err)
				}
				if err := tx.DB(ctx).Exec(`UPDATE contacts SET display_name = 'renamed' WHERE external_id = 'a'`).Error; err != nil {
					t.Fatal(err)
				}
				if c := ensure(tx, "a"); c.DisplayName != "renamed" {
					t.Errorf("a after a raw UPDATE: %q", c.DisplayName)
				}
				return done
			})
			if !errors.Is(err, done) {
				t.Fatal(err)
			}
		})
	}
}

// RecordUpdates records several updates in one statement: those recorded
// before, and the second of an ID given twice, are not fresh.
func TestRecordUpdates(t *testing.T) {
	for _, named := range testdb.Stores(t) {
		t.Run(named.Name, func(t *testing.T) {
			s, ctx := named.Store, context.Background()
			if fresh, err := s.RecordUpdate(ctx, "test", "1"); err != nil || !fresh {
				t.Fatal(fresh, err)
			}
			n := s.Statements()
			fresh, err := s.RecordUpdates(ctx, "test", []string{"1", "2", "3", "2"})
			if err != nil {
				t.Fatal(err)
			}
			if got := s.Statements() - n; got != 1 {
				t.Errorf("%d statements, want 1", got)
			}
			if len(fresh) != 2 || !fresh["2"] || !fresh["3"] || fresh["1"] {
				t.Errorf("fresh %v, want 2 and 3", fresh)
			}
			for _, id := range []string{"2", "3"} {
				if done, err := s.UpdateProcessed(ctx, "test", id); err != nil || !done {
					t.Errorf("update %s not recorded: %v", id, err)
				}
			}
			if _, err := s.RecordUpdates(ctx, "test", []string{"4", ""}); models.ErrorCode(err) != models.EINVALID {
				t.Errorf("an empty ID: %v, want EINVALID", err)
			}
		})
	}
}
