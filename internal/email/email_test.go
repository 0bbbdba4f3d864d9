package email_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/maintainuk/maintainuk/internal/email"
	"github.com/maintainuk/maintainuk/internal/events"
	"github.com/maintainuk/maintainuk/internal/outbox"
	"github.com/maintainuk/maintainuk/internal/secretbox"
	"github.com/maintainuk/maintainuk/internal/testsupport"
)

// fixture is an organisation to send for and a worker to send with.
type fixture struct {
	app   *testsupport.App
	orgID uuid.UUID
}

func newFixture(t *testing.T) fixture {
	t.Helper()
	app := testsupport.NewApp(t, nil)
	admin := app.Register("Kestrel Homes")
	return fixture{app: app, orgID: admin.OrgID}
}

func (f fixture) worker(t *testing.T, sender email.Sender) *email.Worker {
	t.Helper()
	tpl, err := email.LoadTemplates()
	if err != nil {
		t.Fatal(err)
	}
	return &email.Worker{DB: f.app.DB, Sender: sender, Templates: tpl, Logger: slog.New(slog.DiscardHandler),
		Config: email.Config{FromName: "Kestrel via MaintainUK", From: "no-reply@maintainuk.test", BaseURL: "https://app.maintainuk.test"}}
}

func (f fixture) job(t *testing.T, ev events.Event, attempt int) *river.Job[outbox.EmailArgs] {
	t.Helper()
	env, err := events.Wrap(f.orgID, time.Now(), ev)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.app.DB.InOrg(context.Background(), f.orgID, uuid.Nil, func(tx pgx.Tx) error { return outbox.Store(context.Background(), tx, env) }); err != nil {
		t.Fatal(err)
	}
	return &river.Job[outbox.EmailArgs]{JobRow: &rivertype.JobRow{ID: 1, Attempt: attempt, MaxAttempts: 5}, Args: outbox.EmailArgs{Event: env.Ref()}}
}

type row struct {
	Recipient, Status, Provider, ProviderID, Reason, Subject string
	Attempts                                                 int
}

