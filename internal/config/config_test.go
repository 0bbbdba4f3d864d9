package config_test

import (
	"fmt"
	"maps"
	"strings"
	"testing"
	"time"

	"github.com/maintainuk/maintainuk/internal/config"
)

// load reads env as `maintainuk dev` does (development unless APP_ENV says otherwise);
// TestProductionIsTheDefault covers every other command.
func load(env map[string]string) (*config.Config, error) {
	return config.Load(config.DevelopmentDefaults(func(k string) string { return env[k] }))
}

func TestProductionIsTheDefault(t *testing.T) {
	t.Parallel()
	_, err := config.Load(func(string) string { return "" })
	if err == nil {
		t.Fatal("an empty environment loaded: it should be production, which needs a database, a secret and an email provider")
	}
	for _, name := range []string{"DATABASE_URL", "APP_SECRET", "EMAIL_PROVIDER"} {
		if !strings.Contains(err.Error(), name) {
			t.Errorf("error does not name %s: %v", name, err)
		}
	}
	prod := map[string]string{"DATABASE_URL": "postgres://app@db/m", "APP_SECRET": strings.Repeat("s", 32),
		"EMAIL_PROVIDER": "smtp", "SMTP_HOST": "smtp.example.com"}
	c, err := config.Load(func(k string) string { return prod[k] })
	if err != nil {
		t.Fatal(err)
	}
	if c.AppEnv != config.EnvProduction || c.AllowPrivateWebhookTargets || c.MigrationDatabaseURL != "" {
		t.Fatalf("production defaults: env %s, private webhooks %v, migration URL %q; want production, false and no fallback to DATABASE_URL",
			c.AppEnv, c.AllowPrivateWebhookTargets, c.MigrationDatabaseURL)
	}
	if c.APIRateLimit != 100 || c.APIOrgRateLimit != 1000 || c.RateLimitStore != "memory" {
		t.Fatalf("production API limits: %d per client, %d per organisation, store %q; want 100, 1000, memory",
			c.APIRateLimit, c.APIOrgRateLimit, c.RateLimitStore)
	}
	prod["MIGRATION_DATABASE_URL"] = prod["DATABASE_URL"]
	if _, err := config.Load(func(k string) string { return prod[k] }); err == nil || !strings.Contains(err.Error(), "MIGRATION_DATABASE_URL must differ") {
		t.Fatalf("the schema owner's URL as the application's was accepted in production: %v", err)
	}
	prod["ALLOW_PRIVATE_WEBHOOK_TARGETS"] = "true" // an explicit choice is honoured
	prod["MIGRATION_DATABASE_URL"] = "postgres://owner@db/m"
	if c, err := config.Load(func(k string) string { return prod[k] }); err != nil || !c.AllowPrivateWebhookTargets {
		t.Fatalf("explicit ALLOW_PRIVATE_WEBHOOK_TARGETS: %v", err)
	}
}

