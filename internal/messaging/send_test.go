package messaging_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/maintainuk/maintainuk/internal/apperr"
	"github.com/maintainuk/maintainuk/internal/database"
	"github.com/maintainuk/maintainuk/internal/messaging"
	"github.com/maintainuk/maintainuk/internal/plans"
	"github.com/maintainuk/maintainuk/internal/testsupport"
)

// Consent is granted, withdrawn and listed with when, from where and how; a resident
// records only their own.
func TestConsent_grantRevokeAndHistory(t *testing.T) {
	app := testsupport.NewApp(t, nil)
	e := app.NewEstate(t, "Consent", testsupport.EstateOptions{})

	got := grant(t, e.Tenant, map[string]any{"type": "SMS", "value": "07400 123123", "preferred": true})
	if cp := got.ContactPoint; cp.Phone != "+447400123123" || !cp.Granted || !cp.Preferred || cp.UserID == nil || *cp.UserID != e.Tenant.UserID {
		t.Fatalf("contact point %+v", cp)
	}
	if r := got.Record; !r.Granted || r.Source != "API" || r.ConsentType != "TRANSACTIONAL" || r.IPAddress == "" || r.UserAgent == "" || r.RecordedBy == nil {
		t.Fatalf("record %+v", r)
	}
	var revoked messagingConsent
	e.Tenant.With(t).Post("/api/v1/consent/revoke", map[string]any{"type": "SMS", "value": "+447400123123", "source": "WEB"}).Expect(http.StatusOK).Data(&revoked)
	if revoked.ContactPoint.Granted || revoked.Record.Granted || revoked.Record.Source != "WEB" || revoked.ContactPoint.ID != got.ContactPoint.ID {
		t.Fatalf("revoked %+v", revoked)
	}
	history := testsupport.All[messaging.ConsentRecord](t, e.Tenant, "/api/v1/consent/history?phone=07400123123")
	if len(history) != 2 || history[0].Granted || !history[1].Granted {
		t.Fatalf("history, newest first: %+v", history)
	}

	// Staff record a resident's consent given on the phone; the resident may not record
	// someone else's.
	grant(t, e.Coordinator, map[string]any{"type": "WHATSAPP", "value": "07400 123124", "userId": e.Tenant.UserID})
	e.Tenant.With(t).Post("/api/v1/consent/grant", map[string]any{"type": "SMS", "value": "07400 123125", "userId": e.Coordinator.UserID}).
		ExpectFailure(http.StatusForbidden, apperr.Forbidden)
	if points := testsupport.All[messaging.ContactPoint](t, e.Tenant, "/api/v1/consent"); len(points) != 2 {
		t.Fatalf("the resident's numbers: %+v", points)
	}
	// A member's number recorded by staff cannot be taken over by another resident.
	other := app.AddMember(e.Admin, "TENANT")
	other.With(t).Post("/api/v1/consent/grant", map[string]any{"type": "SMS", "value": "07400 123123"}).ExpectFailure(http.StatusConflict, apperr.Conflict)

	// Field-level errors, and nothing written.
	f := e.Tenant.With(t).Post("/api/v1/consent/grant", map[string]any{"type": "PIGEON", "value": "not a number"}).Failure()
	if f.Code != string(apperr.Invalid) || len(f.Fields) != 2 {
		t.Fatalf("failure %+v", f)
	}
	e.Coordinator.With(t).Post("/api/v1/consent/grant", map[string]any{"type": "SMS", "value": "07400 123126", "userId": testsupport.Marker("x")}).Expect(http.StatusUnprocessableEntity)

	// Another organisation sees none of it.
	o := app.NewEstate(t, "Elsewhere", testsupport.EstateOptions{})
	if points := testsupport.All[messaging.ContactPoint](t, o.Admin, "/api/v1/consent"); len(points) != 0 {
		t.Fatalf("another organisation sees %+v", points)
	}
	if h := testsupport.All[messaging.ConsentRecord](t, o.Admin, "/api/v1/consent/history"); len(h) != 0 {
		t.Fatalf("another organisation sees history %+v", h)
	}
	o.Coordinator.With(t).Post("/api/v1/consent/grant", map[string]any{"type": "SMS", "value": "07400 123127", "userId": e.Tenant.UserID}).
		ExpectFailure(http.StatusUnprocessableEntity, apperr.Invalid, "userId")
}

