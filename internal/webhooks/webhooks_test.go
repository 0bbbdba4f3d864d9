package webhooks_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/maintainuk/maintainuk/internal/access"
	"github.com/maintainuk/maintainuk/internal/apperr"
	"github.com/maintainuk/maintainuk/internal/events"
	"github.com/maintainuk/maintainuk/internal/jobs"
	"github.com/maintainuk/maintainuk/internal/outbox"
	"github.com/maintainuk/maintainuk/internal/page"
	"github.com/maintainuk/maintainuk/internal/testsupport"
	"github.com/maintainuk/maintainuk/internal/timeline"
	"github.com/maintainuk/maintainuk/internal/webhooks"
)

var pageAll = page.Request{Limit: page.MaxLimit}

// The receiver sees exactly the Standard Webhooks request: headers, a signature that an
// independent verifier accepts, and the {type, timestamp, data} body.
func TestWebhookDeliveryRequestIsSignedAndShaped(t *testing.T) {
	t.Parallel()
	app := testsupport.NewApp(t, nil)
	admin := adminOf(app.Register("Signed Lettings"))
	now := time.Date(2026, 3, 14, 9, 26, 53, 589793000, time.UTC)
	svc := webhooks.NewService(app.DB, webhooks.Config{AllowPrivateNetworks: true, Now: func() time.Time { return now }})
	recv := newReceiver(t, always(http.StatusOK, "thanks"))
	// Opted in to personal data: the payload arrives whole (minimisation has its own test).
	ep, err := svc.Create(context.Background(), admin, webhooks.Input{URL: recv.URL + "/hooks/maintainuk?tenant=1",
		EventTypes: []string{"ticket.created"}, IncludePersonalData: true})
	if err != nil {
		t.Fatal(err)
	}
	w := startWorkers(t, app.DB, svc)

	payload, _ := json.Marshal(events.TicketCreated{
		TicketID: uuid.New(), Number: "MT-000042", Title: "Leaking tap — kitchen", Priority: "URGENT",
		SLADueAt: time.Date(2026, 3, 21, 17, 0, 0, 0, time.UTC), Reporter: events.Recipient{Name: "Rosa", Email: "rosa@example.com"},
	})
	env := events.Envelope{ID: uuid.New(), Name: "ticket.created", Version: 1, OrgID: admin.OrgID,
		OccurredAt: time.Date(2026, 3, 14, 9, 0, 0, 123456000, time.UTC), Payload: payload}
	if _, err := w.client.Insert(context.Background(), outbox.WebhooksArgs{Event: stored(t, app.DB, env)}, nil); err != nil {
		t.Fatal(err)
	}
	req := recv.next(t)
	w.wait(t, "webhook.deliver", rivertype.JobStateCompleted)

	if req.Method != http.MethodPost || req.Path != "/hooks/maintainuk" {
		t.Fatalf("request %s %s", req.Method, req.Path)
	}
	wantHeaders := map[string]string{
		"Content-Type":      "application/json",
		"User-Agent":        "MaintainUK-Webhooks/1",
		"Webhook-Id":        "msg_" + env.ID.String(),
		"Webhook-Timestamp": strconv.FormatInt(now.Unix(), 10),
	}
	for k, want := range wantHeaders {
		if got := req.Header.Get(k); got != want {
			t.Errorf("header %s = %q, want %q", k, got, want)
		}
	}
	if sig := req.Header.Get("Webhook-Signature"); !strings.HasPrefix(sig, "v1,") || strings.Contains(sig, " ") {
		t.Errorf("webhook-signature %q, want one v1 signature", sig)
	}
	if err := verifySignature(ep.Secret, req.Header, req.Body); err != nil {
		t.Fatalf("signature does not verify: %v", err)
	}
	tampered := append(bytes.Clone(req.Body[:len(req.Body)-1]), ' ', '}')
	if verifySignature(ep.Secret, req.Header, tampered) == nil {
		t.Fatal("signature verifies a changed body")
	}

	// The body: compact JSON, members in the order type, timestamp, data; data is the
	// event's payload (its members may be reordered by storage, its content is not).
	prefix := `{"type":"ticket.created","timestamp":"2026-03-14T09:00:00.123456Z","data":`
	if !bytes.HasPrefix(req.Body, []byte(prefix)) || !bytes.HasSuffix(req.Body, []byte("}")) {
		t.Fatalf("body %s, want it to start with %s", req.Body, prefix)
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, req.Body); err != nil || !bytes.Equal(compact.Bytes(), req.Body) {
		t.Fatalf("body is not compact JSON (%v): %s", err, req.Body)
	}
	var gotData, wantData any
	if err := json.Unmarshal(req.Body[len(prefix):len(req.Body)-1], &gotData); err != nil {
		t.Fatal(err)
	}
	_ = json.Unmarshal(payload, &wantData)
	if !reflect.DeepEqual(gotData, wantData) {
		t.Fatalf("data %v, want %v", gotData, wantData)
	}

	ds := deliveriesOf(t, svc, admin, ep.ID)
	if len(ds) != 1 {
		t.Fatalf("%d deliveries, want 1", len(ds))
	}
	d := ds[0]
	if d.Status != webhooks.StatusDelivered || d.Attempts != 1 || d.ResponseStatus == nil || *d.ResponseStatus != 200 ||
		d.ResponseBody != "thanks" || d.Error != "" || d.DeliveredAt == nil || !d.DeliveredAt.Equal(now) ||
		d.MessageID != "msg_"+env.ID.String() || d.EventType != "ticket.created" {
		t.Fatalf("delivery %+v", d)
	}
	var logged webhooks.Message
	if err := json.Unmarshal(d.Payload, &logged); err != nil || logged.Type != "ticket.created" || !logged.Timestamp.Equal(env.OccurredAt) {
		t.Fatalf("logged payload %s (%v)", d.Payload, err)
	}
	recv.none(t)
}

