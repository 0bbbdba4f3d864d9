// Package config reads MaintainUK's settings from the environment.
//
// Every variable is declared once in the options table below, with its default, a
// description (used to generate docs/configuration.md) and a validator. An invalid value
// stops start-up with an error naming the variable; secrets are never echoed back.
package config

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/maintainuk/maintainuk/internal/messaging/textrules"
)

// Environment names.
const (
	EnvDevelopment = "development"
	EnvProduction  = "production"
)

// Config is the validated configuration. The zero value is not useful: build it with Load.
type Config struct {
	AppEnv string
	// DatabaseURL is the application's connection (a role subject to row-level security).
	// Empty means: start the private development cluster under DataDir.
	DatabaseURL string
	// MigrationDatabaseURL is the connection used for migrations (the schema owner).
	// In development empty means DatabaseURL; production requires its own.
	MigrationDatabaseURL string
	HTTPAddr             string
	MetricsAddr          string // when set, a second listener serving only /metrics
	// Profiling serves Go's profiler (/debug/pprof/) to platform operators and on MetricsAddr.
	Profiling bool
	BaseURL   string
	// AppSecret signs access tokens. In development it is generated and kept under DataDir.
	AppSecret       string
	DataDir         string
	LogLevel        string
	AccessTokenTTL  time.Duration
	RefreshTokenTTL time.Duration
	InvitationTTL   time.Duration
	RefreshMaxAge   time.Duration
	ShutdownTimeout time.Duration
	// JobRescueAfter is how long a job may stay running, its worker gone, before another
	// process runs it again (jobs.DefaultRescueStuckJobsAfter explains the default).
	JobRescueAfter time.Duration
	// JobTimeout cancels a job that runs longer (a worker's own Timeout overrides it).
	JobTimeout time.Duration
	// ServeWorkers makes `serve` work jobs too; false leaves them to `worker` processes.
	ServeWorkers bool
	MaxBodyBytes int64
	// TrustedProxies are the reverse proxies (CIDRs) whose X-Forwarded-For and
	// X-Forwarded-Proto are believed; empty believes no one.
	TrustedProxies []netip.Prefix
	// APIRateLimit is requests per minute per client on /api/ (a member, or an IP address
	// when unauthenticated); APIOrgRateLimit per organisation across its members. 0: off.
	APIRateLimit    int
	APIOrgRateLimit int
	// RateLimitStore is where the API limits count: memory (per replica) or postgres.
	RateLimitStore string
	// CORSAllowedOrigins are the exact origins (scheme://host[:port]) browsers may call the
	// API from; empty allows no cross-origin calls.
	CORSAllowedOrigins []string
	LoginRateLimit     int
	// LoginFailuresPerClient limits failed credential checks from one client (IPv4
	// address or IPv6 /64) across accounts.
	LoginFailuresPerClient int
	// PasswordHashMemory is the memory (bytes) all concurrent password hashes may use;
	// PasswordHashWait how long a request waits for its turn before answering 503.
	PasswordHashMemory int64
	PasswordHashWait   time.Duration
	DBMaxConns         int
	// DBMinConns, DBMaxConnLifetime and DBMaxConnIdleTime shape the pool (pgxpool).
	DBMinConns        int
	DBMaxConnLifetime time.Duration
	DBMaxConnIdleTime time.Duration
	// HTTP server timeouts (net/http.Server).
	HTTPReadHeaderTimeout time.Duration
	HTTPReadTimeout       time.Duration
	HTTPWriteTimeout      time.Duration
	HTTPIdleTimeout       time.Duration
	// CompressMinBytes is the smallest response body compressed (0: none is).
	CompressMinBytes int
	// Tracing is OpenTelemetry's (docs/observability.md).
	Tracing Tracing
	// PublicReportsPerHour limits the public repair form per client IP.
	PublicReportsPerHour int
	// PublicUploadsPerOrgPerDay caps the photos the public form stores for one
	// organisation per UTC day (0: the public form takes no photos).
	PublicUploadsPerOrgPerDay int
	// AllowPrivateWebhookTargets lets webhook endpoints use plain http and private or
	// loopback addresses; only `maintainuk dev` turns it on by default.
	AllowPrivateWebhookTargets bool
	Email                      Email
	// WebhookMaxEndpoints caps an organisation's webhook endpoints.
	WebhookMaxEndpoints int
	// WebhookTestsPerMinute limits test sends (POST /webhooks/{id}/test) per organisation.
	WebhookTestsPerMinute int
	AI                    AI
	Texting               Texting
	Billing               Billing
}

// Tracing is where OpenTelemetry traces go: with no endpoint spans still give every
// request and job its trace id, and nothing is exported.
type Tracing struct {
	// Endpoint is the OTLP/HTTP collector's base URL (traces go to Endpoint/v1/traces).
	Endpoint    string
	ServiceName string
	// SampleRatio is the share of new traces exported; a caller's sampled flag is followed.
	SampleRatio float64
}

// Billing is how organisations pay (internal/billing): locally (plans change at once,
// nothing is charged) or through Stripe.
type Billing struct {
	Provider  string // local or stripe
	SecretKey string
	// BaseURL is Stripe's API, or stripe-mock's in tests.
	BaseURL          string
	WebhookSecret    string
	WebhookTolerance time.Duration
	// Prices maps a paid plan's code to its Stripe price id.
	Prices map[string]string
}

// Texting is how SMS and WhatsApp messages leave and come back (internal/messaging).
type Texting struct {
	Provider     string // dev or twilio
	AccountSID   string
	AuthToken    string
	BaseURL      string // Twilio's API, or a local fake's
	SMSFrom      string
	WhatsAppFrom string
	MaxSegments  int
	// SMSPrices and WhatsAppPrices are price tables (from "GB=4,*=10": pence per SMS segment
	// or per WhatsApp message by destination), checked by internal/messaging/textrules.
	SMSPrices      textrules.PriceTable
	WhatsAppPrices textrules.PriceTable
	// WhatsAppTemplates maps a notification to an approved template's ContentSid.
	WhatsAppTemplates map[string]string
}