func TestDefaults(t *testing.T) {
	t.Parallel()
	c, err := load(nil)
	if err != nil {
		t.Fatalf("defaults do not load: %v", err)
	}
	// Field by field, so an option added later needs no change here.
	checks := []struct {
		name      string
		got, want any
	}{
		{"AppEnv", c.AppEnv, config.EnvDevelopment},
		{"DatabaseURL", c.DatabaseURL, ""},
		{"MigrationDatabaseURL", c.MigrationDatabaseURL, ""},
		{"HTTPAddr", c.HTTPAddr, ":8080"},
		{"BaseURL", c.BaseURL, "http://localhost:8080"},
		{"AppSecret", c.AppSecret, ""},
		{"DataDir", c.DataDir, ".data"},
		{"LogLevel", c.LogLevel, "info"},
		{"AccessTokenTTL", c.AccessTokenTTL, 15 * time.Minute},
		{"RefreshTokenTTL", c.RefreshTokenTTL, 30 * 24 * time.Hour},
		{"InvitationTTL", c.InvitationTTL, 7 * 24 * time.Hour},
		{"ShutdownTimeout", c.ShutdownTimeout, 20 * time.Second},
		{"MaxBodyBytes", c.MaxBodyBytes, int64(1 << 20)},
		{"TrustedProxies", len(c.TrustedProxies), 0},
		{"APIRateLimit", c.APIRateLimit, 0}, // off under `maintainuk dev` (docs/decisions/0007)
		{"APIOrgRateLimit", c.APIOrgRateLimit, 0},
		{"RateLimitStore", c.RateLimitStore, "memory"},
		{"CORSAllowedOrigins", len(c.CORSAllowedOrigins), 0},
		{"LoginRateLimit", c.LoginRateLimit, 5},
		{"DBMaxConns", c.DBMaxConns, 20},
		{"DBMinConns", c.DBMinConns, 0},
		{"DBMaxConnLifetime", c.DBMaxConnLifetime, time.Hour},
		{"DBMaxConnIdleTime", c.DBMaxConnIdleTime, 30 * time.Minute},
		{"HTTPReadHeaderTimeout", c.HTTPReadHeaderTimeout, 10 * time.Second},
		{"HTTPReadTimeout", c.HTTPReadTimeout, 60 * time.Second},
		{"HTTPWriteTimeout", c.HTTPWriteTimeout, 60 * time.Second},
		{"HTTPIdleTimeout", c.HTTPIdleTimeout, 120 * time.Second},
		{"CompressMinBytes", c.CompressMinBytes, 2048},
		{"Tracing.Endpoint", c.Tracing.Endpoint, ""},
		{"Tracing.ServiceName", c.Tracing.ServiceName, "maintainuk"},
		{"Tracing.SampleRatio", c.Tracing.SampleRatio, 1.0},
		{"AllowPrivateWebhookTargets", c.AllowPrivateWebhookTargets, true},
		{"LoginFailuresPerClient", c.LoginFailuresPerClient, 20},
		{"PasswordHashMemory", c.PasswordHashMemory, int64(64 << 20)},
	}
	for _, ch := range checks {
		if ch.got != ch.want {
			t.Errorf("default %s = %v, want %v", ch.name, ch.got, ch.want)
		}
	}
	if !c.IsDevelopment() {
		t.Fatal("default is not development")
	}
}

// TestOptionsTable checks the table docs/configuration.md is generated from: every
// variable documented once, every default valid on its own.
func TestOptionsTable(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for _, o := range config.Options() {
		if seen[o.Name] || o.Description == "" || o.Name != strings.ToUpper(o.Name) {
			t.Errorf("option %q: duplicate, undocumented or not upper case", o.Name)
		}
		seen[o.Name] = true
		if o.Secret && o.Default != "" {
			t.Errorf("secret %s has a default", o.Name)
		}
	}
	for _, name := range []string{"DATABASE_URL", "HTTP_ADDR", "APP_ENV", "APP_SECRET"} {
		if !seen[name] {
			t.Errorf("required variable %s is not an option", name)
		}
	}
}

