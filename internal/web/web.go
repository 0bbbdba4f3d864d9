// Package web is MaintainUK's web UI: server-rendered pages (html/template) made lively
// with htmx, for coordinators and administrators at a desk, contractors on a phone and
// residents who report a repair once a year. It calls the same services as the API, as the
// signed-in member (docs/web.md).
//
//   - Signed-in pages use a cookie session (identity.WebLogin): an opaque, HttpOnly,
//     SameSite=Lax cookie whose row holds only the token's hash. Every POST carries a CSRF
//     token bound to the session (a hidden field, or the X-CSRF-Token header htmx sends).
//   - The pages a link in an email or text opens, and sign-in itself, are for people not
//     signed in: their forms carry a double-submit CSRF token bound to a cookie of their
//     own.
//   - Every page works without JavaScript; htmx only saves reloads. The Content Security
//     Policy allows scripts and styles from this site alone, no inline script at all, and
//     nothing from another host.
package web

import (
	"context"
	"crypto/hkdf"
	"crypto/sha256"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/maintainuk/maintainuk/internal/access"
	"github.com/maintainuk/maintainuk/internal/ai"
	"github.com/maintainuk/maintainuk/internal/attachments"
	"github.com/maintainuk/maintainuk/internal/billing"
	"github.com/maintainuk/maintainuk/internal/certificates"
	"github.com/maintainuk/maintainuk/internal/contractors"
	"github.com/maintainuk/maintainuk/internal/estate"
	"github.com/maintainuk/maintainuk/internal/evidence"
	"github.com/maintainuk/maintainuk/internal/identity"
	"github.com/maintainuk/maintainuk/internal/invoices"
	"github.com/maintainuk/maintainuk/internal/messaging"
	"github.com/maintainuk/maintainuk/internal/orgsettings"
	"github.com/maintainuk/maintainuk/internal/quotes"
	"github.com/maintainuk/maintainuk/internal/tickets"
	"github.com/maintainuk/maintainuk/internal/timeline"
	"github.com/maintainuk/maintainuk/internal/webhooks"
	"github.com/maintainuk/maintainuk/internal/workorders"
)

// Deps are the services the pages call.
type Deps struct {
	Identity    *identity.Service
	Tickets     *tickets.Service
	WorkOrders  *workorders.Service
	Quotes      *quotes.Service
	Invoices    *invoices.Service
	Estate      *estate.Service
	Contractors *contractors.Service
	Settings    *orgsettings.Service
	Timeline    *timeline.Service
	Attachments *attachments.Service
	AI          *ai.Service
	Messaging   *messaging.Service
	Billing     *billing.Service
	// Webhooks may be nil (the settings page then shows no webhooks).
	Webhooks *webhooks.Service
	// Certificates are the properties' statutory certificates (the compliance pages).
	Certificates *certificates.Service
	// Evidence exports a ticket's evidence as a PDF.
	Evidence *evidence.Service
	// Reports takes the public repair form (the ticket service's public reporting).
	Reports Reports
}

// Reports is what the public repair form needs: the same admission and report as the
// API's public form (POST /api/v1/public/{orgSlug}/reports).
type Reports interface {
	AdmitPublic(ctx context.Context, slug, clientIP string) (tickets.PublicOrg, error)
	ReportPublic(ctx context.Context, org tickets.PublicOrg, in tickets.PublicReport,
		attach func(ctx context.Context, tx pgx.Tx, actor access.Actor, ticketID uuid.UUID) error) (*tickets.Receipt, error)
}

// Config configures the UI.
type Config struct {
	// AppSecret is the key material for the CSRF tokens (HKDF, its own label).
	AppSecret string
	// SecureCookie marks the cookies Secure (BASE_URL is https).
	SecureCookie bool
	Logger       *slog.Logger
	// ClientIP names the client of a request, as the API does (for the sign-in failure
	// limits, shared with the API's login).
	ClientIP func(*http.Request) string
}

// UI serves the web pages.
type UI struct {
	deps    Deps
	cfg     Config
	key     []byte
	views   *views
	handler http.Handler
}

// New builds the UI.
func New(deps Deps, cfg Config) (*UI, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	key, err := hkdf.Key(sha256.New, []byte(cfg.AppSecret), nil, "maintainuk pages csrf v1", 32)
	if err != nil {
		return nil, fmt.Errorf("web: derive key: %w", err)
	}
	v, err := loadViews()
	if err != nil {
		return nil, err
	}
	u := &UI{deps: deps, cfg: cfg, key: key, views: v}
	mux := http.NewServeMux()
	u.routes(mux)
	u.handler = u.headers(limitBodies(mux))
	return u, nil
}

// ServeHTTP serves a page.
func (u *UI) ServeHTTP(w http.ResponseWriter, r *http.Request) { u.handler.ServeHTTP(w, r) }

// contentSecurityPolicy allows this site's own scripts, styles and images and nothing
// else: no inline script or style, no other host, no framing.
const contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// headers sets what every page answers with beyond the headers the API server sets on
// every response (internal/httpapi/secure.go: nosniff, frame DENY, no-referrer, a
// JSON-only CSP and a Permissions-Policy): the pages' own CSP, and the camera for the
// report form's photos.
func (u *UI) headers(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("Permissions-Policy", "camera=(self), microphone=(), geolocation=(), payment=(), usb=()")
		if h.Get("Cache-Control") == "" {
			h.Set("Cache-Control", "no-store")
		}
		next.ServeHTTP(w, r)
	})
}

func (u *UI) clientIP(r *http.Request) string {
	if u.cfg.ClientIP != nil {
		return u.cfg.ClientIP(r)
	}
	return r.RemoteAddr
}

// logFailure records an unexpected failure behind a page.
func (u *UI) logFailure(ctx context.Context, what string, err error) {
	u.cfg.Logger.ErrorContext(ctx, "web page failed", "page", what, "err", err)
}
