// Package app wires configuration, the database, the domain services and the HTTP server
// into one runnable program. Tests start the real thing through New and Run.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
	"github.com/riverqueue/rivercontrib/otelriver"
	metricnoop "go.opentelemetry.io/otel/metric/noop"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"riverqueue.com/riverui"

	"github.com/maintainuk/maintainuk/internal/ai"
	"github.com/maintainuk/maintainuk/internal/attachments"
	"github.com/maintainuk/maintainuk/internal/billing"
	"github.com/maintainuk/maintainuk/internal/billing/payments"
	"github.com/maintainuk/maintainuk/internal/billing/payments/stripe"
	"github.com/maintainuk/maintainuk/internal/certificates"
	"github.com/maintainuk/maintainuk/internal/config"
	"github.com/maintainuk/maintainuk/internal/contractors"
	"github.com/maintainuk/maintainuk/internal/database"
	"github.com/maintainuk/maintainuk/internal/email"
	"github.com/maintainuk/maintainuk/internal/estate"
	"github.com/maintainuk/maintainuk/internal/evidence"
	"github.com/maintainuk/maintainuk/internal/httpapi"
	"github.com/maintainuk/maintainuk/internal/httpapi/idempotency"
	"github.com/maintainuk/maintainuk/internal/identity"
	"github.com/maintainuk/maintainuk/internal/invoices"
	"github.com/maintainuk/maintainuk/internal/jobs"
	"github.com/maintainuk/maintainuk/internal/messaging"
	"github.com/maintainuk/maintainuk/internal/messaging/carrier"
	"github.com/maintainuk/maintainuk/internal/messaging/twilio"
	"github.com/maintainuk/maintainuk/internal/metrics"
	"github.com/maintainuk/maintainuk/internal/metrics/tracing"
	"github.com/maintainuk/maintainuk/internal/orgsettings"
	"github.com/maintainuk/maintainuk/internal/outbox"
	"github.com/maintainuk/maintainuk/internal/plans"
	"github.com/maintainuk/maintainuk/internal/quotes"
	"github.com/maintainuk/maintainuk/internal/ratelimit"
	"github.com/maintainuk/maintainuk/internal/reminders"
	"github.com/maintainuk/maintainuk/internal/secretbox"
	"github.com/maintainuk/maintainuk/internal/tickets"
	"github.com/maintainuk/maintainuk/internal/timeline"
	"github.com/maintainuk/maintainuk/internal/web"
	"github.com/maintainuk/maintainuk/internal/webhooks"
	"github.com/maintainuk/maintainuk/internal/workorders"
)

// App is the assembled program.
type App struct {
	Config      *config.Config
	Logger      *slog.Logger
	DB          *database.DB
	Identity    *identity.Service
	Estate      *estate.Service
	Contractors *contractors.Service
	Tickets     *tickets.Service
	Attachments *attachments.Service
	WorkOrders  *workorders.Service
	Quotes      *quotes.Service
	Invoices    *invoices.Service
	Webhooks    *webhooks.Service
	// Certificates are the properties' statutory certificates (docs/compliance.md).
	Certificates *certificates.Service
	// Evidence exports a ticket's evidence as a PDF (docs/compliance.md).
	Evidence *evidence.Service
	// stopDashboard ends the job dashboard's background work.
	stopDashboard context.CancelFunc
	AI            *ai.Service
	Messaging     *messaging.Service
	Billing       *billing.Service
	API           *httpapi.Server
	Jobs          *jobs.Client
	idempotency   *idempotency.Store
	// Metrics is served at /metrics: on the main listener to platform operators, and on
	// METRICS_ADDR (ListenMetrics) to anyone who can reach that internal address.
	Metrics *metrics.Metrics
	// metricsLn is the METRICS_ADDR listener once ListenMetrics has opened it.
	metricsLn net.Listener
	// jobsDown is why readiness fails once the job workers have stopped.
	jobsDown atomic.Pointer[error]
	// Tracer makes the spans of requests, queries and jobs (docs/observability.md).
	Tracer *sdktrace.TracerProvider
}

