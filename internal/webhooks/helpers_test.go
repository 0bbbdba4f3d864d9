package webhooks_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivertype"

	"github.com/maintainuk/maintainuk/internal/access"
	"github.com/maintainuk/maintainuk/internal/database"
	"github.com/maintainuk/maintainuk/internal/jobs"
	"github.com/maintainuk/maintainuk/internal/testsupport"
	"github.com/maintainuk/maintainuk/internal/webhooks"
)

// waitFor bounds every wait on a worker; nothing here takes more than a few seconds.
const waitFor = 20 * time.Second

// verifySignature is an independent Standard Webhooks verifier written from the
// specification's text (it shares no code with the package): the signed content is
// "<webhook-id>.<webhook-timestamp>.<body>", the key is the base64 part of the "whsec_"
// secret, and webhook-signature is a space-separated list of "v1,<base64 HMAC-SHA256>".
func verifySignature(secret string, h http.Header, body []byte) error {
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	if err != nil {
		return err
	}
	id, ts := h.Get("webhook-id"), h.Get("webhook-timestamp")
	if id == "" || ts == "" {
		return errors.New("webhook-id or webhook-timestamp missing")
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(id + "." + ts + "." + string(body)))
	want := base64.StdEncoding.EncodeToString(mac.Sum(nil))
	for _, sig := range strings.Fields(h.Get("webhook-signature")) {
		version, value, ok := strings.Cut(sig, ",")
		if ok && version == "v1" && hmac.Equal([]byte(value), []byte(want)) {
			return nil
		}
	}
	return errors.New("no valid v1 signature in " + h.Get("webhook-signature"))
}

// The verifier itself reproduces the specification's published vector, and rejects a
// wrong secret and a changed body.
func TestWebhookVerifierMatchesTheStandardVector(t *testing.T) {
	t.Parallel()
	h := http.Header{}
	h.Set("webhook-id", "msg_p5jXN8AQM9LWM0D4loKWxJek")
	h.Set("webhook-timestamp", "1614265330")
	h.Set("webhook-signature", "v1,bm9wZQ== v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
	body := []byte(`{"test": 2432232314}`)
	if err := verifySignature("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", h, body); err != nil {
		t.Fatalf("published vector: %v", err)
	}
	if err := verifySignature("whsec_"+base64.StdEncoding.EncodeToString([]byte("another secret of 24 bytes")), h, body); err == nil {
		t.Fatal("wrong secret verified")
	}
	if err := verifySignature("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", h, []byte(`{"test": 2432232315}`)); err == nil {
		t.Fatal("changed body verified")
	}
}

// received is one request a receiver got.
type received struct {
	Method string
	Path   string
	Header http.Header
	Body   []byte
}

// receiver is a local webhook endpoint. answer gives the status and body of its n-th
// request (from 1). httptest listens on 127.0.0.1, so services delivering to it must run
// in development mode (AllowPrivateNetworks: true); the SSRF guard refuses it otherwise.
type receiver struct {
	*httptest.Server
	got    chan received
	mu     sync.Mutex
	n      int
	answer func(n int) (int, string)
}

func newReceiver(t *testing.T, answer func(n int) (int, string)) *receiver {
	t.Helper()
	r := &receiver{got: make(chan received, 100), answer: answer}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.n++
		n := r.n
		r.mu.Unlock()
		r.got <- received{Method: req.Method, Path: req.URL.Path, Header: req.Header.Clone(), Body: body}
		status, text := r.answer(n)
		w.WriteHeader(status)
		_, _ = io.WriteString(w, text)
	}))
	t.Cleanup(r.Close)
	return r
}

func always(status int, body string) func(int) (int, string) {
	return func(int) (int, string) { return status, body }
}

// next waits for the receiver's next request.
func (r *receiver) next(t *testing.T) received {
	t.Helper()
	select {
	case req := <-r.got:
		return req
	case <-time.After(waitFor):
		t.Fatal("the receiver got no request")
		return received{}
	}
}

// none fails if the receiver has a request waiting.
func (r *receiver) none(t *testing.T) {
	t.Helper()
	select {
	case req := <-r.got:
		t.Fatalf("unexpected request %s %s: %s", req.Method, req.Path, req.Body)
	default:
	}
}

func (r *receiver) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.n
}

// fastRetry retries after 5 ms, so five attempts take milliseconds.
type fastRetry struct{}

func (fastRetry) NextRetry(*rivertype.JobRow) time.Time { return time.Now().Add(5 * time.Millisecond) }

// workers is a River client of the test's own, working the webhooks queue with svc's
// workers (the app's client is not started by testsupport).
type workers struct {
	client *river.Client[pgx.Tx]
	events <-chan *river.Event
	db     *database.DB
}