func TestValidValues(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		env   map[string]string
		check func(c *config.Config) bool
	}{
		{"production with its requirements", map[string]string{"APP_ENV": "production", "DATABASE_URL": "postgres://app:pw@db/maintainuk", "APP_SECRET": strings.Repeat("s", 32),
			"EMAIL_PROVIDER": "smtp", "SMTP_HOST": "smtp.example.com"},
			func(c *config.Config) bool { return !c.IsDevelopment() && c.AppEnv == config.EnvProduction }},
		{"postgresql scheme", map[string]string{"DATABASE_URL": "postgresql://app@db/maintainuk"},
			func(c *config.Config) bool { return c.DatabaseURL == "postgresql://app@db/maintainuk" }},
		{"resend with its key", map[string]string{"EMAIL_PROVIDER": "resend", "RESEND_API_KEY": "re_123"},
			func(c *config.Config) bool {
				return c.Email.Provider == "resend" && c.Email.ResendBaseURL == "https://api.resend.com"
			}},
		{"migration URL defaults to DATABASE_URL", map[string]string{"DATABASE_URL": "postgres://app@db/m"},
			func(c *config.Config) bool { return c.MigrationDatabaseURL == "postgres://app@db/m" }},
		{"migration URL kept when set", map[string]string{"DATABASE_URL": "postgres://app@db/m", "MIGRATION_DATABASE_URL": "postgres://owner@db/m"},
			func(c *config.Config) bool {
				return c.MigrationDatabaseURL == "postgres://owner@db/m" && c.DatabaseURL == "postgres://app@db/m"
			}},
		{"BASE_URL loses its trailing slash", map[string]string{"BASE_URL": "https://maintain.example.co.uk/"},
			func(c *config.Config) bool { return c.BaseURL == "https://maintain.example.co.uk" }},
		{"values are trimmed", map[string]string{"LOG_LEVEL": " debug ", "HTTP_ADDR": " 127.0.0.1:9000\n"},
			func(c *config.Config) bool { return c.LogLevel == "debug" && c.HTTPAddr == "127.0.0.1:9000" }},
		{"durations", map[string]string{"ACCESS_TOKEN_TTL": "1h", "REFRESH_TOKEN_TTL": "1h", "SHUTDOWN_TIMEOUT": "1s"},
			func(c *config.Config) bool { return c.AccessTokenTTL == time.Hour && c.ShutdownTimeout == time.Second }},
		{"bounds are inclusive", map[string]string{"MAX_BODY_BYTES": "1024", "LOGIN_RATE_LIMIT": "1", "DB_MAX_CONNS": "500"},
			func(c *config.Config) bool {
				return c.MaxBodyBytes == 1024 && c.LoginRateLimit == 1 && c.DBMaxConns == 500
			}},
		{"booleans", map[string]string{"PROFILING": "true"}, func(c *config.Config) bool { return c.Profiling }},
		{"trusted proxies", map[string]string{"TRUSTED_PROXIES": " 10.0.0.0/8, 192.0.2.7 ,fd00::/8,::ffff:198.51.100.1"}, func(c *config.Config) bool {
			return fmt.Sprint(c.TrustedProxies) == "[10.0.0.0/8 192.0.2.7/32 fd00::/8 198.51.100.1/32]"
		}},
		{"API limits set in development", map[string]string{"API_RATE_LIMIT": "60", "API_ORG_RATE_LIMIT": "600", "RATE_LIMIT_STORE": "postgres"}, func(c *config.Config) bool {
			return c.APIRateLimit == 60 && c.APIOrgRateLimit == 600 && c.RateLimitStore == "postgres"
		}},
		{"CORS origins", map[string]string{"CORS_ALLOWED_ORIGINS": "https://App.Example.com, http://localhost:3000/"}, func(c *config.Config) bool {
			return fmt.Sprint(c.CORSAllowedOrigins) == "[https://app.example.com http://localhost:3000]"
		}},
		{"IPv6 listen address", map[string]string{"HTTP_ADDR": "[::1]:8080"}, func(c *config.Config) bool { return c.HTTPAddr == "[::1]:8080" }},
		{"no metrics listener by default", nil, func(c *config.Config) bool { return c.MetricsAddr == "" }},
		{"metrics listener", map[string]string{"METRICS_ADDR": "127.0.0.1:9090"}, func(c *config.Config) bool { return c.MetricsAddr == "127.0.0.1:9090" }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, err := load(tc.env)
			if err != nil {
				t.Fatalf("load: %v", err)
			}
			if !tc.check(c) {
				t.Fatalf("unexpected config %+v", *c)
			}
		})
	}
}

