package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/maintainuk/maintainuk/internal/access"
	"github.com/maintainuk/maintainuk/internal/apperr"
	"github.com/maintainuk/maintainuk/internal/tickets"
)

// TestReportCategories: the form offers every category the service accepts, in its order,
// so a new category cannot be left off the page.
func TestReportCategories(t *testing.T) {
	var values []string
	for _, c := range categories {
		values = append(values, c.Value)
	}
	if !slices.Equal(values, tickets.Categories) {
		t.Fatalf("the form offers %v, the service accepts %v", values, tickets.Categories)
	}
}

// refusing is a reporting service whose admission always fails with err.
type refusing struct{ err error }

func (f refusing) AdmitPublic(context.Context, string, string) (tickets.PublicOrg, error) {
	return tickets.PublicOrg{}, f.err
}

func (f refusing) ReportPublic(context.Context, tickets.PublicOrg, tickets.PublicReport,
	func(context.Context, pgx.Tx, access.Actor, uuid.UUID) error) (*tickets.Receipt, error) {
	panic("a refused admission must not report")
}

// TestReportRateLimited: a client over its hourly limit is told to try later, with
// Retry-After in whole seconds (rounded up), before the form is even shown. The limit
// itself is the ticket service's; the API tests exhaust it.
func TestReportRateLimited(t *testing.T) {
	p, err := New(Deps{Reports: refusing{&apperr.Error{Code: apperr.RateLimited, RetryAfter: 90*time.Second + time.Millisecond}}}, Config{AppSecret: strings.Repeat("k", 32)})
	if err != nil {
		t.Fatal(err)
	}
	w := httptest.NewRecorder()
	p.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/report/acme-lettings", nil))
	if w.Code != http.StatusTooManyRequests || w.Header().Get("Retry-After") != "91" ||
		!strings.Contains(w.Body.String(), "Please try again later") || strings.Contains(w.Body.String(), "<form") {
		t.Fatalf("%d Retry-After %q\n%s", w.Code, w.Header().Get("Retry-After"), w.Body)
	}
}

// TestPagesUnavailable: a database out of reach (a restart, a failover) and a full file
// store are busy, not broken: 503 with Retry-After and a message to try again, as the API
// answers (docs/faults.md); any other failure stays a 500.
func TestPagesUnavailable(t *testing.T) {
	full := &apperr.Error{Code: apperr.Unavailable, Message: "file storage is full, so the file was not saved; try again later", RetryAfter: time.Minute}
	for _, tc := range []struct {
		name       string
		err        error
		status     int
		retryAfter string
		says       string
	}{
		{"connection refused", &pgconn.ConnectError{}, http.StatusServiceUnavailable, "5", "briefly unavailable"},
		{"shutting down", fmt.Errorf("list: %w", &pgconn.PgError{Code: "57P01"}), http.StatusServiceUnavailable, "5", "briefly unavailable"},
		{"storage full", full, http.StatusServiceUnavailable, "60", "File storage is full"},
		{"a bug", errors.New("nil map"), http.StatusInternalServerError, "", "Something went wrong"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := New(Deps{Reports: refusing{tc.err}}, Config{AppSecret: strings.Repeat("k", 32)})
			if err != nil {
				t.Fatal(err)
			}
			w := httptest.NewRecorder()
			p.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/report/acme-lettings", nil))
			if w.Code != tc.status || w.Header().Get("Retry-After") != tc.retryAfter || !strings.Contains(w.Body.String(), tc.says) {
				t.Fatalf("%d Retry-After %q\n%s", w.Code, w.Header().Get("Retry-After"), w.Body)
			}
		})
	}
}