// AI is the deployment's AI assistant: the provider organisations use unless they choose
// another, and how calls to it are made.
type AI struct {
	Provider         string // builtin, openai, anthropic or ollama
	Model            string // empty: the provider's default
	Temperature      float64
	MaxTokens        int
	Timeout          time.Duration
	Retries          int
	OpenAIAPIKey     string
	OpenAIBaseURL    string
	AnthropicAPIKey  string
	AnthropicBaseURL string
	OllamaBaseURL    string
	// PublicTriagePerHour limits the public form's self-help per client and hour.
	PublicTriagePerHour int
	// MonthlyTokenAllowance is the tokens an organisation's external AI calls may use per
	// month before it falls back to builtin (organisations may be given their own).
	MonthlyTokenAllowance int64
}

// Email is how emails leave.
type Email struct {
	Provider      string // dev, smtp or resend
	FromName      string
	FromAddress   string
	SMTPHost      string
	SMTPPort      int
	SMTPUsername  string
	SMTPPassword  string
	SMTPTLS       string // none, starttls or tls
	ResendAPIKey  string
	ResendBaseURL string
}

// IsDevelopment reports whether the app runs in development mode.
func (c *Config) IsDevelopment() bool { return c.AppEnv == EnvDevelopment }

// Option describes one environment variable.
type Option struct {
	Name        string
	Default     string
	Description string
	Secret      bool
	apply       func(c *Config, v string) error
}