// Options change how New builds the program; tests use them.
type Options struct {
	// SpanExporter receives every span at once (tracetest's in-memory exporter) instead
	// of the configured OTLP collector.
	SpanExporter sdktrace.SpanExporter
}

// New connects to the database (cfg.DatabaseURL, the application role) and builds the
// services and the API.
func New(ctx context.Context, cfg *config.Config, logger *slog.Logger) (*App, error) {
	return NewWithOptions(ctx, cfg, logger, Options{})
}

// NewWithOptions is New with options.
func NewWithOptions(ctx context.Context, cfg *config.Config, logger *slog.Logger, opts Options) (*App, error) {
	if cfg.DatabaseURL == "" {
		return nil, errors.New("app: DATABASE_URL is not set (for a local run with its own database use `maintainuk dev`)")
	}
	if cfg.AppSecret == "" {
		return nil, errors.New("app: APP_SECRET is not set")
	}
	tp, err := tracing.NewProvider(ctx, cfg.Tracing, opts.SpanExporter)
	if err != nil {
		return nil, err
	}
	// Every line logged with a request's or a job's context names its trace.
	logger = slog.New(tracing.LogHandler(logger.Handler()))
	db, err := database.OpenPool(ctx, cfg.DatabaseURL, database.PoolOptions{
		MaxConns: cfg.DBMaxConns, MinConns: cfg.DBMinConns, MaxConnLifetime: cfg.DBMaxConnLifetime, MaxConnIdleTime: cfg.DBMaxConnIdleTime,
		Tracer: tracing.SQLTracer(tp),
	})
	if err != nil {
		_ = tp.Shutdown(ctx)
		return nil, err
	}
	if err := checkRole(ctx, cfg, logger, db); err != nil {
		db.Close()
		_ = tp.Shutdown(ctx)
		return nil, err
	}
	a, err := assemble(cfg, logger, db, tp)
	if err != nil {
		db.Close()
		_ = tp.Shutdown(ctx)
		return nil, err
	}
	a.checkSearchIndexUsable(ctx)
	return a, nil
}

