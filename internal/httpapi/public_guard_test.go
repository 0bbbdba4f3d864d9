package httpapi_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/maintainuk/maintainuk/internal/access"
	"github.com/maintainuk/maintainuk/internal/apperr"
	"github.com/maintainuk/maintainuk/internal/database"
	"github.com/maintainuk/maintainuk/internal/testsupport"
	"github.com/maintainuk/maintainuk/internal/tickets"
)

// pubDirect files a public report through the service, as the form's handler does:
// admission first, then the report.
func pubDirect(app *testsupport.App, slug, clientIP string, in tickets.PublicReport,
	attach func(context.Context, pgx.Tx, access.Actor, uuid.UUID) error) (*tickets.Receipt, error) {
	org, err := app.Tickets.AdmitPublic(context.Background(), slug, clientIP)
	if err != nil {
		return nil, err
	}
	return app.Tickets.ReportPublic(context.Background(), org, in, attach)
}

// pubSpyBody is a request body that records whether anything read it.
type pubSpyBody struct {
	read atomic.Bool
	r    io.Reader
}

func (b *pubSpyBody) Read(p []byte) (int, error) {
	b.read.Store(true)
	return b.r.Read(p)
}

// pubFiller is an endless body tail.
type pubFiller struct{}

func (pubFiller) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 'x'
	}
	return len(p), nil
}

// pubSpyPost posts a public report whose body records being read, claiming a body of
// length bytes, from remoteIP, straight to the application's handler.
func pubSpyPost(t *testing.T, app *testsupport.App, slug, remoteIP string, length int64) (*httptest.ResponseRecorder, bool) {
	t.Helper()
	body, ct := atForm(t, [][2]string{{"name", "Spy"}, {"email", "spy@example.com"}, {"unitReference", "SPY-1"}, {"title", "Spy"}})
	spy := &pubSpyBody{r: io.MultiReader(strings.NewReader(string(body)), io.LimitReader(pubFiller{}, length-int64(len(body))))}
	req := httptest.NewRequest(http.MethodPost, "/api/v1/public/"+slug+"/reports", spy)
	req.ContentLength = length
	req.Header.Set("Content-Type", ct)
	req.RemoteAddr = remoteIP + ":40000"
	rec := httptest.NewRecorder()
	app.API.ServeHTTP(rec, req)
	return rec, spy.read.Load()
}

// TestPublicReportAdmissionBeforeBody: an unknown organisation and a client over its limit
// are answered before a byte of the body is read, so a large body costs the server
// nothing; an admitted request does read it (the spy works).
func TestPublicReportAdmissionBeforeBody(t *testing.T) {
	t.Parallel()
	app, _ := atNewApp(t, map[string]string{"PUBLIC_REPORTS_PER_HOUR": "1"})
	org := atNewOrg(t, app, "Spy Lettings", "SPY-1")
	const big = 40 << 20 // within the form's limit, so only admission can refuse it

	cases := []struct {
		name     string
		slug, ip string
		status   int
		read     bool
	}{
		// The first request from .10 is to an unknown organisation (it still counts).
		{"unknown organisation", "no-such-lettings", "192.0.2.10", http.StatusNotFound, false},
		{"client over its limit", org.Slug, "192.0.2.10", http.StatusTooManyRequests, false},
		// A control character is refused (422 naming orgSlug) before any handler runs.
		{"a slug no organisation can have", "acme%00lettings", "192.0.2.12", http.StatusUnprocessableEntity, false},
		{"a slug too long", strings.Repeat("a", 61), "192.0.2.13", http.StatusNotFound, false},
		{"admitted: the body is read", org.Slug, "192.0.2.11", http.StatusCreated, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rec, read := pubSpyPost(t, app, tc.slug, tc.ip, big)
			if rec.Code != tc.status || read != tc.read {
				t.Fatalf("status %d, body read %v; want %d, read %v (%s)", rec.Code, read, tc.status, tc.read, rec.Body.String())
			}
			if tc.status == http.StatusTooManyRequests {
				if n, err := strconv.Atoi(rec.Header().Get("Retry-After")); err != nil || n <= 0 {
					t.Errorf("Retry-After %q", rec.Header().Get("Retry-After"))
				}
			}
		})
	}
}

