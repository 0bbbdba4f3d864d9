// Package metrics collects what operators watch (docs/observability.md) and serves it in
// Prometheus's text format: HTTP requests by route pattern and status, jobs by kind and
// queue, queue depth and the database pool. Each App has its own registry, so several
// apps in one process (tests) do not mix their numbers.
//
// Labels are bounded by construction: routes are the router's patterns (never a raw path
// with ids), methods a fixed set, job kinds and queues what the program registers.
package metrics

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
)

// Unmatched is the route label of a request no route matched.
const Unmatched = "unmatched"

// Metrics is one program's registry and its instruments. A nil *Metrics records nothing.
type Metrics struct {
	registry     *prometheus.Registry
	logger       *slog.Logger
	httpRequests *prometheus.CounterVec
	httpDuration *prometheus.HistogramVec
	jobsWorked   *prometheus.CounterVec
	jobDuration  *prometheus.HistogramVec
	jobWait      *prometheus.HistogramVec
	aiCalls      *prometheus.CounterVec
	aiTokens     *prometheus.CounterVec
	aiDuration   *prometheus.HistogramVec
	texts        *prometheus.CounterVec
}

// New registers the instruments, the database pool's statistics and the job queues'
// depth (read from river_job at scrape time; queues lists the ones always reported,
// zero when empty), and Go's runtime and process statistics.
func New(pool *pgxpool.Pool, queues []string, logger *slog.Logger) *Metrics {
	jobLabels := []string{"kind", "queue", "outcome"}
	m := &Metrics{
		registry: prometheus.NewRegistry(),
		logger:   logger,
		httpRequests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "maintainuk_http_requests_total",
			Help: "HTTP requests answered, by method, route pattern and status code.",
		}, []string{"method", "route", "status"}),
		httpDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "maintainuk_http_request_duration_seconds",
			Help:    "Time to answer an HTTP request, by method, route pattern and status code.",
			Buckets: prometheus.DefBuckets,
		}, []string{"method", "route", "status"}),
		jobsWorked: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "maintainuk_jobs_worked_total",
			Help: "Job attempts worked by this process, by kind, queue and outcome (completed, failed, cancelled, snoozed, panicked).",
		}, jobLabels),
		jobDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "maintainuk_job_duration_seconds",
			Help:    "Time a job attempt took to work, by kind, queue and outcome.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60},
		}, jobLabels),
		jobWait: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "maintainuk_job_wait_seconds",
			Help:    "Time from when a job attempt was due to when a worker started it, by kind and queue.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 300},
		}, []string{"kind", "queue"}),
		texts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "maintainuk_texts_total",
			Help: "SMS and WhatsApp messages reaching a status: sent, blocked here, failed, and Twilio's delivered, undelivered and read; received for inbound.",
		}, []string{"channel", "status"}),
		aiCalls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "maintainuk_ai_calls_total",
			Help: "AI calls, by capability, the provider asked and the one that answered (builtin after a fallback).",
		}, []string{"capability", "requested_provider", "provider"}),
		aiTokens: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "maintainuk_ai_tokens_total",
			Help: "Tokens spent on AI providers, by provider and direction (in, out).",
		}, []string{"provider", "direction"}),
		aiDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "maintainuk_ai_call_duration_seconds",
			Help:    "Time an AI call took, retries and fallback included, by capability and the provider asked.",
			Buckets: []float64{.001, .01, .1, .5, 1, 2.5, 5, 10, 20, 30, 45, 60, 120},
		}, []string{"capability", "requested_provider"}),
	}
	m.registry.MustRegister(m.httpRequests, m.httpDuration, m.jobsWorked, m.jobDuration, m.jobWait, m.aiCalls, m.aiTokens, m.aiDuration, m.texts,
		poolCollector{pool: pool}, &queueCollector{pool: pool, queues: queues, logger: logger},
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Handler serves the registry in Prometheus's text format. A collector that fails (the
// database does not answer) is logged and left out; the rest is still served.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{
		ErrorLog:      slog.NewLogLogger(m.logger.Handler(), slog.LevelError),
		ErrorHandling: promhttp.ContinueOnError,
	})
}

