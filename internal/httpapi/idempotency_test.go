package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/maintainuk/maintainuk/internal/access"
	"github.com/maintainuk/maintainuk/internal/apperr"
	"github.com/maintainuk/maintainuk/internal/testsupport"
	"github.com/maintainuk/maintainuk/internal/tickets"
	"github.com/maintainuk/maintainuk/internal/webhooks"
)

const replayedHeader = "Idempotent-Replayed"

// countProperties counts c's organisation's properties called name.
func countProperties(t *testing.T, c *testsupport.Client, name string) int {
	t.Helper()
	r := c.Get("/api/v1/properties?limit=200")
	var props []struct {
		Name string `json:"name"`
	}
	if err := json.Unmarshal(expectSuccess(t, r, http.StatusOK), &props); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, p := range props {
		if p.Name == name {
			n++
		}
	}
	return n
}

func expectReplay(t *testing.T, first, again *testsupport.Response) {
	t.Helper()
	if first.Header.Get(replayedHeader) != "" {
		t.Fatalf("first answer has %s: %q", replayedHeader, first.Header.Get(replayedHeader))
	}
	if again.Header.Get(replayedHeader) != "true" {
		t.Fatalf("repeated request: %s = %q, want true; body %s", replayedHeader, again.Header.Get(replayedHeader), again.Body)
	}
	if again.Status != first.Status || !bytes.Equal(again.Body, first.Body) {
		t.Fatalf("replay differs:\nfirst %d %s\nagain %d %s", first.Status, first.Body, again.Status, again.Body)
	}
	if again.Header.Get("Content-Type") != first.Header.Get("Content-Type") {
		t.Fatalf("replay Content-Type %q, first %q", again.Header.Get("Content-Type"), first.Header.Get("Content-Type"))
	}
	checkSecurityHeaders(t, again, true)
}

func expectFresh(t *testing.T, r *testsupport.Response) {
	t.Helper()
	if r.Header.Get(replayedHeader) != "" {
		t.Fatalf("answer was replayed, want a fresh one: %s", r.Body)
	}
}

