package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/maintainuk/maintainuk/internal/apperr"
	"github.com/maintainuk/maintainuk/internal/database"
	"github.com/maintainuk/maintainuk/internal/hhsrs"
	"github.com/maintainuk/maintainuk/internal/ukcalendar"
)

//go:embed templates/*.tmpl
var templateFS embed.FS

//go:embed assets/app.css assets/htmx-2.0.11.min.js
var assetFS embed.FS

// views are the parsed templates and the assets' cache-busting names.
type views struct {
	tpl    *template.Template
	assets map[string]asset // by the path pages link to
	css    string           // the stylesheet's path, with its hash
	htmx   string
}

type asset struct {
	body        []byte
	contentType string
}

func loadViews() (*views, error) {
	v := &views{assets: map[string]asset{}}
	for name, ct := range map[string]string{"app.css": "text/css; charset=utf-8", "htmx-2.0.11.min.js": "text/javascript; charset=utf-8"} {
		b, err := fs.ReadFile(assetFS, "assets/"+name)
		if err != nil {
			return nil, err
		}
		sum := sha256.Sum256(b)
		path := "/assets/" + hex.EncodeToString(sum[:6]) + "/" + name
		v.assets[path] = asset{body: b, contentType: ct}
		if strings.HasSuffix(name, ".css") {
			v.css = path
		} else {
			v.htmx = path
		}
	}
	tpl, err := template.New("web").Funcs(funcs).ParseFS(templateFS, "templates/*.tmpl")
	if err != nil {
		return nil, fmt.Errorf("web: templates: %w", err)
	}
	v.tpl = tpl
	return v, nil
}

// serveAsset answers an embedded asset; its path carries its content's hash, so it may be
// cached for a year.
func (u *UI) serveAsset(w http.ResponseWriter, r *http.Request) {
	a, ok := u.views.assets[r.URL.Path]
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", a.contentType)
	w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	_, _ = w.Write(a.body)
}

// page is what every template sees.
type page struct {
	Title string
	// Visit is the signed-in member; nil on the pages for people not signed in.
	Visit *visit
	// Nav names the header link of the page's section.
	Nav string
	// CSRF is the token forms send: the session's, or the double-submit cookie's.
	CSRF    string
	Message string
	Done    bool
	// Errors are field messages by form field name; Flash a notice at the top.
	Errors map[string]string
	Flash  string
	// Data is the page's own content.
	Data any
	// CSS and HTMX are the assets' paths.
	CSS, HTMX string

	// The pages for people not signed in.
	Token, Name, Email, Next string
	Slug                     string
	Report                   reportForm
}

var funcs = template.FuncMap{
	"money": money,
	"when":  when,
	"day":   day,
	"words": words,
	"field": func(p page, name string) fieldRef { return fieldRef{Errors: p.Errors, Field: name} },
	"idstr": func(id uuid.UUID) string { return id.String() },
	"deref": func(t *time.Time) time.Time {
		if t == nil {
			return time.Time{}
		}
		return *t
	},
	"lower":      strings.ToLower,
	"list":       func(xs ...string) []string { return xs },
	"has":        func(xs []string, x string) bool { return slices.Contains(xs, x) },
	"hazardName": hhsrs.Name,
	"mul100":     func(f float64) float64 { return f * 100 },
	"pct": func(used, included int64) int64 {
		if included <= 0 {
			if used > 0 {
				return 100
			}
			return 0
		}
		return min(used*100/included, 100)
	},
	"dict": func(kv ...any) map[string]any {
		m := map[string]any{}
		for i := 0; i+1 < len(kv); i += 2 {
			m[fmt.Sprint(kv[i])] = kv[i+1]
		}
		return m
	},
}

type fieldRef struct {
	Errors map[string]string
	Field  string
}