func (f fixture) rows(t *testing.T) []row {
	t.Helper()
	var out []row
	err := f.app.DB.InOrg(context.Background(), f.orgID, uuid.Nil, func(tx pgx.Tx) error {
		rs, err := tx.Query(context.Background(), `SELECT recipient, status, provider, provider_message_id, failure_reason, subject, attempts FROM messages ORDER BY created_at, recipient`)
		if err != nil {
			return err
		}
		for rs.Next() {
			var r row
			if err := rs.Scan(&r.Recipient, &r.Status, &r.Provider, &r.ProviderID, &r.Reason, &r.Subject, &r.Attempts); err != nil {
				return err
			}
			out = append(out, r)
		}
		return rs.Err()
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

var ticketCreated = &events.TicketCreated{
	TicketID: uuid.New(), Number: "MT-000042", Title: `Boiler <script>alert(1)</script> not working`, Priority: "URGENT",
	SLADueAt: time.Date(2026, 12, 8, 10, 0, 0, 0, time.UTC), Reporter: events.Recipient{Name: "Pat Resident", Email: "pat@example.com"},
}

// TestSMTPThroughMailpit sends through a real SMTP server and reads the message back.
func TestSMTPThroughMailpit(t *testing.T) {
	t.Parallel()
	mp := startMailpit(t)
	f := newFixture(t)
	w := f.worker(t, email.NewSMTPSender(email.SMTPConfig{Host: "127.0.0.1", Port: mp.SMTPPort, TLS: "none"}))
	job := f.job(t, ticketCreated, 1)
	if err := w.Work(context.Background(), job); err != nil {
		t.Fatal(err)
	}
	// A retried job (same event) must not send the email twice.
	job.Attempt = 2
	if err := w.Work(context.Background(), job); err != nil {
		t.Fatal(err)
	}
	msgs := mp.messages(t)
	if len(msgs) != 1 {
		t.Fatalf("mailpit received %d messages, want 1", len(msgs))
	}
	m := mp.message(t, msgs[0].ID)
	if msgs[0].From.Address != "no-reply@maintainuk.test" || msgs[0].From.Name != "Kestrel via MaintainUK" ||
		len(msgs[0].To) != 1 || msgs[0].To[0].Address != "pat@example.com" || msgs[0].To[0].Name != "" {
		t.Fatalf("envelope %+v", msgs[0])
	}
	if m.Subject != "We've received your repair report MT-000042" {
		t.Fatalf("subject %q", m.Subject)
	}
	for _, want := range []string{"We have received your repair report", "Your reference is MT-000042", "Sent by Kestrel Homes"} {
		if !strings.Contains(m.Text, want) {
			t.Fatalf("text lacks %q:\n%s", want, m.Text)
		}
	}
	// The acknowledgement carries nothing the reporter typed: not their name, not the title.
	for _, part := range []string{m.Text, m.HTML} {
		for _, typed := range []string{"Pat Resident", "Boiler", "script"} {
			if strings.Contains(part, typed) {
				t.Fatalf("the acknowledgement carries the reporter's %q:\n%s", typed, part)
			}
		}
	}
	rows := f.rows(t)
	if len(rows) != 1 || rows[0].Status != "SENT" || rows[0].Provider != "smtp" || !strings.HasSuffix(rows[0].ProviderID, "@maintainuk") {
		t.Fatalf("message rows %+v", rows)
	}
	if !strings.Contains(m.MessageID, strings.TrimSuffix(rows[0].ProviderID, "@maintainuk")) {
		t.Fatalf("Message-ID %q is not the message row's id (%s)", m.MessageID, rows[0].ProviderID)
	}
}

// TestSMTPBounceFails: a relay refusing the recipient (550) ends the message FAILED with
// the reason, without retrying.
func TestSMTPBounceFails(t *testing.T) {
	t.Parallel()
	mp := startMailpit(t, "--smtp-allowed-recipients", `@example\.org$`)
	f := newFixture(t)
	w := f.worker(t, email.NewSMTPSender(email.SMTPConfig{Host: "127.0.0.1", Port: mp.SMTPPort, TLS: "none"}))
	if err := w.Work(context.Background(), f.job(t, ticketCreated, 1)); err != nil {
		t.Fatalf("a bounce must not be retried: %v", err)
	}
	rows := f.rows(t)
	if len(rows) != 1 || rows[0].Status != "FAILED" || !strings.Contains(rows[0].Reason, "smtp refused") {
		t.Fatalf("rows %+v", rows)
	}
	if len(mp.messages(t)) != 0 {
		t.Fatal("mailpit stored a refused message")
	}
}

// fakeResend is a local stand-in for Resend's API that checks each request.
func fakeResend(t *testing.T, status func(n int) int) (*httptest.Server, *[]map[string]any, *[]http.Header) {
	t.Helper()
	var bodies []map[string]any
	var headers []http.Header
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.URL.Path != "/emails" {
			t.Errorf("request %s %s", r.Method, r.URL.Path)
		}
		raw, _ := io.ReadAll(r.Body)
		var body map[string]any
		if err := json.Unmarshal(raw, &body); err != nil {
			t.Errorf("body %s: %v", raw, err)
		}
		bodies = append(bodies, body)
		headers = append(headers, r.Header.Clone())
		code := status(int(n.Add(1)))
		w.WriteHeader(code)
		if code == http.StatusOK {
			_, _ = w.Write([]byte(`{"id":"re_0123456789"}`))
		} else {
			_, _ = w.Write([]byte(`{"name":"validation_error","message":"invalid to"}`))
		}
	}))
	t.Cleanup(srv.Close)
	return srv, &bodies, &headers
}