// Options is the table of every variable MaintainUK reads.
func Options() []Option {
	return []Option{
		{Name: "APP_ENV", Default: EnvProduction, Description: "`production` or `development`. Every command defaults to production except `maintainuk dev`, which defaults to development. Production requires DATABASE_URL, MIGRATION_DATABASE_URL (for `migrate`), APP_SECRET and a real email provider, refuses a database role that bypasses row-level security, and turns off development helpers.",
			apply: func(c *Config, v string) error {
				if v != EnvDevelopment && v != EnvProduction {
					return fmt.Errorf("must be %q or %q", EnvDevelopment, EnvProduction)
				}
				c.AppEnv = v
				return nil
			}},
		{Name: "DATABASE_URL", Description: "PostgreSQL URL the application connects with; the role must not be a superuser nor bypass row-level security. Empty in development: a private cluster is started under DATA_DIR.", Secret: true,
			apply: func(c *Config, v string) error { c.DatabaseURL = v; return validatePostgresURL(v) }},
		{Name: "MIGRATION_DATABASE_URL", Description: "PostgreSQL URL used by `migrate` (the schema owner). Required in production, and must differ from DATABASE_URL; in development it defaults to DATABASE_URL.", Secret: true,
			apply: func(c *Config, v string) error { c.MigrationDatabaseURL = v; return validatePostgresURL(v) }},
		{Name: "HTTP_ADDR", Default: ":8080", Description: "Address the HTTP server listens on.",
			apply: func(c *Config, v string) error {
				_, port, err := net.SplitHostPort(v)
				if err != nil {
					return errors.New("must be host:port, e.g. :8080")
				}
				if _, err := strconv.ParseUint(port, 10, 16); err != nil {
					return errors.New("must be host:port with a port from 0 to 65535, e.g. :8080")
				}
				c.HTTPAddr = v
				return nil
			}},
		{Name: "METRICS_ADDR", Description: "Address of a second, internal listener serving only GET /metrics (Prometheus text), the probes GET /health/live and /health/ready (a worker's only HTTP), and the profiler when PROFILING is on, for `serve`, `worker` and `dev`; " +
			"empty serves none. Keep it off the public network: it has no authentication. The main listener also serves /metrics, to platform operators only (docs/observability.md).",
			apply: func(c *Config, v string) error {
				if v == "" {
					return nil
				}
				if _, port, err := net.SplitHostPort(v); err != nil {
					return errors.New("must be host:port, e.g. 127.0.0.1:9090, or empty")
				} else if _, err := strconv.ParseUint(port, 10, 16); err != nil {
					return errors.New("must be host:port with a port from 0 to 65535, e.g. 127.0.0.1:9090, or empty")
				}
				c.MetricsAddr = v
				return nil
			}},
		{Name: "PROFILING", Default: "false", Description: "Serve Go's profiler at /debug/pprof/: on the METRICS_ADDR listener, and on the main listener to platform operators only (Basic credentials, as /metrics). Off by default; turn it on to profile a live process (docs/benchmarks.md).",
			apply: func(c *Config, v string) error {
				b, err := strconv.ParseBool(v)
				if err != nil {
					return errors.New("must be true or false")
				}
				c.Profiling = b
				return nil
			}},
		{Name: "BASE_URL", Default: "http://localhost:8080", Description: "Public URL of the service, used in links sent to people (invitations, emails). `maintainuk dev` without it uses the address HTTP_ADDR actually serves (e.g. http://127.0.0.1:9090). " +
			"With APP_ENV=production and an https URL the service answers only over HTTPS: plain-HTTP GET and HEAD are redirected to this origin (308), other plain-HTTP requests refused (403), health checks exempt, and HTTPS answers carry HSTS (a year, subdomains included); behind a proxy that terminates TLS, list it in TRUSTED_PROXIES so its X-Forwarded-Proto counts.",
			apply: func(c *Config, v string) error {
				u, err := url.Parse(v)
				if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
					return errors.New("must be an absolute http(s) URL")
				}
				c.BaseURL = strings.TrimRight(v, "/")
				return nil
			}},
		{Name: "APP_SECRET", Description: "Secret (at least 32 bytes) that signs access tokens. Generated and kept under DATA_DIR in development; required in production.", Secret: true,
			apply: func(c *Config, v string) error {
				if v != "" && len(v) < 32 {
					return errors.New("must be at least 32 characters")
				}
				c.AppSecret = v
				return nil
			}},
		{Name: "DATA_DIR", Default: ".data", Description: "Directory for local state: the development PostgreSQL cluster (run as root, it moves to /var/lib/maintainuk/<hash of this path> when PostgreSQL's unprivileged user cannot reach DATA_DIR), the generated secret, uploaded files.",
			apply: func(c *Config, v string) error { c.DataDir = v; return nonEmpty(v) }},
		{Name: "LOG_LEVEL", Default: "info", Description: "`debug`, `info`, `warn` or `error`.",
			apply: func(c *Config, v string) error {
				switch v {
				case "debug", "info", "warn", "error":
					c.LogLevel = v
					return nil
				}
				return errors.New("must be debug, info, warn or error")
			}},
		{Name: "ACCESS_TOKEN_TTL", Default: "15m", Description: "Lifetime of a JWT access token.",
			apply: durationBetween(func(c *Config) *time.Duration { return &c.AccessTokenTTL }, time.Minute, time.Hour)},
		{Name: "REFRESH_TOKEN_TTL", Default: "720h", Description: "Lifetime of a refresh token (30 days).",
			apply: durationBetween(func(c *Config) *time.Duration { return &c.RefreshTokenTTL }, time.Hour, 90*24*time.Hour)},
		{Name: "INVITATION_TTL", Default: "168h", Description: "How long a member invitation can be accepted (7 days).",
			apply: durationBetween(func(c *Config) *time.Duration { return &c.InvitationTTL }, time.Hour, 30*24*time.Hour)},
		{Name: "REFRESH_TOKEN_MAX_AGE", Default: "2160h", Description: "Absolute lifetime of a login's refresh-token family (90 days): past it, refreshing is refused however recently the family was used, and the user logs in again.",
			apply: durationBetween(func(c *Config) *time.Duration { return &c.RefreshMaxAge }, time.Hour, 365*24*time.Hour)},
		{Name: "SHUTDOWN_TIMEOUT", Default: "20s", Description: "How long in-flight requests and jobs get to finish on SIGINT/SIGTERM.",
			apply: durationBetween(func(c *Config) *time.Duration { return &c.ShutdownTimeout }, time.Second, 10*time.Minute)},
		{Name: "JOB_RESCUE_AFTER", Default: "5m", Description: "How long a job may stay running after its worker process died (killed, out of memory, its machine gone) before another process runs it again; " +
			"a job whose own timeout is longer waits for that timeout instead. 5 minutes leaves every email, text and webhook job's 1-minute timeout long expired, so a job still working is never run twice, " +
			"and a crash delays its jobs by minutes rather than River's default hour (docs/faults.md).",
			apply: durationBetween(func(c *Config) *time.Duration { return &c.JobRescueAfter }, time.Second, 24*time.Hour)},
		{Name: "JOB_TIMEOUT", Default: "1m", Description: "How long one attempt of a background job may run before it is cancelled and retried (kinds with their own timeout, such as the quote chaser's 30 minutes, keep theirs).",
			apply: durationBetween(func(c *Config) *time.Duration { return &c.JobTimeout }, time.Second, time.Hour)},
		{Name: "SERVE_WORKERS", Default: "true", Description: "Whether `serve` also works background jobs (emails, texts, webhooks, AI, billing, reminders). " +
			"Set false when separate `maintainuk worker` processes work them, so the API's replicas only answer HTTP and insert jobs.",
			apply: func(c *Config, v string) error {
				b, err := strconv.ParseBool(v)
				if err != nil {
					return errors.New("must be true or false")
				}
				c.ServeWorkers = b
				return nil
			}},
		{Name: "MAX_BODY_BYTES", Default: "1048576", Description: "Largest JSON request body accepted (bytes); larger answers 413.",
			apply: func(c *Config, v string) error {
				n, err := strconv.ParseInt(v, 10, 64)
				if err != nil || n < 1024 || n > 64<<20 {
					return errors.New("must be a whole number of bytes from 1024 to 67108864")
				}
				c.MaxBodyBytes = n
				return nil
			}},
		{Name: "TRUSTED_PROXIES", Description: "Your reverse proxies' addresses, as CIDRs or IPs separated by commas (e.g. `10.0.0.0/8,fd00::/8`). " +
			"Only a request whose direct peer is one of them has its X-Forwarded-For and X-Forwarded-Proto believed: the client IP (rate limits, logs) is then the rightmost " +
			"X-Forwarded-For address that is not a listed proxy. Empty: the peer address is the client and forwarded headers are ignored.",
			apply: func(c *Config, v string) (err error) { c.TrustedProxies, err = parsePrefixes(v); return err }},
		{Name: "TRUST_PROXY_HEADERS", Default: "false", Description: "Replaced by TRUSTED_PROXIES, which names the proxies to believe; `true` stops start-up with a message saying so.",
			apply: func(c *Config, v string) error {
				b, err := strconv.ParseBool(v)
				if err != nil {
					return errors.New("must be true or false")
				}
				if b {
					return errors.New("is replaced by TRUSTED_PROXIES: list your proxies' addresses (e.g. TRUSTED_PROXIES=10.0.0.0/8) and remove TRUST_PROXY_HEADERS")
				}
				return nil
			}},
		{Name: "API_RATE_LIMIT", Default: "100", Description: "Requests per minute one client may make to /api/: a member (user and organisation) when a valid token is sent, otherwise an IP address (IPv6 by /64). " +
			"Beyond it 429 with Retry-After; every /api/ answer carries RateLimit-Limit, RateLimit-Remaining and RateLimit-Reset. Health checks and /metrics are not limited. " +
			"0 turns it off; `maintainuk dev` defaults to 0 (docs/decisions/0007-api-limits-off-in-development.md).",
			apply: intBetween(func(c *Config) *int { return &c.APIRateLimit }, 0, 1000000)},
		{Name: "API_ORG_RATE_LIMIT", Default: "1000", Description: "Requests per minute all members of one organisation may make to /api/ together (checked after API_RATE_LIMIT, so one member's refused requests do not use it up). 0 turns it off; `maintainuk dev` defaults to 0.",
			apply: intBetween(func(c *Config) *int { return &c.APIOrgRateLimit }, 0, 10000000)},
		{Name: "RATE_LIMIT_STORE", Default: "memory", Description: "Where API_RATE_LIMIT and API_ORG_RATE_LIMIT count: `memory` (each replica on its own, so N replicas allow up to N times the limit) or `postgres` (one count shared by every replica on the database, one upsert per check). The login and public-form limits always count in memory.",
			apply: func(c *Config, v string) error {
				if v != "memory" && v != "postgres" {
					return errors.New("must be memory or postgres")
				}
				c.RateLimitStore = v
				return nil
			}},
		{Name: "CORS_ALLOWED_ORIGINS", Description: "Origins (scheme://host[:port], exactly as browsers send them) whose pages may call /api/ from a browser, separated by commas. Empty: no cross-origin calls (no CORS headers at all).",
			apply: func(c *Config, v string) (err error) { c.CORSAllowedOrigins, err = parseOrigins(v); return err }},
		{Name: "LOGIN_RATE_LIMIT", Default: "5", Description: "Failed password checks (login, registration, job dashboard) allowed per minute for one account from one client (an IPv4 address or an IPv6 /64). Successes are never counted, and failures from one client never block another.",
			apply: intBetween(func(c *Config) *int { return &c.LoginRateLimit }, 1, 1000)},
		{Name: "LOGIN_FAILURES_PER_CLIENT", Default: "20", Description: "Failed password checks allowed per minute from one client across all accounts.",
			apply: intBetween(func(c *Config) *int { return &c.LoginFailuresPerClient }, 1, 100000)},
		{Name: "PASSWORD_HASH_MEMORY_MIB", Default: "64", Description: "Memory (MiB) that concurrent password hashes may use together; each argon2id hash takes 19 MiB, so the default allows 3 at once. Further logins and registrations wait their turn.",
			apply: func(c *Config, v string) error {
				n, err := strconv.Atoi(v)
				if err != nil || n < 19 || n > 65536 {
					return errors.New("must be a whole number of MiB from 19 (one hash) to 65536")
				}
				c.PasswordHashMemory = int64(n) << 20
				return nil
			}},
		{Name: "PASSWORD_HASH_WAIT", Default: "5s", Description: "How long a login or registration waits for a password-hashing turn before answering 503 with Retry-After.",
			apply: durationBetween(func(c *Config) *time.Duration { return &c.PasswordHashWait }, 100*time.Millisecond, time.Minute)},
		{Name: "PUBLIC_REPORTS_PER_HOUR", Default: "10", Description: "Public repair reports accepted per hour from one IP address.",
			apply: intBetween(func(c *Config) *int { return &c.PublicReportsPerHour }, 1, 10000)},
		{Name: "PUBLIC_UPLOADS_PER_ORG_PER_DAY", Default: "200", Description: "Photos the public repair form stores for one organisation per UTC day, from all senders together; beyond it reports with photos answer 429 (0: the form takes no photos).",
			apply: intBetween(func(c *Config) *int { return &c.PublicUploadsPerOrgPerDay }, 0, 100000)},
		{Name: "ALLOW_PRIVATE_WEBHOOK_TARGETS", Default: "false", Description: "Let webhook endpoints use plain http and private, loopback or link-local addresses (for local receivers). `maintainuk dev` turns it on; never set it in production, where it would let an organisation reach your internal network.",
			apply: func(c *Config, v string) error {
				b, err := strconv.ParseBool(v)
				if err != nil {
					return errors.New("must be true or false")
				}
				c.AllowPrivateWebhookTargets = b
				return nil
			}},
		{Name: "EMAIL_PROVIDER", Default: "dev", Description: "`dev` (kept in the database, readable at /dev/mailbox in development), `smtp` or `resend`.",
			apply: func(c *Config, v string) error {
				if v != "dev" && v != "smtp" && v != "resend" {
					return errors.New("must be dev, smtp or resend")
				}
				c.Email.Provider = v
				return nil
			}},
		{Name: "EMAIL_FROM_NAME", Default: "MaintainUK", Description: "Sender name on emails.",
			apply: func(c *Config, v string) error { c.Email.FromName = v; return nonEmpty(v) }},
		{Name: "EMAIL_FROM_ADDRESS", Default: "no-reply@maintainuk.localhost", Description: "Sender address on emails.",
			apply: func(c *Config, v string) error { c.Email.FromAddress = v; return nonEmpty(v) }},
		{Name: "SMTP_HOST", Description: "SMTP relay host (EMAIL_PROVIDER=smtp).",
			apply: func(c *Config, v string) error { c.Email.SMTPHost = v; return nil }},
		{Name: "SMTP_PORT", Default: "587", Description: "SMTP relay port.",
			apply: intBetween(func(c *Config) *int { return &c.Email.SMTPPort }, 1, 65535)},
		{Name: "SMTP_USERNAME", Description: "SMTP user name; empty for no authentication.",
			apply: func(c *Config, v string) error { c.Email.SMTPUsername = v; return nil }},
		{Name: "SMTP_PASSWORD", Description: "SMTP password.", Secret: true,
			apply: func(c *Config, v string) error { c.Email.SMTPPassword = v; return nil }},
		{Name: "SMTP_TLS", Default: "starttls", Description: "`starttls` (required), `tls` (implicit, port 465) or `none` (local relays only).",
			apply: func(c *Config, v string) error {
				if v != "starttls" && v != "tls" && v != "none" {
					return errors.New("must be starttls, tls or none")
				}
				c.Email.SMTPTLS = v
				return nil
			}},
		{Name: "AI_PROVIDER", Default: "builtin", Description: "AI provider organisations use unless they choose another: `builtin` (offline rules, no data leaves), `openai`, `anthropic` or `ollama`.",
			apply: func(c *Config, v string) error {
				switch v {
				case "builtin", "openai", "anthropic", "ollama":
					c.AI.Provider = v
					return nil
				}
				return errors.New("must be builtin, openai, anthropic or ollama")
			}},
		{Name: "AI_MODEL", Description: "Model name for the AI provider; empty for the provider's default (gpt-4o-mini, claude-3-5-haiku-latest, llama3.1).",
			apply: func(c *Config, v string) error { c.AI.Model = v; return nil }},
		{Name: "AI_TEMPERATURE", Default: "0.7", Description: "Sampling temperature, 0 to 2 (classification always uses at most 0.2).",
			apply: func(c *Config, v string) error {
				f, err := strconv.ParseFloat(v, 64)
				if err != nil || f < 0 || f > 2 {
					return errors.New("must be a number from 0 to 2")
				}
				c.AI.Temperature = f
				return nil
			}},
		{Name: "AI_MAX_TOKENS", Default: "1000", Description: "Most tokens an AI answer may use.",
			apply: intBetween(func(c *Config) *int { return &c.AI.MaxTokens }, 100, 16000)},
		{Name: "AI_TIMEOUT", Default: "30s", Description: "How long one AI call may take before it is abandoned (and retried).",
			apply: durationBetween(func(c *Config) *time.Duration { return &c.AI.Timeout }, time.Second, 5*time.Minute)},
		{Name: "AI_RETRIES", Default: "3", Description: "Further attempts after a failed, slow or invalid AI answer, before falling back to builtin.",
			apply: intBetween(func(c *Config) *int { return &c.AI.Retries }, 0, 10)},
		{Name: "AI_MONTHLY_TOKEN_ALLOWANCE", Default: "2000000", Description: "Tokens each organisation's external AI calls may use per calendar month (UTC) before they fall back to builtin; an organisation's own allowance replaces it.",
			apply: func(c *Config, v string) error {
				n, err := strconv.ParseInt(v, 10, 64)
				if err != nil || n < 0 {
					return errors.New("must be a whole number, 0 or more")
				}
				c.AI.MonthlyTokenAllowance = n
				return nil
			}},
		{Name: "PUBLIC_TRIAGE_PER_HOUR", Default: "60", Description: "Self-help requests (POST /api/v1/public/{orgSlug}/triage and its outcome) allowed per client IP per hour.",
			apply: intBetween(func(c *Config) *int { return &c.AI.PublicTriagePerHour }, 1, 100000)},
		{Name: "OPENAI_API_KEY", Description: "OpenAI API key (AI_PROVIDER=openai, or organisations choosing openai).", Secret: true,
			apply: func(c *Config, v string) error { c.AI.OpenAIAPIKey = v; return nil }},
		{Name: "OPENAI_BASE_URL", Description: "OpenAI API base URL; empty for OpenAI's own.",
			apply: func(c *Config, v string) error { c.AI.OpenAIBaseURL = v; return optionalURL(v) }},
		{Name: "ANTHROPIC_API_KEY", Description: "Anthropic API key (AI_PROVIDER=anthropic, or organisations choosing anthropic).", Secret: true,
			apply: func(c *Config, v string) error { c.AI.AnthropicAPIKey = v; return nil }},
		{Name: "ANTHROPIC_BASE_URL", Description: "Anthropic API base URL; empty for Anthropic's own.",
			apply: func(c *Config, v string) error { c.AI.AnthropicBaseURL = v; return optionalURL(v) }},
		{Name: "OLLAMA_BASE_URL", Description: "A local Ollama server's OpenAI-compatible API, e.g. http://localhost:11434/v1 (the default when AI_PROVIDER=ollama). Set, organisations may choose ollama.",
			apply: func(c *Config, v string) error { c.AI.OllamaBaseURL = v; return optionalURL(v) }},
		{Name: "RESEND_API_KEY", Description: "Resend API key (EMAIL_PROVIDER=resend).", Secret: true,
			apply: func(c *Config, v string) error { c.Email.ResendAPIKey = v; return nil }},
		{Name: "RESEND_BASE_URL", Default: "https://api.resend.com", Description: "Resend API base URL.",
			apply: func(c *Config, v string) error {
				u, err := url.Parse(v)
				if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
					return errors.New("must be an absolute http(s) URL")
				}
				c.Email.ResendBaseURL = v
				return nil
			}},
		{Name: "SMS_PROVIDER", Default: "dev", Description: "How SMS and WhatsApp messages leave: `dev` (kept in the database and shown on the ticket; nothing leaves the machine) or `twilio`.",
			apply: func(c *Config, v string) error {
				if v != "dev" && v != "twilio" {
					return errors.New("must be dev or twilio")
				}
				c.Texting.Provider = v
				return nil
			}},
		{Name: "TWILIO_ACCOUNT_SID", Description: "Twilio account SID (AC…), for SMS_PROVIDER=twilio.",
			apply: func(c *Config, v string) error { c.Texting.AccountSID = v; return alphanumeric(v) }},
		{Name: "TWILIO_AUTH_TOKEN", Description: "Twilio auth token: authenticates sends and verifies the signatures of Twilio's webhooks (/webhooks/twilio/status and /webhooks/twilio/inbound answer 403 without it).", Secret: true,
			apply: func(c *Config, v string) error { c.Texting.AuthToken = v; return alphanumeric(v) }},
		{Name: "TWILIO_BASE_URL", Default: "https://api.twilio.com", Description: "Twilio REST API base URL (a local fake's in tests).",
			apply: func(c *Config, v string) error { c.Texting.BaseURL = v; return optionalURL(v) }},
		{Name: "TWILIO_SMS_FROM", Default: "+447700900000", Description: "The number SMS come from (E.164). Point its incoming-message webhook at BASE_URL/webhooks/twilio/inbound (add ?org=SLUG for a number that is one organisation's own).",
			apply: func(c *Config, v string) error { c.Texting.SMSFrom = v; return e164(v) }},
		{Name: "TWILIO_WHATSAPP_FROM", Default: "+447700900000", Description: "The WhatsApp sender number (E.164, without the whatsapp: prefix).",
			apply: func(c *Config, v string) error { c.Texting.WhatsAppFrom = v; return e164(v) }},
		{Name: "SMS_MAX_SEGMENTS", Default: "3", Description: "Most segments one SMS may use; a longer text is cut with a link to the ticket.",
			apply: intBetween(func(c *Config) *int { return &c.Texting.MaxSegments }, 1, 10)},
		{Name: "SMS_PRICES_PENCE", Default: "GB=4,*=10", Description: "What one SMS segment costs, in pence, by destination country (ISO code; * for the rest).",
			apply: func(c *Config, v string) (err error) { c.Texting.SMSPrices, err = textrules.ParsePrices(v); return err }},
		{Name: "WHATSAPP_PRICES_PENCE", Default: "GB=3,*=6", Description: "What one WhatsApp message costs, in pence, by destination country (ISO code; * for the rest).",
			apply: func(c *Config, v string) (err error) {
				c.Texting.WhatsAppPrices, err = textrules.ParsePrices(v)
				return err
			}},
		{Name: "WHATSAPP_TEMPLATES", Description: "Approved WhatsApp templates for notifications outside the 24-hour window, as NAME=ContentSid pairs separated by commas; names: ticket.resolved, work_order.scheduled, work_order.assigned, quote.approved, quote.chaser, invoice.approved, invoice.paid, contractor.insurance_expiring. Variables: {{1}} organisation, {{2}} ticket number, {{3}} the detail (visit time, job title, amount or expiry date).",
			apply: func(c *Config, v string) error {
				m, err := pairs(v)
				c.Texting.WhatsAppTemplates = m
				return err
			}},
		{Name: "BILLING_PROVIDER", Default: "local", Description: "How organisations pay: `local` (plan changes apply at once and nothing is charged) or `stripe` (needs STRIPE_SECRET_KEY, STRIPE_WEBHOOK_SECRET and the three STRIPE_PRICE_* settings).",
			apply: func(c *Config, v string) error {
				if v != "local" && v != "stripe" {
					return errors.New("must be local or stripe")
				}
				c.Billing.Provider = v
				return nil
			}},
		{Name: "STRIPE_SECRET_KEY", Description: "Stripe secret or restricted API key (sk_… or rk_…), for BILLING_PROVIDER=stripe.", Secret: true,
			apply: func(c *Config, v string) error {
				if v != "" && !strings.HasPrefix(v, "sk_") && !strings.HasPrefix(v, "rk_") {
					return errors.New("must be a Stripe secret key (sk_…) or restricted key (rk_…)")
				}
				c.Billing.SecretKey = v
				return nil
			}},
		{Name: "STRIPE_BASE_URL", Description: "Stripe's API base URL when not Stripe's own (stripe-mock's in tests, e.g. http://127.0.0.1:12111).",
			apply: func(c *Config, v string) error { c.Billing.BaseURL = v; return optionalURL(v) }},
		{Name: "STRIPE_WEBHOOK_SECRET", Description: "Signing secret (whsec_…) of the Stripe webhook endpoint BASE_URL/webhooks/stripe, for BILLING_PROVIDER=stripe (with the local provider every Stripe webhook is refused, 400).", Secret: true,
			apply: func(c *Config, v string) error {
				if v != "" && !strings.HasPrefix(v, "whsec_") {
					return errors.New("must be a webhook signing secret (whsec_…)")
				}
				c.Billing.WebhookSecret = v
				return nil
			}},
		{Name: "STRIPE_WEBHOOK_TOLERANCE", Default: "5m", Description: "How far a Stripe webhook's signed timestamp may be from now, either way, before it is refused as a replay.",
			apply: durationBetween(func(c *Config) *time.Duration { return &c.Billing.WebhookTolerance }, 30*time.Second, time.Hour)},
		{Name: "STRIPE_PRICE_STARTER", Description: "Stripe price id (price_…) of the Starter plan's monthly subscription.",
			apply: stripePrice("STARTER")},
		{Name: "STRIPE_PRICE_PROFESSIONAL", Description: "Stripe price id of the Professional plan.",
			apply: stripePrice("PROFESSIONAL")},
		{Name: "STRIPE_PRICE_ENTERPRISE", Description: "Stripe price id of the Enterprise plan.",
			apply: stripePrice("ENTERPRISE")},
		{Name: "DB_MAX_CONNS", Default: "20", Description: "Largest number of pooled database connections per process.",
			apply: intBetween(func(c *Config) *int { return &c.DBMaxConns }, 2, 500)},
		{Name: "DB_MIN_CONNS", Default: "0", Description: "Connections the pool keeps open even when idle (at most DB_MAX_CONNS); a few save the first requests after a quiet spell a connect.",
			apply: intBetween(func(c *Config) *int { return &c.DBMinConns }, 0, 500)},
		{Name: "DB_MAX_CONN_LIFETIME", Default: "1h", Description: "Age after which a pooled connection is closed and replaced (spreads load after a database failover, lets a pooler rebalance).",
			apply: durationBetween(func(c *Config) *time.Duration { return &c.DBMaxConnLifetime }, time.Minute, 24*time.Hour)},
		{Name: "DB_MAX_CONN_IDLE_TIME", Default: "30m", Description: "How long a pooled connection may stay unused before it is closed (DB_MIN_CONNS are kept).",
			apply: durationBetween(func(c *Config) *time.Duration { return &c.DBMaxConnIdleTime }, 10*time.Second, 24*time.Hour)},
		{Name: "HTTP_READ_HEADER_TIMEOUT", Default: "10s", Description: "How long a client may take to send a request's headers (guards against slow-header attacks).",
			apply: durationBetween(func(c *Config) *time.Duration { return &c.HTTPReadHeaderTimeout }, time.Second, 5*time.Minute)},
		{Name: "HTTP_READ_TIMEOUT", Default: "60s", Description: "How long a client may take to send a whole request, body included (uploads must fit in it).",
			apply: durationBetween(func(c *Config) *time.Duration { return &c.HTTPReadTimeout }, time.Second, time.Hour)},
		{Name: "HTTP_WRITE_TIMEOUT", Default: "60s", Description: "How long a response may take from the end of the request's headers (reports and PDFs must fit in it).",
			apply: durationBetween(func(c *Config) *time.Duration { return &c.HTTPWriteTimeout }, time.Second, time.Hour)},
		{Name: "HTTP_IDLE_TIMEOUT", Default: "120s", Description: "How long an idle keep-alive connection stays open (keep it above the load balancer's idle timeout).",
			apply: durationBetween(func(c *Config) *time.Duration { return &c.HTTPIdleTimeout }, time.Second, time.Hour)},
		{Name: "HTTP_COMPRESS_MIN_BYTES", Default: "2048", Description: "Smallest JSON or HTML response compressed (zstd when the client accepts it, else gzip; docs/benchmarks-micro.md); 0 turns compression off.",
			apply: intBetween(func(c *Config) *int { return &c.CompressMinBytes }, 0, 1<<20)},
		{Name: "OTEL_EXPORTER_OTLP_ENDPOINT", Description: "OTLP/HTTP collector (e.g. http://otel-collector:4318) to export OpenTelemetry traces to; traces go to its /v1/traces. Empty exports none (every request and job still gets a trace id for logs). OTEL_EXPORTER_OTLP_HEADERS, read by the exporter itself, adds headers such as an API key.",
			apply: func(c *Config, v string) error {
				if v == "" {
					return nil
				}
				u, err := url.Parse(v)
				if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
					return errors.New("must be an absolute http(s) URL, e.g. http://otel-collector:4318")
				}
				c.Tracing.Endpoint = strings.TrimRight(v, "/")
				return nil
			}},
		{Name: "OTEL_SERVICE_NAME", Default: "maintainuk", Description: "Service name the exported traces carry (service.name).",
			apply: func(c *Config, v string) error { c.Tracing.ServiceName = v; return nonEmpty(v) }},
		{Name: "OTEL_TRACES_SAMPLER_ARG", Default: "1", Description: "Share (0 to 1) of new traces exported; a request carrying a W3C traceparent follows its caller's sampling decision.",
			apply: func(c *Config, v string) error {
				f, err := strconv.ParseFloat(v, 64)
				if err != nil || f < 0 || f > 1 {
					return errors.New("must be a number from 0 to 1")
				}
				c.Tracing.SampleRatio = f
				return nil
			}},
		{Name: "WEBHOOK_MAX_ENDPOINTS", Default: "20", Description: "Most webhook endpoints one organisation may register.",
			apply: intBetween(func(c *Config) *int { return &c.WebhookMaxEndpoints }, 1, 1000)},
		{Name: "WEBHOOK_TESTS_PER_MINUTE", Default: "5", Description: "Webhook test sends allowed per minute per organisation.",
			apply: intBetween(func(c *Config) *int { return &c.WebhookTestsPerMinute }, 1, 1000)},
	}
}