func assemble(cfg *config.Config, logger *slog.Logger, db *database.DB, tp *sdktrace.TracerProvider) (*App, error) {
	a := &App{Config: cfg, Logger: logger, DB: db, idempotency: idempotency.NewStore(db, time.Now), Tracer: tp}
	a.Metrics = metrics.New(db.Pool, []string{jobs.QueueEmail, jobs.QueueWebhooks, jobs.QueueMaintenance, jobs.QueueAI, jobs.QueueSMS, jobs.QueueWhatsApp, jobs.QueueBilling}, logger)
	a.Metrics.Registry().MustRegister(
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "maintainuk_settings_cache_hits_total",
			Help: "Organisation settings read from the process's cache (orgsettings.CacheTTL)."},
			func() float64 { h, _ := orgsettings.CacheStats(); return float64(h) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "maintainuk_settings_cache_misses_total",
			Help: "Organisation settings read from the database: not cached, or cached too long ago."},
			func() float64 { _, m := orgsettings.CacheStats(); return float64(m) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "maintainuk_plan_cache_hits_total",
			Help: "Organisation plan and subscription status read from the process's cache (plans.CacheTTL)."},
			func() float64 { h, _ := plans.CacheStats(); return float64(h) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "maintainuk_plan_cache_misses_total",
			Help: "Organisation plan and subscription status read from the database: not cached, or cached too long ago."},
			func() float64 { _, m := plans.CacheStats(); return float64(m) }),
	)

	// The River client comes first: its job table is the outbox the services publish to.
	// Workers are registered now and given the services they use once those exist.
	sender, err := newEmailSender(cfg.Email)
	if err != nil {
		return nil, err
	}
	templates, err := email.LoadTemplates()
	if err != nil {
		return nil, err
	}
	links, err := secretbox.New(cfg.AppSecret, identity.LinkSealLabel)
	if err != nil {
		return nil, err
	}
	retention := &jobs.RetentionWorker{}
	classify := &ai.ClassifyWorker{}
	textSend, textNotify := &messaging.SendWorker{}, &messaging.NotifyWorker{}
	engine, err := ai.EngineFromConfig(cfg.AI)
	if err != nil {
		return nil, err
	}
	a.Billing = newBilling(cfg, db, logger)
	a.Webhooks = webhooks.NewService(db, webhooks.Config{
		AllowPrivateNetworks: cfg.AllowPrivateWebhookTargets, MaxEndpoints: cfg.WebhookMaxEndpoints, TestsPerMinute: cfg.WebhookTestsPerMinute,
	})
	a.Jobs, err = jobs.NewClient(db, jobs.Options{
		Logger: logger, Work: true, JobTimeout: cfg.JobTimeout, RescueStuckJobsAfter: cfg.JobRescueAfter,
		// Tracing first: the work span is in the context of everything after it. A job's
		// span links to the span that enqueued it (a request's), from the job's metadata.
		Middleware: []rivertype.Middleware{otelriver.NewMiddleware(&otelriver.MiddlewareConfig{
			TracerProvider: tp, MeterProvider: metricnoop.NewMeterProvider(), EnableTracePropagation: true, EnableWorkSpanJobKindSuffix: true,
		}), a.Metrics.JobMiddleware()},
		Periodic: slices.Concat([]*river.PeriodicJob{jobs.RetentionPeriodic()}, reminders.Periodic(), billing.Periodic()),
		Register: func(w *river.Workers) {
			river.AddWorker(w, retention)
			river.AddWorker(w, classify)
			river.AddWorker(w, textSend)
			river.AddWorker(w, textNotify)
			a.Webhooks.Register(w)
			a.Billing.Register(w)
			// Reminders publish through the River client working their job (a.Jobs).
			reminders.Register(w, reminders.Deps{DB: db, Now: time.Now, Logger: logger})
			river.AddWorker(w, &email.Worker{DB: db, Sender: sender, Templates: templates, Logger: logger,
				Config: email.Config{FromName: cfg.Email.FromName, From: cfg.Email.FromAddress, BaseURL: cfg.BaseURL, Links: links}})
		},
	})
	if err != nil {
		return nil, err
	}
	pub := outbox.NewPublisher(a.Jobs, time.Now)
	a.Webhooks.SetInserter(a.Jobs)
	a.Billing.SetInserter(a.Jobs)
	a.Billing.SetPublisher(pub)

	signer, err := identity.NewSigner(cfg.AppSecret, cfg.AccessTokenTTL, time.Now)
	if err != nil {
		return nil, err
	}
	a.Identity, err = identity.NewService(db, signer, pub, links, identity.Settings{
		RefreshTTL: cfg.RefreshTokenTTL, InvitationTTL: cfg.InvitationTTL, RefreshMaxAge: cfg.RefreshMaxAge, BaseURL: cfg.BaseURL,
		LoginPerMinute: cfg.LoginRateLimit, FailuresPerClient: cfg.LoginFailuresPerClient,
		HashMemoryBytes: cfg.PasswordHashMemory, HashWait: cfg.PasswordHashWait,
	}, time.Now)
	if err != nil {
		return nil, err
	}
	a.Estate, a.Contractors = estate.NewService(db), contractors.NewService(db)
	a.Tickets = tickets.NewService(db, pub, time.Now, tickets.PublicLimits{
		ReportsPerHour: cfg.PublicReportsPerHour, UploadsPerDay: cfg.PublicUploadsPerOrgPerDay,
	})
	a.Attachments = attachments.NewService(db, attachments.LocalStore{Dir: filepath.Join(cfg.DataDir, "attachments")},
		a.Tickets, filepath.Join(cfg.DataDir, "attachments", ".incoming"))
	a.Certificates = certificates.NewService(db, a.Attachments, attachments.LocalStore{Dir: filepath.Join(cfg.DataDir, "attachments")}, time.Now)
	a.WorkOrders = workorders.NewService(db, a.Tickets, pub, time.Now)
	a.Quotes = quotes.NewService(db, pub, time.Now)
	a.AI = ai.NewService(db, engine, a.Tickets, cfg.AI.PublicTriagePerHour, time.Now)
	a.AI.Observe = a.Metrics.ObserveAICall
	classify.Service = a.AI
	a.Messaging = newMessaging(cfg, db, a.Tickets, logger)
	a.Messaging.SetInserter(a.Jobs)
	a.Messaging.Observe = a.Metrics.ObserveText
	textSend.Service, textNotify.Service = a.Messaging, a.Messaging
	a.Invoices = invoices.NewService(db, pub, time.Now)
	a.Evidence = evidence.NewService(db, a.Tickets, a.Attachments, a.Messaging, time.Now)
	retention.OrgIDs, retention.Purgers = a.Identity.OrganisationIDs, []jobs.Purger{a.Identity, a.idempotency, outbox.Purger{DB: db, Now: time.Now}, a.Billing}
	retention.Sweepers = []jobs.Sweeper{ratelimit.Sweeper{DB: db, Now: time.Now}}

	deps := httpapi.Deps{
		Logger: logger, DB: db, Identity: a.Identity, Estate: a.Estate, Contractors: a.Contractors,
		Timeline: timeline.NewService(db, a.Tickets.Visible), Idempotency: a.idempotency,
		Settings: orgsettings.NewService(db), Tickets: a.Tickets, Attachments: a.Attachments, Certificates: a.Certificates,
		WorkOrders: a.WorkOrders, Quotes: a.Quotes, Invoices: a.Invoices, Webhooks: a.Webhooks, AI: a.AI, Messaging: a.Messaging,
		Billing: a.Billing, Evidence: a.Evidence,
		MaxBodyBytes: cfg.MaxBodyBytes, TrustedProxies: httpapi.TrustedProxies(cfg.TrustedProxies), Ready: a.ready, BaseURL: cfg.BaseURL,
		RateLimits: apiLimits(cfg, db), HTTPSOnly: httpsOnly(cfg, logger), CORSAllowedOrigins: cfg.CORSAllowedOrigins,
		Metrics:   a.Metrics,
		Profiling: a.Config.Profiling, TracerProvider: tp, CompressMinBytes: cfg.CompressMinBytes,
	}
	dashboard, err := riverui.NewHandler(&riverui.HandlerOpts{
		Endpoints: riverui.NewEndpoints(a.Jobs, nil), Logger: logger, Prefix: "/admin/jobs", JobListHideArgsByDefault: true,
	})
	if err != nil {
		return nil, fmt.Errorf("app: job dashboard: %w", err)
	}
	dashCtx, stopDashboard := context.WithCancel(context.Background())
	a.stopDashboard = stopDashboard
	if err := dashboard.Start(dashCtx); err != nil {
		return nil, fmt.Errorf("app: job dashboard: %w", err)
	}
	deps.AdminJobs = dashboard
	if cfg.IsDevelopment() {
		deps.DevMailbox = email.Mailbox(db, a.Identity.OrganisationIDs)
	}
	pages, err := web.New(web.Deps{
		Identity: a.Identity, Tickets: a.Tickets, WorkOrders: a.WorkOrders, Quotes: a.Quotes, Invoices: a.Invoices,
		Estate: a.Estate, Contractors: a.Contractors, Settings: deps.Settings, Timeline: deps.Timeline,
		Attachments: a.Attachments, AI: a.AI, Messaging: a.Messaging, Billing: a.Billing, Reports: a.Tickets,
		Webhooks: a.Webhooks, Certificates: a.Certificates, Evidence: a.Evidence,
	}, web.Config{
		AppSecret: cfg.AppSecret, SecureCookie: strings.HasPrefix(cfg.BaseURL, "https://"), Logger: logger,
		ClientIP: httpapi.TrustedProxies(cfg.TrustedProxies).ClientIP,
	})
	if err != nil {
		return nil, err
	}
	deps.Pages = pages
	a.API = httpapi.New(deps)
	return a, nil
}

