// Package webpages serves the few server-rendered pages that emailed or texted links open:
// accepting an invitation (/accept-invitation?token=…), resetting a password
// (/reset-password?token=…) and reporting a repair to an organisation (/report/{slug}).
// They are plain HTML forms (no JavaScript, British English, embedded assets) that call
// the same identity and ticket services as the API; the web UI may restyle them later.
//
// Each form is protected against cross-site request forgery by a double-submit token bound
// to a cookie: the page sets a random value in an HttpOnly, SameSite=Strict cookie and puts
// HMAC(key, value) in a hidden field, the key derived from APP_SECRET. A POST whose field
// does not match its cookie answers 403 and changes nothing.
package webpages

import (
	"context"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/maintainuk/maintainuk/internal/apperr"
	"github.com/maintainuk/maintainuk/internal/identity"
)

//go:embed templates/pages.tmpl templates/pages.css
var assets embed.FS

// Accounts is what the pages need from the identity service.
type Accounts interface {
	AcceptInvitation(ctx context.Context, in identity.AcceptInput) (*identity.Session, error)
	ResetPassword(ctx context.Context, token, password string) error
}

// Config configures the pages.
type Config struct {
	// AppSecret is the key material for the CSRF tokens (HKDF, its own label).
	AppSecret string
	// SecureCookie marks the CSRF cookie Secure (BASE_URL is https).
	SecureCookie bool
	Logger       *slog.Logger
	// ClientIP names the client of a request, as the API does (for the password failure
	// limits an existing account's invitation acceptance shares with login).
	ClientIP func(*http.Request) string
}

// CookieName is the CSRF cookie.
const CookieName = "maintainuk_csrf"

const (
	maxFormBytes = 16 << 10
	// maxReportBytes holds a repair report at its longest: about 3,000 characters that
	// may each take 4 bytes in UTF-8 and 3 encoded bytes per byte.
	maxReportBytes = 64 << 10
	cookieMaxAge   = 2 * time.Hour
)

// Pages serves the pages.
type Pages struct {
	accounts Accounts
	reports  Reports
	cfg      Config
	key      []byte
	tpl      *template.Template
	css      template.CSS
	csp      string
}

// New builds the pages.
func New(accounts Accounts, reports Reports, cfg Config) (*Pages, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	key, err := hkdf.Key(sha256.New, []byte(cfg.AppSecret), nil, "maintainuk pages csrf v1", 32)
	if err != nil {
		return nil, fmt.Errorf("webpages: derive key: %w", err)
	}
	css, err := assets.ReadFile("templates/pages.css")
	if err != nil {
		return nil, err
	}
	tpl, err := template.New("pages").Funcs(template.FuncMap{
		"field": func(p page, name string) fieldRef { return fieldRef{Errors: p.Errors, Field: name} },
	}).ParseFS(assets, "templates/pages.tmpl")
	if err != nil {
		return nil, fmt.Errorf("webpages: templates: %w", err)
	}
	sum := sha256.Sum256(css)
	csp := "default-src 'none'; style-src 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'; " +
		"form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
	return &Pages{accounts: accounts, reports: reports, cfg: cfg, key: key, tpl: tpl, css: template.CSS(css), csp: csp}, nil
}

// Paths are the patterns the pages answer on (GET and POST).
var Paths = []string{"/accept-invitation", "/reset-password", "/report/{slug}"}

// page is what a template sees.
type page struct {
	Title   string
	CSS     template.CSS
	Token   string
	CSRF    string
	Name    string
	Message string
	Done    bool
	Errors  map[string]string
	// Slug and Report are the repair report page's.
	Slug   string
	Report reportForm
}

type fieldRef struct {
	Errors map[string]string
	Field  string
}

