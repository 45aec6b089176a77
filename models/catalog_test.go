package models_test

import (
	"context"
	"errors"
	"testing"

	"electionbot/internal/testdb"
	"electionbot/models"
)

// The catalog cache: a message about a ward asked about before costs no
// query of the catalog; a change to the areas by any path (a load, an
// import, the meeting's nominee, a rolled-back load) is seen by the next
// transaction; what one message changes on an area it was handed is not
// seen by the next.
func TestCatalogCache(t *testing.T) {
	for _, n := range testdb.Stores(t) {
		t.Run(n.Name, func(t *testing.T) {
			s, ctx := n.Store, context.Background()
			testdb.LoadProvince(t, s)
			ward, err := s.WardByCode(ctx, "ka-long")
			if err != nil {
				t.Fatal(err)
			}
			// read is one message's reads of the ward: its election and
			// areas, and the first area again by id; it returns the first
			// area's name and candidates, and the statements it sent.
			read := func(mutate bool) (name string, cands int, stmts int64) {
				t.Helper()
				before := s.Statements()
				err := s.InTx(ctx, func(tx *models.Store) error {
					el, err := tx.ElectionForWard(ctx, ward)
					if err != nil {
						return err
					}
					as, err := tx.WardAreas(ctx, el.ID, ward)
					if err != nil {
						return err
					}
					a, err := tx.Area(ctx, as[0].ID)
					if err != nil {
						return err
					}
					if w, err := tx.AreaWard(ctx, a.ID); err != nil || w.ID != ward.ID {
						t.Fatalf("AreaWard = %v, %v", w, err)
					}
					name, cands = a.Name, len(as[0].Candidates)
					if mutate { // a caller's change stays its own
						as[0].Name, a.Name = "changed", "changed"
						as[0].Candidates = nil
						a.Ward.Name = "changed"
					}
					return nil
				})
				if err != nil {
					t.Fatal(err)
				}
				return name, cands, s.Statements() - before
			}
			name, cands, _ := read(true)
			if name != "Khu phố 1" || cands != 2 {
				t.Fatalf("first read: %q, %d candidates", name, cands)
			}
			name, cands, stmts := read(false)
			if name != "Khu phố 1" || cands != 2 {
				t.Fatalf("a caller's change leaked into the cache: %q, %d candidates", name, cands)
			}
			if stmts != 1 { // the version only
				t.Errorf("cached read: %d statements, want 1 (the catalog version)", stmts)
			}
			w, _ := s.Ward(ctx, ward.ID)
			if w.Name != "Phường Ka Long" {
				t.Errorf("ward name %q", w.Name)
			}

			// Changed outside the cache's knowledge: an UPDATE of the table.
			if err := s.DB(ctx).Exec("UPDATE areas SET name = 'Khu phố Một' WHERE code = 'kp1' AND ward_id = ?", ward.ID).Error; err != nil {
				t.Fatal(err)
			}
			if name, _, _ := read(false); name != "Khu phố Một" {
				t.Errorf("after an update of areas: %q", name)
			}
			// A candidate added (the meeting's nominee).
			first, _ := s.WardAreas(ctx, 1, ward)
			if err := s.DB(ctx).Create(&models.Candidate{AreaID: first[0].ID, BallotNo: 101, Name: "Hoàng Văn Mới", NameFolded: "hoang van moi", Nominated: true}).Error; err != nil {
				t.Fatal(err)
			}
			if _, cands, _ := read(false); cands != 3 {
				t.Errorf("after a nominee: %d candidates, want 3", cands)
			}
			// A change rolled back after a read in its own transaction:
			// its data is never served to others.
			errRollback := errors.New("rolled back")
			err = s.InTx(ctx, func(tx *models.Store) error {
				if err := tx.DB(ctx).Exec("UPDATE areas SET name = 'Tạm' WHERE code = 'kp1' AND ward_id = ?", ward.ID).Error; err != nil {
					return err
				}
				a, err := tx.Area(ctx, first[0].ID)
				if err != nil || a.Name != "Tạm" {
					t.Fatalf("own change not seen: %v, %v", a, err)
				}
				return errRollback
			})
			if !errors.Is(err, errRollback) {
				t.Fatal(err)
			}
			if name, _, _ := read(false); name != "Khu phố Một" {
				t.Errorf("after a rolled-back change: %q", name)
			}
			// The same, the version read before the change: what the
			// transaction reads after it is not cached either.
			other, err := s.WardByCode(ctx, "hai-tien")
			if err != nil {
				t.Fatal(err)
			}
			var thon1 int64
			err = s.InTx(ctx, func(tx *models.Store) error {
				if _, err := tx.Ward(ctx, other.ID); err != nil { // reads the version
					return err
				}
				if err := tx.DB(ctx).Exec("UPDATE areas SET name = 'Tạm' WHERE code = 'thon-1' AND ward_id = ?", other.ID).Error; err != nil {
					return err
				}
				el, err := tx.ElectionForWard(ctx, other)
				if err != nil {
					return err
				}
				as, err := tx.WardAreas(ctx, el.ID, other)
				if err != nil || as[0].Name != "Tạm" {
					t.Fatalf("own change not seen: %v, %v", as, err)
				}
				thon1 = as[0].ID
				return errRollback
			})
			if !errors.Is(err, errRollback) {
				t.Fatal(err)
			}
			err = s.InTx(ctx, func(tx *models.Store) error {
				a, err := tx.Area(ctx, thon1)
				if err == nil && a.Name != "Thôn 1" {
					t.Errorf("a rolled-back change was cached: %q", a.Name)
				}
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
		})
	}
}