// pubUploadsToday is the organisation's public_uploads meter for today.
func pubUploadsToday(t *testing.T, app *testsupport.App, orgID uuid.UUID) int64 {
	t.Helper()
	var n int64
	err := app.DB.InTx(context.Background(), database.Scope{OrgID: orgID}, func(tx pgx.Tx) error {
		return tx.QueryRow(context.Background(), `SELECT coalesce(sum(quantity), 0) FROM usage_meters
			WHERE org_id = $1 AND metric = $2 AND period_start = (now() AT TIME ZONE 'UTC')::date`, orgID, tickets.MetricPublicUploads).Scan(&n)
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestPublicUploadCap: the public form stores at most PUBLIC_UPLOADS_PER_ORG_PER_DAY photos
// per organisation a day, from all senders together; a report that would go over answers
// 429 with Retry-After and creates nothing, reports without photos still go through, the
// accepted photos are on the storage meter, and other organisations are not affected.
func TestPublicUploadCap(t *testing.T) {
	t.Parallel()
	app, dataDir := atNewApp(t, map[string]string{"PUBLIC_REPORTS_PER_HOUR": "1000", "PUBLIC_UPLOADS_PER_ORG_PER_DAY": "3", "TRUSTED_PROXIES": "127.0.0.1"})
	a := atNewOrg(t, app, "Capped Lettings", "CAP-1")
	b := atNewOrg(t, app, "Uncapped Lettings", "CAP-1")
	photos := func(seed string, n int) []atPart {
		var out []atPart
		for i := range n {
			out = append(out, atPart{filename: fmt.Sprintf("%s-%d.jpg", seed, i), contentType: "image/jpeg", data: atJPEG(fmt.Sprintf("%s-%d", seed, i), 2000)})
		}
		return out
	}
	steps := []struct {
		name   string
		org    *atOrg
		ip     string // each step from its own client: the cap is the organisation's
		photos int
		status int
		after  int64 // the organisation's public uploads today, afterwards
	}{
		{"two photos", a, "198.51.100.1", 2, http.StatusCreated, 2},
		{"two more would go over", a, "198.51.100.2", 2, http.StatusTooManyRequests, 2},
		{"one more reaches the cap", a, "198.51.100.3", 1, http.StatusCreated, 3},
		{"one over the cap", a, "198.51.100.4", 1, http.StatusTooManyRequests, 3},
		{"no photos still accepted", a, "198.51.100.5", 0, http.StatusCreated, 3},
		{"another organisation", b, "198.51.100.1", 3, http.StatusCreated, 3},
	}
	for i, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			meter := atMeter(t, app, st.org.OrgID)
			send := func() *testsupport.Response {
				return pubReport(t, app, st.org.Slug, pubValid("CAP-1"), photos(fmt.Sprintf("cap-%d", i), st.photos), "X-Forwarded-For", st.ip)
			}
			if st.status == http.StatusCreated {
				rc := pubReceipt(t, send())
				if got := atList(t, st.org.Admin, rc.TicketID); len(got) != st.photos {
					t.Fatalf("%d attachments, want %d", len(got), st.photos)
				}
				if st.photos > 0 && atMeter(t, app, st.org.OrgID) <= meter {
					t.Errorf("the storage meter did not grow with the public photos")
				}
			} else {
				pubNothingCreated(t, app, dataDir, st.org.OrgID, func() {
					r := send()
					f := r.ExpectFailure(st.status, apperr.RateLimited)
					if !strings.Contains(f.Message, "photos") {
						t.Errorf("message %q does not say photos are the problem", f.Message)
					}
					n, err := strconv.Atoi(r.Header.Get("Retry-After"))
					if err != nil || n <= 0 || n > 24*3600 {
						t.Errorf("Retry-After %q, want seconds until tomorrow", r.Header.Get("Retry-After"))
					}
				})
			}
			if got := pubUploadsToday(t, app, st.org.OrgID); got != st.after {
				t.Fatalf("public uploads today %d, want %d", got, st.after)
			}
		})
	}
	t.Run("a full day refuses a large body before reading it", func(t *testing.T) {
		rec, read := pubSpyPost(t, app, a.Slug, "192.0.2.50", 5<<20)
		if rec.Code != http.StatusTooManyRequests || read || rec.Header().Get("Retry-After") == "" {
			t.Fatalf("status %d, read %v, Retry-After %q", rec.Code, read, rec.Header().Get("Retry-After"))
		}
	})
}

// TestPublicReceiptHidesUnitMatch: the answer is the same shape whether the unit reference
// matched a home or not, and the OpenAPI document does not mention matchedUnit.
func TestPublicReceiptHidesUnitMatch(t *testing.T) {
	t.Parallel()
	app, _ := atNewApp(t, map[string]string{"PUBLIC_REPORTS_PER_HOUR": "1000"})
	a := atNewOrg(t, app, "Probe Lettings", "PR-1")
	keys := func(r *testsupport.Response) string {
		var env struct {
			Data map[string]json.RawMessage `json:"data"`
		}
		if err := json.Unmarshal(r.Expect(http.StatusCreated).Body, &env); err != nil {
			t.Fatal(err)
		}
		var k []string
		for key := range env.Data {
			k = append(k, key)
		}
		return fmt.Sprint(len(k), strings.Contains(string(r.Body), "matched"))
	}
	matched := keys(pubReport(t, app, a.Slug, pubValid("PR-1"), nil))
	unmatched := keys(pubReport(t, app, a.Slug, pubValid("PR-404"), nil))
	if matched != "2 false" || unmatched != matched {
		t.Fatalf("answers differ or say whether the unit matched: matched %s, unmatched %s", matched, unmatched)
	}
	doc := app.Anonymous().With(t).Get("/openapi.json").Expect(http.StatusOK)
	if strings.Contains(string(doc.Body), "matchedUnit") {
		t.Fatal("the OpenAPI document still describes matchedUnit")
	}
}