func TestIdempotency(t *testing.T) {
	t.Parallel()
	app := testsupport.NewApp(t, nil)
	admin := app.Register("Idempotent Lettings")
	coordinator := app.AddMember(admin, access.Coordinator)
	other := app.Register("Other Lettings")
	key := func() string { return "key-" + uuid.NewString() }

	tests := []struct {
		name string
		run  func(t *testing.T, name string)
	}{
		{"same key and body replays the first answer", func(t *testing.T, name string) {
			k := key()
			first := admin.Post("/api/v1/properties", testsupport.PropertyBody(name), "Idempotency-Key", k)
			expectSuccess(t, first, http.StatusCreated)
			expectFresh(t, first)
			again := admin.Post("/api/v1/properties", testsupport.PropertyBody(name), "Idempotency-Key", k)
			expectReplay(t, first, again)
			third := admin.Post("/api/v1/properties", testsupport.PropertyBody(name), "Idempotency-Key", k)
			expectReplay(t, first, third)
			if n := countProperties(t, admin, name); n != 1 {
				t.Fatalf("%d properties, want 1", n)
			}
		}},
		{"same key, different body is refused", func(t *testing.T, name string) {
			k := key()
			expectSuccess(t, admin.Post("/api/v1/properties", testsupport.PropertyBody(name), "Idempotency-Key", k), http.StatusCreated)
			changed := testsupport.PropertyBody(name)
			changed["town"] = "Leeds"
			r := admin.Post("/api/v1/properties", changed, "Idempotency-Key", k)
			testsupport.ExpectFailure(t, r, http.StatusUnprocessableEntity, apperr.Invalid, "Idempotency-Key")
			expectFresh(t, r)
			if n := countProperties(t, admin, name); n != 1 {
				t.Fatalf("%d properties, want 1", n)
			}
		}},
		{"same key on another endpoint is refused", func(t *testing.T, name string) {
			k := key()
			expectSuccess(t, admin.Post("/api/v1/properties", testsupport.PropertyBody(name), "Idempotency-Key", k), http.StatusCreated)
			r := admin.Post("/api/v1/contractors", map[string]any{"companyName": name, "email": "c@example.com"}, "Idempotency-Key", k)
			testsupport.ExpectFailure(t, r, http.StatusUnprocessableEntity, apperr.Invalid, "Idempotency-Key")
		}},
		{"same key, different users of one org are independent", func(t *testing.T, name string) {
			k := key()
			a := admin.Post("/api/v1/properties", testsupport.PropertyBody(name), "Idempotency-Key", k)
			b := coordinator.Post("/api/v1/properties", testsupport.PropertyBody(name), "Idempotency-Key", k)
			expectSuccess(t, a, http.StatusCreated)
			expectSuccess(t, b, http.StatusCreated)
			expectFresh(t, b)
			if a.ID() == b.ID() {
				t.Fatal("two users with one key got the same property")
			}
			if n := countProperties(t, admin, name); n != 2 {
				t.Fatalf("%d properties, want 2", n)
			}
		}},
		{"same key, different orgs are independent", func(t *testing.T, name string) {
			k := key()
			a := admin.Post("/api/v1/properties", testsupport.PropertyBody(name), "Idempotency-Key", k)
			b := other.Post("/api/v1/properties", testsupport.PropertyBody(name), "Idempotency-Key", k)
			expectSuccess(t, a, http.StatusCreated)
			expectSuccess(t, b, http.StatusCreated)
			expectFresh(t, b)
			if countProperties(t, admin, name) != 1 || countProperties(t, other, name) != 1 {
				t.Fatal("want one property in each organisation")
			}
		}},
		{"a validation failure is replayed", func(t *testing.T, name string) {
			k := key()
			bad := map[string]any{"name": name, "addressLine1": "1 Mill Lane", "postcode": "YO1 7HH"} // no town
			first := admin.Post("/api/v1/properties", bad, "Idempotency-Key", k)
			testsupport.ExpectFailure(t, first, http.StatusUnprocessableEntity, apperr.Invalid, "town")
			again := admin.Post("/api/v1/properties", bad, "Idempotency-Key", k)
			expectReplay(t, first, again)
			// The key is spent on the failed request: a corrected body needs a new key.
			fixed := admin.Post("/api/v1/properties", testsupport.PropertyBody(name), "Idempotency-Key", k)
			testsupport.ExpectFailure(t, fixed, http.StatusUnprocessableEntity, apperr.Invalid, "Idempotency-Key")
			if n := countProperties(t, admin, name); n != 0 {
				t.Fatalf("%d properties, want 0", n)
			}
		}},
		{"a domain 404 is replayed", func(t *testing.T, name string) {
			k := key()
			path := "/api/v1/properties/" + uuid.NewString() + "/units"
			body := map[string]any{"label": name, "reference": "R-1"}
			first := admin.Post(path, body, "Idempotency-Key", k)
			testsupport.ExpectFailure(t, first, http.StatusNotFound, apperr.NotFound)
			expectReplay(t, first, admin.Post(path, body, "Idempotency-Key", k))
		}},
		{"without a key every request runs", func(t *testing.T, name string) {
			a := admin.Post("/api/v1/properties", testsupport.PropertyBody(name))
			b := admin.Post("/api/v1/properties", testsupport.PropertyBody(name))
			expectSuccess(t, a, http.StatusCreated)
			expectSuccess(t, b, http.StatusCreated)
			expectFresh(t, b)
			if n := countProperties(t, admin, name); n != 2 {
				t.Fatalf("%d properties, want 2", n)
			}
		}},
		{"a key of 255 characters is accepted", func(t *testing.T, name string) {
			k := strings.Repeat("k", 255-36) + uuid.NewString()
			first := admin.Post("/api/v1/properties", testsupport.PropertyBody(name), "Idempotency-Key", k)
			expectSuccess(t, first, http.StatusCreated)
			expectReplay(t, first, admin.Post("/api/v1/properties", testsupport.PropertyBody(name), "Idempotency-Key", k))
		}},
		{"a key over 255 characters is refused", func(t *testing.T, name string) {
			k := strings.Repeat("k", 256-36) + uuid.NewString()
			r := admin.Post("/api/v1/properties", testsupport.PropertyBody(name), "Idempotency-Key", k)
			testsupport.ExpectFailure(t, r, http.StatusUnprocessableEntity, apperr.Invalid, "Idempotency-Key")
			if n := countProperties(t, admin, name); n != 0 {
				t.Fatalf("%d properties, want 0", n)
			}
		}},
		{"an unauthenticated request is not recorded", func(t *testing.T, name string) {
			k := key()
			anon := app.Anonymous().Post("/api/v1/properties", testsupport.PropertyBody(name), "Idempotency-Key", k)
			testsupport.ExpectFailure(t, anon, http.StatusUnauthorized, apperr.Unauthenticated)
			r := admin.Post("/api/v1/properties", testsupport.PropertyBody(name), "Idempotency-Key", k)
			expectSuccess(t, r, http.StatusCreated)
			expectFresh(t, r)
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.run(t, "P "+uuid.NewString()[:8])
		})
	}
}