func TestResendRequestAndIdempotency(t *testing.T) {
	t.Parallel()
	srv, bodies, headers := fakeResend(t, func(int) int { return http.StatusOK })
	f := newFixture(t)
	w := f.worker(t, email.NewResendSender("re_test_key", srv.URL))
	job := f.job(t, ticketCreated, 1)
	if err := w.Work(context.Background(), job); err != nil {
		t.Fatal(err)
	}
	job.Attempt = 2
	if err := w.Work(context.Background(), job); err != nil {
		t.Fatal(err)
	}
	if len(*bodies) != 1 {
		t.Fatalf("resend called %d times, want 1", len(*bodies))
	}
	h, b := (*headers)[0], (*bodies)[0]
	if h.Get("Authorization") != "Bearer re_test_key" || h.Get("Content-Type") != "application/json" {
		t.Fatalf("headers %v", h)
	}
	rows := f.rows(t)
	if len(rows) != 1 || rows[0].Status != "SENT" || rows[0].ProviderID != "re_0123456789" {
		t.Fatalf("rows %+v", rows)
	}
	if _, err := uuid.Parse(h.Get("Idempotency-Key")); err != nil {
		t.Fatalf("Idempotency-Key %q is not the message id", h.Get("Idempotency-Key"))
	}
	if b["from"] != `"Kestrel via MaintainUK" <no-reply@maintainuk.test>` || b["subject"] != "We've received your repair report MT-000042" {
		t.Fatalf("body %v", b)
	}
	if to, _ := b["to"].([]any); len(to) != 1 || to[0] != `<pat@example.com>` { // no reporter-typed name
		t.Fatalf("to %v", b["to"])
	}
	if !strings.Contains(b["text"].(string), "MT-000042") || !strings.Contains(b["html"].(string), "<strong>MT-000042</strong>") {
		t.Fatalf("bodies %v", b)
	}
}

func TestResendFailures(t *testing.T) {
	t.Parallel()
	t.Run("a 422 is permanent", func(t *testing.T) {
		t.Parallel()
		srv, bodies, _ := fakeResend(t, func(int) int { return http.StatusUnprocessableEntity })
		f := newFixture(t)
		if err := f.worker(t, email.NewResendSender("k", srv.URL)).Work(context.Background(), f.job(t, ticketCreated, 1)); err != nil {
			t.Fatalf("permanent refusal retried: %v", err)
		}
		if rows := f.rows(t); len(rows) != 1 || rows[0].Status != "FAILED" || !strings.Contains(rows[0].Reason, "invalid to") || len(*bodies) != 1 {
			t.Fatalf("rows %+v", rows)
		}
	})
	t.Run("a 500 is retried, then sent", func(t *testing.T) {
		t.Parallel()
		srv, bodies, _ := fakeResend(t, func(n int) int {
			if n == 1 {
				return http.StatusInternalServerError
			}
			return http.StatusOK
		})
		f := newFixture(t)
		w := f.worker(t, email.NewResendSender("k", srv.URL))
		job := f.job(t, ticketCreated, 1)
		if err := w.Work(context.Background(), job); err == nil {
			t.Fatal("a 500 must return an error so River retries")
		}
		if rows := f.rows(t); len(rows) != 1 || rows[0].Status != "PENDING" || rows[0].Attempts != 1 {
			t.Fatalf("after a failed attempt: %+v", rows)
		}
		job.Attempt = 2
		if err := w.Work(context.Background(), job); err != nil {
			t.Fatal(err)
		}
		if rows := f.rows(t); len(rows) != 1 || rows[0].Status != "SENT" || rows[0].Attempts != 2 || len(*bodies) != 2 {
			t.Fatalf("after the retry: %+v", rows)
		}
	})
	t.Run("the last attempt fails the message", func(t *testing.T) {
		t.Parallel()
		srv, _, _ := fakeResend(t, func(int) int { return http.StatusBadGateway })
		f := newFixture(t)
		if err := f.worker(t, email.NewResendSender("k", srv.URL)).Work(context.Background(), f.job(t, ticketCreated, 5)); err != nil {
			t.Fatalf("last attempt: %v", err)
		}
		if rows := f.rows(t); len(rows) != 1 || rows[0].Status != "FAILED" {
			t.Fatalf("rows %+v", rows)
		}
	})
}

