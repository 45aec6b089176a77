package outbox

import (
	"context"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/riverqueue/river"
	"golang.org/x/time/rate"

	"electionbot/models"
)

// Config configures an Outbox. Zero values take the defaults in brackets.
type Config struct {
	Store *models.Store
	// Rate is the most messages per second across all chats and replicas
	// (BROADCAST_RATE) [30].
	Rate float64
	// ChatLimit gives a chat's pace; its argument is "channel:chatID"
	// [1 message/s, burst 3].
	ChatLimit func(chat string) (rate.Limit, int)
	// MaxAttempts bounds the attempts at one message [10].
	MaxAttempts int
	// RetryBase and RetryMax shape the backoff after temporary errors:
	// RetryBase·2^(attempt-1), at most RetryMax, ±20% [5s, 10m].
	RetryBase, RetryMax time.Duration
	// Grace is how long after it was due a reply not yet tried is left to
	// the fast path; the sweep sends it after that [10s].
	Grace time.Duration
	// InlineWait is the longest retry_after the fast path waits itself;
	// longer waits go to the durable job [5s].
	InlineWait time.Duration
	// SendTimeout bounds one API call and is how long a claim lasts [30s].
	SendTimeout time.Duration
	// Concurrency is how many chats the fast path sends to at once [64].
	Concurrency int
	// SweepInterval is how often a River periodic job sends what was left
	// behind (see Sweep): a crash's replies, retries after errors [5s].
	SweepInterval time.Duration
	// Retention is how long finished messages and processed update ids are
	// kept [7 days].
	Retention time.Duration
	// FetchPollInterval is how often River looks for jobs [1s].
	FetchPollInterval time.Duration
	// LeaseInterval is how often this replica renews its row in the
	// replicas table; Rate is shared equally among the replicas renewed
	// within LeaseTTL [2s, 5 × LeaseInterval].
	LeaseInterval, LeaseTTL time.Duration
	// Clock paces the sends and the heartbeats [the machine's clock].
	Clock Clock
	// Jobs are other packages' River jobs (broadcasts and reminders) run by
	// the outbox's River client.
	Jobs Jobs
	// OnlyJobs makes this River client work only the queues of Jobs
	// (`electionbot broadcast`, which may not run every channel): the
	// replies' jobs stay for the serve replicas. It still schedules the
	// periodic jobs when it is River's leader.
	OnlyJobs bool
	// OnGiveUp, when set, is called after a message is given up for good
	// (status unreachable or failed, with the error that ended it), in no
	// transaction: a household's reach (issue 19) moves on to its next
	// channel there. An error is logged and the message stays given up.
	OnGiveUp   func(ctx context.Context, m *models.OutboxMessage, status string, se *SendError) error
	Logger     *slog.Logger
	Registerer prometheus.Registerer
}

// Jobs are River jobs of another package, run by the outbox's client.
type Jobs struct {
	Workers  *river.Workers // the outbox adds its own workers to these
	Periodic []*river.PeriodicJob
	Queues   map[string]river.QueueConfig // besides River's default queue, the replies'
}

// orDefault sets *v to def when it is not positive.
func orDefault[T int | float64 | time.Duration](v *T, def T) {
	if *v <= 0 {
		*v = def
	}
}

func (c *Config) defaults() {
	orDefault(&c.Rate, 30)
	orDefault(&c.MaxAttempts, 10)
	orDefault(&c.RetryBase, 5*time.Second)
	orDefault(&c.RetryMax, 10*time.Minute)
	orDefault(&c.Grace, 10*time.Second)
	orDefault(&c.InlineWait, 5*time.Second)
	orDefault(&c.SendTimeout, 30*time.Second)
	orDefault(&c.Concurrency, 64)
	orDefault(&c.SweepInterval, 5*time.Second)
	orDefault(&c.Retention, 7*24*time.Hour)
	orDefault(&c.FetchPollInterval, time.Second)
	orDefault(&c.LeaseInterval, 2*time.Second)
	if c.LeaseTTL <= c.LeaseInterval {
		c.LeaseTTL = 5 * c.LeaseInterval
	}
	if c.ChatLimit == nil {
		c.ChatLimit = func(string) (rate.Limit, int) { return 1, 3 }
	}
	if c.Clock == nil {
		c.Clock = SystemClock{}
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
}
