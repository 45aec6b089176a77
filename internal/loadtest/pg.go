package loadtest

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/stdlib"

	"electionbot/models"
)

// Schema is a fresh PostgreSQL schema for one part of a run: URL is the
// database URL with search_path set to it (what DATABASE_URL would be).
type Schema struct {
	Name string
	URL  string
	Base string // the database URL it lives in
}

// NewSchema creates the schema name (dropping one of that name first) in
// the database at base, a postgres:// URL.
func NewSchema(ctx context.Context, base, name string) (*Schema, error) {
	if !strings.HasPrefix(base, "postgres://") && !strings.HasPrefix(base, "postgresql://") {
		return nil, fmt.Errorf("the bench needs PostgreSQL: %q is not a postgres:// URL", base)
	}
	if err := Exec(ctx, base, "DROP SCHEMA IF EXISTS "+name+" CASCADE", "CREATE SCHEMA "+name); err != nil {
		return nil, err
	}
	u, err := url.Parse(base)
	if err != nil {
		return nil, err
	}
	q := u.Query()
	q.Set("search_path", name)
	u.RawQuery = q.Encode()
	return &Schema{Name: name, URL: u.String(), Base: base}, nil
}

// Drop drops the schema and everything in it.
func (s *Schema) Drop(ctx context.Context) error {
	return Exec(ctx, s.Base, "DROP SCHEMA IF EXISTS "+s.Name+" CASCADE")
}

// Exec runs statements on a connection of its own to the database at dbURL.
func Exec(ctx context.Context, dbURL string, stmts ...string) error {
	s, err := models.Open(ctx, dbURL)
	if err != nil {
		return err
	}
	defer s.Close()
	for _, st := range stmts {
		if err := s.DB(ctx).Exec(st).Error; err != nil {
			return fmt.Errorf("%s: %w", st, err)
		}
	}
	return nil
}

// Setting is a PostgreSQL setting (SHOW name) of the database at dbURL.
func Setting(ctx context.Context, dbURL, name string) string {
	s, err := models.Open(ctx, dbURL)
	if err != nil {
		return "?"
	}
	defer s.Close()
	var v string
	if err := s.DB(ctx).Raw("SHOW " + name).Scan(&v).Error; err != nil {
		return "?"
	}
	return v
}

// ServerVersion is the PostgreSQL server's version string, short.
func ServerVersion(ctx context.Context, dbURL string) string {
	v := Setting(ctx, dbURL, "server_version")
	return "PostgreSQL " + v
}

// Psql runs psql on the database of s with search_path set to the schema
// and returns how long the command took (psql's own start included, as a
// user running it would see).
func (s *Schema) Psql(ctx context.Context, command string) (time.Duration, error) {
	if _, err := exec.LookPath("psql"); err != nil {
		return 0, errors.New("psql is not installed (apt-get install postgresql-client)")
	}
	base, err := libpqURL(s.Base)
	if err != nil {
		return 0, err
	}
	cmd := exec.CommandContext(ctx, "psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", base, "-c", command)
	cmd.Env = append(os.Environ(), "PGOPTIONS=-c search_path="+s.Name)
	start := time.Now()
	out, err := cmd.CombinedOutput()
	took := time.Since(start)
	if err != nil {
		return 0, fmt.Errorf("psql %s: %v: %s", command, err, strings.TrimSpace(string(out)))
	}
	return took, nil
}

// libpqURL drops the query parameters libpq does not know (pgx runtime
// parameters such as search_path).
func libpqURL(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", err
	}
	q := u.Query()
	for k := range q {
		switch k {
		case "sslmode", "connect_timeout", "application_name", "sslrootcert", "sslcert", "sslkey", "passfile":
		default:
			q.Del(k)
		}
	}
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// CommitBound measures the simplest durable write the webhook does: a
// one-row INSERT in its own transaction (committed, so flushed to the WAL
// as synchronous_commit says), from concurrency goroutines through the
// same kind of pool as serve's, for d. It returns commits per second and
// the latencies: what fsync and the round trips alone allow.
func CommitBound(ctx context.Context, s *Schema, concurrency int, d time.Duration) (float64, Latencies, error) {
	st, err := models.Open(ctx, s.URL)
	if err != nil {
		return 0, nil, err
	}
	defer st.Close()
	db := st.DB(ctx)
	if err := db.Exec("CREATE TABLE IF NOT EXISTS bench_commit (id BIGSERIAL PRIMARY KEY, k TEXT NOT NULL, at TIMESTAMPTZ NOT NULL DEFAULT now())").Error; err != nil {
		return 0, nil, err
	}
	var (
		mu   sync.Mutex
		lat  Latencies
		wg   sync.WaitGroup
		errs error
	)
	deadline := time.Now().Add(d)
	start := time.Now()
	for g := range concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine Latencies
			for i := 0; time.Now().Before(deadline); i++ {
				t0 := time.Now()
				err := st.InTx(ctx, func(tx *models.Store) error {
					return tx.DB(ctx).Exec("INSERT INTO bench_commit (k) VALUES (?)", fmt.Sprintf("%d-%d", g, i)).Error
				})
				if err != nil {
					mu.Lock()
					errs = errors.Join(errs, err)
					mu.Unlock()
					return
				}
				mine = append(mine, time.Since(t0))
			}
			mu.Lock()
			lat = append(lat, mine...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	if errs != nil {
		return 0, nil, errs
	}
	return float64(len(lat)) / time.Since(start).Seconds(), lat, nil
}

// VoterColumns are the voters table's columns an import writes, in the
// order DumpVoters writes them (and psql \copy reads them).
const VoterColumns = "area_id, household_no, full_name, name_folded, birth_year, address, phone"

// DumpVoters writes the voters table's rows (VoterColumns) as CSV to path:
// the exact rows an import stored, for a psql \copy of the same data.
func DumpVoters(ctx context.Context, s *models.Store, path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	conn, err := s.SQL().Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	err = conn.Raw(func(dc any) error {
		c, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("DumpVoters needs a pgx connection, got %T", dc)
		}
		_, err := c.Conn().PgConn().CopyTo(ctx, f, "COPY (SELECT "+VoterColumns+" FROM voters ORDER BY id) TO STDOUT (FORMAT csv)")
		return err
	})
	if err != nil {
		return err
	}
	return f.Close()
}
