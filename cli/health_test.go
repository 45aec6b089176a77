package cli

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"testing"
	"time"

	"electionbot/models"
)

// TestHealthzReadOnlyDatabase is finding 7 of issue 17: with the
// database read-only every webhook failed (500) while /healthz, which
// only pinged, answered 200. Now /healthz commits a tiny write.
func TestHealthzReadOnlyDatabase(t *testing.T) {
	t.Parallel()
	eachStore(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		ro := readOnlyStore(t, s)
		if err := ro.SQL().PingContext(ctx); err != nil {
			t.Fatalf("the read-only store does not even answer: %v", err)
		}
		if _, err := ro.RecordUpdate(ctx, models.ChannelTelegram, "1"); err == nil {
			t.Fatal("the read-only store took a write")
		}
		now := time.Date(2025, 5, 1, 9, 0, 0, 0, time.UTC)
		clock := func() time.Time { return now }
		get := func(h http.Handler) int {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/healthz", nil))
			return rec.Code
		}
		if code := get(newHealth(ro, clock)); code != http.StatusServiceUnavailable {
			t.Errorf("/healthz on a read-only database = %d, want 503", code)
		}
		h := newHealth(s, clock)
		if code := get(h); code != http.StatusOK {
			t.Errorf("/healthz on a writable database = %d, want 200", code)
		}
		// Within a second the answer is reused: no write per probe.
		if err := s.SetChannelState(ctx, "serve", "health", "marker"); err != nil {
			t.Fatal(err)
		}
		get(h)
		if v, _ := s.ChannelState(ctx, "serve", "health"); v != "marker" {
			t.Errorf("a second probe within %v wrote again", healthTTL)
		}
		now = now.Add(healthTTL)
		get(h)
		if v, _ := s.ChannelState(ctx, "serve", "health"); v == "marker" {
			t.Errorf("a probe after %v did not check again", healthTTL)
		}
	})
}

// readOnlyStore opens s's database again, read-only: SQLite with
// query_only, PostgreSQL with default_transaction_read_only (the state of
// a replica after a failover, or a database set read-only by its
// operator).
func readOnlyStore(t *testing.T, s *models.Store) *models.Store {
	t.Helper()
	dbURL := storeURL(t, s)
	if s.Dialect() == models.DialectSQLite {
		dbURL += "?_pragma=query_only(1)"
	} else {
		dbURL += "&default_transaction_read_only=on"
	}
	ro, err := models.Open(context.Background(), dbURL)
	if err != nil {
		t.Fatalf("open read-only: %v", err)
	}
	t.Cleanup(func() { ro.Close() })
	return ro
}

// storeURL is the DATABASE_URL of a test store: its SQLite file, or
// TEST_DATABASE_URL with the store's schema (PostgreSQL: it has a query).
func storeURL(t *testing.T, s *models.Store) string {
	t.Helper()
	ctx := context.Background()
	if s.Dialect() == models.DialectSQLite {
		var rows []struct {
			Seq  int
			Name string
			File string
		}
		if err := s.DB(ctx).Raw("PRAGMA database_list").Scan(&rows).Error; err != nil || len(rows) == 0 {
			t.Fatalf("database_list: %v", err)
		}
		return "sqlite://" + rows[0].File
	}
	var schema string
	if err := s.DB(ctx).Raw("SELECT current_schema()").Scan(&schema).Error; err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(os.Getenv("TEST_DATABASE_URL"))
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}
