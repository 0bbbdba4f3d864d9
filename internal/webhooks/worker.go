package webhooks

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/maintainuk/maintainuk/internal/access"
	"github.com/maintainuk/maintainuk/internal/database"
	"github.com/maintainuk/maintainuk/internal/jobs"
	"github.com/maintainuk/maintainuk/internal/outbox"
	"github.com/maintainuk/maintainuk/internal/timeline"
	"github.com/maintainuk/maintainuk/internal/webhooks/webhooksdb"
)

// DeliverArgs asks the delivery worker to send one webhook_deliveries row.
type DeliverArgs struct {
	OrgID      uuid.UUID `json:"orgId"`
	DeliveryID uuid.UUID `json:"deliveryId"`
}

// Kind is the job kind.
func (DeliverArgs) Kind() string { return "webhook.deliver" }

// InsertOpts puts deliveries on the webhooks queue.
func (DeliverArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{Queue: jobs.QueueWebhooks} }

// Register adds the fan-out worker (outbox.WebhooksArgs, "event.publish") and the delivery
// worker (DeliverArgs, "webhook.deliver") to w.
func (s *Service) Register(w *river.Workers) {
	river.AddWorker(w, s.FanOutWorker())
	river.AddWorker(w, s.DeliveryWorker())
}

// FanOutWorker returns the worker of outbox.WebhooksArgs.
func (s *Service) FanOutWorker() *FanOutWorker { return &FanOutWorker{s: s} }

// DeliveryWorker returns the worker of DeliverArgs.
func (s *Service) DeliveryWorker() *DeliveryWorker { return &DeliveryWorker{s: s} }

// inserterFor returns the River client working the current job, or the configured one.
func (s *Service) inserterFor(ctx context.Context) (Inserter, error) {
	if c, err := river.ClientFromContextSafely[pgx.Tx](ctx); err == nil {
		return c, nil
	}
	if s.inserter != nil {
		return s.inserter, nil
	}
	return nil, errors.New("webhooks: no job inserter: run inside a River worker or set Config.Inserter")
}

// systemScope is a job's view: one organisation, no acting user.
func systemScope(orgID uuid.UUID) database.Scope { return database.Scope{OrgID: orgID} }

// FanOutWorker turns one event into a delivery per subscribed endpoint.
type FanOutWorker struct {
	river.WorkerDefaults[outbox.WebhooksArgs]
	s *Service
}

// Work writes, in one transaction in the event's organisation, a delivery row and a
// delivery job for each enabled endpoint subscribed to the event. A retried fan-out finds
// the rows (unique per endpoint and message id) and queues nothing twice.
func (w *FanOutWorker) Work(ctx context.Context, job *river.Job[outbox.WebhooksArgs]) error {
	ref := job.Args.Event
	if ref.OrgID == uuid.Nil || ref.ID == uuid.Nil || ref.Name == "" {
		return river.JobCancel(fmt.Errorf("webhooks: event %q without organisation or id", ref.Name))
	}
	env, err := outbox.Load(ctx, w.s.db, ref)
	if errors.Is(err, outbox.ErrGone) {
		return river.JobCancel(err)
	}
	if err != nil {
		return err
	}
	ins, err := w.s.inserterFor(ctx)
	if err != nil {
		return err
	}
	data := env.Payload
	if len(data) == 0 {
		data = json.RawMessage("{}")
	}
	msgID := "msg_" + env.ID.String()
	return w.s.db.InTx(ctx, systemScope(env.OrgID), func(tx pgx.Tx) error {
		endpoints, err := w.s.q.SubscribedEndpoints(ctx, tx, webhooksdb.SubscribedEndpointsParams{OrgID: env.OrgID, EventType: env.Name})
		if err != nil {
			return fmt.Errorf("webhooks: subscribed endpoints: %w", err)
		}
		for _, ep := range endpoints {
			// Personal data only to endpoints that opted in (minimise.go).
			epData, err := payloadFor(data, ep.IncludePersonalData)
			if err != nil {
				return river.JobCancel(fmt.Errorf("webhooks: event %s payload: %w", env.ID, err))
			}
			msg := Message{Type: env.Name, Timestamp: env.OccurredAt.UTC(), Data: epData}
			if _, _, err := w.s.queue(ctx, tx, ins, env.OrgID, ep.ID, msgID, msg); err != nil {
				return err
			}
		}
		return nil
	})
}

