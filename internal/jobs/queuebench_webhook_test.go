package jobs_test

// Event → signed webhook delivered, end to end through the real application: an event
// published by the outbox publisher in a committed transaction, fanned out by the
// event.publish job into a webhook.deliver job, POSTed and signed by the delivery worker,
// and timed when a local receiver has verified the signature.

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/maintainuk/maintainuk/internal/access"
	"github.com/maintainuk/maintainuk/internal/events"
	"github.com/maintainuk/maintainuk/internal/jobs"
	"github.com/maintainuk/maintainuk/internal/outbox"
	"github.com/maintainuk/maintainuk/internal/testsupport"
	"github.com/maintainuk/maintainuk/internal/webhooks"
)

const (
	webhookEvents = 60
	// Events are spaced 100–700 ms apart at random: each is alone in the system (as most
	// events are), a job left waiting can wait for the next event or the fallback poll, as
	// in production, and no spacing can lock step with the poll interval.
	webhookGapMin, webhookGapMax = 100 * time.Millisecond, 700 * time.Millisecond
	webhookTarget                = "p50 < 50 ms"
	// webhookWoken is the longest a delivery job waits when a notification wakes its
	// queue at commit (a fetch, at most one FetchCooldown late); longer means it waited
	// for something else to fetch it.
	webhookWoken = 2 * jobs.FetchCooldown
)

// webhookBuckets are the histogram's upper bounds.
var webhookBuckets = []time.Duration{
	10 * time.Millisecond, 20 * time.Millisecond, 50 * time.Millisecond, 100 * time.Millisecond,
	200 * time.Millisecond, 500 * time.Millisecond, time.Second, 2 * time.Second,
}

// benchWebhook runs the end-to-end webhook measurement twice.
func benchWebhook(t *testing.T) {
	for run := 1; run <= 2; run++ {
		fmt.Print(runWebhook(t, run))
	}
}

// runWebhook measures one run on a fresh application and returns its report.
func runWebhook(t *testing.T, run int) string {
	ctx := context.Background()
	app := testsupport.NewApp(t, nil)
	admin := app.Register(testsupport.Marker("Webhook bench"))
	rec := newRecorder(webhookEvents)

	var secret atomic.Pointer[string]
	var rejected atomic.Int64
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err == nil {
			err = verifyWebhook(*secret.Load(), r.Header, body)
		}
		var msg struct {
			Data struct {
				Number string `json:"number"`
			} `json:"data"`
		}
		var seq int
		if err == nil {
			err = json.Unmarshal(body, &msg)
		}
		if err == nil {
			_, err = fmt.Sscanf(msg.Data.Number, "MT-%06d", &seq)
		}
		if err != nil || seq < 0 || seq >= webhookEvents {
			rejected.Add(1)
			http.Error(w, "rejected", http.StatusBadRequest)
			return
		}
		rec.started(seq)
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(receiver.Close)

	actor := access.Actor{UserID: admin.UserID, OrgID: admin.OrgID, Role: access.Admin}
	ep, err := app.Webhooks.Create(ctx, actor, webhooks.Input{URL: receiver.URL + "/hook", EventTypes: []string{"ticket.created"}})
	if err != nil {
		t.Fatalf("endpoint: %v", err)
	}
	secret.Store(&ep.Secret)

	// The app's workers, as `serve` starts them (testsupport.NewApp does not).
	if err := app.Jobs.Start(ctx); err != nil {
		t.Fatalf("start jobs: %v", err)
	}
	t.Cleanup(func() {
		stopCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		_ = app.Jobs.Stop(stopCtx)
	})
	time.Sleep(500 * time.Millisecond) // let the workers settle (listeners, leader election)

	pub := outbox.NewPublisher(app.Jobs, time.Now)
	for seq := range webhookEvents {
		time.Sleep(webhookGapMin + rand.N(webhookGapMax-webhookGapMin))
		ev := events.TicketCreated{TicketID: uuid.New(), Number: fmt.Sprintf("MT-%06d", seq), Title: "Boiler out", Priority: "EMERGENCY"}
		if err := app.DB.InOrg(ctx, admin.OrgID, admin.UserID, func(tx pgx.Tx) error {
			return pub.PublishWebhooks(ctx, tx, admin.OrgID, ev)
		}); err != nil {
			t.Fatalf("publish %d: %v", seq, err)
		}
		rec.committed(seq)
	}
	if !rec.wait(time.Minute) {
		t.Fatalf("run %d: only %d of %d webhooks verified within a minute (%d rejected)", run, rec.count(), webhookEvents, rejected.Load())
	}
	if n := rejected.Load(); n > 0 {
		t.Errorf("run %d: the receiver rejected %d requests", run, n)
	}
	stages := jobWaits(ctx, t, app)
	chain := deliveryChain(ctx, t, app, admin.OrgID)
	return webhookReport(run, rec.latencies(), stages, chain)
}

// verifyWebhook checks a Standard Webhooks signature as a receiver would, independently
// of the package that signs.
func verifyWebhook(secret string, h http.Header, body []byte) error {
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	if err != nil {
		return err
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(h.Get("webhook-id") + "." + h.Get("webhook-timestamp") + "." + string(body)))
	want := "v1," + base64.StdEncoding.EncodeToString(mac.Sum(nil))
	for sig := range strings.FieldsSeq(h.Get("webhook-signature")) {
		if hmac.Equal([]byte(sig), []byte(want)) {
			return nil
		}
	}
	return errors.New("no valid signature")
}