func TestInvalidValues(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, value string
	}{
		{"APP_ENV", "staging"},
		{"APP_ENV", "Production"},
		{"HTTP_ADDR", "8080"},
		{"HTTP_ADDR", ":99999"},
		{"HTTP_ADDR", "localhost:"},
		{"HTTP_ADDR", ":http-ish"},
		{"METRICS_ADDR", "9090"},
		{"METRICS_ADDR", ":99999"},
		{"BASE_URL", "ftp://x"},
		{"BASE_URL", "localhost:8080"},
		{"BASE_URL", "https://"},
		{"APP_SECRET", "short"},
		{"LOG_LEVEL", "loud"},
		{"ACCESS_TOKEN_TTL", "5s"},
		{"ACCESS_TOKEN_TTL", "2h"},
		{"ACCESS_TOKEN_TTL", "15"},
		{"REFRESH_TOKEN_TTL", "100000h"},
		{"INVITATION_TTL", "1m"},
		{"SHUTDOWN_TIMEOUT", "0s"},
		{"MAX_BODY_BYTES", "abc"},
		{"MAX_BODY_BYTES", "1023"},
		{"MAX_BODY_BYTES", "1MB"},
		{"DATABASE_URL", "mysql://x"},
		{"DATABASE_URL", "db.example.com:5432"},
		{"MIGRATION_DATABASE_URL", "sqlite:///tmp/x.db"},
		{"TRUST_PROXY_HEADERS", "maybe"},
		{"TRUST_PROXY_HEADERS", "true"}, // replaced by TRUSTED_PROXIES
		{"TRUSTED_PROXIES", "proxy.internal"},
		{"TRUSTED_PROXIES", "10.0.0.0/33"},
		{"API_RATE_LIMIT", "-1"},
		{"API_ORG_RATE_LIMIT", "lots"},
		{"RATE_LIMIT_STORE", "redis"},
		{"CORS_ALLOWED_ORIGINS", "*"},
		{"CORS_ALLOWED_ORIGINS", "https://app.example.com/path"},
		{"CORS_ALLOWED_ORIGINS", "app.example.com"},
		{"LOGIN_RATE_LIMIT", "0"},
		{"LOGIN_RATE_LIMIT", "-5"},
		{"DB_MAX_CONNS", "1"},
		{"DB_MIN_CONNS", "21"}, // above the default DB_MAX_CONNS
		{"DB_MAX_CONN_LIFETIME", "5s"},
		{"HTTP_READ_HEADER_TIMEOUT", "0s"},
		{"HTTP_COMPRESS_MIN_BYTES", "-1"},
		{"OTEL_EXPORTER_OTLP_ENDPOINT", "otel-collector:4318"},
		{"OTEL_TRACES_SAMPLER_ARG", "1.5"},
		{"SMS_PROVIDER", "carrier-pigeon"},
		{"TWILIO_AUTH_TOKEN", "not-alphanumeric"},
		{"TWILIO_ACCOUNT_SID", "AC 123"},
		{"TWILIO_SMS_FROM", "07700 900000"},
		{"TWILIO_WHATSAPP_FROM", "+0447700900000"},
		{"SMS_MAX_SEGMENTS", "11"},
		{"SMS_PRICES_PENCE", "GB=4"},
		{"WHATSAPP_PRICES_PENCE", "UK=3,*=6"},
		{"WHATSAPP_TEMPLATES", "ticket.resolved"},
		{"BILLING_PROVIDER", "paypal"},
		{"STRIPE_BASE_URL", "stripe-mock:12111"},
		{"STRIPE_WEBHOOK_TOLERANCE", "24h"},
		{"STRIPE_PRICE_STARTER", "prod_123"},
		{"DATA_DIR", " "}, // blank falls back to the default, so this one is valid
	}
	for _, tc := range tests {
		t.Run(tc.name+"="+tc.value, func(t *testing.T) {
			t.Parallel()
			c, err := load(map[string]string{tc.name: tc.value})
			if tc.name == "DATA_DIR" {
				if err != nil || c.DataDir != ".data" {
					t.Fatalf("blank DATA_DIR: %v %+v", err, c)
				}
				return
			}
			if err == nil {
				t.Fatalf("%s=%q accepted: %+v", tc.name, tc.value, *c)
			}
			if c != nil {
				t.Fatalf("an invalid configuration was returned with the error: %+v", *c)
			}
			if !strings.Contains(err.Error(), tc.name+"=") {
				t.Fatalf("error does not name %s: %v", tc.name, err)
			}
			if strings.Count(err.Error(), "config: ") != 1 {
				t.Fatalf("one bad variable, several errors: %v", err)
			}
		})
	}
}

func TestSeveralInvalidReportedTogether(t *testing.T) {
	t.Parallel()
	env := map[string]string{
		"APP_ENV": "staging", "HTTP_ADDR": "8080", "LOG_LEVEL": "loud", "MAX_BODY_BYTES": "abc",
		"APP_SECRET": "short", "DATABASE_URL": "mysql://x", "LOGIN_RATE_LIMIT": "0",
	}
	_, err := load(env)
	if err == nil {
		t.Fatal("accepted")
	}
	for name := range env {
		if !strings.Contains(err.Error(), name+"=") {
			t.Errorf("error does not report %s: %v", name, err)
		}
	}
}