// DeliveryWorker sends one delivery and records the attempt.
type DeliveryWorker struct {
	river.WorkerDefaults[DeliverArgs]
	s *Service
}

// maxStoredBody is how much of a response body the log keeps.
const maxStoredBody = 2048

// attempt is the outcome of one POST.
type attempt struct {
	status int // 0 when no response
	body   string
	err    error // nil on a 2xx
}

// Work POSTs the message. A 2xx marks it DELIVERED; anything else records the attempt and
// returns an error, so River retries with backoff, until the last attempt marks it FAILED.
func (w *DeliveryWorker) Work(ctx context.Context, job *river.Job[DeliverArgs]) error {
	s := w.s
	args := job.Args
	var target webhooksdb.GetDeliveryTargetRow
	err := s.db.InTx(ctx, systemScope(args.OrgID), func(tx pgx.Tx) error {
		var err error
		target, err = s.q.GetDeliveryTarget(ctx, tx, webhooksdb.GetDeliveryTargetParams{OrgID: args.OrgID, ID: args.DeliveryID})
		return err
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return nil // the endpoint (and with it the delivery) was deleted
	}
	if err != nil {
		return fmt.Errorf("webhooks: load delivery: %w", err)
	}
	if target.Status != StatusPending {
		return nil // already settled (a job worked twice after a crash)
	}
	if !target.Enabled {
		return s.db.InTx(ctx, systemScope(args.OrgID), func(tx pgx.Tx) error {
			_, err := s.q.AbandonDelivery(ctx, tx, webhooksdb.AbandonDeliveryParams{OrgID: args.OrgID, ID: args.DeliveryID, Error: "endpoint is disabled"})
			return err
		})
	}

	res := s.post(ctx, target)
	if res.err != nil && ctx.Err() != nil {
		if errors.Is(ctx.Err(), context.Canceled) {
			// Shutting down: not the receiver's fault; River hands the job back.
			return ctx.Err()
		}
		// Out of time (the job's timeout): record the attempt all the same.
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
	}
	last := job.Attempt >= job.MaxAttempts
	return s.record(ctx, args, target.EndpointID, res, last)
}

// post sends the delivery's message once.
func (s *Service) post(ctx context.Context, t webhooksdb.GetDeliveryTargetRow) attempt {
	var msg Message
	if err := json.Unmarshal(t.Payload, &msg); err != nil {
		return attempt{err: fmt.Errorf("%w: stored message: %w", errPrepare, err)}
	}
	// Re-encoding gives the same compact bytes on every attempt (jsonb does not keep them).
	body, err := json.Marshal(msg)
	if err != nil {
		return attempt{err: fmt.Errorf("%w: encode message: %w", errPrepare, err)}
	}
	ts := s.cfg.Now().Unix()
	signature, err := sign(t.Secret, t.MessageID, ts, body)
	if err != nil {
		return attempt{err: fmt.Errorf("%w: %w", errPrepare, err)}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, t.Url, bytes.NewReader(body))
	if err != nil {
		return attempt{err: fmt.Errorf("%w: request: %w", errPrepare, err)}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", UserAgent)
	req.Header.Set(HeaderID, t.MessageID)
	req.Header.Set(HeaderTimestamp, strconv.FormatInt(ts, 10))
	req.Header.Set(HeaderSignature, signature)
	resp, err := s.client.Do(req)
	if err != nil {
		return attempt{err: err}
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, maxStoredBody))
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10)) // lets the connection be reused
	res := attempt{status: resp.StatusCode, body: storable(raw)}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		res.err = fmt.Errorf("endpoint answered %s", resp.Status)
	}
	return res
}