type countingSender struct{ n atomic.Int32 }

func (*countingSender) Name() string { return "counting" }
func (c *countingSender) Send(context.Context, email.Message) (string, error) {
	c.n.Add(1)
	return "", errors.New("must not be called")
}

func TestInvalidAddressFailsWithoutSending(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	sender := &countingSender{}
	ev := *ticketCreated
	ev.Reporter.Email = "not an address"
	if err := f.worker(t, sender).Work(context.Background(), f.job(t, &ev, 1)); err != nil {
		t.Fatal(err)
	}
	if rows := f.rows(t); len(rows) != 1 || rows[0].Status != "FAILED" || !strings.Contains(rows[0].Reason, "invalid address") || sender.n.Load() != 0 {
		t.Fatalf("rows %+v, sends %d", rows, sender.n.Load())
	}
}

// TestEveryEmailedEventRenders renders each event's template with a sample payload.
func TestEveryEmailedEventRenders(t *testing.T) {
	t.Parallel()
	tpl, err := email.LoadTemplates()
	if err != nil {
		t.Fatal(err)
	}
	due := time.Date(2026, 7, 1, 14, 30, 0, 0, time.UTC)
	r := events.Recipient{Name: "Sam", Email: "sam@example.com"}
	samples := []events.Event{
		ticketCreated,
		&events.WorkOrderAssigned{TicketNumber: "MT-000001", TicketTitle: "Leak", Address: "Flat 1, 1 High St, Leeds, LS1 1AA", Description: "Fix the leak", Contractor: r},
		&events.QuoteSubmitted{TicketNumber: "MT-000001", Contractor: "Swift Plumbing", TotalPence: 123456, ValidUntil: "2026-08-01", Staff: []events.Recipient{r}},
		&events.QuoteApproved{TicketNumber: "MT-000001", TotalPence: 123456, Contractor: r},
		&events.InvoiceSubmitted{Reference: "INV-1", TicketNumber: "MT-000001", Contractor: "Swift", TotalPence: 9999, Staff: []events.Recipient{r}},
		&events.InvoiceApproved{Reference: "INV-1", TotalPence: 9999, Contractor: r},
		&events.InvoicePaid{Reference: "INV-1", TotalPence: 9999, PaymentReference: "BACS 1", Contractor: r},
		&events.SLAWarning{Number: "MT-000001", Title: "Leak", Priority: "EMERGENCY", SLADueAt: due, To: []events.Recipient{r}},
		&events.SLABreached{Number: "MT-000001", Title: "Leak", Priority: "EMERGENCY", SLADueAt: due, To: []events.Recipient{r}},
		&events.ClockWarning{Number: "MT-000001", Title: "Damp in the bedroom", Rule: "AWAAB_INVESTIGATE", RuleName: "Damp and mould investigated", Source: "SI 2025/1042", DueAt: due, To: []events.Recipient{r}},
		&events.ClockBreached{Number: "MT-000001", Title: "Damp in the bedroom", Rule: "AWAAB_INVESTIGATE", RuleName: "Damp and mould investigated", Source: "SI 2025/1042", DueAt: due, To: []events.Recipient{r}},
		&events.QuoteChaser{TicketNumber: "MT-000001", Description: "Fix the leak", AssignedAt: due, Contractor: r},
		&events.InsuranceExpiring{Company: "Swift", ExpiresOn: "2026-08-01", DaysLeft: 30, Contractor: r, Staff: []events.Recipient{r}},
		&events.CertificateExpiring{Property: "Dale House, LS1 4AP", Kind: "GAS_SAFETY", KindName: "gas safety record", ExpiresOn: "2026-08-01", DaysLeft: 7, Staff: []events.Recipient{r}},
		&events.CertificateExpiring{Property: "Dale House, LS1 4AP", Kind: "EICR", KindName: "electrical installation condition report", ExpiresOn: "2026-08-01", DaysLeft: 0, Staff: []events.Recipient{r}},
		&events.MemberInvited{Role: "PEST_CONTROL", InvitedBy: "Ada", AcceptURL: "https://app/accept?token=x", ExpiresAt: due, Invitee: events.Recipient{Email: "new@example.com"}},
		&events.PasswordResetRequested{ResetURL: "https://app/reset-password?token=x", ExpiresAt: due, User: r},
	}
	for _, ev := range samples {
		if len(email.Recipients(ev)) == 0 {
			t.Errorf("%s emails nobody", ev.Name())
		}
		out, err := tpl.Render(ev.Name(), email.Data{Org: "Kestrel Homes", BaseURL: "https://app", Recipient: r, E: ev})
		if err != nil {
			t.Errorf("%s: %v", ev.Name(), err)
			continue
		}
		if out.Subject == "" || strings.Contains(out.Subject, "\n") || !strings.Contains(out.Text, "Kestrel Homes") || !strings.Contains(out.HTML, "Kestrel Homes") ||
			strings.Contains(out.Text, "<no value>") || strings.Contains(out.HTML, "<no value>") {
			t.Errorf("%s rendered badly: %+v", ev.Name(), out)
		}
	}
	// British formats: pounds with commas, London time (BST in July), day-month order.
	out, _ := tpl.Render("quote.submitted", email.Data{Org: "K", Recipient: r, E: samples[2]})
	if !strings.Contains(out.Subject, "£1,234.56") {
		t.Errorf("money format: %q", out.Subject)
	}
	out, _ = tpl.Render("sla.warning", email.Data{Org: "K", Recipient: r, E: samples[7]})
	if !strings.Contains(out.Text, "15:30 on Wednesday 1 July 2026") {
		t.Errorf("London time: %q", out.Text)
	}
}