func startWorkers(t *testing.T, db *database.DB, svc *webhooks.Service) *workers {
	t.Helper()
	ws := river.NewWorkers()
	svc.Register(ws)
	client, err := river.NewClient(riverpgxv5.New(db.Pool), &river.Config{
		Queues:            map[string]river.QueueConfig{jobs.QueueWebhooks: {MaxWorkers: 2}},
		Workers:           ws,
		MaxAttempts:       jobs.MaxAttempts,
		RetryPolicy:       fastRetry{},
		FetchCooldown:     5 * time.Millisecond,
		FetchPollInterval: 20 * time.Millisecond,
		Logger:            slog.New(slog.DiscardHandler), // failed attempts are expected here
		TestOnly:          true,
	})
	if err != nil {
		t.Fatal(err)
	}
	events, cancel := client.Subscribe(river.EventKindJobCompleted, river.EventKindJobFailed, river.EventKindJobCancelled)
	if err := client.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, stop := context.WithTimeout(context.Background(), 10*time.Second)
		defer stop()
		if err := client.Stop(ctx); err != nil {
			t.Errorf("stop workers: %v", err)
		}
		cancel()
	})
	svc.SetInserter(client)
	return &workers{client: client, events: events, db: db}
}

// wait returns the next event for a job of kind in one of states.
func (w *workers) wait(t *testing.T, kind string, states ...rivertype.JobState) *river.Event {
	t.Helper()
	deadline := time.After(waitFor)
	for {
		select {
		case ev := <-w.events:
			if ev.Job.Kind == kind && slices.Contains(states, ev.Job.State) {
				return ev
			}
		case <-deadline:
			t.Fatalf("no %s job reached %v within %s; the kind's jobs: %s", kind, states, waitFor, w.jobsOf(kind))
			return nil
		}
	}
}

// jobsOf describes the jobs of a kind (state, attempts, last error), for a failure message.
func (w *workers) jobsOf(kind string) string {
	var out string
	err := w.db.Pool.QueryRow(context.Background(), `SELECT coalesce(string_agg(id || ' ' || state || ' attempt ' || attempt ||
		coalesce(' ' || (errors[array_upper(errors, 1)] ->> 'error'), ''), '; ' ORDER BY id), 'none')
		FROM river_job WHERE kind = $1`, kind).Scan(&out)
	if err != nil {
		return "(unreadable: " + err.Error() + ")"
	}
	return out
}

// fakeInserter records the jobs a service queues without queueing them, for tests that
// call the workers directly.
type fakeInserter struct {
	mu   sync.Mutex
	args []river.JobArgs
}

func (f *fakeInserter) InsertTx(_ context.Context, _ pgx.Tx, args river.JobArgs, _ *river.InsertOpts) (*rivertype.JobInsertResult, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.args = append(f.args, args)
	return &rivertype.JobInsertResult{Job: &rivertype.JobRow{}}, nil
}

func (f *fakeInserter) last(t *testing.T) webhooks.DeliverArgs {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.args) == 0 {
		t.Fatal("nothing queued")
	}
	a, ok := f.args[len(f.args)-1].(webhooks.DeliverArgs)
	if !ok {
		t.Fatalf("queued %T, want DeliverArgs", f.args[len(f.args)-1])
	}
	return a
}

func adminOf(c *testsupport.Client) access.Actor {
	return access.Actor{UserID: c.UserID, OrgID: c.OrgID, Role: access.Admin}
}

// deliverJob is the job value River would hand the delivery worker on attempt n of max.
func deliverJob(args webhooks.DeliverArgs, attempt, maxAttempts int) *river.Job[webhooks.DeliverArgs] {
	return &river.Job[webhooks.DeliverArgs]{JobRow: &rivertype.JobRow{Kind: args.Kind(), Attempt: attempt, MaxAttempts: maxAttempts}, Args: args}
}

func mustEndpoint(t *testing.T, svc *webhooks.Service, admin access.Actor, url string, types ...string) *webhooks.CreatedWebhookEndpoint {
	t.Helper()
	e, err := svc.Create(context.Background(), admin, webhooks.Input{URL: url, EventTypes: types})
	if err != nil {
		t.Fatalf("create endpoint %s: %v", url, err)
	}
	return e
}

func deliveriesOf(t *testing.T, svc *webhooks.Service, admin access.Actor, endpointID uuid.UUID) []webhooks.WebhookDelivery {
	t.Helper()
	res, err := svc.Deliveries(context.Background(), admin, endpointID, "", pageAll)
	if err != nil {
		t.Fatalf("deliveries: %v", err)
	}
	return res.Items
}

func endpointOf(t *testing.T, svc *webhooks.Service, admin access.Actor, id uuid.UUID) webhooks.WebhookEndpoint {
	t.Helper()
	e, err := svc.Get(context.Background(), admin, id)
	if err != nil {
		t.Fatalf("get endpoint: %v", err)
	}
	return *e
}