// apiLimits are the API's per-client and per-organisation limits (a minute each), counted
// in memory or, with RATE_LIMIT_STORE=postgres, in the database every replica shares.
func apiLimits(cfg *config.Config, db *database.DB) httpapi.RateLimits {
	counter := func(scope string, limit int) ratelimit.Counter {
		switch {
		case limit == 0:
			return nil
		case cfg.RateLimitStore == "postgres":
			return ratelimit.NewShared(db, scope, limit, time.Minute, time.Now)
		}
		return ratelimit.New(limit, time.Minute, time.Now)
	}
	return httpapi.RateLimits{PerClient: counter("api", cfg.APIRateLimit), PerOrg: counter("org", cfg.APIOrgRateLimit)}
}

// httpsOnly reports whether the server keeps clients on HTTPS (redirect, HSTS): in
// production, when BASE_URL is https. A production deployment with a plain-http BASE_URL
// (a test rig, a private network) is warned about and served over HTTP.
func httpsOnly(cfg *config.Config, logger *slog.Logger) bool {
	if cfg.IsDevelopment() {
		return false
	}
	if !strings.HasPrefix(cfg.BaseURL, "https://") {
		logger.Warn("BASE_URL is not https: plain HTTP is served and no HSTS is sent; set BASE_URL=https://… in production (docs/security.md)")
		return false
	}
	return true
}

