package faulttest

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/maintainuk/maintainuk/internal/benchdata"
	"github.com/maintainuk/maintainuk/internal/testsupport"
)

// providers is one local stand-in for every outside service the workers call: Resend
// (email), the webhook receiver, OpenAI (classification) and Stripe (customers). It
// records each request's idempotency key (Resend's and Stripe's Idempotency-Key, the
// webhook's webhook-id) and, while slow is set, takes its time answering, so that jobs
// are in flight when the worker is killed.
type providers struct {
	*httptest.Server
	slow atomic.Bool
	mu   sync.Mutex
	seen map[string][]string // kind → keys, one per request received
}

func newProviders(t *testing.T) *providers {
	p := &providers{seen: map[string][]string{}}
	p.slow.Store(true)
	p.Server = httptest.NewServer(http.HandlerFunc(p.serve))
	t.Cleanup(p.Close)
	return p
}

func (p *providers) serve(w http.ResponseWriter, r *http.Request) {
	_ = r.ParseForm()
	_, _ = io.Copy(io.Discard, r.Body)
	var kind, key string
	switch {
	case r.URL.Path == "/emails":
		kind, key = "email", r.Header.Get("Idempotency-Key")
	case r.URL.Path == "/hook":
		kind, key = "webhook", r.Header.Get("webhook-id")
	case strings.HasSuffix(r.URL.Path, "/chat/completions"):
		kind, key = "ai", ""
	case r.URL.Path == "/v1/customers":
		kind, key = "stripe", r.Header.Get("Idempotency-Key")
	case strings.HasSuffix(r.URL.Path, "/Messages.json"):
		// Twilio takes no idempotency key: the message is named by its status callback.
		kind = "sms"
		if strings.HasPrefix(r.PostForm.Get("To"), "whatsapp:") {
			kind = "whatsapp"
		}
		if cb, err := url.Parse(r.PostForm.Get("StatusCallback")); err == nil {
			key = cb.Query().Get("message")
		}
	default:
		kind = "other " + r.Method + " " + r.URL.Path
	}
	p.mu.Lock()
	p.seen[kind] = append(p.seen[kind], key)
	p.mu.Unlock()
	if p.slow.Load() {
		select {
		case <-time.After(6 * time.Second):
		case <-r.Context().Done():
			return
		}
	}
	w.Header().Set("Content-Type", "application/json")
	switch kind {
	case "email":
		fmt.Fprintf(w, `{"id":"re_%s"}`, key)
	case "webhook":
		fmt.Fprint(w, `{}`)
	case "ai":
		content, _ := json.Marshal(`{"category":"PLUMBING","priority":"ROUTINE","confidence":0.9,"reasoning":"A dripping tap.","hazards":[]}`)
		fmt.Fprintf(w, `{"id":"chatcmpl-1","object":"chat.completion","created":1767225600,"model":"gpt-4o-mini",`+
			`"choices":[{"index":0,"message":{"role":"assistant","content":%s,"refusal":null},"finish_reason":"stop"}],`+
			`"usage":{"prompt_tokens":120,"completion_tokens":30,"total_tokens":150}}`, content)
	case "sms", "whatsapp":
		fmt.Fprintf(w, `{"sid":"SM%032d","status":"queued"}`, time.Now().UnixNano())
	case "stripe":
		fmt.Fprintf(w, `{"id":"cus_fault%d","object":"customer","livemode":false}`, time.Now().UnixNano())
	default:
		w.WriteHeader(http.StatusNotFound)
	}
}

func (p *providers) keys(kind string) []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.seen[kind]...)
}

