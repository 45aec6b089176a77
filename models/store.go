package models

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"github.com/glebarez/sqlite"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// Dialects.
const (
	DialectPostgres = "postgres"
	DialectSQLite   = "sqlite"
)

// DefaultDatabaseURL is the embedded database in the working directory.
const DefaultDatabaseURL = "sqlite://electionbot.db"

//go:embed migrations/postgres/*.sql migrations/sqlite/*.sql
var migrationsFS embed.FS

// Store is the election's data on GORM: PostgreSQL in production, the
// embedded SQLite by default. Every call takes a context; InTx runs a
// function in one explicit transaction.
//
// Its methods live on its parts (parts.go), one type per concern; Store
// itself only opens, migrates and runs transactions.
type Store struct {
	db      *gorm.DB
	dialect string
	// Now is the clock; tests inject a fixed one.
	Now func() time.Time
	// stmts counts the statements sent (statements.go); shared by the
	// stores of the pool's transactions.
	stmts *atomic.Int64
	// cat is the replica's cache of elections, wards and areas
	// (catalog.go), shared by the stores of the pool's transactions; seen
	// is the catalog version this transaction read (nil outside one).
	cat  *catalog
	seen *catalogSeen
	// memos are the transactions' prefetched contacts (contact_prefetch.go),
	// shared by the pool's stores; memo is this transaction's.
	memos *contactMemos
	memo  *contactMemo

	Contacts
	Elections
	Registry
	Roles
	Tallies
	Broadcasts
	Reminders
	Outbox
	Channels
}

// newStore binds a Store and its parts to db.
func newStore(db *gorm.DB, dialect string, now func() time.Time) *Store {
	s := &Store{db: db, dialect: dialect, Now: now}
	s.Contacts, s.Elections, s.Registry = Contacts{s}, Elections{s}, Registry{s}
	s.Roles, s.Tallies, s.Broadcasts = Roles{s}, Tallies{s}, Broadcasts{s}
	s.Reminders, s.Outbox, s.Channels = Reminders{s}, Outbox{s}, Channels{s}
	return s
}

// Open connects to DATABASE_URL: postgres://… (or postgresql://…) or
// sqlite:///abs/path.db, sqlite://relative.db, sqlite::memory:.
func Open(ctx context.Context, databaseURL string) (*Store, error) {
	if databaseURL == "" {
		databaseURL = DefaultDatabaseURL
	}
	dialect, dsn, err := parseDatabaseURL(databaseURL)
	if err != nil {
		return nil, err
	}
	cfg := &gorm.Config{
		Logger:                 logger.Discard,
		SkipDefaultTransaction: true, // we open transactions explicitly
		NowFunc:                func() time.Time { return time.Now().UTC() },
	}
	var dial gorm.Dialector
	switch dialect {
	case DialectPostgres:
		dial = postgres.Open(dsn)
	case DialectSQLite:
		dial = sqlite.Open(dsn)
	}
	db, err := gorm.Open(dial, cfg)
	if err != nil {
		return nil, Wrap(EINTERNAL, err, "open %s database", dialect)
	}
	sqlDB, err := db.DB()
	if err != nil {
		return nil, Wrap(EINTERNAL, err, "open %s database", dialect)
	}
	if dialect == DialectSQLite {
		// One writer at a time; WAL lets readers go on meanwhile.
		sqlDB.SetMaxOpenConns(1)
	} else {
		sqlDB.SetMaxOpenConns(20)
		sqlDB.SetMaxIdleConns(10)
		sqlDB.SetConnMaxIdleTime(5 * time.Minute)
	}
	if err := sqlDB.PingContext(ctx); err != nil {
		sqlDB.Close()
		return nil, Wrap(EINTERNAL, err, "connect to %s database", dialect)
	}
	st := newStore(db, dialect, time.Now)
	st.stmts, st.cat, st.memos = new(atomic.Int64), newCatalog(), &contactMemos{}
	if err := countStatements(db, st.stmts); err != nil {
		sqlDB.Close()
		return nil, Wrap(EINTERNAL, err, "open %s database", dialect)
	}
	if err := watchContactWrites(db, st.memos); err != nil {
		sqlDB.Close()
		return nil, Wrap(EINTERNAL, err, "open %s database", dialect)
	}
	return st, nil
}