// Fan-out reaches the enabled endpoints of the event's organisation subscribed to its
// name or to "*", and nothing else; a repeated fan-out of the same event adds nothing.
func TestWebhookFanOutOnlyToSubscribedEnabledEndpointsOfTheOrg(t *testing.T) {
	t.Parallel()
	app := testsupport.NewApp(t, nil)
	aClient, bClient := app.Register("Fan Out A"), app.Register("Fan Out B")
	a, b := adminOf(aClient), adminOf(bClient)
	svc := webhooks.NewService(app.DB, webhooks.Config{AllowPrivateNetworks: true})
	recvA, recvB := newReceiver(t, always(204, "")), newReceiver(t, always(200, "ok"))
	aTicket := mustEndpoint(t, svc, a, recvA.URL+"/a-ticket", "ticket.created")
	aAll := mustEndpoint(t, svc, a, recvA.URL+"/a-all", "*")
	aQuote := mustEndpoint(t, svc, a, recvA.URL+"/a-quote", "quote.submitted", "invoice.paid")
	aOff := mustEndpoint(t, svc, a, recvA.URL+"/a-off", "ticket.created")
	off := false
	if _, err := svc.Update(context.Background(), a, aOff.ID, webhooks.Patch{Enabled: &off}); err != nil {
		t.Fatal(err)
	}
	bAll := mustEndpoint(t, svc, b, recvB.URL+"/b-all", "*")
	bTicket := mustEndpoint(t, svc, b, recvB.URL+"/b-ticket", "ticket.created")
	w := startWorkers(t, app.DB, svc)
	ctx := context.Background()

	// Published as the domain does: in the business transaction, through the outbox.
	pub := outbox.NewPublisher(w.client, time.Now)
	publish := func(org *testsupport.Client, ev events.Event) {
		t.Helper()
		if err := app.DB.InOrg(ctx, org.OrgID, org.UserID, func(tx pgx.Tx) error {
			return pub.PublishWebhooks(ctx, tx, org.OrgID, ev)
		}); err != nil {
			t.Fatal(err)
		}
	}
	publish(aClient, events.TicketCreated{TicketID: uuid.New(), Number: "MT-000001", Title: "Boiler out", Priority: "EMERGENCY"})
	fanOut := w.wait(t, "event.publish", rivertype.JobStateCompleted)
	w.wait(t, "webhook.deliver", rivertype.JobStateCompleted)
	w.wait(t, "webhook.deliver", rivertype.JobStateCompleted)
	paths := []string{recvA.next(t).Path, recvA.next(t).Path}
	slices.Sort(paths)
	if !slices.Equal(paths, []string{"/a-all", "/a-ticket"}) {
		t.Fatalf("org A's receiver got %v, want /a-all and /a-ticket", paths)
	}
	recvA.none(t)
	recvB.none(t)
	for _, tc := range []struct {
		admin access.Actor
		id    uuid.UUID
		want  int
	}{{a, aTicket.ID, 1}, {a, aAll.ID, 1}, {a, aQuote.ID, 0}, {a, aOff.ID, 0}, {b, bAll.ID, 0}, {b, bTicket.ID, 0}} {
		if got := len(deliveriesOf(t, svc, tc.admin, tc.id)); got != tc.want {
			t.Errorf("endpoint %s: %d deliveries, want %d", tc.id, got, tc.want)
		}
	}

	// The same event fanned out again (a retried job): no new rows, no new jobs.
	var args outbox.WebhooksArgs
	if err := json.Unmarshal(fanOut.Job.EncodedArgs, &args); err != nil {
		t.Fatal(err)
	}
	if _, err := w.client.Insert(ctx, args, nil); err != nil {
		t.Fatal(err)
	}
	w.wait(t, "event.publish", rivertype.JobStateCompleted)
	var deliverJobs int
	if err := app.DB.Pool.QueryRow(ctx, `SELECT count(*) FROM river_job WHERE kind = 'webhook.deliver'`).Scan(&deliverJobs); err != nil {
		t.Fatal(err)
	}
	if deliverJobs != 2 {
		t.Fatalf("%d delivery jobs after a repeated fan-out, want 2", deliverJobs)
	}
	if n := len(deliveriesOf(t, svc, a, aAll.ID)); n != 1 {
		t.Fatalf("%d deliveries after a repeated fan-out, want 1", n)
	}

	// Org B's event reaches only org B's subscribed endpoint.
	publish(bClient, events.QuoteSubmitted{QuoteID: uuid.New(), TicketNumber: "MT-000009", TotalPence: 12000})
	w.wait(t, "webhook.deliver", rivertype.JobStateCompleted)
	if got := recvB.next(t); got.Path != "/b-all" || !strings.Contains(string(got.Body), `"type":"quote.submitted"`) {
		t.Fatalf("org B's receiver got %s %s", got.Path, got.Body)
	}
	recvA.none(t)
	recvB.none(t)
}