func TestSecretsNeverEchoed(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		env    map[string]string
		secret string
	}{
		{"short APP_SECRET", map[string]string{"APP_SECRET": "hunter2-secret"}, "hunter2-secret"},
		{"DATABASE_URL with a password", map[string]string{"DATABASE_URL": "mysql://app:s3cr3t-pw@db/app"}, "s3cr3t-pw"},
		{"MIGRATION_DATABASE_URL with a password", map[string]string{"MIGRATION_DATABASE_URL": "mongodb://owner:0wn3r-pw@db/app"}, "0wn3r-pw"},
		{"unparseable DATABASE_URL", map[string]string{"DATABASE_URL": "postgres://app:p%zzw0rd@db/app"}, "p%zzw0rd"},
		{"STRIPE_SECRET_KEY of the wrong kind", map[string]string{"STRIPE_SECRET_KEY": "pk_live_publishable123"}, "pk_live_publishable123"},
		{"STRIPE_WEBHOOK_SECRET of the wrong kind", map[string]string{"STRIPE_WEBHOOK_SECRET": "sk_live_123secret"}, "sk_live_123secret"},
		{"secret among other errors", map[string]string{"APP_SECRET": "tiny-secret", "LOG_LEVEL": "loud", "APP_ENV": "production"}, "tiny-secret"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := load(tc.env)
			if err == nil {
				t.Fatal("accepted")
			}
			if strings.Contains(err.Error(), tc.secret) {
				t.Fatalf("error echoes the secret: %v", err)
			}
			if !strings.Contains(err.Error(), "(hidden)") {
				t.Fatalf("error should say the value is hidden: %v", err)
			}
		})
	}
}

func TestProductionRequirements(t *testing.T) {
	t.Parallel()
	secret := strings.Repeat("x", 40)
	tests := []struct {
		name    string
		env     map[string]string
		missing []string
	}{
		{"no DATABASE_URL", map[string]string{"APP_ENV": "production", "APP_SECRET": secret}, []string{"DATABASE_URL"}},
		{"no APP_SECRET", map[string]string{"APP_ENV": "production", "DATABASE_URL": "postgres://app@db/m"}, []string{"APP_SECRET"}},
		{"neither", map[string]string{"APP_ENV": "production"}, []string{"DATABASE_URL", "APP_SECRET"}},
		{"blank values count as missing", map[string]string{"APP_ENV": "production", "DATABASE_URL": "  ", "APP_SECRET": "\t"}, []string{"DATABASE_URL", "APP_SECRET"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, err := load(tc.env)
			if err == nil {
				t.Fatalf("production started without %v", tc.missing)
			}
			if c != nil {
				t.Fatalf("an unusable configuration was returned with the error: %+v", *c)
			}
			for _, name := range tc.missing {
				if !strings.Contains(err.Error(), name) {
					t.Errorf("error does not name %s: %v", name, err)
				}
			}
		})
	}
	t.Run("stripe needs its key, webhook secret and prices", func(t *testing.T) {
		t.Parallel()
		stripe := map[string]string{"BILLING_PROVIDER": "stripe", "STRIPE_SECRET_KEY": "sk_test_1", "STRIPE_WEBHOOK_SECRET": "whsec_1",
			"STRIPE_PRICE_STARTER": "price_s", "STRIPE_PRICE_PROFESSIONAL": "price_p", "STRIPE_PRICE_ENTERPRISE": "price_e"}
		if c, err := load(stripe); err != nil || c.Billing.Provider != "stripe" || c.Billing.Prices["PROFESSIONAL"] != "price_p" || c.Billing.WebhookTolerance != 5*time.Minute {
			t.Fatalf("complete Stripe settings: %v %+v", err, c)
		}
		for _, name := range []string{"STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET", "STRIPE_PRICE_ENTERPRISE"} {
			env := maps.Clone(stripe)
			delete(env, name)
			if _, err := load(env); err == nil || !strings.Contains(err.Error(), name) {
				t.Errorf("without %s: %v", name, err)
			}
		}
	})
	t.Run("development needs neither", func(t *testing.T) {
		t.Parallel()
		if _, err := load(map[string]string{"APP_ENV": "development"}); err != nil {
			t.Fatal(err)
		}
	})
}