// TestWorkerKilledMidJob: `maintainuk worker` (beside a `serve` with SERVE_WORKERS=false)
// is killed with SIGKILL while email, webhook, AI and billing jobs wait on their
// providers; a new worker rescues them (JOB_RESCUE_AFTER and JOB_TIMEOUT shortened to
// seconds) and each job completes once: one message row per email and one provider
// idempotency key for it, one delivery row per webhook with the receiver seeing one
// webhook-id for it however often it was sent, one customer per organisation.
func TestWorkerKilledMidJob(t *testing.T) {
	ctx := context.Background()
	dbs := testsupport.NewDatabases(t)
	facts, err := benchdata.Load(ctx, dbs.OwnerURL, benchdata.Options{Orgs: 1, LargeTickets: 5})
	if err != nil {
		t.Fatal(err)
	}
	fake := newProviders(t)
	owner := superuserConn(t, dbs.OwnerURL) // every organisation's rows, past row-level security
	port := testsupport.FreePort(t)
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	env := append(serverEnv(t, dbs.AppURL, t.TempDir(), port),
		"EMAIL_PROVIDER=resend", "RESEND_API_KEY=re_test_fault", "RESEND_BASE_URL="+fake.URL,
		"AI_PROVIDER=openai", "OPENAI_API_KEY=sk-test-fault", "OPENAI_BASE_URL="+fake.URL+"/v1/", "AI_TIMEOUT=10s", "AI_RETRIES=0",
		"BILLING_PROVIDER=stripe", "STRIPE_SECRET_KEY=sk_test_fault", "STRIPE_WEBHOOK_SECRET=whsec_fault", "STRIPE_BASE_URL="+fake.URL,
		"STRIPE_PRICE_STARTER=price_s", "STRIPE_PRICE_PROFESSIONAL=price_p", "STRIPE_PRICE_ENTERPRISE=price_e",
		"SMS_PROVIDER=twilio", "TWILIO_ACCOUNT_SID=AC0123456789abcdef0123456789abcdef", "TWILIO_AUTH_TOKEN=faulttoken0123456789", "TWILIO_BASE_URL="+fake.URL,
		"ALLOW_PRIVATE_WEBHOOK_TARGETS=true", "JOB_TIMEOUT=8s", "JOB_RESCUE_AFTER=8s")
	srv := start(t, "serve", append(env, "SERVE_WORKERS=false"), "serve")
	waitReady(t, base, srv, 60*time.Second)
	worker := start(t, "worker-1", append(env, "HTTP_ADDR=127.0.0.1:0"), "worker")

	admin := login(t, base, facts.AdminEmail, benchdata.Password)
	if a, err := call(ctx, http.MethodPost, base+"/api/v1/webhooks", admin, map[string]any{"url": fake.URL + "/hook", "eventTypes": []string{"*"}}, ""); err != nil || a.status != http.StatusCreated {
		t.Fatalf("create webhook endpoint: %v %d %s", err, a.status, a.raw)
	}
	const reports = 5
	var ticketID string
	for i := range reports {
		a, err := call(ctx, http.MethodPost, base+"/api/v1/tickets", admin, map[string]any{
			"unitId": facts.UnitID, "category": "PLUMBING", "title": fmt.Sprintf("Dripping tap %d", i),
			"description": "The kitchen tap drips.", "reportedByName": "Pat Resident", "reportedByEmail": fmt.Sprintf("pat%d@example.co.uk", i)}, "")
		if err != nil || a.status != http.StatusCreated {
			t.Fatalf("create ticket: %v %d %s", err, a.status, a.raw)
		}
		var ticket struct {
			ID string `json:"id"`
		}
		_ = json.Unmarshal(a.data, &ticket)
		ticketID = ticket.ID
	}
	// Texts: the resident agreed to SMS and WhatsApp; staff text them about the last
	// ticket, with no quiet hours holding the texts back whatever the time of day.
	if a, err := call(ctx, http.MethodPatch, base+"/api/v1/settings", admin, map[string]any{"quietHours": map[string]string{"start": "00:00", "end": "00:00"}}, ""); err != nil || a.status != http.StatusOK {
		t.Fatalf("turn quiet hours off: %v %d %s", err, a.status, a.raw)
	}
	for _, channel := range []string{"SMS", "WHATSAPP"} {
		if a, err := call(ctx, http.MethodPost, base+"/api/v1/consent/grant", admin, map[string]string{"type": channel, "value": "07400 123456"}, ""); err != nil || a.status >= 300 {
			t.Fatalf("grant %s consent: %v %d %s", channel, err, a.status, a.raw)
		}
	}
	for _, text := range []map[string]any{
		{"channel": "SMS", "to": "07400 123456", "body": "Your plumber comes on Monday morning."},
		{"channel": "WHATSAPP", "to": "07400 123456", "contentSid": "HX" + strings.Repeat("0", 32), "contentVariables": map[string]string{"1": "Northgate", "2": "MT-000001"}},
	} {
		if a, err := call(ctx, http.MethodPost, base+"/api/v1/tickets/"+ticketID+"/messages", admin, text, ""); err != nil || a.status != http.StatusCreated {
			t.Fatalf("send %s: %v %d %s", text["channel"], err, a.status, a.raw)
		}
	}
	if a, err := call(ctx, http.MethodPost, base+"/api/v1/auth/register", "", map[string]string{
		"orgName": "Killed Worker Lettings", "name": "Kim Owner", "email": "kim@killed-worker.example.co.uk", "password": "a-long-password-1"}, ""); err != nil || a.status != http.StatusCreated {
		t.Fatalf("register: %v %d %s", err, a.status, a.raw)
	}

	// Kill the worker once every provider has a request in flight.
	deadline := time.Now().Add(30 * time.Second)
	kinds := []string{"email", "webhook", "ai", "stripe", "sms", "whatsapp"}
	for slices.ContainsFunc(kinds, func(k string) bool { return len(fake.keys(k)) == 0 }) {
		if time.Now().After(deadline) {
			called := map[string]int{}
			for _, k := range kinds {
				called[k] = len(fake.keys(k))
			}
			var texts string
			_ = owner.QueryRow(ctx, `SELECT coalesce(string_agg(channel || ' ' || status || ' ' || failure_reason, '; '), '') FROM messages WHERE channel <> 'EMAIL'`).Scan(&texts)
			t.Fatalf("not every provider was called within 30 s: %v; texts: %s; jobs: %v", called, texts, jobStates(t, owner, ""))
		}
		time.Sleep(50 * time.Millisecond)
	}
	time.Sleep(500 * time.Millisecond)
	running := jobStates(t, owner, "running")
	worker.kill()
	killedAt := time.Now()
	fake.slow.Store(false)
	t.Logf("killed the worker with SIGKILL; running: %v", running)
	start(t, "worker-2", append(env, "HTTP_ADDR=127.0.0.1:0"), "worker")

	// Every job of the app's queues completes (the periodic maintenance jobs aside).
	deadline = time.Now().Add(100 * time.Second)
	for {
		var left int
		if err := owner.QueryRow(ctx, `SELECT count(*) FROM river_job WHERE queue <> 'maintenance' AND state <> 'completed'`).Scan(&left); err != nil {
			t.Fatal(err)
		}
		if left == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d jobs not completed 100 s after the kill: %v", left, jobStates(t, owner, ""))
		}
		time.Sleep(250 * time.Millisecond)
	}
	t.Logf("every job completed %s after the kill", time.Since(killedAt).Round(time.Second))
	var rescued int
	if err := owner.QueryRow(ctx, `SELECT count(*) FROM river_job WHERE errors::text LIKE '%Stuck job rescued%'`).Scan(&rescued); err != nil {
		t.Fatal(err)
	}
	if rescued == 0 {
		t.Errorf("no job was rescued: the kill hit none in flight")
	}

	// Email: one message row per (job, recipient), each sent once, under one key.
	emailRows := map[string]string{}
	rows, _ := owner.Query(ctx, `SELECT id::text, status FROM messages WHERE channel = 'EMAIL'`)
	for rows.Next() {
		var id, status string
		_ = rows.Scan(&id, &status)
		emailRows[id] = status
	}
	if rows.Err() != nil {
		t.Fatal(rows.Err())
	}
	checkOnce(t, "email", emailRows, fake.keys("email"), "SENT")

	// Webhooks: one delivery per event and endpoint; the receiver saw its webhook-id only.
	hookRows := map[string]string{}
	rows, _ = owner.Query(ctx, `SELECT message_id, status FROM webhook_deliveries`)
	for rows.Next() {
		var id, status string
		_ = rows.Scan(&id, &status)
		hookRows[id] = status
	}
	if rows.Err() != nil {
		t.Fatal(rows.Err())
	}
	checkOnce(t, "webhook", hookRows, fake.keys("webhook"), "DELIVERED")

	// Texts: Twilio takes no idempotency key, so a text whose send was cut off by the
	// kill is sent again (at least once); the claim row keeps it one message, charged once.
	textRows := map[string]string{}
	rows, _ = owner.Query(ctx, `SELECT id::text, status FROM messages WHERE channel IN ('SMS', 'WHATSAPP')`)
	for rows.Next() {
		var id, status string
		_ = rows.Scan(&id, &status)
		textRows[id] = status
	}
	if rows.Err() != nil {
		t.Fatal(rows.Err())
	}
	checkOnce(t, "text", textRows, slices.Concat(fake.keys("sms"), fake.keys("whatsapp")), "QUEUED")
	var metered int
	if err := owner.QueryRow(ctx, `SELECT count(*) FROM messages WHERE channel IN ('SMS', 'WHATSAPP') AND metered > 0`).Scan(&metered); err != nil {
		t.Fatal(err)
	}
	if metered != len(textRows) {
		t.Errorf("%d of %d texts charged", metered, len(textRows))
	}

	// Billing: the new organisation's customer was created under one key.
	if keys := distinct(fake.keys("stripe")); len(keys) != 1 {
		t.Errorf("stripe customer creates used %d idempotency keys %v, want 1", len(keys), keys)
	}
	// AI: each ticket classified by one completed job.
	var classified, jobs int
	if err := owner.QueryRow(ctx, `SELECT count(DISTINCT args->>'ticketId'), count(*) FROM river_job WHERE kind = 'ai.classify' AND state = 'completed'`).Scan(&classified, &jobs); err != nil {
		t.Fatal(err)
	}
	if classified < reports || jobs != classified {
		t.Errorf("%d classification jobs completed for %d tickets, want one for each of the %d reports", jobs, classified, reports)
	}
	t.Logf("sent to providers: email %d requests (%d keys), webhooks %d (%d ids), ai %d, stripe %d (%d keys), sms %d (%d texts), whatsapp %d (%d texts); %d jobs rescued",
		len(fake.keys("email")), len(distinct(fake.keys("email"))), len(fake.keys("webhook")), len(distinct(fake.keys("webhook"))),
		len(fake.keys("ai")), len(fake.keys("stripe")), len(distinct(fake.keys("stripe"))),
		len(fake.keys("sms")), len(distinct(fake.keys("sms"))), len(fake.keys("whatsapp")), len(distinct(fake.keys("whatsapp"))), rescued)
}