// A receiver that fails twice and then answers 200: three attempts, same webhook-id,
// each freshly signed; DELIVERED with attempts 3, and the endpoint's failure count reset.
func TestWebhookRetriesUntilDelivered(t *testing.T) {
	t.Parallel()
	app := testsupport.NewApp(t, nil)
	admin := adminOf(app.Register("Retry Lettings"))
	svc := webhooks.NewService(app.DB, webhooks.Config{AllowPrivateNetworks: true})
	recv := newReceiver(t, func(n int) (int, string) {
		if n <= 2 {
			return http.StatusInternalServerError, "try later " + strconv.Itoa(n)
		}
		return http.StatusOK, "got it"
	})
	ep := mustEndpoint(t, svc, admin, recv.URL+"/hook", "*")
	w := startWorkers(t, app.DB, svc)

	d, err := svc.SendTest(context.Background(), admin, ep.ID)
	if err != nil {
		t.Fatal(err)
	}
	done := w.wait(t, "webhook.deliver", rivertype.JobStateCompleted)
	if done.Job.Attempt != 3 {
		t.Fatalf("job completed on attempt %d, want 3", done.Job.Attempt)
	}
	var ids []string
	for range 3 {
		req := recv.next(t)
		if err := verifySignature(ep.Secret, req.Header, req.Body); err != nil {
			t.Fatalf("attempt signature: %v", err)
		}
		ids = append(ids, req.Header.Get("webhook-id"))
	}
	recv.none(t)
	if ids[0] != d.MessageID || ids[1] != d.MessageID || ids[2] != d.MessageID {
		t.Fatalf("webhook-ids %v, want %s on every attempt", ids, d.MessageID)
	}
	got := deliveriesOf(t, svc, admin, ep.ID)
	if len(got) != 1 || got[0].Status != webhooks.StatusDelivered || got[0].Attempts != 3 || *got[0].ResponseStatus != 200 ||
		got[0].ResponseBody != "got it" || got[0].Error != "" || got[0].EventType != webhooks.TestEvent {
		t.Fatalf("deliveries %+v", got)
	}
	if e := endpointOf(t, svc, admin, ep.ID); e.ConsecutiveFailures != 0 || e.FailingSince != nil || !e.Enabled {
		t.Fatalf("endpoint after success %+v", e)
	}
}