// ServeHTTP answers GET (the form) and POST (its submission) on Paths.
func (p *Pages) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", p.csp)
	h.Set("Cache-Control", "no-store")
	// The page's address holds a one-time token: never send it on as a Referer.
	h.Set("Referrer-Policy", "no-referrer")
	var form func(http.ResponseWriter, *http.Request, string)
	key, limit := r.URL.Query().Get("token"), int64(maxFormBytes)
	incomplete := key == "" || len(key) > 256
	expired := "This form has expired or was not sent from this site. Open the link from your email again and resubmit."
	switch r.URL.Path {
	case "/accept-invitation":
		form = p.accept
	case "/reset-password":
		form = p.reset
	default:
		slug, ok := strings.CutPrefix(r.URL.Path, "/report/")
		if !ok {
			http.NotFound(w, r)
			return
		}
		form, key, limit, expired = p.report, slug, maxReportBytes, reportExpired
		incomplete = false // the reporting service answers 404 for a slug it does not know
	}
	if r.Method != http.MethodGet && r.Method != http.MethodPost && r.Method != http.MethodHead {
		h.Set("Allow", "GET, HEAD, POST")
		p.message(w, http.StatusMethodNotAllowed, "Not allowed", "This page only shows and submits a form.", false)
		return
	}
	if incomplete {
		p.message(w, http.StatusNotFound, "Link not valid", "This link is incomplete. Open the link from your email again.", false)
		return
	}
	if r.Method == http.MethodPost {
		r.Body = http.MaxBytesReader(w, r.Body, limit)
		if err := r.ParseForm(); err != nil {
			p.message(w, http.StatusBadRequest, "Something went wrong", "The form could not be read. Go back and try again.", false)
			return
		}
		if !p.validCSRF(r) {
			p.message(w, http.StatusForbidden, "Form expired", expired, false)
			return
		}
	}
	form(w, r, key)
}

// csrfFor returns the hidden-field value for the request's CSRF cookie, setting a new
// cookie when there is none.
func (p *Pages) csrfFor(w http.ResponseWriter, r *http.Request) string {
	if c, err := r.Cookie(CookieName); err == nil && validNonce(c.Value) {
		return p.sign(c.Value)
	}
	return p.newCSRF(w)
}

// newCSRF sets a new CSRF cookie, which also makes every form signed for the old one
// invalid, and returns its hidden-field value.
func (p *Pages) newCSRF(w http.ResponseWriter) string {
	buf := make([]byte, 32)
	_, _ = rand.Read(buf)
	nonce := base64.RawURLEncoding.EncodeToString(buf)
	http.SetCookie(w, &http.Cookie{
		Name: CookieName, Value: nonce, Path: "/", MaxAge: int(cookieMaxAge.Seconds()),
		HttpOnly: true, Secure: p.cfg.SecureCookie, SameSite: http.SameSiteStrictMode,
	})
	return p.sign(nonce)
}

func validNonce(v string) bool {
	b, err := base64.RawURLEncoding.DecodeString(v)
	return err == nil && len(b) == 32
}