// storable makes a truncated response body safe for a text column: valid UTF-8 (a rune cut
// by the truncation, or binary, becomes U+FFFD) and no NULs.
func storable(b []byte) string {
	return strings.ReplaceAll(strings.ToValidUTF8(string(b), "\uFFFD"), "\x00", "")
}

// record writes an attempt's outcome and the endpoint's health in one transaction and
// returns what the job should: nil when settled, an error for River to retry, or a
// cancelling error when the endpoint was disabled and retrying is pointless.
func (s *Service) record(ctx context.Context, args DeliverArgs, endpointID uuid.UUID, res attempt, last bool) error {
	now := s.cfg.Now().UTC()
	var status *int32
	if res.status != 0 {
		st := int32(res.status)
		status = &st
	}
	var result error
	err := s.db.InTx(ctx, systemScope(args.OrgID), func(tx pgx.Tx) error {
		// The endpoint is locked first, in the order a DELETE of it takes its locks, so
		// the two never deadlock; concurrent deliveries to one endpoint queue here briefly.
		ep, err := s.q.GetEndpointForUpdate(ctx, tx, webhooksdb.GetEndpointForUpdateParams{OrgID: args.OrgID, ID: endpointID})
		if errors.Is(err, pgx.ErrNoRows) {
			return nil // deleted meanwhile
		}
		if err != nil {
			return err
		}
		if res.err == nil {
			_, err := s.q.RecordAttempt(ctx, tx, webhooksdb.RecordAttemptParams{
				OrgID: args.OrgID, ID: args.DeliveryID, Status: StatusDelivered, ResponseStatus: status,
				ResponseBody: res.body, DeliveredAt: &now,
			})
			if errors.Is(err, pgx.ErrNoRows) {
				return nil // settled meanwhile
			}
			if err != nil {
				return err
			}
			return s.q.ResetEndpointFailures(ctx, tx, webhooksdb.ResetEndpointFailuresParams{OrgID: args.OrgID, ID: endpointID})
		}

		failures := ep.ConsecutiveFailures + 1
		since := now
		if ep.FailingSince != nil {
			since = *ep.FailingSince
		}
		disable := ep.Enabled && int(failures) >= s.cfg.DisableAfterFailures && now.Sub(since) >= s.cfg.DisableAfterDuration
		final := last || disable || !ep.Enabled
		deliveryStatus := StatusPending
		if final {
			deliveryStatus = StatusFailed
		}
		// The log shows the kind of failure only; River keeps the detail for operators.
		message := failureText(res.status, res.err)
		if _, err := s.q.RecordAttempt(ctx, tx, webhooksdb.RecordAttemptParams{
			OrgID: args.OrgID, ID: args.DeliveryID, Status: deliveryStatus, ResponseStatus: status,
			ResponseBody: res.body, Error: message,
		}); errors.Is(err, pgx.ErrNoRows) {
			return nil
		} else if err != nil {
			return err
		}
		reason := ep.DisabledReason
		if disable {
			reason = fmt.Sprintf("disabled automatically: %d consecutive failed delivery attempts since %s", failures, since.Format(time.RFC3339))
		}
		if err := s.q.SetEndpointHealth(ctx, tx, webhooksdb.SetEndpointHealthParams{
			OrgID: args.OrgID, ID: endpointID, ConsecutiveFailures: failures, FailingSince: &since,
			Enabled: ep.Enabled && !disable, DisabledReason: reason,
		}); err != nil {
			return err
		}
		result = fmt.Errorf("webhooks: delivery %s failed: %s: %w", args.DeliveryID, message, res.err)
		if disable {
			before := endpointFromRow(ep)
			after := before
			after.Enabled, after.DisabledReason, after.ConsecutiveFailures, after.FailingSince = false, reason, int(failures), &since
			if err := timeline.Record(ctx, tx, access.Actor{OrgID: args.OrgID}, timeline.Change{
				EntityType: EntityEndpoint, EntityID: endpointID, Action: "disabled", Before: before, After: after,
			}); err != nil {
				return err
			}
		}
		if final && !last {
			result = river.JobCancel(result) // settled as FAILED: no more attempts
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("webhooks: record attempt: %w", err)
	}
	return result
}