// jobWaits is, per job kind, each job's wait from its insert (created_at: the inserting
// transaction's start) to a worker fetching it (attempted_at), sorted.
func jobWaits(ctx context.Context, t *testing.T, app *testsupport.App) map[string][]time.Duration {
	t.Helper()
	rows, err := app.DB.Pool.Query(ctx, `SELECT kind, attempted_at - created_at FROM river_job
		WHERE kind IN ('event.publish', 'webhook.deliver') AND attempted_at IS NOT NULL`)
	if err != nil {
		t.Fatalf("job waits: %v", err)
	}
	out := map[string][]time.Duration{}
	for rows.Next() {
		var kind string
		var wait time.Duration
		if err := rows.Scan(&kind, &wait); err != nil {
			t.Fatalf("job waits: %v", err)
		}
		out[kind] = append(out[kind], wait)
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("job waits: %v", err)
	}
	for _, waits := range out {
		slices.Sort(waits)
	}
	return out
}

// chainLink is one delivery: how long after its event's job it was inserted (the two
// inserting transactions' starts) and how long it then waited for a worker.
type chainLink struct{ gap, wait time.Duration }

// deliveryChain pairs each delivery job with the event.publish job it came from.
func deliveryChain(ctx context.Context, t *testing.T, app *testsupport.App, orgID uuid.UUID) []chainLink {
	t.Helper()
	var out []chainLink
	err := app.DB.InOrg(ctx, orgID, uuid.Nil, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT d.created_at - p.created_at, d.attempted_at - d.created_at
			FROM river_job d
			JOIN webhook_deliveries w ON w.id = (d.args->>'deliveryId')::uuid
			JOIN river_job p ON p.kind = 'event.publish' AND w.message_id = 'msg_' || (p.args->'event'->>'id')
			WHERE d.kind = 'webhook.deliver' AND d.attempted_at IS NOT NULL`)
		if err != nil {
			return err
		}
		for rows.Next() {
			var l chainLink
			if err := rows.Scan(&l.gap, &l.wait); err != nil {
				return err
			}
			out = append(out, l)
		}
		return rows.Err()
	})
	if err != nil {
		t.Fatalf("delivery chain: %v", err)
	}
	return out
}

func webhookReport(run int, lat []time.Duration, stages map[string][]time.Duration, chain []chainLink) string {
	var b strings.Builder
	fmt.Fprintf(&b, "\n### Event → signed webhook verified by a local receiver, run %d (%d events %s–%s apart; target %s; queue %s: MaxWorkers %d, FetchCooldown %s, FetchPollInterval %s)\n\n",
		run, len(lat), webhookGapMin, webhookGapMax, webhookTarget, jobs.QueueWebhooks, jobs.MaxWorkers(jobs.QueueWebhooks), jobs.FetchCooldown, jobs.FetchPollInterval)
	b.WriteString("| span | p50 | p95 | p99 | max |\n|---|---|---|---|---|\n")
	row := func(name string, d []time.Duration) {
		if len(d) == 0 {
			fmt.Fprintf(&b, "| %s | – | – | – | – |\n", name)
			return
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s |\n", name, ms(percentile(d, 50)), ms(percentile(d, 95)), ms(percentile(d, 99)), ms(d[len(d)-1]))
	}
	row("commit → receiver verified", lat)
	row("event.publish: insert → fetched", stages["event.publish"])
	row("webhook.deliver: insert → fetched", stages["webhook.deliver"])

	// The cause, by group: River sends at most one insert NOTIFY per queue per
	// FetchCooldown per client, and the event's job and its delivery job are inserted by
	// the same client on the same queue.
	fmt.Fprintf(&b, "\n| delivery jobs | count | event job insert → delivery insert: p50 (min–max) | delivery insert → fetched: p50 (max) |\n|---|---|---|---|\n")
	for _, g := range []struct {
		name  string
		woken bool
	}{{fmt.Sprintf("fetched within %s (woken by a notification)", webhookWoken), true}, {fmt.Sprintf("fetched later than %s", webhookWoken), false}} {
		var gaps, waits []time.Duration
		for _, l := range chain {
			if (l.wait <= webhookWoken) == g.woken {
				gaps, waits = append(gaps, l.gap), append(waits, l.wait)
			}
		}
		if len(gaps) == 0 {
			fmt.Fprintf(&b, "| %s | 0 | – | – |\n", g.name)
			continue
		}
		slices.Sort(gaps)
		slices.Sort(waits)
		fmt.Fprintf(&b, "| %s | %d | %s (%s–%s) | %s (%s) |\n", g.name, len(gaps), ms(percentile(gaps, 50)), ms(gaps[0]), ms(gaps[len(gaps)-1]),
			ms(percentile(waits, 50)), ms(waits[len(waits)-1]))
	}

	b.WriteString("\n| commit → verified | events |\n|---|---|\n")
	lower := time.Duration(0)
	for _, upper := range slices.Concat(webhookBuckets, []time.Duration{1 << 62}) {
		n := 0
		for _, d := range lat {
			if d >= lower && d < upper {
				n++
			}
		}
		label := fmt.Sprintf("%s–%s", lower, upper)
		if upper == 1<<62 {
			label = fmt.Sprintf("≥ %s", lower)
		}
		fmt.Fprintf(&b, "| %s | %d |\n", label, n)
		lower = upper
	}
	return b.String()
}