// DevelopmentDefaults wraps getenv for `maintainuk dev`: APP_ENV defaults to development,
// private webhook targets are allowed and the API's per-client and per-organisation rate
// limits are off, unless the environment says otherwise.
func DevelopmentDefaults(getenv func(string) string) func(string) string {
	return func(name string) string {
		v := getenv(name)
		if strings.TrimSpace(v) != "" {
			return v
		}
		switch name {
		case "APP_ENV":
			return EnvDevelopment
		case "ALLOW_PRIVATE_WEBHOOK_TARGETS":
			return "true"
		case "API_RATE_LIMIT", "API_ORG_RATE_LIMIT":
			// Test suites and load tools drive a local server from one address
			// (docs/decisions/0007-api-limits-off-in-development.md).
			return "0"
		}
		return v
	}
}

// Load reads the environment through getenv (os.Getenv in production, a map in tests).
// It reports every invalid variable at once.
func Load(getenv func(string) string) (*Config, error) {
	c := &Config{}
	var errs []error
	for _, o := range Options() {
		v := strings.TrimSpace(getenv(o.Name))
		if v == "" {
			v = o.Default
		}
		if err := o.apply(c, v); err != nil {
			shown := fmt.Sprintf("%q", v)
			if o.Secret {
				shown = "(hidden)"
			}
			errs = append(errs, fmt.Errorf("config: %s=%s: %w", o.Name, shown, err))
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	if c.MigrationDatabaseURL == "" && c.AppEnv == EnvDevelopment {
		c.MigrationDatabaseURL = c.DatabaseURL
	}
	switch {
	case c.Email.Provider == "smtp" && c.Email.SMTPHost == "":
		errs = append(errs, errors.New("config: SMTP_HOST is required when EMAIL_PROVIDER=smtp"))
	case c.Email.Provider == "resend" && c.Email.ResendAPIKey == "":
		errs = append(errs, errors.New("config: RESEND_API_KEY is required when EMAIL_PROVIDER=resend"))
	case c.Email.Provider == "dev" && c.AppEnv == EnvProduction:
		errs = append(errs, errors.New("config: EMAIL_PROVIDER=dev delivers nothing; choose smtp or resend when APP_ENV=production"))
	}
	if c.Texting.Provider == "twilio" && (c.Texting.AccountSID == "" || c.Texting.AuthToken == "") {
		errs = append(errs, errors.New("config: TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN are required when SMS_PROVIDER=twilio"))
	}
	if c.Billing.Provider == "stripe" {
		if c.Billing.SecretKey == "" || c.Billing.WebhookSecret == "" {
			errs = append(errs, errors.New("config: STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET are required when BILLING_PROVIDER=stripe"))
		}
		if len(c.Billing.Prices) < 3 {
			errs = append(errs, errors.New("config: STRIPE_PRICE_STARTER, STRIPE_PRICE_PROFESSIONAL and STRIPE_PRICE_ENTERPRISE are required when BILLING_PROVIDER=stripe"))
		}
	}
	if c.DBMinConns > c.DBMaxConns {
		errs = append(errs, fmt.Errorf("config: DB_MIN_CONNS=%d: must not exceed DB_MAX_CONNS (%d)", c.DBMinConns, c.DBMaxConns))
	}
	if c.AI.Provider == "openai" && c.AI.OpenAIAPIKey == "" {
		errs = append(errs, errors.New("config: OPENAI_API_KEY is required when AI_PROVIDER=openai"))
	}
	if c.AI.Provider == "anthropic" && c.AI.AnthropicAPIKey == "" {
		errs = append(errs, errors.New("config: ANTHROPIC_API_KEY is required when AI_PROVIDER=anthropic"))
	}
	if c.AppEnv == EnvProduction {
		if c.DatabaseURL == "" {
			errs = append(errs, errors.New("config: DATABASE_URL is required when APP_ENV=production"))
		}
		if c.AppSecret == "" {
			errs = append(errs, errors.New("config: APP_SECRET is required when APP_ENV=production"))
		}
		if c.MigrationDatabaseURL != "" && c.MigrationDatabaseURL == c.DatabaseURL {
			// The migrator owns the tables, and a table's owner bypasses row-level security.
			errs = append(errs, errors.New("config: MIGRATION_DATABASE_URL must differ from DATABASE_URL when APP_ENV=production: the application must not connect as the schema owner"))
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...) // like an invalid value: no half-usable config
	}
	return c, nil
}

// parsePrefixes reads "10.0.0.0/8, 192.0.2.1" (a bare address is its own /32 or /128).
func parsePrefixes(v string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, part := range strings.Split(v, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		if p, err := netip.ParsePrefix(part); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(part)
		if err != nil || a.Zone() != "" {
			return nil, fmt.Errorf("%q is neither a CIDR (10.0.0.0/8) nor an IP address", part)
		}
		a = a.Unmap()
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}

// parseOrigins reads "https://app.example.com, http://localhost:3000": each an origin as a
// browser sends it in the Origin header, so it can be compared exactly.
func parseOrigins(v string) ([]string, error) {
	var out []string
	for _, part := range strings.Split(v, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		u, err := url.Parse(part)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil ||
			(u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
			return nil, fmt.Errorf("%q is not an origin: give scheme://host[:port], e.g. https://app.example.com (no wildcard, no path)", part)
		}
		out = append(out, strings.ToLower(u.Scheme+"://"+u.Host))
	}
	return out, nil
}

func optionalURL(v string) error {
	if v == "" {
		return nil
	}
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return errors.New("must be an absolute http(s) URL")
	}
	return nil
}

// e164 accepts a phone number written in E.164 ("+447700900000").
func e164(v string) error {
	if len(v) < 8 || len(v) > 16 || v[0] != '+' || strings.Trim(v[1:], "0123456789") != "" || v[1] == '0' {
		return errors.New("must be a number in E.164 form, e.g. +447700900000")
	}
	return nil
}

// stripePrice records a plan's Stripe price id.
func stripePrice(plan string) func(*Config, string) error {
	return func(c *Config, v string) error {
		if v == "" {
			return nil
		}
		if !strings.HasPrefix(v, "price_") || alphanumeric(strings.ReplaceAll(v, "_", "")) != nil {
			return errors.New("must be a Stripe price id, e.g. price_1Q2w3E4r5T6y7U8i")
		}
		if c.Billing.Prices == nil {
			c.Billing.Prices = map[string]string{}
		}
		c.Billing.Prices[plan] = v
		return nil
	}
}

// alphanumeric accepts Twilio's credentials: its SDK refuses any other character before
// sending, which would otherwise show only as every text failing.
func alphanumeric(v string) error {
	if strings.Trim(v, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") != "" {
		return errors.New("must be letters and digits only, as Twilio issues it")
	}
	return nil
}

// pairs reads "a=b,c=d" (empty: none).
func pairs(v string) (map[string]string, error) {
	out := map[string]string{}
	if v == "" {
		return out, nil
	}
	for _, p := range strings.Split(v, ",") {
		k, val, ok := strings.Cut(strings.TrimSpace(p), "=")
		k, val = strings.TrimSpace(k), strings.TrimSpace(val)
		if !ok || k == "" || val == "" {
			return nil, fmt.Errorf("%q is not NAME=VALUE", p)
		}
		out[k] = val
	}
	return out, nil
}

func nonEmpty(v string) error {
	if v == "" {
		return errors.New("must not be empty")
	}
	return nil
}

func validatePostgresURL(v string) error {
	if v == "" {
		return nil
	}
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return errors.New("must be a postgres:// URL")
	}
	return nil
}

func durationBetween(get func(*Config) *time.Duration, lo, hi time.Duration) func(*Config, string) error {
	return func(c *Config, v string) error {
		d, err := time.ParseDuration(v)
		if err != nil || d < lo || d > hi {
			return fmt.Errorf("must be a duration from %s to %s, e.g. 15m", lo, hi)
		}
		*get(c) = d
		return nil
	}
}

func intBetween(get func(*Config) *int, lo, hi int) func(*Config, string) error {
	return func(c *Config, v string) error {
		n, err := strconv.Atoi(v)
		if err != nil || n < lo || n > hi {
			return fmt.Errorf("must be a whole number from %d to %d", lo, hi)
		}
		*get(c) = n
		return nil
	}
}