// checkOnce asserts each row went out under its own key, every key the provider saw
// names a row, and every row reached done.
func checkOnce(t *testing.T, what string, rows map[string]string, keys []string, done string) {
	t.Helper()
	if len(rows) == 0 {
		t.Errorf("%s: no rows", what)
	}
	for id, status := range rows {
		if status != done {
			t.Errorf("%s %s: status %s, want %s", what, id, status, done)
		}
	}
	seen := distinct(keys)
	for _, k := range seen {
		if _, ok := rows[k]; !ok {
			t.Errorf("%s: the provider saw key %q, which names no row (a second message for one event?)", what, k)
		}
	}
	if len(seen) != len(rows) {
		t.Errorf("%s: %d rows but the provider saw %d distinct keys", what, len(rows), len(seen))
	}
}

func distinct(keys []string) []string {
	set := map[string]bool{}
	var out []string
	for _, k := range keys {
		if !set[k] {
			set[k] = true
			out = append(out, k)
		}
	}
	return out
}

// jobStates counts jobs by kind and state ("" for every state).
func jobStates(t *testing.T, conn *pgx.Conn, state string) map[string]int {
	t.Helper()
	rows, err := conn.Query(context.Background(), `SELECT kind || ':' || state, count(*) FROM river_job
		WHERE $1 = '' OR state::text = $1 GROUP BY 1`, state)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int{}
	for rows.Next() {
		var k string
		var n int
		if err := rows.Scan(&k, &n); err != nil {
			t.Fatal(err)
		}
		out[k] = n
	}
	return out
}