func parseDatabaseURL(raw string) (dialect, dsn string, err error) {
	switch {
	case strings.HasPrefix(raw, "postgres://"), strings.HasPrefix(raw, "postgresql://"):
		return DialectPostgres, raw, nil
	case strings.HasPrefix(raw, "sqlite:"):
		rest := strings.TrimPrefix(raw, "sqlite:")
		rest = strings.TrimPrefix(rest, "//")
		query := ""
		if i := strings.IndexByte(rest, '?'); i >= 0 {
			rest, query = rest[:i], rest[i+1:]
		}
		if rest == "" {
			return "", "", Errorf(EINVALID, "DATABASE_URL %q names no file", raw)
		}
		params := url.Values{}
		if query != "" {
			if params, err = url.ParseQuery(query); err != nil {
				return "", "", Wrap(EINVALID, err, "DATABASE_URL %q", raw)
			}
		}
		for _, p := range []string{"foreign_keys(1)", "busy_timeout(10000)", "journal_mode(WAL)", "synchronous(NORMAL)"} {
			params.Add("_pragma", p)
		}
		// A transaction takes the write lock when it begins: one that read
		// and then writes while another process (a second terminal chat)
		// wrote in between would fail at once with "database is locked",
		// busy_timeout or not; waiting at BEGIN is what busy_timeout covers.
		if params.Get("_txlock") == "" {
			params.Set("_txlock", "immediate")
		}
		if rest == ":memory:" {
			return DialectSQLite, "file::memory:?" + params.Encode(), nil
		}
		if dir := filepath.Dir(rest); dir != "." {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return "", "", Wrap(EINVALID, err, "DATABASE_URL %q: cannot create its folder", raw)
			}
		}
		return DialectSQLite, "file:" + rest + "?" + params.Encode(), nil
	default:
		return "", "", Errorf(EINVALID, "DATABASE_URL %q must start with postgres:// or sqlite://", raw)
	}
}

// Dialect is DialectPostgres or DialectSQLite.
func (s *Store) Dialect() string { return s.dialect }

// DB returns the GORM handle bound to ctx (for packages that own their tables).
func (s *Store) DB(ctx context.Context) *gorm.DB { return s.db.WithContext(ctx) }

// SQL returns the underlying database/sql pool.
func (s *Store) SQL() *sql.DB {
	d, _ := s.db.DB()
	return d
}

// Close closes the pool.
func (s *Store) Close() error { return s.SQL().Close() }

// InTx runs fn in one transaction: committed if fn returns nil, rolled back
// otherwise. fn gets a Store bound to the transaction.
func (s *Store) InTx(ctx context.Context, fn func(tx *Store) error) error {
	if s.inTx() {
		return fn(s)
	}
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		t := newStore(tx, s.dialect, s.Now)
		t.stmts, t.cat, t.seen, t.memos = s.stmts, s.cat, &catalogSeen{}, s.memos
		defer t.forgetMemo()
		return fn(t)
	})
}

func (s *Store) inTx() bool {
	_, ok := s.db.Statement.ConnPool.(gorm.TxCommitter)
	return ok
}

// Migrate applies the embedded migrations of the store's dialect.
func (s *Store) Migrate(ctx context.Context) error {
	p, err := s.migrations()
	if err != nil {
		return err
	}
	results, err := p.Up(ctx)
	if err != nil {
		return Wrap(EINTERNAL, err, "migrate")
	}
	for _, r := range results {
		slog.Info("migrated", "version", r.Source.Version, "file", filepath.Base(r.Source.Path), "took", r.Duration)
	}
	return s.backfillWardNames(ctx)
}

// MigrateDownTo undoes the migrations after version: for the tests of a
// migration's data changes (down, old rows, up again).
func (s *Store) MigrateDownTo(ctx context.Context, version int64) error {
	p, err := s.migrations()
	if err != nil {
		return err
	}
	if _, err := p.DownTo(ctx, version); err != nil {
		return Wrap(EINTERNAL, err, "migrate down to %d", version)
	}
	return nil
}

// migrations is the goose provider of the store's dialect.
func (s *Store) migrations() (*goose.Provider, error) {
	sub, err := fs.Sub(migrationsFS, "migrations/"+s.dialect)
	if err != nil {
		return nil, Wrap(EINTERNAL, err, "migrations for %s", s.dialect)
	}
	dialect := goose.DialectPostgres
	if s.dialect == DialectSQLite {
		dialect = goose.DialectSQLite3
	}
	var opts []goose.ProviderOption
	if s.dialect == DialectPostgres {
		// Replicas starting together must not migrate twice: an advisory
		// lock serialises them.
		locker, err := lock.NewPostgresSessionLocker()
		if err != nil {
			return nil, Wrap(EINTERNAL, err, "migration lock")
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	p, err := goose.NewProvider(dialect, s.SQL(), sub, opts...)
	if err != nil {
		return nil, Wrap(EINTERNAL, err, "migrations")
	}
	return p, nil
}

// backfillWardNames fills wards.folded (migration 6) for the wards loaded
// before it: SQL cannot fold Vietnamese, Go can.
func (s *Store) backfillWardNames(ctx context.Context) error {
	var ws []*Ward
	if err := s.DB(ctx).Where("folded = ''").Find(&ws).Error; err != nil {
		return Wrap(EINTERNAL, err, "wards to backfill")
	}
	for _, w := range ws {
		if err := s.DB(ctx).Model(w).Update("folded", WardFolded(w.Name)).Error; err != nil {
			return Wrap(EINTERNAL, err, "backfill ward %s", w.Code)
		}
	}
	return nil
}

// now returns the store's clock in UTC.
func (s *Store) now() time.Time { return s.Now().UTC() }

// notFound maps gorm.ErrRecordNotFound to an ENOTFOUND *Error.
func notFound(err error, format string, args ...any) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return Errorf(ENOTFOUND, format, args...)
	}
	return Wrap(EINTERNAL, err, format, args...)
}