func (p *Pages) sign(nonce string) string {
	m := hmac.New(sha256.New, p.key)
	m.Write([]byte(nonce))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

func (p *Pages) validCSRF(r *http.Request) bool {
	c, err := r.Cookie(CookieName)
	if err != nil || !validNonce(c.Value) {
		return false
	}
	got, err := base64.RawURLEncoding.DecodeString(r.PostForm.Get("csrf"))
	if err != nil {
		return false
	}
	want, _ := base64.RawURLEncoding.DecodeString(p.sign(c.Value))
	return hmac.Equal(got, want)
}

func (p *Pages) accept(w http.ResponseWriter, r *http.Request, token string) {
	pg := page{Title: "Accept your invitation", Token: token, CSRF: p.csrfFor(w, r)}
	if r.Method != http.MethodPost {
		p.render(w, http.StatusOK, "accept", pg)
		return
	}
	pg.Name = r.PostForm.Get("name")
	sess, err := p.accounts.AcceptInvitation(r.Context(), identity.AcceptInput{
		Token: token, Name: pg.Name, Password: r.PostForm.Get("password"), ClientIP: p.clientIP(r),
	})
	if err != nil {
		p.failed(w, "accept", pg, err, "This invitation is not valid any more: it may have expired or been replaced. Ask whoever invited you to send a new one.")
		return
	}
	p.message(w, http.StatusOK, "Welcome to "+sess.Org.Name,
		fmt.Sprintf("You have joined %s as %s. Log in with %s and your password.", sess.Org.Name, roleName(string(sess.Role)), sess.User.Email), true)
}

func (p *Pages) reset(w http.ResponseWriter, r *http.Request, token string) {
	pg := page{Title: "Choose a new password", Token: token, CSRF: p.csrfFor(w, r)}
	if r.Method != http.MethodPost {
		p.render(w, http.StatusOK, "reset", pg)
		return
	}
	password := r.PostForm.Get("password")
	if password != r.PostForm.Get("confirm") {
		pg.Errors = map[string]string{"confirm": "The two passwords are not the same."}
		p.render(w, http.StatusUnprocessableEntity, "reset", pg)
		return
	}
	if err := p.accounts.ResetPassword(r.Context(), token, password); err != nil {
		p.failed(w, "reset", pg, err, "This password reset link is not valid any more: it may have expired. Ask for a new one.")
		return
	}
	p.message(w, http.StatusOK, "Password changed",
		"Your password has been changed and you have been logged out everywhere. Log in with your new password.", true)
}

// failed shows a refused submission: field errors on the form, anything else as a message.
func (p *Pages) failed(w http.ResponseWriter, name string, pg page, err error, notFound string) {
	var ae *apperr.Error
	if !errors.As(err, &ae) {
		p.cfg.Logger.Error("page failed", "page", name, "err", err)
		p.message(w, http.StatusInternalServerError, "Something went wrong", "Something went wrong on our side. Please try again in a few minutes.", false)
		return
	}
	switch ae.Code {
	case apperr.Invalid:
		pg.Errors = map[string]string{}
		for _, f := range ae.Fields {
			pg.Errors[f.Field] = sentence(f.Message)
		}
		p.render(w, http.StatusUnprocessableEntity, name, pg)
	case apperr.Unauthenticated:
		// An existing account's password was wrong.
		pg.Errors = map[string]string{"password": sentence(ae.Message)}
		p.render(w, http.StatusUnauthorized, name, pg)
	case apperr.RateLimited:
		retryAfter(w, ae.RetryAfter)
		p.message(w, http.StatusTooManyRequests, "Too many attempts", "Too many attempts. Wait a minute and try again.", false)
	case apperr.NotFound:
		p.message(w, http.StatusNotFound, "Link not valid", notFound, false)
	case apperr.Conflict:
		p.message(w, http.StatusConflict, "Link already used", sentence(ae.Message), false)
	default:
		p.message(w, http.StatusBadRequest, "Not possible", sentence(ae.Message), false)
	}
}

// retryAfter sets Retry-After to d in whole seconds, rounded up so that it is never 0.
func retryAfter(w http.ResponseWriter, d time.Duration) {
	if d > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(d.Seconds()))))
	}
}

func (p *Pages) message(w http.ResponseWriter, status int, title, text string, done bool) {
	p.render(w, status, "message", page{Title: title, Message: text, Done: done})
}

func (p *Pages) render(w http.ResponseWriter, status int, name string, pg page) {
	pg.CSS = p.css
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	if err := p.tpl.ExecuteTemplate(w, name, pg); err != nil {
		p.cfg.Logger.Error("page template", "page", name, "err", err)
	}
}

// sentence capitalises a service message and ends it with a full stop.
func sentence(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return s
	}
	s = strings.ToUpper(s[:1]) + s[1:]
	if !strings.HasSuffix(s, ".") {
		s += "."
	}
	return s
}

func roleName(role string) string {
	switch role {
	case "ADMIN":
		return "an administrator"
	case "COORDINATOR":
		return "a coordinator"
	case "CONTRACTOR":
		return "a contractor"
	case "TENANT":
		return "a resident"
	}
	return strings.ToLower(role)
}

func (p *Pages) clientIP(r *http.Request) string {
	if p.cfg.ClientIP != nil {
		return p.cfg.ClientIP(r)
	}
	return r.RemoteAddr
}
