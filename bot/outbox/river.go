package outbox

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"maps"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/riverqueue/river/rivertype"

	"electionbot/models"
)

// DeliverArgs delivers these outbox messages, in order, unless they are
// finished. Enqueue no longer inserts it (the sweep covers the fast path);
// its worker stays for the jobs an older version left in the queue.
type DeliverArgs struct {
	IDs []int64 `json:"ids"`
}

// Kind is the River job kind.
func (DeliverArgs) Kind() string { return "outbox_deliver" }

// SweepArgs is the periodic job that sends what was left behind and prunes
// old rows.
type SweepArgs struct{}

// Kind is the River job kind.
func (SweepArgs) Kind() string { return "outbox_sweep" }

type deliverWorker struct {
	river.WorkerDefaults[DeliverArgs]
	o *Outbox
}

func (w *deliverWorker) Work(ctx context.Context, job *river.Job[DeliverArgs]) error {
	return JobResult(w.o.Deliver(ctx, job.Args.IDs))
}

// JobResult is what a River job that delivered outbox messages returns,
// given what Deliver or DeliverBulk returned: a database error, for River
// to retry with its backoff; a snooze until wait when some messages are not
// due yet (backoff, retry_after) or are claimed by another sender (snoozing
// does not use up the job's attempts: the messages' own attempts are
// bounded by MaxAttempts); nil when all are finished.
func JobResult(wait time.Duration, err error) error {
	if err != nil {
		return err
	}
	if wait > 0 {
		return river.JobSnooze(wait)
	}
	return nil
}

func (w *deliverWorker) Timeout(*river.Job[DeliverArgs]) time.Duration { return 5 * time.Minute }

// sweepUnique keeps one sweep a period: a sweep still waiting makes the
// next insert of its period a no-op. The period is part of the key, so a
// sweep left "running" by a process that died does not stop the next
// period's (River rescues stuck jobs only after an hour): a restarted
// replica sweeps within a period. River takes no period under a second.
// Two sweeps at a time are harmless (each send is claimed first); with
// bounded statements they last milliseconds.
func sweepUnique(period time.Duration) river.UniqueOpts {
	return river.UniqueOpts{ByArgs: true, ByPeriod: max(period, time.Second), ByState: []rivertype.JobState{
		rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRunning,
		rivertype.JobStateScheduled, rivertype.JobStateRetryable,
	}}
}

type sweepWorker struct {
	river.WorkerDefaults[SweepArgs]
	o *Outbox
}

func (w *sweepWorker) Work(ctx context.Context, _ *river.Job[SweepArgs]) error {
	return w.o.Sweep(ctx)
}

func (w *sweepWorker) Timeout(*river.Job[SweepArgs]) time.Duration { return 5 * time.Minute }

// Migrate applies River's migrations to the store's database (serve does
// it at start; `electionbot migrate` can too).
func Migrate(ctx context.Context, s *models.Store) error {
	d, err := riverDriver(s)
	if err != nil {
		return err
	}
	return migrateRiver(ctx, s, d)
}

func riverDriver(s *models.Store) (riverdriver.Driver[*sql.Tx], error) {
	switch s.Dialect() {
	case models.DialectPostgres:
		return riverdatabasesql.New(s.SQL()), nil
	case models.DialectSQLite:
		return riversqlite.New(s.SQL()), nil
	}
	return nil, fmt.Errorf("outbox: no River driver for %s", s.Dialect())
}

// newRiverClient migrates River's tables on the store's database and builds
// the client: riverdatabasesql on the GORM pool for PostgreSQL, riversqlite
// for the embedded database.
func newRiverClient(ctx context.Context, o *Outbox) (*river.Client[*sql.Tx], error) {
	driver, err := riverDriver(o.store)
	if err != nil {
		return nil, err
	}
	if err := migrateRiver(ctx, o.store, driver); err != nil {
		return nil, err
	}
	workers := o.cfg.Jobs.Workers
	if workers == nil {
		workers = river.NewWorkers()
	}
	if err := river.AddWorkerSafely(workers, &deliverWorker{o: o}); err != nil {
		return nil, fmt.Errorf("outbox: %w", err)
	}
	if err := river.AddWorkerSafely(workers, &sweepWorker{o: o}); err != nil {
		return nil, fmt.Errorf("outbox: %w", err)
	}
	periodic := append([]*river.PeriodicJob{
		river.NewPeriodicJob(river.PeriodicInterval(o.cfg.SweepInterval),
			func() (river.JobArgs, *river.InsertOpts) {
				return SweepArgs{}, &river.InsertOpts{UniqueOpts: sweepUnique(o.cfg.SweepInterval)}
			}, &river.PeriodicJobOpts{RunOnStart: true}),
	}, o.cfg.Jobs.Periodic...)
	queues := map[string]river.QueueConfig{}
	if !o.cfg.OnlyJobs {
		queues[river.QueueDefault] = river.QueueConfig{MaxWorkers: 20}
	}
	maps.Copy(queues, o.cfg.Jobs.Queues)
	logger := o.log
	if !logger.Enabled(ctx, slog.LevelDebug) {
		// River is chatty at info level.
		logger = slog.New(levelFilter{logger.Handler(), slog.LevelWarn})
	}
	client, err := river.NewClient(driver, &river.Config{
		Queues:            queues,
		Workers:           workers,
		PeriodicJobs:      periodic,
		Logger:            logger,
		FetchPollInterval: o.cfg.FetchPollInterval,
		FetchCooldown:     min(100*time.Millisecond, o.cfg.FetchPollInterval),
	})
	if err != nil {
		return nil, fmt.Errorf("outbox: river: %w", err)
	}
	return client, nil
}

// migrateRiver applies River's own migrations. On PostgreSQL an advisory
// lock keeps replicas starting together from migrating at once.
func migrateRiver(ctx context.Context, s *models.Store, driver riverdriver.Driver[*sql.Tx]) error {
	m, err := rivermigrate.New(driver, &rivermigrate.Config{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		return fmt.Errorf("outbox: river migrations: %w", err)
	}
	if s.Dialect() == models.DialectPostgres {
		conn, err := s.SQL().Conn(ctx)
		if err != nil {
			return models.Wrap(models.EINTERNAL, err, "river migration lock")
		}
		defer conn.Close()
		const lockKey = 7361726576 // arbitrary, fixed
		if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock($1)", lockKey); err != nil {
			return models.Wrap(models.EINTERNAL, err, "river migration lock")
		}
		defer conn.ExecContext(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", lockKey)
	}
	if _, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return models.Wrap(models.EINTERNAL, err, "river migrations")
	}
	return nil
}

// levelFilter drops records below a level.
type levelFilter struct {
	slog.Handler
	min slog.Level
}

func (f levelFilter) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= f.min && f.Handler.Enabled(ctx, l)
}

func (f levelFilter) WithAttrs(a []slog.Attr) slog.Handler {
	return levelFilter{f.Handler.WithAttrs(a), f.min}
}

func (f levelFilter) WithGroup(n string) slog.Handler {
	return levelFilter{f.Handler.WithGroup(n), f.min}
}
