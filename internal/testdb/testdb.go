// Package testdb gives tests fresh, migrated stores: always an embedded
// SQLite file, and a PostgreSQL schema of its own when TEST_DATABASE_URL is
// set (as .ci/run does), so the same table of cases runs on both.
package testdb

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"electionbot/models"
)

// Named is a store with the name of its dialect, for t.Run.
type Named struct {
	Name  string
	Store *models.Store
}

var seq atomic.Int64

// Stores returns a fresh migrated SQLite store and, when TEST_DATABASE_URL
// is set, a fresh migrated PostgreSQL store in a schema of its own. Both are
// closed (and the schema dropped) when the test ends.
func Stores(t testing.TB) []Named {
	t.Helper()
	out := []Named{{Name: "sqlite", Store: SQLite(t)}}
	if os.Getenv("TEST_DATABASE_URL") != "" {
		out = append(out, Named{Name: "postgres", Store: Postgres(t)})
	}
	return out
}

// SQLite returns a fresh migrated store on an embedded SQLite file.
func SQLite(t testing.TB) *models.Store {
	t.Helper()
	path := filepath.Join(t.TempDir(), "test.db")
	return open(t, "sqlite://"+path)
}

// Postgres returns a fresh migrated store in a new schema of the database
// at TEST_DATABASE_URL; it skips the test if the variable is unset.
func Postgres(t testing.TB) *models.Store {
	t.Helper()
	base := os.Getenv("TEST_DATABASE_URL")
	if base == "" {
		t.Skip("TEST_DATABASE_URL is not set")
	}
	ctx := context.Background()
	admin, err := models.Open(ctx, base)
	if err != nil {
		t.Fatalf("open TEST_DATABASE_URL: %v", err)
	}
	schema := fmt.Sprintf("t_%d_%d_%d", os.Getpid(), time.Now().UnixNano()%1e9, seq.Add(1))
	if err := admin.DB(ctx).Exec("CREATE SCHEMA " + schema).Error; err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		admin.DB(context.Background()).Exec("DROP SCHEMA " + schema + " CASCADE")
		admin.Close()
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("TEST_DATABASE_URL: %v", err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return open(t, u.String())
}

func open(t testing.TB, dbURL string) *models.Store {
	t.Helper()
	ctx := context.Background()
	s, err := models.Open(ctx, dbURL)
	if err != nil {
		t.Fatalf("open %s: %v", redact(dbURL), err)
	}
	if err := s.Migrate(ctx); err != nil {
		s.Close()
		t.Fatalf("migrate %s: %v", redact(dbURL), err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func redact(s string) string {
	if i := strings.Index(s, "@"); i > 0 {
		if j := strings.Index(s, "://"); j > 0 && j < i {
			return s[:j+3] + "…" + s[i:]
		}
	}
	return s
}