// TestAcknowledgementCarriesNoReporterText: the ticket.created acknowledgement, whoever
// reported the ticket, carries the ticket number and fixed text only: nothing the reporter
// typed (name, title, description), in the subject, the bodies or the stored message.
func TestAcknowledgementCarriesNoReporterText(t *testing.T) {
	t.Parallel()
	app, _ := atNewApp(t, map[string]string{"PUBLIC_REPORTS_PER_HOUR": "1000"})
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	if err := app.Jobs.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = app.Jobs.Stop(context.Background()) })
	a := atNewOrg(t, app, "Ack Lettings", "ACK-1")
	const spam = "WIN-A-PRIZE"
	typed := map[string]string{
		"name": spam + " name https://evil.example/n", "title": spam + " title https://evil.example/t",
		"description": spam + " description https://evil.example/d",
	}
	cases := []struct {
		name   string
		report func(t *testing.T) (number, email string)
	}{
		{"public form", func(t *testing.T) (string, string) {
			v := pubValid("ACK-1")
			for k, x := range typed {
				v[k] = x
			}
			v["email"] = "victim@example.com"
			return pubReceipt(t, pubReport(t, app, a.Slug, v, nil)).TicketNumber, v["email"]
		}},
		{"staff on a caller's behalf", func(t *testing.T) (string, string) {
			var tk tickets.Ticket
			a.Admin.With(t).Post("/api/v1/tickets", map[string]any{"unitId": a.UnitID, "title": typed["title"], "description": typed["description"],
				"reportedByName": typed["name"], "reportedByEmail": "caller@example.com"}).Expect(http.StatusCreated).Data(&tk)
			return tk.Number, "caller@example.com"
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			number, to := tc.report(t)
			var subject, text, html, recipient string
			deadline := time.Now().Add(20 * time.Second)
			for {
				err := app.DB.InTx(context.Background(), database.Scope{OrgID: a.OrgID}, func(tx pgx.Tx) error {
					return tx.QueryRow(context.Background(), `SELECT subject, body_text, body_html, recipient FROM messages
						WHERE org_id = $1 AND event = 'ticket.created.v1' AND recipient = $2 AND status = 'SENT'`, a.OrgID, to).Scan(&subject, &text, &html, &recipient)
				})
				if err == nil {
					break
				}
				if !errors.Is(err, pgx.ErrNoRows) {
					t.Fatal(err)
				}
				if time.Now().After(deadline) {
					t.Fatal("no acknowledgement was sent")
				}
				time.Sleep(50 * time.Millisecond)
			}
			if !strings.Contains(subject, number) || !strings.Contains(text, "Your reference is "+number) || !strings.Contains(text, "We have received your repair report") {
				t.Errorf("the acknowledgement lacks the number or the fixed text:\n%s\n%s", subject, text)
			}
			for _, part := range []string{subject, text, html, recipient} {
				if strings.Contains(part, spam) || strings.Contains(part, "evil.example") {
					t.Errorf("the acknowledgement carries text the reporter typed:\n%s", part)
				}
			}
		})
	}
}

// TestTenantReportedByEmail: a TENANT may leave reportedByEmail out or give their own
// address (in any case), never another one (422 on the field, nothing created); staff may
// record any caller's address.
func TestTenantReportedByEmail(t *testing.T) {
	t.Parallel()
	app, _ := atNewApp(t, nil)
	o := atNewOrg(t, app, "Email Lettings", "EM-1")
	tenantEmail := o.Tenant.Email
	cases := []struct {
		name   string
		client *testsupport.Client
		email  any // nil: left out
		status int
		want   string // the stored reportedByEmail (in any case)
	}{
		{"tenant, left out", o.Tenant, nil, http.StatusCreated, tenantEmail},
		{"tenant, own address", o.Tenant, tenantEmail, http.StatusCreated, tenantEmail},
		{"tenant, own address in capitals", o.Tenant, strings.ToUpper(tenantEmail), http.StatusCreated, tenantEmail},
		{"tenant, another address", o.Tenant, "victim@example.com", http.StatusUnprocessableEntity, ""},
		{"staff, a caller's address", o.Coordinator, "caller@example.com", http.StatusCreated, "caller@example.com"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before, _ := pubTickets(t, app, o.OrgID)
			body := map[string]any{"unitId": o.UnitID, "title": "Dripping tap"}
			if tc.email != nil {
				body["reportedByEmail"] = tc.email
			}
			r := tc.client.With(t).Post("/api/v1/tickets", body)
			if tc.status != http.StatusCreated {
				r.ExpectFailure(tc.status, apperr.Invalid, "reportedByEmail")
				if after, _ := pubTickets(t, app, o.OrgID); after != before {
					t.Fatalf("a refused report created a ticket")
				}
				return
			}
			var tk tickets.Ticket
			r.Expect(http.StatusCreated).Data(&tk)
			if d := pubTicket(t, o.Admin, tk.ID); !strings.EqualFold(d.ReportedByEmail, tc.want) {
				t.Fatalf("reportedByEmail %q, want %q", d.ReportedByEmail, tc.want)
			}
		})
	}
}
