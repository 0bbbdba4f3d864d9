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
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
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
	"github.com/maintainuk/maintainuk/internal/orgsettings"
	"github.com/maintainuk/maintainuk/internal/outbox"
	"github.com/maintainuk/maintainuk/internal/quotes"
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
}

// New connects to the database (cfg.DatabaseURL, the application role) and builds the
// services and the API.
func New(ctx context.Context, cfg *config.Config, logger *slog.Logger) (*App, error) {
	if cfg.DatabaseURL == "" {
		return nil, errors.New("app: DATABASE_URL is not set (for a local run with its own database use `maintainuk dev`)")
	}
	if cfg.AppSecret == "" {
		return nil, errors.New("app: APP_SECRET is not set")
	}
	db, err := database.Open(ctx, cfg.DatabaseURL, cfg.DBMaxConns)
	if err != nil {
		return nil, err
	}
	if err := checkRole(ctx, cfg, logger, db); err != nil {
		db.Close()
		return nil, err
	}
	a, err := assemble(cfg, logger, db)
	if err != nil {
		db.Close()
		return nil, err
	}
	a.checkSearchIndexUsable(ctx)
	return a, nil
}

func assemble(cfg *config.Config, logger *slog.Logger, db *database.DB) (*App, error) {
	a := &App{Config: cfg, Logger: logger, DB: db, idempotency: idempotency.NewStore(db, time.Now)}
	a.Metrics = metrics.New(db.Pool, []string{jobs.QueueEmail, jobs.QueueWebhooks, jobs.QueueMaintenance, jobs.QueueAI, jobs.QueueSMS, jobs.QueueWhatsApp, jobs.QueueBilling}, logger)

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
		Logger: logger, Work: true, JobTimeout: time.Minute, Middleware: []rivertype.Middleware{a.Metrics.JobMiddleware()},
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

	deps := httpapi.Deps{
		Logger: logger, DB: db, Identity: a.Identity, Estate: a.Estate, Contractors: a.Contractors,
		Timeline: timeline.NewService(db, a.Tickets.Visible), Idempotency: a.idempotency,
		Settings: orgsettings.NewService(db), Tickets: a.Tickets, Attachments: a.Attachments, Certificates: a.Certificates,
		WorkOrders: a.WorkOrders, Quotes: a.Quotes, Invoices: a.Invoices, Webhooks: a.Webhooks, AI: a.AI, Messaging: a.Messaging,
		Billing: a.Billing, Evidence: a.Evidence,
		MaxBodyBytes: cfg.MaxBodyBytes, TrustProxyHeaders: cfg.TrustProxyHeaders, Ready: a.ready, BaseURL: cfg.BaseURL,
		Metrics:   a.Metrics,
		Profiling: a.Config.Profiling,
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
		Webhooks: a.Webhooks, Evidence: a.Evidence,
	}, web.Config{
		AppSecret: cfg.AppSecret, SecureCookie: strings.HasPrefix(cfg.BaseURL, "https://"), Logger: logger,
		ClientIP: func(r *http.Request) string { return httpapi.ClientIP(r, cfg.TrustProxyHeaders) },
	})
	if err != nil {
		return nil, err
	}
	deps.Pages = pages
	a.API = httpapi.New(deps)
	return a, nil
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

// ready checks the database answers and the job queue's tables are usable.
func (a *App) ready(ctx context.Context) error {
	var ok bool
	return a.DB.Pool.QueryRow(ctx, `SELECT NOT EXISTS (SELECT 1 FROM river_job WHERE false)`).Scan(&ok)
}

// Run serves HTTP on ln and works jobs until ctx is cancelled, then stops both within the
// shutdown timeout: HTTP first (no new work arrives), then the workers. With METRICS_ADDR
// set it serves /metrics there too, until the workers have stopped.
func (a *App) Run(ctx context.Context, ln net.Listener) error {
	stopMetrics, err := a.serveMetrics()
	if err != nil {
		return err
	}
	jobsCtx, stopJobs := context.WithCancel(context.WithoutCancel(ctx))
	jobsDone := make(chan error, 1)
	go func() { jobsDone <- jobs.Run(jobsCtx, a.Jobs, a.Config.ShutdownTimeout, a.Logger) }()
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
	return errors.Join(jobs.Run(ctx, a.Jobs, a.Config.ShutdownTimeout, a.Logger), stopMetrics())
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

// Serve answers HTTP on ln until ctx is cancelled, then lets in-flight requests finish
// within the shutdown timeout.
func (a *App) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{
		Handler:           a.API,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
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

// Close stops the job dashboard and releases the database pool.
func (a *App) Close() {
	if a.stopDashboard != nil {
		a.stopDashboard()
	}
	if a.metricsLn != nil {
		_ = a.metricsLn.Close() // when it was never served (Shutdown closes it otherwise)
	}
	a.DB.Close()
}