// money shows pence as pounds: 123456 → "£1,234.56".
func money(pence int64) string {
	sign := ""
	if pence < 0 {
		sign, pence = "-", -pence
	}
	pounds := strconv.FormatInt(pence/100, 10)
	var b strings.Builder
	for i, c := range pounds {
		if i > 0 && (len(pounds)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return fmt.Sprintf("%s£%s.%02d", sign, b.String(), pence%100)
}

// when shows an instant in London time: "Thu 3 Dec 2026, 14:05".
func when(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(ukcalendar.London).Format("Mon 2 Jan 2006, 15:04")
}

// day shows the London date of an instant: "3 Dec 2026".
func day(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(ukcalendar.London).Format("2 Jan 2006")
}

// words turns a code into words: "IN_PROGRESS" → "In progress".
func words(code string) string {
	s := strings.ToLower(strings.ReplaceAll(code, "_", " "))
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// render writes a page: the whole document, or for an htmx request that names a fragment
// (HX-Target), the fragment template "<name>:fragment" when there is one.
func (u *UI) render(w http.ResponseWriter, r *http.Request, status int, name string, p page) {
	p.CSS, p.HTMX = u.views.css, u.views.htmx
	if p.Visit == nil {
		p.Visit = visitOf(r.Context())
	}
	if p.Visit != nil && p.CSRF == "" {
		p.CSRF = p.Visit.CSRF
	}
	var buf bytes.Buffer
	if err := u.views.tpl.ExecuteTemplate(&buf, name, p); err != nil {
		u.logFailure(r.Context(), name, err)
		http.Error(w, "Something went wrong on our side. Please try again in a few minutes.", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// message shows a page with one message.
func (u *UI) message(w http.ResponseWriter, r *http.Request, status int, title, text string, done bool) {
	u.render(w, r, status, "message", page{Title: title, Message: text, Done: done})
}

// failed shows what went wrong in the reader's terms: a refusal as its message with its
// status, anything unexpected as our failure (logged).
func (u *UI) failed(w http.ResponseWriter, r *http.Request, what string, err error) {
	var ae *apperr.Error
	if database.Unreachable(err) && (!errors.As(err, &ae) || ae.Code == apperr.Internal) {
		// The database is restarting or out of reach: busy, not broken (as the API's 503).
		u.logFailure(r.Context(), what, err)
		retryAfter(w, 5*time.Second)
		u.message(w, r, http.StatusServiceUnavailable, "Service unavailable", "The service is briefly unavailable. Please try again in a few seconds.", false)
		return
	}
	if !errors.As(err, &ae) || ae.Code == apperr.Internal {
		u.logFailure(r.Context(), what, err)
		u.message(w, r, http.StatusInternalServerError, "Something went wrong", "Something went wrong on our side. Please try again in a few minutes.", false)
		return
	}
	switch ae.Code {
	case apperr.NotFound:
		u.message(w, r, http.StatusNotFound, "Not found", "There is nothing here, or it is not yours to see.", false)
	case apperr.Forbidden:
		u.message(w, r, http.StatusForbidden, "Not allowed", sentence(ae.Message), false)
	case apperr.RateLimited:
		retryAfter(w, ae.RetryAfter)
		u.message(w, r, http.StatusTooManyRequests, "Too many attempts", "Too many attempts. Wait a minute and try again.", false)
	case apperr.Unavailable:
		retryAfter(w, ae.RetryAfter)
		u.message(w, r, http.StatusServiceUnavailable, "Service unavailable", sentence(ae.Message), false)
	case apperr.PaymentRequired:
		u.message(w, r, http.StatusPaymentRequired, "Payment overdue", sentence(ae.Message), false)
	case apperr.Invalid:
		u.message(w, r, http.StatusUnprocessableEntity, "Check your answers", sentence(fieldSummary(ae)), false)
	default:
		u.message(w, r, statusOf(ae.Code), "Not possible", sentence(ae.Message), false)
	}
}

// fieldErrors are a refusal's field messages by field, or nil when it has none.
func fieldErrors(err error) map[string]string {
	var ae *apperr.Error
	if !errors.As(err, &ae) || ae.Code != apperr.Invalid || len(ae.Fields) == 0 {
		return nil
	}
	out := map[string]string{}
	for _, f := range ae.Fields {
		name := strings.TrimPrefix(f.Field, "body.")
		if _, seen := out[name]; !seen {
			out[name] = sentence(f.Message)
		}
	}
	return out
}

func fieldSummary(ae *apperr.Error) string {
	if len(ae.Fields) == 0 {
		return ae.Message
	}
	parts := make([]string, 0, len(ae.Fields))
	for _, f := range ae.Fields {
		parts = append(parts, f.Field+" "+f.Message)
	}
	return strings.Join(parts, "; ")
}

func statusOf(code apperr.Code) int {
	switch code {
	case apperr.Conflict:
		return http.StatusConflict
	case apperr.Unauthenticated:
		return http.StatusUnauthorized
	case apperr.TooLarge:
		return http.StatusRequestEntityTooLarge
	case apperr.UnsupportedType:
		return http.StatusUnsupportedMediaType
	case apperr.Unavailable:
		return http.StatusServiceUnavailable
	}
	return http.StatusBadRequest
}

// retryAfter sets Retry-After to d in whole seconds, rounded up so that it is never 0.
func retryAfter(w http.ResponseWriter, d time.Duration) {
	if d > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(d.Seconds()))))
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
