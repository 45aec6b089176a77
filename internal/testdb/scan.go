package testdb

import (
	"context"
	"strings"
	"testing"

	"electionbot/models"
)

// TextHit is a value of a text column that contains a searched string.
type TextHit struct {
	Table, Column, Needle, Value string
}

// FindText scans every text column of every table of the store (tables
// is empty) or of the named tables for values containing one of needles,
// compared folded (case, diacritics and spacing do not matter: a name
// stored as "nguyen van an" is found by "Nguyễn Văn An"). It is how the
// privacy tests prove that a name or phone is nowhere at rest.
func FindText(t testing.TB, s *models.Store, needles []string, tables ...string) []TextHit {
	t.Helper()
	ctx := context.Background()
	db := s.DB(ctx)
	type col struct{ table, name string }
	var cols []col
	if s.Dialect() == models.DialectPostgres {
		var rows []struct{ TableName, ColumnName string }
		err := db.Raw(`SELECT table_name, column_name FROM information_schema.columns
			WHERE table_schema = current_schema() AND data_type IN ('text', 'character varying', 'jsonb', 'json')
			ORDER BY table_name, ordinal_position`).Scan(&rows).Error
		if err != nil {
			t.Fatalf("list text columns: %v", err)
		}
		for _, r := range rows {
			cols = append(cols, col{r.TableName, r.ColumnName})
		}
	} else {
		var names []string
		if err := db.Raw(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`).Scan(&names).Error; err != nil {
			t.Fatalf("list tables: %v", err)
		}
		for _, tbl := range names {
			var info []struct {
				Name string
				Type string
			}
			if err := db.Raw(`SELECT name, type FROM pragma_table_info(?)`, tbl).Scan(&info).Error; err != nil {
				t.Fatalf("columns of %s: %v", tbl, err)
			}
			for _, c := range info {
				// SQLite keeps any value in any column: every column that
				// is not a number is scanned.
				if ty := strings.ToUpper(c.Type); !strings.Contains(ty, "INT") && !strings.Contains(ty, "REAL") && !strings.Contains(ty, "DOUBLE") && ty != "BOOLEAN" {
					cols = append(cols, col{tbl, c.Name})
				}
			}
		}
	}
	want := map[string]bool{}
	for _, tbl := range tables {
		want[tbl] = true
	}
	folded := make([]string, len(needles))
	for i, n := range needles {
		folded[i] = models.Fold(n)
	}
	var hits []TextHit
	for _, c := range cols {
		if len(want) > 0 && !want[c.table] {
			continue
		}
		var vals []string
		q := `SELECT COALESCE(CAST("` + c.name + `" AS TEXT), '') FROM "` + c.table + `"`
		if err := db.Raw(q).Scan(&vals).Error; err != nil {
			t.Fatalf("read %s.%s: %v", c.table, c.name, err)
		}
		for _, v := range vals {
			if v == "" {
				continue
			}
			fv := models.Fold(v)
			for i, n := range folded {
				if n != "" && (strings.Contains(fv, n) || strings.Contains(v, needles[i])) {
					hits = append(hits, TextHit{c.table, c.name, needles[i], v})
				}
			}
		}
	}
	return hits
}