// A receiver that always fails: FAILED after the last attempt, and with the small
// thresholds here the endpoint is disabled, with a reason and a timeline entry; events
// no longer reach it; re-enabling clears the record.
func TestWebhookAlwaysFailingDeliveryFailsAndDisablesEndpoint(t *testing.T) {
	t.Parallel()
	app := testsupport.NewApp(t, nil)
	adminClient := app.Register("Failing Lettings")
	admin := adminOf(adminClient)
	clk := testsupport.NewTickingClock(time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC), time.Minute)
	svc := webhooks.NewService(app.DB, webhooks.Config{
		AllowPrivateNetworks: true, Now: clk.Now, DisableAfterFailures: jobs5, DisableAfterDuration: 3 * time.Minute,
	})
	recv := newReceiver(t, always(http.StatusServiceUnavailable, "down for maintenance"))
	ep := mustEndpoint(t, svc, admin, recv.URL+"/hook", "ticket.created")
	w := startWorkers(t, app.DB, svc)

	if _, err := svc.SendTest(context.Background(), admin, ep.ID); err != nil {
		t.Fatal(err)
	}
	final := w.wait(t, "webhook.deliver", rivertype.JobStateDiscarded)
	if final.Job.Attempt != jobs5 {
		t.Fatalf("discarded after %d attempts, want %d", final.Job.Attempt, jobs5)
	}
	if recv.count() != jobs5 {
		t.Fatalf("receiver got %d requests, want %d", recv.count(), jobs5)
	}
	got := deliveriesOf(t, svc, admin, ep.ID)
	if len(got) != 1 || got[0].Status != webhooks.StatusFailed || got[0].Attempts != jobs5 || got[0].ResponseStatus == nil ||
		*got[0].ResponseStatus != 503 || got[0].ResponseBody != "down for maintenance" || !strings.Contains(got[0].Error, "503") ||
		got[0].DeliveredAt != nil {
		t.Fatalf("deliveries %+v", got)
	}
	e := endpointOf(t, svc, admin, ep.ID)
	if e.Enabled || !strings.Contains(e.DisabledReason, "5 consecutive failed") || e.ConsecutiveFailures != jobs5 || e.FailingSince == nil {
		t.Fatalf("endpoint after sustained failure %+v", e)
	}
	var trail []timeline.Event
	if err := app.DB.InOrg(context.Background(), admin.OrgID, admin.UserID, func(tx pgx.Tx) error {
		var err error
		trail, err = timeline.List(context.Background(), tx, admin, webhooks.EntityEndpoint, ep.ID, 0, 50, false)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if len(trail) != 2 || trail[0].Action != "created" || trail[1].Action != "disabled" || trail[1].ActorID != nil {
		t.Fatalf("timeline %+v, want created then a system 'disabled'", trail)
	}

	// Disabled: an event no longer reaches it, and a test send is refused.
	pub := outbox.NewPublisher(w.client, time.Now)
	if err := app.DB.InOrg(context.Background(), admin.OrgID, admin.UserID, func(tx pgx.Tx) error {
		return pub.PublishWebhooks(context.Background(), tx, admin.OrgID, events.TicketCreated{TicketID: uuid.New(), Number: "MT-000002"})
	}); err != nil {
		t.Fatal(err)
	}
	w.wait(t, "event.publish", rivertype.JobStateCompleted)
	if n := len(deliveriesOf(t, svc, admin, ep.ID)); n != 1 {
		t.Fatalf("%d deliveries to a disabled endpoint, want the 1 before", n)
	}
	if _, err := svc.SendTest(context.Background(), admin, ep.ID); !apperr.Is(err, apperr.Conflict) {
		t.Fatalf("test send to a disabled endpoint: %v", err)
	}

	// Re-enabled: the failure record is cleared.
	on := true
	re, err := svc.Update(context.Background(), admin, ep.ID, webhooks.Patch{Enabled: &on})
	if err != nil {
		t.Fatal(err)
	}
	if !re.Enabled || re.DisabledReason != "" || re.ConsecutiveFailures != 0 || re.FailingSince != nil {
		t.Fatalf("re-enabled endpoint %+v", re)
	}
}

const jobs5 = 5 // jobs.MaxAttempts, the attempts a delivery gets

// Both thresholds must hold before an endpoint is disabled, and a success resets the
// count. The worker is called directly here with a settable clock.
func TestWebhookDisableNeedsCountAndDuration(t *testing.T) {
	t.Parallel()
	app := testsupport.NewApp(t, nil)
	admin := adminOf(app.Register("Threshold Lettings"))
	t0 := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	clk := testsupport.NewClock(t0)
	ins := &fakeInserter{}
	svc := webhooks.NewService(app.DB, webhooks.Config{
		AllowPrivateNetworks: true, Now: clk.Now, Inserter: ins, DisableAfterFailures: 2, DisableAfterDuration: time.Hour,
	})
	status := http.StatusBadGateway
	recv := newReceiver(t, func(int) (int, string) { return status, "" })
	ep := mustEndpoint(t, svc, admin, recv.URL, "*")
	worker := svc.DeliveryWorker()
	ctx := context.Background()
	send := func() webhooks.DeliverArgs {
		t.Helper()
		if _, err := svc.SendTest(ctx, admin, ep.ID); err != nil {
			t.Fatal(err)
		}
		return ins.last(t)
	}
	health := func(wantFailures int, wantSince *time.Time, wantEnabled bool) {
		t.Helper()
		e := endpointOf(t, svc, admin, ep.ID)
		if e.ConsecutiveFailures != wantFailures || e.Enabled != wantEnabled ||
			(wantSince == nil) != (e.FailingSince == nil) || (wantSince != nil && !e.FailingSince.Equal(*wantSince)) {
			t.Fatalf("endpoint %+v, want failures %d since %v enabled %v", e, wantFailures, wantSince, wantEnabled)
		}
	}

	first := send()
	if err := worker.Work(ctx, deliverJob(first, 1, 5)); err == nil {
		t.Fatal("a 502 was not an error")
	}
	recv.next(t)
	health(1, &t0, true)
	status = http.StatusOK
	clk.Set(t0.Add(time.Minute))
	if err := worker.Work(ctx, deliverJob(first, 2, 5)); err != nil {
		t.Fatalf("a 200 was an error: %v", err)
	}
	recv.next(t)
	health(0, nil, true) // a success resets the count

	status = http.StatusBadGateway
	second, pending := send(), send()
	start := t0.Add(2 * time.Minute)
	clk.Set(start)
	if err := worker.Work(ctx, deliverJob(second, 1, 5)); err == nil {
		t.Fatal("a 502 was not an error")
	}
	clk.Set(start.Add(30 * time.Minute))
	err := worker.Work(ctx, deliverJob(second, 2, 5))
	var cancel *river.JobCancelError
	if err == nil || errors.As(err, &cancel) {
		t.Fatalf("2 failures within the hour: err %v, want a plain error (retry)", err)
	}
	health(2, &start, true) // the count is reached but not the duration
	clk.Set(start.Add(61 * time.Minute))
	err = worker.Work(ctx, deliverJob(second, 3, 5))
	if !errors.As(err, &cancel) {
		t.Fatalf("failure that disables: err %v, want JobCancel (no more attempts)", err)
	}
	health(3, &start, false)
	for range 3 {
		recv.next(t)
	}
	byID := map[uuid.UUID]webhooks.WebhookDelivery{}
	for _, d := range deliveriesOf(t, svc, admin, ep.ID) {
		byID[d.ID] = d
	}
	if d := byID[second.DeliveryID]; d.Status != webhooks.StatusFailed || d.Attempts != 3 {
		t.Fatalf("delivery that disabled the endpoint %+v", d)
	}
	if d := byID[first.DeliveryID]; d.Status != webhooks.StatusDelivered || d.Attempts != 2 {
		t.Fatalf("first delivery %+v", d)
	}

	// A delivery still pending for the disabled endpoint fails without a request.
	if err := worker.Work(ctx, deliverJob(pending, 1, 5)); err != nil {
		t.Fatalf("pending delivery to a disabled endpoint: %v", err)
	}
	recv.none(t)
	if d := deliveriesOf(t, svc, admin, ep.ID)[0]; d.ID != pending.DeliveryID || d.Status != webhooks.StatusFailed || d.Attempts != 0 || !strings.Contains(d.Error, "disabled") {
		t.Fatalf("pending delivery %+v", d)
	}

	// A settled delivery worked again (a duplicate job) sends nothing.
	if err := worker.Work(ctx, deliverJob(first, 3, 5)); err != nil {
		t.Fatal(err)
	}
	recv.none(t)
}

// Jobs are scoped to their organisation: a job naming another organisation's delivery
// sees nothing and sends nothing; a delivery whose endpoint was deleted is dropped.
func TestWebhookDeliveryJobIsTenantScoped(t *testing.T) {
	t.Parallel()
	app := testsupport.NewApp(t, nil)
	a, b := adminOf(app.Register("Scoped A")), adminOf(app.Register("Scoped B"))
	ins := &fakeInserter{}
	svc := webhooks.NewService(app.DB, webhooks.Config{AllowPrivateNetworks: true, Inserter: ins})
	recv := newReceiver(t, always(200, "ok"))
	ep := mustEndpoint(t, svc, a, recv.URL, "*")
	ctx := context.Background()
	if _, err := svc.SendTest(ctx, a, ep.ID); err != nil {
		t.Fatal(err)
	}
	args := ins.last(t)
	wrongOrg := webhooks.DeliverArgs{OrgID: b.OrgID, DeliveryID: args.DeliveryID}
	if err := svc.DeliveryWorker().Work(ctx, deliverJob(wrongOrg, 1, 5)); err != nil {
		t.Fatal(err)
	}
	recv.none(t)
	if d := deliveriesOf(t, svc, a, ep.ID)[0]; d.Status != webhooks.StatusPending || d.Attempts != 0 {
		t.Fatalf("delivery touched by another org's job: %+v", d)
	}

	// A fan-out of org B's event never reaches org A's endpoint.
	env := events.Envelope{ID: uuid.New(), Name: "ticket.created", Version: 1, OrgID: b.OrgID, OccurredAt: time.Now(), Payload: json.RawMessage(`{}`)}
	if err := svc.FanOutWorker().Work(ctx, &river.Job[outbox.WebhooksArgs]{JobRow: &rivertype.JobRow{Attempt: 1, MaxAttempts: 5}, Args: outbox.WebhooksArgs{Event: stored(t, app.DB, env)}}); err != nil {
		t.Fatal(err)
	}
	if n := len(deliveriesOf(t, svc, a, ep.ID)); n != 1 {
		t.Fatalf("org B's event made %d deliveries in org A", n-1)
	}

	if err := svc.Delete(ctx, a, ep.ID); err != nil {
		t.Fatal(err)
	}
	if err := svc.DeliveryWorker().Work(ctx, deliverJob(args, 1, 5)); err != nil {
		t.Fatalf("delivery of a deleted endpoint: %v", err)
	}
	recv.none(t)

	// An envelope without an organisation is cancelled, not retried.
	err := svc.FanOutWorker().Work(ctx, &river.Job[outbox.WebhooksArgs]{JobRow: &rivertype.JobRow{Attempt: 1, MaxAttempts: 5},
		Args: outbox.WebhooksArgs{Event: events.Ref{ID: uuid.New(), Name: "ticket.created"}}})
	var cancel *river.JobCancelError
	if !errors.As(err, &cancel) {
		t.Fatalf("envelope without org: %v", err)
	}
}

// DNS rebinding: an endpoint whose host name resolves to an internal address at delivery
// time is refused by the dialer, outside development mode. The endpoint is registered in
// development mode (as if its name had resolved to a public address then) and delivered
// by a production-mode service on the same database; "localhost" resolves to 127.0.0.1
// (and ::1), where the receiver really listens, so only the guard stops the request.
func TestWebhookDialerRefusesInternalAddressAtDelivery(t *testing.T) {
	t.Parallel()
	app := testsupport.NewApp(t, nil)
	admin := adminOf(app.Register("Rebinding Lettings"))
	ins := &fakeInserter{}
	dev := webhooks.NewService(app.DB, webhooks.Config{AllowPrivateNetworks: true, Inserter: ins})
	prod := webhooks.NewService(app.DB, webhooks.Config{Inserter: ins})
	recv := newReceiver(t, always(200, "should never be reached"))
	port := recv.URL[strings.LastIndex(recv.URL, ":")+1:]
	hostURL := "http://localhost:" + port + "/hook"
	ctx := context.Background()

	// Production mode refuses it at registration, as plain http and as https.
	for _, u := range []string{hostURL, "https://localhost:" + port + "/hook"} {
		if _, err := prod.Create(ctx, admin, webhooks.Input{URL: u, EventTypes: []string{"*"}}); err == nil {
			t.Fatalf("production mode registered %s", u)
		}
	}

	ep := mustEndpoint(t, dev, admin, hostURL, "*")
	if _, err := dev.SendTest(ctx, admin, ep.ID); err != nil {
		t.Fatal(err)
	}
	args := ins.last(t)
	err := prod.DeliveryWorker().Work(ctx, deliverJob(args, 1, 5))
	if err == nil {
		t.Fatal("delivery to localhost succeeded in production mode")
	}
	recv.none(t)
	d := deliveriesOf(t, prod, admin, ep.ID)[0]
	if d.Status != webhooks.StatusPending || d.Attempts != 1 || d.ResponseStatus != nil ||
		d.Error != "blocked: address not allowed" {
		t.Fatalf("refused delivery %+v", d)
	}
	expectNoAddress(t, d.Error, endpointOf(t, prod, admin, ep.ID).DisabledReason)

	// The same delivery in development mode goes through (the receiver is real).
	if err := dev.DeliveryWorker().Work(ctx, deliverJob(args, 2, 5)); err != nil {
		t.Fatalf("development delivery: %v", err)
	}
	if got := recv.next(t); got.Header.Get("webhook-id") != d.MessageID {
		t.Fatalf("development delivery headers %v", got.Header)
	}
}

var addressLike = regexp.MustCompile(`\d+\.\d+\.\d+\.\d+|:\d+|\[[0-9a-f:]+\]`)

// expectNoAddress fails when text the organisation sees names an IP address or a port.
func expectNoAddress(t *testing.T, texts ...string) {
	t.Helper()
	for _, text := range texts {
		for _, leak := range []string{"127.0.0.1", "::1", "dial tcp", "localhost"} {
			if strings.Contains(text, leak) {
				t.Fatalf("%q shown to the organisation contains %q", text, leak)
			}
		}
		if addressLike.MatchString(text) {
			t.Fatalf("%q shown to the organisation names an address or port", text)
		}
	}
}

// A failed attempt is logged for the organisation as the kind of failure ("connection
// refused", "HTTP 503"), never as the network error naming the resolved address.
func TestWebhookDeliveryErrorsRevealNoAddress(t *testing.T) {
	t.Parallel()
	app := testsupport.NewApp(t, nil)
	admin := adminOf(app.Register("Quiet Errors Lettings"))
	ins := &fakeInserter{}
	dev := webhooks.NewService(app.DB, webhooks.Config{AllowPrivateNetworks: true, Inserter: ins})
	ctx := context.Background()

	// Nothing listens on a port just closed.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + ln.Addr().String() + "/hook"
	_ = ln.Close()
	recv := newReceiver(t, always(http.StatusServiceUnavailable, "down"))
	tests := []struct {
		url, want string
	}{
		{closed, "connection refused"},
		{recv.URL, "HTTP 503"},
	}
	for _, tt := range tests {
		ep := mustEndpoint(t, dev, admin, tt.url, "*")
		if _, err := dev.SendTest(ctx, admin, ep.ID); err != nil {
			t.Fatal(err)
		}
		if err := dev.DeliveryWorker().Work(ctx, deliverJob(ins.last(t), 1, 5)); err == nil {
			t.Fatalf("%s: delivery succeeded", tt.url)
		}
		d := deliveriesOf(t, dev, admin, ep.ID)[0]
		if d.Error != tt.want {
			t.Fatalf("%s: error %q, want %q", tt.url, d.Error, tt.want)
		}
		expectNoAddress(t, d.Error)
	}
}

// Data minimisation: an endpoint that has not opted in receives (and its delivery log
// shows) no resident or staff names, email addresses or phone numbers; one that opted in
// receives them. A contractor's company name stays in both.
func TestWebhookPayloadsCarryPersonalDataOnlyWhenOptedIn(t *testing.T) {
	t.Parallel()
	app := testsupport.NewApp(t, nil)
	orgClient := app.Register("Minimal Data Lettings")
	admin := adminOf(orgClient)
	svc := webhooks.NewService(app.DB, webhooks.Config{AllowPrivateNetworks: true})
	recv := newReceiver(t, always(204, ""))
	minimal := mustEndpoint(t, svc, admin, recv.URL+"/minimal", "*")
	full, err := svc.Create(context.Background(), admin, webhooks.Input{URL: recv.URL + "/full", EventTypes: []string{"*"}, IncludePersonalData: true})
	if err != nil {
		t.Fatal(err)
	}
	if minimal.IncludePersonalData || !full.IncludePersonalData {
		t.Fatalf("includePersonalData: minimal %v, full %v", minimal.IncludePersonalData, full.IncludePersonalData)
	}
	w := startWorkers(t, app.DB, svc)
	ctx := context.Background()
	pub := outbox.NewPublisher(w.client, time.Now)
	personal := []string{"Rita Resident", "rita@example.com", "Sam Staff", "sam@agency.example.com", "pipes@example.com", "+447911123456"}
	evs := []events.Event{
		events.TicketCreated{TicketID: uuid.New(), Number: "MT-000001", Title: "Boiler out", Priority: "EMERGENCY",
			Reporter: events.Recipient{Name: "Rita Resident", Email: "rita@example.com"}},
		events.QuoteSubmitted{QuoteID: uuid.New(), TicketNumber: "MT-000001", TotalPence: 12000,
			Staff: []events.Recipient{{Name: "Sam Staff", Email: "sam@agency.example.com"}}},
		events.WorkOrderAssigned{WorkOrderID: uuid.New(), TicketNumber: "MT-000001", TicketTitle: "Boiler out",
			Contractor: events.Recipient{Name: "Pipes Ltd", Email: "pipes@example.com"}},
		events.MemberInvited{InvitationID: uuid.New(), Role: "TENANT", InvitedBy: "Sam Staff",
			Invitee: events.Recipient{Email: "rita@example.com"}},
	}
	for _, ev := range evs {
		if err := app.DB.InOrg(ctx, orgClient.OrgID, orgClient.UserID, func(tx pgx.Tx) error {
			return pub.PublishWebhooks(ctx, tx, orgClient.OrgID, ev)
		}); err != nil {
			t.Fatal(err)
		}
	}
	bodies := map[string][]string{}
	for range 2 * len(evs) {
		got := recv.next(t)
		bodies[got.Path] = append(bodies[got.Path], string(got.Body))
	}
	if len(bodies["/minimal"]) != len(evs) || len(bodies["/full"]) != len(evs) {
		t.Fatalf("deliveries %d minimal, %d full; want %d each", len(bodies["/minimal"]), len(bodies["/full"]), len(evs))
	}
	minimalAll, fullAll := strings.Join(bodies["/minimal"], "\n"), strings.Join(bodies["/full"], "\n")
	for _, p := range personal[:5] {
		if strings.Contains(minimalAll, p) {
			t.Errorf("endpoint without opt-in received %q:\n%s", p, minimalAll)
		}
		if !strings.Contains(fullAll, p) {
			t.Errorf("endpoint that opted in did not receive %q:\n%s", p, fullAll)
		}
	}
	for _, keep := range []string{"MT-000001", "Boiler out", "Pipes Ltd", "12000", `"type":"member.invited"`} {
		if !strings.Contains(minimalAll, keep) {
			t.Errorf("minimised payloads lost %q:\n%s", keep, minimalAll)
		}
	}
	// The delivery log shows what was sent.
	for _, d := range deliveriesOf(t, svc, admin, minimal.ID) {
		for _, p := range personal {
			if strings.Contains(string(d.Payload), p) {
				t.Errorf("delivery log of the endpoint without opt-in shows %q: %s", p, d.Payload)
			}
		}
	}

	// Opting out later applies to the next event.
	no := false
	if ep, err := svc.Update(ctx, admin, full.ID, webhooks.Patch{IncludePersonalData: &no}); err != nil || ep.IncludePersonalData {
		t.Fatalf("opt out: %+v, %v", ep, err)
	}
	if err := app.DB.InOrg(ctx, orgClient.OrgID, orgClient.UserID, func(tx pgx.Tx) error {
		return pub.PublishWebhooks(ctx, tx, orgClient.OrgID, evs[0])
	}); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if got := recv.next(t); strings.Contains(string(got.Body), "rita@example.com") {
			t.Fatalf("%s received the reporter after opting out: %s", got.Path, got.Body)
		}
	}
}

