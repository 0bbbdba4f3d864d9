// Package jobs runs background work on River: PostgreSQL's own job table is the queue
// and the outbox (internal/outbox), so a job is inserted in the same transaction as the
// change that causes it, and LISTEN/NOTIFY wakes workers at once.
package jobs

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivertype"

	"github.com/maintainuk/maintainuk/internal/database"
)

// Queue names: one per channel of work, so that a backlog in one (a burst of webhooks)
// cannot delay another (emails). Each queue with workers gets its worker count in
// NewClient.
const (
	QueueEmail       = "email"
	QueueSMS         = "sms"
	QueueWhatsApp    = "whatsapp"
	QueueAI          = "ai"
	QueueBilling     = "billing"
	QueueWebhooks    = "webhooks"
	QueueMaintenance = "maintenance"
)

// MaxAttempts is how often a job is tried before it is kept as discarded.
const MaxAttempts = 5

// Client is the River client for the application's pool.
type Client = river.Client[pgx.Tx]

// Options configures the client.
type Options struct {
	Logger *slog.Logger
	// Work makes the client claim and work jobs; without it the client only inserts.
	Work       bool
	Register   func(*river.Workers)
	Periodic   []*river.PeriodicJob
	JobTimeout time.Duration
	// RetryPolicy decides when a failed job runs again; nil is River's exponential
	// backoff with jitter (tests use a fast one).
	RetryPolicy river.ClientRetryPolicy
	// RescueStuckJobsAfter is how long a job may stay running (its worker's process
	// gone) before another process runs it again; 0 is DefaultRescueStuckJobsAfter.
	RescueStuckJobsAfter time.Duration
	// Middleware wraps job insertion and working (the metrics' job middleware).
	Middleware []rivertype.Middleware
}

// DefaultRescueStuckJobsAfter is when a job whose worker was killed mid-job (its process
// gone, the row left "running") is handed back to run again. River's rescuer checks
// every 30 s or so and takes a job once it has been running longer than both this and
// its kind's own timeout (a worker's Timeout method, else the client's JobTimeout), so
// per queue it comes to:
//
//   - email, webhooks: JobTimeout (1 minute: a send or a delivery that takes longer is
//     cancelled anyway) → rescued 5 minutes after it started;
//   - ai: a classification's attempts and backoff (3 minutes with the default AI_*
//     settings) → 5 minutes;
//   - maintenance: retention (1 minute) and the SLA scan (its interval less 30 s) → 5
//     minutes; the quote chaser and insurance reminders (timeout 30 minutes) → 30 minutes.
//
// A job still genuinely working is never taken from under it: by 5 minutes its
// context has long been cancelled by its timeout. River's own default, an hour, would
// leave an email or a webhook an hour late after a crash. JOB_RESCUE_AFTER sets it (the
// fault tests in internal/faulttest shorten it, with JOB_TIMEOUT, to seconds).
const DefaultRescueStuckJobsAfter = 5 * time.Minute

// River fetches at most once per FetchCooldown per queue (default 100 ms), which bounds
// both dispatch latency and a queue's rate (MaxWorkers per cooldown); the same window
// limits an inserting client to one insert NOTIFY per queue (see Wake). FetchPollInterval
// is the fallback fetch when no notification comes. docs/benchmarks.md measures both: a
// 1 ms cooldown drained a backlog slower than 10 ms (more, smaller fetches), and a
// shorter poll made no difference once Wake covered chained jobs.
const (
	FetchCooldown     = 10 * time.Millisecond
	FetchPollInterval = river.FetchPollIntervalDefault
)

// queueWorkers is how many jobs each worked queue runs at once in one process. A fetch
// claims at most that many, so for short jobs it is also how far one fetch moves a
// backlog: at 10, the application's client drained 10,000 trivial jobs at 500–730 a
// second, a fifth of a bare River client with 100 in the same run; at 100, 4,900–8,600
// (docs/benchmarks.md). Email and webhook jobs wait mostly on other servers, so 100 at
// once costs goroutines rather than CPU; each holds a database connection only for its
// short transactions, and 100 keeps short the queue they form for the pool
// (DB_MAX_CONNS, 20 by default) that the API's requests join. Larger values drained
// trivial jobs faster still (1,000 was the sweep's fastest), at the price of that queue.
//
// The ai queue runs 10: each job waits on a model for up to AI_TIMEOUT, and more at once
// would mostly meet the provider's own rate limit.
//
// The sms and whatsapp queues run 20 each: a text waits on Twilio's API, whose own
// per-number send rate, not ours, decides how fast a burst leaves.
//
// The billing queue runs 5: its jobs are a new organisation's customer, the usage scan and
// the meter events it queues, each one short call to Stripe.
var queueWorkers = map[string]int{QueueEmail: 100, QueueWebhooks: 100, QueueMaintenance: 2, QueueAI: 10, QueueSMS: 20, QueueWhatsApp: 20, QueueBilling: 5}

// MaxWorkers is how many jobs of queue one process works at once (0: not worked).
func MaxWorkers(queue string) int { return queueWorkers[queue] }

// NewClient returns a River client on db's pool.
func NewClient(db *database.DB, opts Options) (*Client, error) {
	cfg := &river.Config{
		FetchCooldown:        FetchCooldown,
		FetchPollInterval:    FetchPollInterval,
		Logger:               opts.Logger,
		MaxAttempts:          MaxAttempts,
		JobTimeout:           opts.JobTimeout,
		RetryPolicy:          opts.RetryPolicy,
		RescueStuckJobsAfter: cmp.Or(opts.RescueStuckJobsAfter, max(DefaultRescueStuckJobsAfter, opts.JobTimeout)),
		PeriodicJobs:         opts.Periodic,
		Middleware:           opts.Middleware,
	}
	if opts.Work {
		workers := river.NewWorkers()
		if opts.Register != nil {
			opts.Register(workers)
		}
		cfg.Workers = workers
		cfg.Queues = make(map[string]river.QueueConfig, len(queueWorkers))
		for queue, n := range queueWorkers {
			cfg.Queues[queue] = river.QueueConfig{MaxWorkers: n}
		}
	}
	client, err := river.NewClient(riverpgxv5.New(db.Pool), cfg)
	if err != nil {
		return nil, fmt.Errorf("jobs: new client: %w", err)
	}
	return client, nil
}

// Run works jobs until ctx is cancelled, then stops softly (in-flight jobs finish) and,
// after timeout, hard (their contexts are cancelled and River hands them back).
func Run(ctx context.Context, client *Client, timeout time.Duration, logger *slog.Logger) error {
	if err := client.Start(context.WithoutCancel(ctx)); err != nil {
		return fmt.Errorf("jobs: start: %w", err)
	}
	<-ctx.Done()
	logger.Info("stopping job workers", "timeout", timeout)
	soft, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	if err := client.Stop(soft); err == nil {
		return nil
	}
	logger.Warn("job workers did not finish in time; cancelling in-flight jobs")
	hard, cancelHard := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancelHard()
	return client.StopAndCancel(hard)
}