// Registry is the registry behind Handler.
func (m *Metrics) Registry() *prometheus.Registry { return m.registry }

// ObserveRequest records one answered HTTP request. pattern is the http.ServeMux pattern
// that served it ("GET /api/v1/tickets/{ticketId}"), empty for none.
func (m *Metrics) ObserveRequest(method, pattern string, status int, took time.Duration) {
	if m == nil {
		return
	}
	route := pattern
	if _, path, ok := strings.Cut(pattern, " "); ok {
		route = path // the method has its own label
	}
	if route == "" {
		route = Unmatched
	}
	if status == 0 {
		status = http.StatusOK // net/http's answer when a handler writes nothing
	}
	labels := prometheus.Labels{"method": knownMethod(method), "route": route, "status": strconv.Itoa(status)}
	m.httpRequests.With(labels).Inc()
	m.httpDuration.With(labels).Observe(took.Seconds())
}

// knownMethod keeps the method label to a fixed set: any other method is OTHER.
func knownMethod(method string) string {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions:
		return method
	}
	return "OTHER"
}

// ObserveText counts a text reaching a status (channel SMS or WHATSAPP, status as on the
// message: QUEUED, SENT, BLOCKED, FAILED, DELIVERED, UNDELIVERED, READ, RECEIVED).
func (m *Metrics) ObserveText(channel, status string) {
	if m == nil {
		return
	}
	m.texts.WithLabelValues(channel, status).Inc()
}

// ObserveAICall records one AI call: who was asked, who answered, the tokens spent and how
// long it took.
func (m *Metrics) ObserveAICall(capability, requested, answered string, tokensIn, tokensOut int, took time.Duration) {
	if m == nil {
		return
	}
	m.aiCalls.WithLabelValues(capability, requested, answered).Inc()
	m.aiTokens.WithLabelValues(requested, "in").Add(float64(tokensIn))
	m.aiTokens.WithLabelValues(requested, "out").Add(float64(tokensOut))
	m.aiDuration.WithLabelValues(capability, requested).Observe(took.Seconds())
}

// JobMiddleware is River worker middleware recording every job attempt this process works.
func (m *Metrics) JobMiddleware() rivertype.WorkerMiddleware { return &jobMiddleware{m: m} }

type jobMiddleware struct {
	river.WorkerMiddlewareDefaults
	m *Metrics
}

func (j *jobMiddleware) Work(ctx context.Context, job *rivertype.JobRow, doInner func(context.Context) error) (err error) {
	start := time.Now()
	if job.AttemptedAt != nil && !job.ScheduledAt.IsZero() {
		j.m.jobWait.WithLabelValues(job.Kind, job.Queue).Observe(max(job.AttemptedAt.Sub(job.ScheduledAt), 0).Seconds())
	}
	panicked := true
	defer func() {
		outcome := jobOutcome(err)
		if panicked {
			outcome = "panicked" // River recovers the panic and retries the job
		}
		j.m.jobsWorked.WithLabelValues(job.Kind, job.Queue, outcome).Inc()
		j.m.jobDuration.WithLabelValues(job.Kind, job.Queue, outcome).Observe(time.Since(start).Seconds())
	}()
	err = doInner(ctx)
	panicked = false
	return err
}

func jobOutcome(err error) string {
	var cancel *rivertype.JobCancelError
	var snooze *rivertype.JobSnoozeError
	switch {
	case err == nil:
		return "completed"
	case errors.As(err, &cancel):
		return "cancelled"
	case errors.As(err, &snooze):
		return "snoozed"
	}
	return "failed"
}

// poolCollector reports the database pool's statistics at scrape time.
type poolCollector struct{ pool *pgxpool.Pool }