// Without a current grant nothing is sent: the attempt is kept as BLOCKED with why.
func TestSend_withoutConsentIsBlocked(t *testing.T) {
	app := newTexting(t, nil)
	e := app.NewEstate(t, "Blocked", testsupport.EstateOptions{})
	noQuietHours(t, e)
	tk := testsupport.CreateTicket(t, e.Coordinator, map[string]any{"unitId": e.UnitID, "title": "Leak", "reportedByPhone": "07400 123200"})

	m := send(t, e.Coordinator, tk.ID, map[string]any{"channel": "SMS", "body": "We will call tomorrow."})
	if m.Status != "BLOCKED" || !strings.Contains(m.StatusReason, "no consent") || m.To != "+447400123200" {
		t.Fatalf("text %+v", m)
	}
	// Granted, then withdrawn before the worker runs: refused at the moment of sending.
	grant(t, e.Coordinator, map[string]any{"type": "SMS", "value": "07400 123200"})
	m = send(t, e.Coordinator, tk.ID, map[string]any{"channel": "SMS", "body": "Second try."})
	if m.Status != "PENDING" {
		t.Fatalf("consented text %+v", m)
	}
	e.Coordinator.With(t).Post("/api/v1/consent/revoke", map[string]any{"type": "SMS", "value": "07400 123200"}).Expect(http.StatusOK)
	work(t, app.App)
	m = waitFor(t, e.Coordinator, tk.ID, m.ID, func(m messaging.Text) bool { return m.Status != "PENDING" })
	if m.Status != "BLOCKED" || !strings.Contains(m.StatusReason, "no consent") || len(app.fake.Messages()) != 0 {
		t.Fatalf("sent without consent: %+v, fake saw %+v", m, app.fake.Messages())
	}
	// Staff only, and another organisation's ticket is not found.
	e.Tenant.With(t).Post(testsupport.Path("/api/v1/tickets/%s/messages", tk.ID), map[string]any{"channel": "SMS", "body": "x"}).ExpectFailure(http.StatusForbidden, apperr.Forbidden)
	o := app.NewEstate(t, "Other", testsupport.EstateOptions{})
	o.Coordinator.With(t).Post(testsupport.Path("/api/v1/tickets/%s/messages", tk.ID), map[string]any{"channel": "SMS", "body": "x"}).ExpectFailure(http.StatusNotFound, apperr.NotFound)
	o.Coordinator.With(t).Get(testsupport.Path("/api/v1/tickets/%s/messages", tk.ID)).ExpectFailure(http.StatusNotFound, apperr.NotFound)
}

