// Package webhooks sends an organisation's events to the HTTPS endpoints it registers,
// signed per the Standard Webhooks specification, with retries, a delivery log and an SSRF
// guard.
//
// The flow: a business transaction publishes an event with outbox.PublishWebhooks (a River
// job of kind "event.publish"). The fan-out worker finds the organisation's enabled
// endpoints subscribed to the event and, in one transaction, writes one webhook_deliveries
// row and one "webhook.deliver" job for each. The delivery worker POSTs the message,
// records each attempt on the row, and lets River retry failures with backoff; the last
// failed attempt marks the delivery FAILED. An endpoint that keeps failing for long enough
// is disabled until an ADMIN re-enables it.
package webhooks

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/maintainuk/maintainuk/internal/access"
	"github.com/maintainuk/maintainuk/internal/apperr"
	"github.com/maintainuk/maintainuk/internal/database"
	"github.com/maintainuk/maintainuk/internal/events"
	"github.com/maintainuk/maintainuk/internal/jobs"
	"github.com/maintainuk/maintainuk/internal/page"
	"github.com/maintainuk/maintainuk/internal/ratelimit"
	"github.com/maintainuk/maintainuk/internal/timeline"
	"github.com/maintainuk/maintainuk/internal/validate"
	"github.com/maintainuk/maintainuk/internal/webhooks/webhooksdb"
)

// EntityEndpoint is the timeline entity type of an endpoint.
const EntityEndpoint = timeline.EntityWebhookEndpoint

// AllEvents subscribes an endpoint to every event.
const AllEvents = "*"

// TestEvent is the event type of a test delivery (POST /webhooks/{id}/test); it goes to
// the one endpoint whatever it subscribes to.
const TestEvent = "webhook.test"

// Delivery statuses.
const (
	StatusPending   = "PENDING"
	StatusDelivered = "DELIVERED"
	StatusFailed    = "FAILED"
)

// Defaults for Config.
const (
	DefaultDisableAfterFailures = 10
	DefaultDisableAfterDuration = 24 * time.Hour
)

// Inserter inserts River jobs in a transaction; *river.Client[pgx.Tx] is one.
type Inserter interface {
	InsertTx(ctx context.Context, tx pgx.Tx, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error)
}