// A fan-out wakes the webhooks queue's workers itself on commit, with River's own insert
// notification: River's client sends at most one per queue per FetchCooldown, and the
// fan-out inserts its delivery jobs within milliseconds of the event's job, so River's
// would often be held back (docs/benchmarks.md). The fake inserter sends none, as River
// does when it holds one back.
func TestWebhookFanOutWakesTheDeliveryQueue(t *testing.T) {
	t.Parallel()
	app := testsupport.NewApp(t, nil)
	admin := adminOf(app.Register("Wake"))
	ins := &fakeInserter{}
	svc := webhooks.NewService(app.DB, webhooks.Config{AllowPrivateNetworks: true, Inserter: ins})
	recv := newReceiver(t, always(204, ""))
	mustEndpoint(t, svc, admin, recv.URL, "ticket.created")
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()

	// Listen as River's listener does: on "<current schema>.river_insert".
	listener, err := pgx.Connect(ctx, app.DBs.AppURL)
	if err != nil {
		t.Fatal(err)
	}
	defer listener.Close(context.Background())
	var schema string
	if err := listener.QueryRow(ctx, `SELECT current_schema()`).Scan(&schema); err != nil {
		t.Fatal(err)
	}
	if _, err := listener.Exec(ctx, `LISTEN "`+schema+`.river_insert"`); err != nil {
		t.Fatal(err)
	}

	env := events.Envelope{ID: uuid.New(), Name: "ticket.created", Version: 1, OrgID: admin.OrgID, OccurredAt: time.Now(), Payload: json.RawMessage(`{}`)}
	if err := svc.FanOutWorker().Work(ctx, &river.Job[outbox.WebhooksArgs]{JobRow: &rivertype.JobRow{Attempt: 1, MaxAttempts: 5}, Args: outbox.WebhooksArgs{Event: stored(t, app.DB, env)}}); err != nil {
		t.Fatal(err)
	}
	ins.last(t) // the delivery job was queued
	n, err := listener.WaitForNotification(ctx)
	if err != nil {
		t.Fatalf("no insert notification after the fan-out: %v", err)
	}
	var payload struct {
		Queue string `json:"queue"`
	}
	if err := json.Unmarshal([]byte(n.Payload), &payload); err != nil || payload.Queue != jobs.QueueWebhooks {
		t.Fatalf("notification %q on %s, want queue %q", n.Payload, n.Channel, jobs.QueueWebhooks)
	}
}