// newMessaging is the texting service on the configured provider.
func newMessaging(cfg *config.Config, db *database.DB, t *tickets.Service, logger *slog.Logger) *messaging.Service {
	c := cfg.Texting
	var sender carrier.Sender = twilio.DevSender{}
	if c.Provider == "twilio" {
		sender = twilio.New(twilio.Config{AccountSID: c.AccountSID, AuthToken: c.AuthToken, BaseURL: c.BaseURL})
	} else if !cfg.IsDevelopment() {
		logger.Warn("SMS_PROVIDER=dev: texts are kept in the database and nothing is sent; set SMS_PROVIDER=twilio to send")
	}
	return messaging.NewService(db, sender, t, messaging.Config{
		SMSFrom: c.SMSFrom, WhatsAppFrom: c.WhatsAppFrom, BaseURL: cfg.BaseURL, AuthToken: c.AuthToken, MaxSegments: c.MaxSegments,
		SMSPrices: c.SMSPrices, WhatsAppPrices: c.WhatsAppPrices, Templates: c.WhatsAppTemplates,
	}, time.Now, logger)
}

// newBilling is the billing service on the configured payment provider.
func newBilling(cfg *config.Config, db *database.DB, logger *slog.Logger) *billing.Service {
	c := cfg.Billing
	var provider payments.Provider = payments.NewLocal(cfg.BaseURL)
	bc := billing.Config{StripePrices: c.Prices, BaseURL: cfg.BaseURL}
	if c.Provider == "stripe" {
		provider = stripe.New(stripe.Config{SecretKey: c.SecretKey, BaseURL: c.BaseURL})
		bc.VerifyEvent = func(payload []byte, signature string) (payments.Event, error) {
			return stripe.ParseEvent(payload, signature, c.WebhookSecret, c.WebhookTolerance, time.Now())
		}
	}
	s := billing.NewService(db, bc, provider, time.Now)
	s.SetLogger(logger)
	return s
}

// newEmailSender is the configured email provider.
func newEmailSender(c config.Email) (email.Sender, error) {
	switch c.Provider {
	case "smtp":
		return email.NewSMTPSender(email.SMTPConfig{Host: c.SMTPHost, Port: c.SMTPPort, Username: c.SMTPUsername, Password: c.SMTPPassword, TLS: c.SMTPTLS}), nil
	case "resend":
		return email.NewResendSender(c.ResendAPIKey, c.ResendBaseURL), nil
	case "dev":
		return email.DevSender{}, nil
	}
	return nil, fmt.Errorf("app: unknown email provider %q", c.Provider)
}

// checkRole refuses, in production, a database role that would switch row-level security
// off (superuser, BYPASSRLS, owner of tenant tables): every tenant's rows would be visible
// to every query. In development it logs the same as an error, loudly, and carries on.
func checkRole(ctx context.Context, cfg *config.Config, logger *slog.Logger, db *database.DB) error {
	problems, err := db.RoleProblems(ctx)
	if err != nil {
		return err
	}
	if len(problems) == 0 {
		return nil
	}
	msg := "DATABASE_URL connects as a role that bypasses row-level security, so tenant isolation rests on the queries alone: " +
		strings.Join(problems, "; ") + ". Connect as a member of maintainuk_app (docs/database.md)"
	if !cfg.IsDevelopment() {
		return errors.New("app: " + msg)
	}
	logger.Error("**************** " + msg + " ****************")
	return nil
}