// TestIdempotencyConcurrent fires identical requests with one key at once: exactly one
// runs; each other answer is the replayed 201 or a 409 while the first is in flight.
func TestIdempotencyConcurrent(t *testing.T) {
	t.Parallel()
	app := testsupport.NewApp(t, nil)
	admin := app.Register("Racing Lettings")
	const n = 8
	for round := range 3 {
		name := "Race " + uuid.NewString()[:8]
		body, _ := json.Marshal(testsupport.PropertyBody(name))
		k := "race-" + uuid.NewString()

		type answer struct {
			status int
			header http.Header
			body   []byte
			err    error
		}
		answers := make([]answer, n)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				req, err := http.NewRequest(http.MethodPost, app.Server.URL+"/api/v1/properties", bytes.NewReader(body))
				if err != nil {
					answers[i].err = err
					return
				}
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Authorization", "Bearer "+admin.Token)
				req.Header.Set("Idempotency-Key", k)
				<-start
				resp, err := app.Server.Client().Do(req)
				if err != nil {
					answers[i].err = err
					return
				}
				defer resp.Body.Close()
				b, err := io.ReadAll(resp.Body)
				answers[i] = answer{status: resp.StatusCode, header: resp.Header, body: b, err: err}
			})
		}
		close(start)
		wg.Wait()

		var fresh, replayed, conflicts int
		var created []byte
		for i, a := range answers {
			if a.err != nil {
				t.Fatalf("round %d request %d: %v", round, i, a.err)
			}
			r := &testsupport.Response{Status: a.status, Header: a.header, Body: a.body}
			switch a.status {
			case http.StatusCreated:
				// A replay's body is the first answer's, byte for byte, traceId included
				// (its X-Trace-Id header names the replaying request), so only the fresh
				// answer's trace id matches its header.
				if a.header.Get(replayedHeader) == "true" {
					replayed++
				} else {
					expectSuccess(t, r, http.StatusCreated)
					fresh++
				}
				if created != nil && !bytes.Equal(created, a.body) {
					t.Fatalf("round %d: two different 201 bodies:\n%s\n%s", round, created, a.body)
				}
				created = a.body
			case http.StatusConflict:
				f := testsupport.ExpectFailure(t, r, http.StatusConflict, apperr.Conflict)
				if !strings.Contains(f.Message, "still being processed") {
					t.Fatalf("round %d: 409 message %q", round, f.Message)
				}
				conflicts++
			default:
				t.Fatalf("round %d request %d: status %d, want 201 or 409; body %s", round, i, a.status, a.body)
			}
		}
		if fresh != 1 || fresh+replayed+conflicts != n {
			t.Fatalf("round %d: %d fresh, %d replayed, %d conflicts; want exactly 1 fresh of %d", round, fresh, replayed, conflicts, n)
		}
		if got := countProperties(t, admin, name); got != 1 {
			t.Fatalf("round %d: %d properties created, want 1", round, got)
		}
		t.Logf("round %d: 1 created, %d replayed, %d conflicts", round, replayed, conflicts)
	}
}

// TestIdempotencyRetryAfterConflict: an Idempotency-Key request that answered 409 runs
// afresh when retried with the same key and body once the conflict is resolved, and only
// that successful answer is replayed afterwards.
func TestIdempotencyRetryAfterConflict(t *testing.T) {
	t.Parallel()
	app := testsupport.NewApp(t, nil)
	o := tkNewOrg(t, app, "Idempotent Retry")
	tk := testsupport.CreateTicket(t, o.Admin, map[string]any{"unitId": o.UnitID, "title": "Boiler out"})
	key := "resolve-" + uuid.NewString()
	resolve := func() *testsupport.Response {
		return o.Admin.With(t).Post(testsupport.Path("/api/v1/tickets/%s/transition", tk.ID), map[string]any{"to": "RESOLVED"}, "Idempotency-Key", key)
	}
	first := resolve()
	testsupport.ExpectFailure(t, first, http.StatusConflict, apperr.Conflict)
	expectFresh(t, first)
	// The cause is fixed: the ticket is now in progress, so resolving is allowed.
	tkMove(t, o.Admin, tk.ID, tickets.Triaged, tickets.InProgress)
	retried := resolve()
	if retried.Status != http.StatusOK {
		t.Fatalf("retry after the conflict: %d %s, want 200 (run afresh)", retried.Status, retried.Body)
	}
	expectFresh(t, retried)
	if got := testsupport.GetTicket(t, o.Admin, tk.ID); got.Status != tickets.Resolved {
		t.Fatalf("ticket is %s after the retry, want RESOLVED", got.Status)
	}
	expectReplay(t, retried, resolve())
}