// A consented SMS reaches Twilio's API with exactly the fields it needs, comes back with
// its sid, and delivery-status callbacks signed by Twilio move it on, never backwards.
func TestSend_throughTwilioAndStatusCallbacks(t *testing.T) {
	app := newTexting(t, nil)
	work(t, app.App)
	e := app.NewEstate(t, "Sent", testsupport.EstateOptions{})
	noQuietHours(t, e)
	grant(t, e.Tenant, map[string]any{"type": "SMS", "value": "07400 123300"})
	tk := testsupport.CreateTicket(t, e.Tenant, map[string]any{"unitId": e.UnitID, "title": "No hot water"})

	m := send(t, e.Coordinator, tk.ID, map[string]any{"channel": "SMS", "body": "Hello £5 off"})
	if m.Status != "PENDING" || m.Segments != 1 || m.Encoding != "GSM-7" || m.CostPence != 4 || m.From != "+447700900999" {
		t.Fatalf("queued text %+v", m)
	}
	m = waitFor(t, e.Coordinator, tk.ID, m.ID, func(m messaging.Text) bool { return m.ProviderSID != "" })
	if m.Status != "QUEUED" || m.SentAt == nil {
		t.Fatalf("accepted text %+v", m)
	}
	reqs := app.fake.Messages()
	if len(reqs) != 1 {
		t.Fatalf("fake saw %d requests", len(reqs))
	}
	r := reqs[0]
	callback := messaging.StatusPath + "?" + url.Values{"org": {e.OrgID.String()}, "message": {m.ID.String()}}.Encode()
	if r.To != "+447400123300" || r.From != "+447700900999" || r.Body != "Hello £5 off" || r.StatusCallback != baseURL+callback || r.ContentSid != "" {
		t.Fatalf("request %+v", r)
	}

	// Twilio calls the URL it was given, query and all, and signs it.
	status := func(s string, sig *string) int {
		code, _ := webhook(t, app.App, callback, url.Values{"MessageSid": {m.ProviderSID}, "MessageStatus": {s}, "AccountSid": {accountSID}}, sig)
		return code
	}
	if code := status("delivered", nil); code != http.StatusOK {
		t.Fatalf("signed callback answered %d", code)
	}
	if code := status("sent", nil); code != http.StatusOK { // late, out of order
		t.Fatalf("late callback answered %d", code)
	}
	got := waitFor(t, e.Coordinator, tk.ID, m.ID, func(m messaging.Text) bool { return true })
	if got.Status != "DELIVERED" || got.DeliveredAt == nil {
		t.Fatalf("after callbacks %+v", got)
	}
	// Unsigned, wrongly signed, or signed for another URL: 403, and nothing changes.
	for name, sig := range map[string]*string{
		"unsigned":    ptr(""),
		"wrong token": ptr(sign("another-token", baseURL+messaging.StatusPath, url.Values{"MessageSid": {m.ProviderSID}, "MessageStatus": {"failed"}, "AccountSid": {accountSID}})),
		"wrong url":   ptr(sign(authToken, app.Server.URL+messaging.StatusPath, url.Values{"MessageSid": {m.ProviderSID}, "MessageStatus": {"failed"}, "AccountSid": {accountSID}})),
	} {
		code, body := webhook(t, app.App, messaging.StatusPath, url.Values{"MessageSid": {m.ProviderSID}, "MessageStatus": {"failed"}, "AccountSid": {accountSID}}, sig)
		if code != http.StatusForbidden {
			t.Errorf("%s: answered %d %s", name, code, body)
		}
	}
	if got := waitFor(t, e.Coordinator, tk.ID, m.ID, func(m messaging.Text) bool { return true }); got.Status != "DELIVERED" {
		t.Fatalf("an unsigned callback changed the text: %+v", got)
	}
	// Operators see it in /metrics: accepted once, delivered once (the late "sent" not counted).
	rec := httptest.NewRecorder()
	app.Metrics.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	for _, want := range []string{`maintainuk_texts_total{channel="SMS",status="QUEUED"} 1`, `maintainuk_texts_total{channel="SMS",status="DELIVERED"} 1`} {
		if !strings.Contains(rec.Body.String(), want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	if strings.Contains(rec.Body.String(), `status="SENT"`) {
		t.Error("a late callback was counted")
	}
}

// The provider's refusals are kept with their codes: 21211 is permanent (FAILED, the
// allowance given back); 21610 also records the opt-out the carrier holds.
func TestSend_providerErrors(t *testing.T) {
	app := newTexting(t, nil)
	work(t, app.App)
	e := app.NewEstate(t, "Errors", testsupport.EstateOptions{})
	noQuietHours(t, e)
	grant(t, e.Coordinator, map[string]any{"type": "SMS", "value": "07400 123400"})
	tk := testsupport.CreateTicket(t, e.Coordinator, map[string]any{"unitId": e.UnitID, "title": "Door", "reportedByPhone": "07400 123400"})

	app.fake.FailNext(http.StatusBadRequest, 21211)
	m := send(t, e.Coordinator, tk.ID, map[string]any{"channel": "SMS", "body": "One"})
	m = waitFor(t, e.Coordinator, tk.ID, m.ID, func(m messaging.Text) bool { return m.Status == "FAILED" })
	if m.ErrorCode != "21211" || !strings.Contains(m.StatusReason, "not a valid") {
		t.Fatalf("21211: %+v", m)
	}
	app.fake.FailNext(http.StatusBadRequest, 21610)
	m = send(t, e.Coordinator, tk.ID, map[string]any{"channel": "SMS", "body": "Two"})
	m = waitFor(t, e.Coordinator, tk.ID, m.ID, func(m messaging.Text) bool { return m.Status == "FAILED" })
	if m.ErrorCode != "21610" {
		t.Fatalf("21610: %+v", m)
	}
	points := testsupport.All[messaging.ContactPoint](t, e.Coordinator, "/api/v1/consent?phone=07400123400")
	if len(points) != 1 || points[0].Granted {
		t.Fatalf("the carrier's opt-out was not recorded: %+v", points)
	}
	h := testsupport.All[messaging.ConsentRecord](t, e.Coordinator, "/api/v1/consent/history?phone=07400123400")
	if h[0].Source != "PROVIDER" || h[0].Detail != "21610" {
		t.Fatalf("history %+v", h)
	}
	// A temporary failure (500) is retried and then succeeds.
	grant(t, e.Coordinator, map[string]any{"type": "SMS", "value": "07400 123400"})
	app.fake.FailNext(http.StatusInternalServerError, 20500)
	m = send(t, e.Coordinator, tk.ID, map[string]any{"channel": "SMS", "body": "Three"})
	waitFor(t, e.Coordinator, tk.ID, m.ID, func(m messaging.Text) bool { return m.Status == "QUEUED" && m.ProviderSID != "" })
	// Only the text that left is on the meter: the refused ones were given back.
	if got := meter(t, app.App, e, plans.SMS); got != 1 {
		t.Fatalf("meter %d, want 1", got)
	}
}

// A status callback names its message in its URL too: one that comes before Twilio's
// answer to the send has been recorded (the text still SENDING) is applied, and one for a
// text never handed to Twilio changes nothing.
func TestStatus_callbackBeforeTheSendIsRecorded(t *testing.T) {
	app := newTexting(t, nil) // no workers: the test moves the text itself
	e := app.NewEstate(t, "Early", testsupport.EstateOptions{})
	noQuietHours(t, e)
	grant(t, e.Tenant, map[string]any{"type": "SMS", "value": "07400 124700"})
	tk := testsupport.CreateTicket(t, e.Tenant, map[string]any{"unitId": e.UnitID, "title": "Shed door"})
	m := send(t, e.Coordinator, tk.ID, map[string]any{"channel": "SMS", "body": "On our way"})
	callback := messaging.StatusPath + "?" + url.Values{"org": {e.OrgID.String()}, "message": {m.ID.String()}}.Encode()
	sid := "SM" + strings.Repeat("ab", 16)
	post := func(status string) {
		if code, body := webhook(t, app.App, callback, url.Values{"MessageSid": {sid}, "MessageStatus": {status}}, nil); code != http.StatusOK {
			t.Fatalf("callback answered %d %s", code, body)
		}
	}
	post("delivered")
	if got := texts(t, e.Coordinator, tk.ID)[0]; got.Status != "PENDING" {
		t.Fatalf("a callback moved a text never handed to Twilio: %+v", got)
	}
	// As the worker leaves it while it waits for Twilio's answer.
	if err := app.DB.InTx(context.Background(), database.Scope{OrgID: e.OrgID}, func(tx pgx.Tx) error {
		_, err := tx.Exec(context.Background(), "UPDATE messages SET status = 'SENDING' WHERE org_id = $1 AND id = $2", e.OrgID, m.ID)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	post("sent")
	if got := texts(t, e.Coordinator, tk.ID)[0]; got.Status != "SENT" {
		t.Fatalf("an early callback was lost: %+v", got)
	}
}

// claim leaves a text as the worker does once it has charged the allowance and handed
// it to Twilio (SENDING), for tests that need that moment to stand still.
func claim(t *testing.T, app *testsupport.App, e *testsupport.Estate, id uuid.UUID) {
	t.Helper()
	now := time.Now().UTC()
	month := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	if err := app.DB.InTx(context.Background(), database.Scope{OrgID: e.OrgID}, func(tx pgx.Tx) error {
		if _, err := tx.Exec(context.Background(), "UPDATE messages SET status = 'SENDING', metered = segments, metered_period = $3 WHERE org_id = $1 AND id = $2", e.OrgID, id, month); err != nil {
			return err
		}
		_, err := tx.Exec(context.Background(), `INSERT INTO usage_meters (org_id, metric, period_start, quantity) VALUES ($1, 'sms', $2, 1)
			ON CONFLICT (org_id, metric, period_start) DO UPDATE SET quantity = usage_meters.quantity + 1`, e.OrgID, month)
		return err
	}); err != nil {
		t.Fatal(err)
	}
}

// A text handed to Twilio whose consent is withdrawn before a retry is refused at the
// retry and its allowance given back; a "failed" callback gives back its allowance and
// cost too (Twilio charges nothing for it).
func TestSend_retryRechecksAndFailedCallbackRefunds(t *testing.T) {
	app := newTexting(t, nil)
	e := app.NewEstate(t, "Refunds", testsupport.EstateOptions{})
	noQuietHours(t, e)
	grant(t, e.Tenant, map[string]any{"type": "SMS", "value": "07400 124800"})
	tk := testsupport.CreateTicket(t, e.Tenant, map[string]any{"unitId": e.UnitID, "title": "Skylight leaks"})

	failed := send(t, e.Coordinator, tk.ID, map[string]any{"channel": "SMS", "body": "One"})
	claim(t, app.App, e, failed.ID)
	callback := messaging.StatusPath + "?" + url.Values{"org": {e.OrgID.String()}, "message": {failed.ID.String()}}.Encode()
	if code, body := webhook(t, app.App, callback, url.Values{"MessageSid": {"SM" + strings.Repeat("cd", 16)}, "MessageStatus": {"failed"}, "ErrorCode": {"30008"}}, nil); code != http.StatusOK {
		t.Fatalf("callback answered %d %s", code, body)
	}
	if got := meter(t, app.App, e, plans.SMS); got != 0 {
		t.Fatalf("meter %d after a failed callback", got)
	}

	retried := send(t, e.Coordinator, tk.ID, map[string]any{"channel": "SMS", "body": "Two"})
	claim(t, app.App, e, retried.ID)
	e.Tenant.With(t).Post("/api/v1/consent/revoke", map[string]any{"type": "SMS", "value": "07400 124800"}).Expect(http.StatusOK)
	work(t, app.App) // the job now runs as a retry would
	got := waitFor(t, e.Coordinator, tk.ID, retried.ID, func(m messaging.Text) bool { return m.Status != "SENDING" })
	if got.Status != "BLOCKED" || len(app.fake.Messages()) != 0 {
		t.Fatalf("retry after STOP: %+v; fake saw %+v", got, app.fake.Messages())
	}
	if got := meter(t, app.App, e, plans.SMS); got != 0 {
		t.Fatalf("meter %d after a refused retry", got)
	}
	for _, m := range texts(t, e.Coordinator, tk.ID) {
		if m.ID == failed.ID && (m.Status != "FAILED" || m.CostPence != 0 || m.ErrorCode != "30008") {
			t.Fatalf("failed text %+v", m)
		}
	}
}