// checkSearchIndexUsable warns when ticket search cannot use its index under row-level
// security (docs/database.md): searches still work, scanning the organisation's tickets.
func (a *App) checkSearchIndexUsable(ctx context.Context) {
	var leakproof bool
	err := a.DB.Pool.QueryRow(ctx, `SELECT proleakproof FROM pg_proc WHERE oid = 'pg_catalog.ts_match_vq(tsvector, tsquery)'::regprocedure`).Scan(&leakproof)
	if err == nil && !leakproof {
		a.Logger.Warn("ticket search cannot use its index under row-level security; as a superuser run " +
			"ALTER FUNCTION pg_catalog.ts_match_vq(tsvector, tsquery) LEAKPROOF (see docs/database.md)")
	}
}

// ready checks, in one round trip, that the database answers and the job queue's table
// is usable, and that this process's job workers, when it runs them (Run, Work), are
// still running: a process whose River client failed to start or stopped takes no
// traffic, since what it accepted would wait for another process to work it. The queue
// leader's health is not checked here: it is one per cluster, and its failure would take
// every replica out of service at once (alert on it instead: docs/observability.md).
func (a *App) ready(ctx context.Context) error {
	if p := a.jobsDown.Load(); p != nil {
		return *p
	}
	var ok bool
	return a.DB.Pool.QueryRow(ctx, `SELECT NOT EXISTS (SELECT 1 FROM river_job WHERE false)`).Scan(&ok)
}

// runJobs works jobs until ctx is cancelled; once it returns, for whatever reason,
// readiness fails.
func (a *App) runJobs(ctx context.Context) error {
	err := jobs.Run(ctx, a.Jobs, a.Config.ShutdownTimeout, a.Logger)
	down := errors.New("app: the job workers are not running")
	if err != nil {
		down = fmt.Errorf("app: the job workers stopped: %w", err)
		a.Logger.Error("job workers stopped", "error", err)
	}
	a.jobsDown.Store(&down)
	return err
}

// Run serves HTTP on ln and, unless SERVE_WORKERS is false, works jobs until ctx is cancelled, then stops both within the
// shutdown timeout: HTTP first (no new work arrives), then the workers. With METRICS_ADDR
// set it serves /metrics there too, until the workers have stopped.
func (a *App) Run(ctx context.Context, ln net.Listener) error {
	stopMetrics, err := a.serveMetrics()
	if err != nil {
		return err
	}
	jobsCtx, stopJobs := context.WithCancel(context.WithoutCancel(ctx))
	jobsDone := make(chan error, 1)
	if a.Config.ServeWorkers {
		go func() { jobsDone <- a.runJobs(jobsCtx) }()
	} else {
		// Readiness then asks only the database: this process has no workers to fail.
		a.Logger.Info("job workers off (SERVE_WORKERS=false): `maintainuk worker` processes work the jobs")
		jobsDone <- nil
	}
	httpErr := a.Serve(ctx, ln)
	stopJobs()
	jobsErr := <-jobsDone
	return errors.Join(httpErr, jobsErr, stopMetrics())
}

// Work works jobs until ctx is cancelled (the worker command), serving /metrics on
// METRICS_ADDR when it is set.
func (a *App) Work(ctx context.Context) error {
	stopMetrics, err := a.serveMetrics()
	if err != nil {
		return err
	}
	a.Logger.Info("job workers started")
	return errors.Join(a.runJobs(ctx), stopMetrics())
}

// ListenMetrics opens the METRICS_ADDR listener, once; Run and Work call it. It does
// nothing when METRICS_ADDR is empty. Tests call it first to learn the address.
func (a *App) ListenMetrics() error {
	if a.Config.MetricsAddr == "" || a.metricsLn != nil {
		return nil
	}
	ln, err := net.Listen("tcp", a.Config.MetricsAddr)
	if err != nil {
		return fmt.Errorf("listen on %s (METRICS_ADDR): %w", a.Config.MetricsAddr, err)
	}
	a.metricsLn = ln
	return nil
}