// idFlakyInserter fails every job insert while broken, as a queue outage would.
type idFlakyInserter struct {
	next   webhooks.Inserter
	mu     sync.Mutex
	broken bool
}

func (f *idFlakyInserter) set(broken bool) { f.mu.Lock(); f.broken = broken; f.mu.Unlock() }

func (f *idFlakyInserter) InsertTx(ctx context.Context, tx pgx.Tx, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error) {
	f.mu.Lock()
	broken := f.broken
	f.mu.Unlock()
	if broken {
		return nil, errors.New("queue unavailable")
	}
	return f.next.InsertTx(ctx, tx, args, opts)
}

// TestIdempotencyRetryAfterRateLimitAndServerError: a keyed request that answered 429, or
// 500, runs afresh when retried with the same key once the limit has passed or the fault
// is mended; the successful answer is then the one replayed.
func TestIdempotencyRetryAfterRateLimitAndServerError(t *testing.T) {
	t.Parallel()
	clock := testsupport.NewClock(time.Now())
	flaky := &idFlakyInserter{}
	app, _ := whNewApp(t, webhooks.Config{Now: clock.Now, Inserter: flaky, Resolver: whProduction.Resolver, TestsPerMinute: 1})
	flaky.next = app.Jobs
	admin := app.Register("Retry Lettings")
	ep := admin.With(t).Post("/api/v1/webhooks", map[string]any{"url": "https://hooks.example.com/in", "eventTypes": []string{"*"}}).Expect(http.StatusCreated).ID()
	send := func(key string) *testsupport.Response {
		return admin.With(t).Post("/api/v1/webhooks/"+ep.String()+"/test", nil, "Idempotency-Key", key)
	}

	t.Run("429", func(t *testing.T) {
		send("first-" + uuid.NewString()).Expect(http.StatusCreated) // uses up the minute
		key := "limited-" + uuid.NewString()
		r := send(key)
		testsupport.ExpectFailure(t, r, http.StatusTooManyRequests, apperr.RateLimited)
		clock.Set(clock.Now().Add(61 * time.Second))
		retried := send(key)
		if retried.Status != http.StatusCreated {
			t.Fatalf("retry after the limit passed: %d %s, want 201 (run afresh)", retried.Status, retried.Body)
		}
		expectFresh(t, retried)
		expectReplay(t, retried, send(key))
	})

	t.Run("500", func(t *testing.T) {
		clock.Set(clock.Now().Add(61 * time.Second))
		flaky.set(true)
		key := "broken-" + uuid.NewString()
		testsupport.ExpectFailure(t, send(key), http.StatusInternalServerError, apperr.Internal)
		flaky.set(false)
		clock.Set(clock.Now().Add(61 * time.Second)) // the failed send counted towards the limit
		retried := send(key)
		if retried.Status != http.StatusCreated {
			t.Fatalf("retry after the fault was mended: %d %s, want 201 (run afresh)", retried.Status, retried.Body)
		}
		expectFresh(t, retried)
		expectReplay(t, retried, send(key))
	})
}

// An invitation's answer carries no secret any more, so a retried invitation with the same
// key is replayed and does not invite twice (nor email twice).
func TestIdempotencyInvitationReplayed(t *testing.T) {
	t.Parallel()
	app := testsupport.NewApp(t, nil)
	admin := app.Register("Replay Lettings")
	body := map[string]any{"email": "new.colleague@example.com", "role": "COORDINATOR"}
	first := admin.Post("/api/v1/members", body, "Idempotency-Key", "invite-1").Expect(http.StatusCreated)
	again := admin.Post("/api/v1/members", body, "Idempotency-Key", "invite-1").Expect(http.StatusCreated)
	if again.Header.Get(replayedHeader) != "true" || first.ID() != again.ID() {
		t.Fatalf("second invitation: replayed %q, id %s vs %s", again.Header.Get(replayedHeader), again.ID(), first.ID())
	}
}