// TestInvitationLinkIsSentButNotKept: the invitation's token travels sealed, reaches the
// invitee's inbox, and is in neither the job's arguments nor the stored copy.
func TestInvitationLinkIsSentButNotKept(t *testing.T) {
	t.Parallel()
	mp := startMailpit(t)
	f := newFixture(t)
	box, err := secretbox.New("test-secret-that-is-at-least-32-characters-long", "invitation link")
	if err != nil {
		t.Fatal(err)
	}
	const token = "minv_s3cr3t-t0ken"
	sealed, err := box.Seal(token)
	if err != nil {
		t.Fatal(err)
	}
	w := f.worker(t, email.NewSMTPSender(email.SMTPConfig{Host: "127.0.0.1", Port: mp.SMTPPort, TLS: "none"}))
	w.Config.Links = box
	job := f.job(t, &events.MemberInvited{Role: "COORDINATOR", InvitedBy: "Ada Admin", SealedToken: sealed,
		ExpiresAt: time.Now().Add(7 * 24 * time.Hour), Invitee: events.Recipient{Email: "new.member@example.com"}}, 1)
	if raw, _ := json.Marshal(job.Args); strings.Contains(string(raw), token) {
		t.Fatalf("job arguments carry the token: %s", raw)
	}
	if err := w.Work(context.Background(), job); err != nil {
		t.Fatal(err)
	}
	msgs := mp.messages(t)
	if len(msgs) != 1 {
		t.Fatalf("%d messages", len(msgs))
	}
	sent := mp.message(t, msgs[0].ID)
	if !strings.Contains(sent.Text, "https://app.maintainuk.test/accept-invitation?token="+token) {
		t.Fatalf("the sent email lacks the accept link:\n%s", sent.Text)
	}
	var stored string
	err = f.app.DB.InOrg(context.Background(), f.orgID, uuid.Nil, func(tx pgx.Tx) error {
		return tx.QueryRow(context.Background(), `SELECT body_text || body_html FROM messages`).Scan(&stored)
	})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(stored, token) || !strings.Contains(stored, "link withheld") {
		t.Fatalf("stored copy:\n%s", stored)
	}
}