// MetricsAddr is the address the METRICS_ADDR listener is bound to, "" when there is none.
func (a *App) MetricsAddr() string {
	if a.metricsLn == nil {
		return ""
	}
	return a.metricsLn.Addr().String()
}

// serveMetrics serves GET /metrics, and nothing else, on the METRICS_ADDR listener; the
// returned function stops it. Without METRICS_ADDR it serves nothing.
func (a *App) serveMetrics() (stop func() error, err error) {
	if err := a.ListenMetrics(); err != nil {
		return nil, err
	}
	if a.metricsLn == nil {
		return func() error { return nil }, nil
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", a.Metrics.Handler())
	// The probes too: `worker` has no other HTTP, and its pods need liveness and readiness
	// (deploy/k8s). Same answers as the API's /health/live and /health/ready.
	mux.HandleFunc("GET /health/live", func(w http.ResponseWriter, r *http.Request) { healthAnswer(w, http.StatusOK) })
	mux.HandleFunc("GET /health/ready", func(w http.ResponseWriter, r *http.Request) {
		if err := a.ready(r.Context()); err != nil {
			a.Logger.Warn("not ready", "error", err)
			healthAnswer(w, http.StatusServiceUnavailable)
			return
		}
		healthAnswer(w, http.StatusOK)
	})
	if a.Config.Profiling {
		mux.Handle(metrics.ProfilerPath, metrics.Profiler())
	}
	srv := &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: 10 * time.Second,
		WriteTimeout:      60 * time.Second,
		ErrorLog:          slog.NewLogLogger(a.Logger.Handler(), slog.LevelWarn),
	}
	ln := a.metricsLn
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			a.Logger.Error("metrics listener stopped", "error", err)
		}
	}()
	a.Logger.Info("metrics listening", "addr", ln.Addr().String())
	return func() error {
		shutdownCtx, cancel := context.WithTimeout(context.Background(), a.Config.ShutdownTimeout)
		defer cancel()
		if err := srv.Shutdown(shutdownCtx); err != nil {
			return fmt.Errorf("app: metrics shutdown: %w", err)
		}
		return nil
	}, nil
}

// healthAnswer writes a probe's answer as the API's health operations do.
func healthAnswer(w http.ResponseWriter, status int) {
	word := "ok"
	if status != http.StatusOK {
		word = "unavailable"
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = fmt.Fprintf(w, "{\"status\":%q}\n", word)
}

// Serve answers HTTP on ln until ctx is cancelled, then lets in-flight requests finish
// within the shutdown timeout.
func (a *App) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{
		Handler:           a.API,
		ReadHeaderTimeout: a.Config.HTTPReadHeaderTimeout,
		ReadTimeout:       a.Config.HTTPReadTimeout,
		WriteTimeout:      a.Config.HTTPWriteTimeout,
		IdleTimeout:       a.Config.HTTPIdleTimeout,
		ErrorLog:          slog.NewLogLogger(a.Logger.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	a.Logger.Info("http listening", "addr", ln.Addr().String())
	select {
	case err := <-errc:
		return fmt.Errorf("app: http: %w", err)
	case <-ctx.Done():
	}
	a.Logger.Info("shutting down http", "timeout", a.Config.ShutdownTimeout)
	shutdownCtx, cancel := context.WithTimeout(context.Background(), a.Config.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("app: http shutdown: %w", err)
	}
	return nil
}

// Close stops the job dashboard, releases the database pool and exports the spans still
// batched.
func (a *App) Close() {
	if a.Tracer != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := a.Tracer.Shutdown(ctx); err != nil {
			a.Logger.Warn("traces not all exported", "error", err)
		}
	}
	if a.stopDashboard != nil {
		a.stopDashboard()
	}
	if a.metricsLn != nil {
		_ = a.metricsLn.Close() // when it was never served (Shutdown closes it otherwise)
	}
	a.DB.Close()
}