// Resolver looks up a host name's addresses; *net.Resolver is one.
type Resolver interface {
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

// Config configures the service.
type Config struct {
	// AllowPrivateNetworks is development mode: endpoint URLs may use plain http and may
	// point at loopback, private and other internal addresses, at registration and at
	// delivery. Never in production.
	AllowPrivateNetworks bool
	// Now is the clock (time.Now when nil).
	Now func() time.Time
	// HTTPClient sends deliveries; nil means the guarded default (10-second timeout, no
	// redirects, no proxy, internal addresses refused at connect time unless
	// AllowPrivateNetworks).
	HTTPClient *http.Client
	// An endpoint is disabled once it has DisableAfterFailures consecutive failed
	// delivery attempts (default 10) and has been failing for DisableAfterDuration
	// (default 24 h): both must hold. Any success resets the count.
	DisableAfterFailures int
	DisableAfterDuration time.Duration
	// Inserter queues delivery jobs for test sends (the API). Workers use the River
	// client working their job, falling back to this. See also SetInserter.
	Inserter Inserter
	// Resolver resolves endpoint host names at registration (net.DefaultResolver when nil).
	Resolver Resolver
	// MaxEndpoints caps an organisation's endpoints (DefaultMaxEndpoints when 0);
	// TestsPerMinute limits its test sends (DefaultTestsPerMinute when 0).
	MaxEndpoints   int
	TestsPerMinute int
}

// Service manages webhook endpoints and delivers events to them.
type Service struct {
	db       *database.DB
	q        *webhooksdb.Queries
	cfg      Config
	client   *http.Client
	inserter Inserter
	limits
}

// NewService returns the webhooks service.
func NewService(db *database.DB, cfg Config) *Service {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.DisableAfterFailures <= 0 {
		cfg.DisableAfterFailures = DefaultDisableAfterFailures
	}
	if cfg.DisableAfterDuration <= 0 {
		cfg.DisableAfterDuration = DefaultDisableAfterDuration
	}
	if cfg.Resolver == nil {
		cfg.Resolver = net.DefaultResolver
	}
	client := cfg.HTTPClient
	if client == nil {
		client = newHTTPClient(cfg.AllowPrivateNetworks)
	}
	if cfg.MaxEndpoints <= 0 {
		cfg.MaxEndpoints = DefaultMaxEndpoints
	}
	if cfg.TestsPerMinute <= 0 {
		cfg.TestsPerMinute = DefaultTestsPerMinute
	}
	return &Service{db: db, q: webhooksdb.New(), cfg: cfg, client: client, inserter: cfg.Inserter,
		limits: limits{maxEndpoints: cfg.MaxEndpoints, testSends: ratelimit.New(cfg.TestsPerMinute, time.Minute, cfg.Now)}}
}

// SetInserter sets the job inserter when the River client is created after the service:
// the client needs the service's workers registered before it exists, so this one
// dependency cannot be a constructor argument. Call it before serving requests.
func (s *Service) SetInserter(i Inserter) { s.inserter = i }

// WebhookEndpoint is a registered webhook endpoint. Its signing secret is never part of it.
type WebhookEndpoint struct {
	ID                  uuid.UUID  `json:"id"`
	URL                 string     `json:"url"`
	Description         string     `json:"description"`
	EventTypes          []string   `json:"eventTypes" doc:"Event names it receives; \"*\" is every event."`
	Enabled             bool       `json:"enabled"`
	DisabledReason      string     `json:"disabledReason" doc:"Why it was disabled, when it is."`
	ConsecutiveFailures int        `json:"consecutiveFailures" doc:"Failed delivery attempts since the last success."`
	FailingSince        *time.Time `json:"failingSince" doc:"When the current run of failures began."`
	IncludePersonalData bool       `json:"includePersonalData" doc:"Whether payloads keep people's names, email addresses and phone numbers (see the webhooks guide)."`
	CreatedAt           time.Time  `json:"createdAt"`
	UpdatedAt           time.Time  `json:"updatedAt"`
}

// CreatedWebhookEndpoint is a new endpoint with its signing secret, shown this once.
type CreatedWebhookEndpoint struct {
	WebhookEndpoint
	Secret string `json:"secret" doc:"The signing secret (Standard Webhooks: \"whsec_\" + base64). Shown only in this answer: store it now."`
}

func endpointFromRow(r webhooksdb.WebhookEndpoint) WebhookEndpoint {
	types := r.EventTypes
	if types == nil {
		types = []string{}
	}
	return WebhookEndpoint{
		ID: r.ID, URL: r.Url, Description: r.Description, EventTypes: types, Enabled: r.Enabled,
		DisabledReason: r.DisabledReason, ConsecutiveFailures: int(r.ConsecutiveFailures), FailingSince: r.FailingSince,
		IncludePersonalData: r.IncludePersonalData, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt,
	}
}

// WebhookDelivery is one message to one endpoint, with the outcome of its latest attempt.
type WebhookDelivery struct {
	ID             uuid.UUID       `json:"id"`
	EndpointID     uuid.UUID       `json:"endpointId"`
	MessageID      string          `json:"messageId" doc:"The webhook-id header: the same on every attempt, for receivers to deduplicate."`
	EventType      string          `json:"eventType"`
	Status         string          `json:"status" enum:"PENDING,DELIVERED,FAILED"`
	Attempts       int             `json:"attempts"`
	ResponseStatus *int            `json:"responseStatus" doc:"HTTP status of the latest attempt, when it got one."`
	ResponseBody   string          `json:"responseBody" doc:"First 2 KB of the latest response body."`
	Error          string          `json:"error" doc:"Why the latest attempt failed."`
	Payload        json.RawMessage `json:"payload" doc:"The message body: {type, timestamp, data}."`
	CreatedAt      time.Time       `json:"createdAt"`
	UpdatedAt      time.Time       `json:"updatedAt"`
	DeliveredAt    *time.Time      `json:"deliveredAt"`
}

func deliveryFromRow(r webhooksdb.WebhookDelivery) WebhookDelivery {
	d := WebhookDelivery{
		ID: r.ID, EndpointID: r.EndpointID, MessageID: r.MessageID, EventType: r.EventType, Status: r.Status,
		Attempts: int(r.Attempts), ResponseBody: r.ResponseBody, Error: r.Error, Payload: json.RawMessage(r.Payload),
		CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, DeliveredAt: r.DeliveredAt,
	}
	// As sent, without the spaces jsonb's text adds (as encoding/json writes a RawMessage).
	var payload bytes.Buffer
	if json.Compact(&payload, r.Payload) == nil {
		d.Payload = payload.Bytes()
	}
	if r.ResponseStatus != nil {
		s := int(*r.ResponseStatus)
		d.ResponseStatus = &s
	}
	return d
}

// Message is the JSON body POSTed to an endpoint.
type Message struct {
	Type      string          `json:"type"`
	Timestamp time.Time       `json:"timestamp"`
	Data      json.RawMessage `json:"data"`
}

// EventTypes lists the event names an endpoint may subscribe to (besides "*").
func EventTypes() []string {
	seen := map[string]bool{}
	for _, key := range events.Names() {
		name := key
		if i := strings.LastIndex(key, ".v"); i > 0 {
			name = key[:i]
		}
		seen[name] = true
	}
	out := make([]string, 0, len(seen))
	for n := range seen {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// Input registers an endpoint.
type Input struct {
	URL         string
	EventTypes  []string
	Description string
	// IncludePersonalData opts in to people's names and contact details in payloads.
	IncludePersonalData bool
}

// Patch changes the fields that are not nil.
type Patch struct {
	URL                 *string
	EventTypes          *[]string
	Description         *string
	Enabled             *bool
	IncludePersonalData *bool
}

// CheckInput applies the rules on a new endpoint that need neither the network nor the
// database (the URL's form, the event types, the description), naming every field that
// breaks one; the API runs it beside schema validation. Where the URL's host resolves is
// checked when the endpoint is saved.
func (s *Service) CheckInput(in Input) error {
	return s.CheckPatch(Patch{URL: &in.URL, EventTypes: &in.EventTypes, Description: &in.Description})
}

// CheckPatch is CheckInput for the fields a patch sets.
func (s *Service) CheckPatch(p Patch) error {
	var f apperr.Fields
	if p.URL != nil {
		if _, _, problem := s.urlForm(*p.URL); problem != "" {
			f.Add("url", problem)
		}
	}
	if p.EventTypes != nil {
		if _, problem := checkEventTypes(*p.EventTypes); problem != "" {
			f.Add("eventTypes", problem)
		}
	}
	if p.Description != nil {
		if _, err := validate.Text(*p.Description, 0, 500); err != nil {
			f.Add("description", err.Error())
		}
	}
	return f.Err()
}

// checkURL validates an endpoint URL and returns it trimmed, or the problem with it.
func (s *Service) checkURL(ctx context.Context, raw string) (string, string) {
	raw, u, problem := s.urlForm(raw)
	if problem != "" {
		return "", problem
	}
	if s.cfg.AllowPrivateNetworks {
		return raw, ""
	}
	host := u.Hostname()
	var addrs []netip.Addr
	if a, err := netip.ParseAddr(host); err == nil {
		addrs = []netip.Addr{a}
	} else {
		lookupCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
		addrs, err = s.cfg.Resolver.LookupNetIP(lookupCtx, "ip", host)
		cancel()
		if err != nil || len(addrs) == 0 {
			return "", "host " + host + " does not resolve"
		}
	}
	for _, a := range addrs {
		// The answer does not say which address or class: it would map the internal
		// network for whoever asks.
		if blockedAddress(a) != "" {
			return "", "must point to a public internet address, not a loopback, private, link-local or other internal one"
		}
	}
	return raw, ""
}

// urlForm checks an endpoint URL's form, without looking its host up: absolute, https
// (http only where private networks are allowed), no credentials, no fragment. It
// returns the URL trimmed and parsed, or the problem with it.
func (s *Service) urlForm(raw string) (string, *url.URL, string) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return "", nil, "is required"
	}
	if len(raw) > 2000 {
		return "", nil, "must be at most 2000 characters"
	}
	u, err := url.Parse(raw)
	if err != nil || !u.IsAbs() || u.Opaque != "" || u.Hostname() == "" {
		return "", nil, "must be an absolute URL such as https://example.com/webhooks"
	}
	switch u.Scheme {
	case "https":
	case "http":
		if !s.cfg.AllowPrivateNetworks {
			return "", nil, "must use https"
		}
	default:
		return "", nil, "must use https"
	}
	if u.User != nil {
		return "", nil, "must not contain a user name or password"
	}
	if u.Fragment != "" || strings.HasSuffix(raw, "#") {
		return "", nil, "must not contain a fragment (#…)"
	}
	return raw, u, ""
}

// checkEventTypes validates a subscription list: known event names, or "*" alone.
func checkEventTypes(in []string) ([]string, string) {
	known := EventTypes()
	out := []string{}
	for _, t := range in {
		t = strings.TrimSpace(t)
		if t != AllEvents && !slices.Contains(known, t) {
			return nil, fmt.Sprintf("%q is not an event; use \"*\" or some of %s", t, strings.Join(known, ", "))
		}
		if !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	if len(out) == 0 {
		return nil, "must name at least one event, or \"*\" for every event"
	}
	if slices.Contains(out, AllEvents) {
		out = []string{AllEvents}
	}
	return out, ""
}

type validated struct {
	url, description string
	eventTypes       []string
}

func (s *Service) validate(ctx context.Context, in Input) (validated, error) {
	var v validated
	var f apperr.Fields
	var problem string
	if v.url, problem = s.checkURL(ctx, in.URL); problem != "" {
		f.Add("url", problem)
	}
	if v.eventTypes, problem = checkEventTypes(in.EventTypes); problem != "" {
		f.Add("eventTypes", problem)
	}
	var err error
	if v.description, err = validate.Text(in.Description, 0, 500); err != nil {
		f.Add("description", err.Error())
	}
	return v, f.Err()
}

// Create registers an endpoint (ADMIN) and returns it with its secret.
func (s *Service) Create(ctx context.Context, actor access.Actor, in Input) (*CreatedWebhookEndpoint, error) {
	if err := actor.Require(access.Admin); err != nil {
		return nil, err
	}
	v, err := s.validate(ctx, in)
	if err != nil {
		return nil, err
	}
	out := CreatedWebhookEndpoint{Secret: newSecret()}
	err = s.db.InOrg(ctx, actor.OrgID, actor.UserID, func(tx pgx.Tx) error {
		if err := s.checkEndpointCap(ctx, tx, actor.OrgID); err != nil {
			return err
		}
		row, err := s.q.InsertEndpoint(ctx, tx, webhooksdb.InsertEndpointParams{
			OrgID: actor.OrgID, Url: v.url, Description: v.description, EventTypes: v.eventTypes, Secret: out.Secret,
			IncludePersonalData: in.IncludePersonalData,
		})
		if err != nil {
			return err
		}
		out.WebhookEndpoint = endpointFromRow(row)
		return timeline.Record(ctx, tx, actor, timeline.Change{EntityType: EntityEndpoint, EntityID: row.ID, Action: "created", After: out.WebhookEndpoint})
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

func (s *Service) getEndpoint(ctx context.Context, tx pgx.Tx, orgID, id uuid.UUID, forUpdate bool) (webhooksdb.WebhookEndpoint, error) {
	var row webhooksdb.WebhookEndpoint
	var err error
	if forUpdate {
		row, err = s.q.GetEndpointForUpdate(ctx, tx, webhooksdb.GetEndpointForUpdateParams{OrgID: orgID, ID: id})
	} else {
		row, err = s.q.GetEndpoint(ctx, tx, webhooksdb.GetEndpointParams{OrgID: orgID, ID: id})
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return row, apperr.NotFoundf("webhook endpoint")
	}
	return row, err
}

// Get returns one endpoint (ADMIN).
func (s *Service) Get(ctx context.Context, actor access.Actor, id uuid.UUID) (*WebhookEndpoint, error) {
	if err := actor.Require(access.Admin); err != nil {
		return nil, err
	}
	var out WebhookEndpoint
	err := s.db.InOrg(ctx, actor.OrgID, actor.UserID, func(tx pgx.Tx) error {
		row, err := s.getEndpoint(ctx, tx, actor.OrgID, id, false)
		out = endpointFromRow(row)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// List pages through the organisation's endpoints, newest first (ADMIN).
func (s *Service) List(ctx context.Context, actor access.Actor, req page.Request) (page.Result[WebhookEndpoint], error) {
	var res page.Result[WebhookEndpoint]
	if err := actor.Require(access.Admin); err != nil {
		return res, err
	}
	limit, before, err := req.ParseNewest()
	if err != nil {
		return res, err
	}
	err = s.db.InOrg(ctx, actor.OrgID, actor.UserID, func(tx pgx.Tx) error {
		rows, err := s.q.ListEndpoints(ctx, tx, webhooksdb.ListEndpointsParams{
			OrgID: actor.OrgID, BeforeCreatedAt: before.CreatedAt, BeforeID: before.ID, RowLimit: int32(limit + 1),
		})
		items := make([]WebhookEndpoint, len(rows))
		for i, r := range rows {
			items[i] = endpointFromRow(r)
		}
		res = page.Build(items, limit, func(e WebhookEndpoint) page.Key { return page.Key{CreatedAt: e.CreatedAt, ID: e.ID} })
		return err
	})
	return res, err
}

// Update applies a patch (ADMIN). Re-enabling an endpoint clears its failure record;
// disabling it stops deliveries (pending ones fail at their next attempt).
func (s *Service) Update(ctx context.Context, actor access.Actor, id uuid.UUID, p Patch) (*WebhookEndpoint, error) {
	if err := actor.Require(access.Admin); err != nil {
		return nil, err
	}
	// The URL is checked (and resolved) before the transaction, not while holding a lock.
	var f apperr.Fields
	var newURL string
	if p.URL != nil {
		var problem string
		if newURL, problem = s.checkURL(ctx, *p.URL); problem != "" {
			f.Add("url", problem)
		}
	}
	var newTypes []string
	if p.EventTypes != nil {
		var problem string
		if newTypes, problem = checkEventTypes(*p.EventTypes); problem != "" {
			f.Add("eventTypes", problem)
		}
	}
	var newDescription string
	if p.Description != nil {
		var err error
		if newDescription, err = validate.Text(*p.Description, 0, 500); err != nil {
			f.Add("description", err.Error())
		}
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	var out WebhookEndpoint
	err := s.db.InOrg(ctx, actor.OrgID, actor.UserID, func(tx pgx.Tx) error {
		row, err := s.getEndpoint(ctx, tx, actor.OrgID, id, true)
		if err != nil {
			return err
		}
		before := endpointFromRow(row)
		params := webhooksdb.UpdateEndpointParams{
			OrgID: actor.OrgID, ID: id, Url: row.Url, Description: row.Description, EventTypes: row.EventTypes,
			Enabled: row.Enabled, DisabledReason: row.DisabledReason, ConsecutiveFailures: row.ConsecutiveFailures, FailingSince: row.FailingSince,
			IncludePersonalData: row.IncludePersonalData,
		}
		if p.IncludePersonalData != nil {
			params.IncludePersonalData = *p.IncludePersonalData
		}
		if p.URL != nil {
			params.Url = newURL
		}
		if p.EventTypes != nil {
			params.EventTypes = newTypes
		}
		if p.Description != nil {
			params.Description = newDescription
		}
		if p.Enabled != nil && *p.Enabled != row.Enabled {
			params.Enabled = *p.Enabled
			if params.Enabled {
				params.DisabledReason, params.ConsecutiveFailures, params.FailingSince = "", 0, nil
			} else {
				params.DisabledReason = "disabled by an administrator"
			}
		}
		if params.Url == row.Url && params.Description == row.Description && slices.Equal(params.EventTypes, row.EventTypes) &&
			params.Enabled == row.Enabled && params.IncludePersonalData == row.IncludePersonalData {
			out = before // nothing changed: no write, no audit noise
			return nil
		}
		row, err = s.q.UpdateEndpoint(ctx, tx, params)
		if err != nil {
			return err
		}
		out = endpointFromRow(row)
		return timeline.Record(ctx, tx, actor, timeline.Change{EntityType: EntityEndpoint, EntityID: id, Action: "updated", Before: before, After: out})
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// Delete removes an endpoint and its delivery log (ADMIN); its pending deliveries are
// dropped.
func (s *Service) Delete(ctx context.Context, actor access.Actor, id uuid.UUID) error {
	if err := actor.Require(access.Admin); err != nil {
		return err
	}
	return s.db.InOrg(ctx, actor.OrgID, actor.UserID, func(tx pgx.Tx) error {
		row, err := s.getEndpoint(ctx, tx, actor.OrgID, id, true)
		if err != nil {
			return err
		}
		if _, err := s.q.DeleteEndpoint(ctx, tx, webhooksdb.DeleteEndpointParams{OrgID: actor.OrgID, ID: id}); err != nil {
			return err
		}
		return timeline.Record(ctx, tx, actor, timeline.Change{EntityType: EntityEndpoint, EntityID: id, Action: "deleted", Before: endpointFromRow(row)})
	})
}

// deliveriesStart is the key before every row of a newest-first list.
var deliveriesStart = page.Key{CreatedAt: time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC), ID: uuid.Max}

// Deliveries pages through an endpoint's delivery log, newest first (ADMIN); status
// ("" for all) narrows it.
func (s *Service) Deliveries(ctx context.Context, actor access.Actor, endpointID uuid.UUID, status string, req page.Request) (page.Result[WebhookDelivery], error) {
	var res page.Result[WebhookDelivery]
	if err := actor.Require(access.Admin); err != nil {
		return res, err
	}
	limit, err := page.Limit(req)
	if err != nil {
		return res, err
	}
	before, err := page.After(req, deliveriesStart)
	if err != nil {
		return res, err
	}
	var statusFilter *string
	if status != "" {
		if !slices.Contains([]string{StatusPending, StatusDelivered, StatusFailed}, status) {
			var f apperr.Fields
			f.Add("status", "must be PENDING, DELIVERED or FAILED")
			return res, f.Err()
		}
		statusFilter = &status
	}
	err = s.db.InOrg(ctx, actor.OrgID, actor.UserID, func(tx pgx.Tx) error {
		if _, err := s.getEndpoint(ctx, tx, actor.OrgID, endpointID, false); err != nil {
			return err
		}
		rows, err := s.q.ListDeliveries(ctx, tx, webhooksdb.ListDeliveriesParams{
			OrgID: actor.OrgID, EndpointID: endpointID, BeforeCreatedAt: before.CreatedAt, BeforeID: before.ID,
			Status: statusFilter, RowLimit: int32(limit + 1),
		})
		items := make([]WebhookDelivery, len(rows))
		for i, r := range rows {
			items[i] = deliveryFromRow(r)
		}
		res = page.Build(items, limit, func(d WebhookDelivery) page.Key { return page.Key{CreatedAt: d.CreatedAt, ID: d.ID} })
		return err
	})
	return res, err
}

// SendTest queues a "webhook.test" message to one endpoint now (ADMIN) and returns its
// delivery; a disabled endpoint answers 409.
func (s *Service) SendTest(ctx context.Context, actor access.Actor, endpointID uuid.UUID) (*WebhookDelivery, error) {
	if err := actor.Require(access.Admin); err != nil {
		return nil, err
	}
	if s.inserter == nil {
		return nil, errors.New("webhooks: no job inserter configured")
	}
	var out WebhookDelivery
	err := s.db.InOrg(ctx, actor.OrgID, actor.UserID, func(tx pgx.Tx) error {
		ep, err := s.getEndpoint(ctx, tx, actor.OrgID, endpointID, false)
		if err != nil {
			return err
		}
		if !ep.Enabled {
			return apperr.New(apperr.Conflict, "the endpoint is disabled; enable it before sending a test")
		}
		// Only sends that would go out count towards the limit.
		if err := s.allowTestSend(actor.OrgID); err != nil {
			return err
		}
		data, err := json.Marshal(map[string]any{
			"endpointId": ep.ID, "message": "A test event from MaintainUK: this endpoint is receiving webhooks.",
		})
		if err != nil {
			return err
		}
		msg := Message{Type: TestEvent, Timestamp: s.cfg.Now().UTC(), Data: data}
		row, inserted, err := s.queue(ctx, tx, s.inserter, actor.OrgID, ep.ID, "msg_"+uuid.NewString(), msg)
		if err != nil {
			return err
		}
		if !inserted {
			return errors.New("webhooks: test message id collided")
		}
		out = deliveryFromRow(row)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// queue writes a PENDING delivery and its job in tx; a delivery of msgID to the endpoint
// that already exists inserts neither (inserted false).
func (s *Service) queue(ctx context.Context, tx pgx.Tx, ins Inserter, orgID, endpointID uuid.UUID, msgID string, msg Message) (webhooksdb.WebhookDelivery, bool, error) {
	payload, err := json.Marshal(msg)
	if err != nil {
		return webhooksdb.WebhookDelivery{}, false, fmt.Errorf("webhooks: marshal message: %w", err)
	}
	row, err := s.q.InsertDelivery(ctx, tx, webhooksdb.InsertDeliveryParams{
		OrgID: orgID, EndpointID: endpointID, MessageID: msgID, EventType: msg.Type, Payload: payload,
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return row, false, nil
	}
	if err != nil {
		return row, false, fmt.Errorf("webhooks: insert delivery: %w", err)
	}
	if _, err := ins.InsertTx(ctx, tx, DeliverArgs{OrgID: orgID, DeliveryID: row.ID}, nil); err != nil {
		return row, false, fmt.Errorf("webhooks: queue delivery: %w", err)
	}
	// River may not announce the job: the fan-out inserts it within milliseconds of the
	// event's own job on this queue (jobs.Wake).
	if err := jobs.Wake(ctx, tx, jobs.QueueWebhooks); err != nil {
		return row, false, fmt.Errorf("webhooks: queue delivery: %w", err)
	}
	return row, true, nil
}