var (
	poolAcquired     = prometheus.NewDesc("maintainuk_db_pool_acquired_connections", "Connections in use by the application.", nil, nil)
	poolIdle         = prometheus.NewDesc("maintainuk_db_pool_idle_connections", "Open connections waiting to be used.", nil, nil)
	poolConstructing = prometheus.NewDesc("maintainuk_db_pool_constructing_connections", "Connections being opened.", nil, nil)
	poolTotal        = prometheus.NewDesc("maintainuk_db_pool_total_connections", "Open connections (acquired, idle and being opened).", nil, nil)
	poolMax          = prometheus.NewDesc("maintainuk_db_pool_max_connections", "Most connections the pool opens (DB_MAX_CONNS).", nil, nil)
	poolAcquires     = prometheus.NewDesc("maintainuk_db_pool_acquires_total", "Connections handed out by the pool.", nil, nil)
	poolAcquireTime  = prometheus.NewDesc("maintainuk_db_pool_acquire_duration_seconds_total", "Total time spent waiting for a connection.", nil, nil)
	poolEmpty        = prometheus.NewDesc("maintainuk_db_pool_empty_acquires_total", "Acquires that had to wait because no connection was idle.", nil, nil)
	poolCanceled     = prometheus.NewDesc("maintainuk_db_pool_canceled_acquires_total", "Acquires given up (context cancelled) while waiting.", nil, nil)
)

func (poolCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{poolAcquired, poolIdle, poolConstructing, poolTotal, poolMax, poolAcquires, poolAcquireTime, poolEmpty, poolCanceled} {
		ch <- d
	}
}

func (c poolCollector) Collect(ch chan<- prometheus.Metric) {
	s := c.pool.Stat()
	gauge := func(d *prometheus.Desc, v float64) { ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v) }
	counter := func(d *prometheus.Desc, v float64) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, v)
	}
	gauge(poolAcquired, float64(s.AcquiredConns()))
	gauge(poolIdle, float64(s.IdleConns()))
	gauge(poolConstructing, float64(s.ConstructingConns()))
	gauge(poolTotal, float64(s.TotalConns()))
	gauge(poolMax, float64(s.MaxConns()))
	counter(poolAcquires, float64(s.AcquireCount()))
	counter(poolAcquireTime, s.AcquireDuration().Seconds())
	counter(poolEmpty, float64(s.EmptyAcquireCount()))
	counter(poolCanceled, float64(s.CanceledAcquireCount()))
}

// queueCollector counts the jobs waiting in each queue at scrape time: counts only, by
// queue and state, never a job's arguments. river_job is shared by every organisation;
// these totals are the platform's, for its operators.
type queueCollector struct {
	pool   *pgxpool.Pool
	queues []string
	logger *slog.Logger
}

var queueDepth = prometheus.NewDesc("maintainuk_job_queue_depth",
	"Jobs waiting in a queue: available (due now), scheduled (due later) or retryable (failed, to run again).",
	[]string{"queue", "state"}, nil)

// waitingStates are the job states counted as queue depth.
var waitingStates = []rivertype.JobState{rivertype.JobStateAvailable, rivertype.JobStateScheduled, rivertype.JobStateRetryable}

func (*queueCollector) Describe(ch chan<- *prometheus.Desc) { ch <- queueDepth }

func (c *queueCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	type key struct{ queue, state string }
	counts := map[key]int64{}
	for _, q := range c.queues {
		for _, s := range waitingStates {
			counts[key{q, string(s)}] = 0
		}
	}
	// The state index (river_job_prioritized_fetching_index) serves this without reading
	// finished jobs.
	rows, err := c.pool.Query(ctx, `SELECT queue, state::text, count(*) FROM river_job
		WHERE state IN ('available', 'scheduled', 'retryable') GROUP BY queue, state`)
	if err == nil {
		for rows.Next() {
			var k key
			var n int64
			if err = rows.Scan(&k.queue, &k.state, &n); err != nil {
				break
			}
			counts[k] = n
		}
		rows.Close()
		if err == nil {
			err = rows.Err()
		}
	}
	if err != nil {
		ch <- prometheus.NewInvalidMetric(queueDepth, err)
		return
	}
	for k, n := range counts {
		ch <- prometheus.MustNewConstMetric(queueDepth, prometheus.GaugeValue, float64(n), k.queue, k.state)
	}
}
