package httpapi_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivertype"

	"github.com/maintainuk/maintainuk/internal/access"
	"github.com/maintainuk/maintainuk/internal/apperr"
	"github.com/maintainuk/maintainuk/internal/httpapi"
	"github.com/maintainuk/maintainuk/internal/httpapi/idempotency"
	"github.com/maintainuk/maintainuk/internal/jobs"
	"github.com/maintainuk/maintainuk/internal/orgsettings"
	"github.com/maintainuk/maintainuk/internal/testsupport"
	"github.com/maintainuk/maintainuk/internal/timeline"
	"github.com/maintainuk/maintainuk/internal/webhooks"
)

// whNewApp is the application with the webhooks service configured by the test: the API
// is rebuilt on the app's services with that service and served in place of the app's
// own, so production-mode rules (https, the SSRF guard, a fake resolver) can be tested
// while the test process is in development mode.
func whNewApp(t *testing.T, cfg webhooks.Config) (*testsupport.App, *webhooks.Service) {
	t.Helper()
	app := testsupport.NewApp(t, nil)
	if cfg.Inserter == nil {
		cfg.Inserter = app.Jobs // insert-only here: testsupport does not start the app's workers
	}
	svc := webhooks.NewService(app.DB, cfg)
	api := httpapi.New(httpapi.Deps{
		Logger: app.Logger, DB: app.DB, Identity: app.Identity, Estate: app.Estate, Contractors: app.Contractors,
		Timeline: timeline.NewService(app.DB, app.Tickets.Visible), Idempotency: idempotency.NewStore(app.DB, time.Now),
		Settings: orgsettings.NewService(app.DB), Tickets: app.Tickets, Attachments: app.Attachments,
		WorkOrders: app.WorkOrders, Quotes: app.Quotes, Invoices: app.Invoices, Webhooks: svc,
		MaxBodyBytes: app.Config.MaxBodyBytes, TrustedProxies: httpapi.TrustedProxies(app.Config.TrustedProxies),
	})
	srv := httptest.NewServer(api)
	t.Cleanup(srv.Close)
	app.Server = srv
	return app, svc
}

// whResolver answers host names from a table, like DNS would; unknown names do not exist.
type whResolver map[string][]string

func (r whResolver) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	ips, ok := r[host]
	if !ok {
		return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
	}
	out := make([]netip.Addr, len(ips))
	for i, ip := range ips {
		out[i] = netip.MustParseAddr(ip)
	}
	return out, nil
}

// whProduction is production mode: https only, public addresses only.
var whProduction = webhooks.Config{Resolver: whResolver{
	"hooks.example.com":       {"93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c"},
	"other.example.com":       {"1.1.1.1"},
	"metadata.example.com":    {"169.254.169.254"},
	"intranet.example.com":    {"10.20.30.40"},
	"home.example.com":        {"192.168.0.10"},
	"partly.example.com":      {"93.184.215.14", "172.16.9.9"}, // one bad address is enough
	"loop.example.com":        {"127.0.0.1"},
	"loop6.example.com":       {"::1"},
	"cgnat.example.com":       {"100.64.12.1"},
	"multicast.example.com":   {"239.1.2.3"},
	"ula.example.com":         {"fd00::1234"},
	"linklocal6.example.com":  {"fe80::1"},
	"unspecified.example.com": {"0.0.0.0"},
	"mapped.example.com":      {"::ffff:10.0.0.1"},
}}

// whEndpoint is an endpoint as the API shows it, with any member it should not have.
type whEndpoint struct {
	webhooks.WebhookEndpoint
	Secret *string `json:"secret"`
}

func whCreate(t testing.TB, c *testsupport.Client, body map[string]any) webhooks.CreatedWebhookEndpoint {
	t.Helper()
	var e webhooks.CreatedWebhookEndpoint
	testsupport.ExpectOK(t, c.Post("/api/v1/webhooks", body), http.StatusCreated, &e)
	return e
}

func whGet(t testing.TB, c *testsupport.Client, id uuid.UUID) whEndpoint {
	t.Helper()
	var e whEndpoint
	testsupport.ExpectOK(t, c.Get("/api/v1/webhooks/"+id.String()), http.StatusOK, &e)
	return e
}

func TestWebhookEndpointsAPI(t *testing.T) {
	t.Parallel()
	app, _ := whNewApp(t, whProduction)
	admin := app.Register("Webhook Lettings")

	var ep webhooks.CreatedWebhookEndpoint
	t.Run("create shows the secret once", func(t *testing.T) {
		r := admin.Post("/api/v1/webhooks", map[string]any{
			"url": " https://hooks.example.com/maintainuk ", "eventTypes": []string{"ticket.created", "quote.submitted", "ticket.created"},
			"description": "  Our CRM ",
		})
		testsupport.ExpectOK(t, r, http.StatusCreated, &ep)
		if ep.URL != "https://hooks.example.com/maintainuk" || !slices.Equal(ep.EventTypes, []string{"ticket.created", "quote.submitted"}) ||
			ep.Description != "Our CRM" || !ep.Enabled || ep.DisabledReason != "" || ep.ConsecutiveFailures != 0 || ep.FailingSince != nil || ep.ID == uuid.Nil {
			t.Fatalf("created %+v", ep)
		}
		key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(ep.Secret, "whsec_"))
		if !strings.HasPrefix(ep.Secret, "whsec_") || err != nil || len(key) < 24 {
			t.Fatalf("secret %q: %d bytes, %v", ep.Secret, len(key), err)
		}
		// Never again: not in the one, not in the list, not in the trail.
		for _, path := range []string{"/api/v1/webhooks/" + ep.ID.String(), "/api/v1/webhooks"} {
			r := admin.Get(path)
			testsupport.ExpectOK(t, r, http.StatusOK, nil)
			if strings.Contains(string(r.Body), ep.Secret) || strings.Contains(string(r.Body), `"secret"`) ||
				strings.Contains(string(r.Body), base64.StdEncoding.EncodeToString(key)) {
				t.Fatalf("GET %s shows the secret: %s", path, r.Body)
			}
		}
		if got := whGet(t, admin, ep.ID); got.Secret != nil || !reflect.DeepEqual(got.WebhookEndpoint, ep.WebhookEndpoint) {
			t.Fatalf("get %+v, want %+v", got, ep.WebhookEndpoint)
		}
		// "*" stands alone.
		all := whCreate(t, admin, map[string]any{"url": "https://other.example.com/all", "eventTypes": []string{"invoice.paid", "*"}})
		if !slices.Equal(all.EventTypes, []string{"*"}) || all.Secret == ep.Secret {
			t.Fatalf("wildcard endpoint %+v", all)
		}
		// A public IP address needs no resolving.
		whCreate(t, admin, map[string]any{"url": "https://1.1.1.1:8443/hook?x=1", "eventTypes": []string{"*"}})
		whCreate(t, admin, map[string]any{"url": "https://[2606:4700:4700::1111]/hook", "eventTypes": []string{"*"}})
	})

	t.Run("validation", func(t *testing.T) {
		before := len(testsupport.All[webhooks.WebhookEndpoint](t, admin, "/api/v1/webhooks"))
		cases := []struct {
			name  string
			body  map[string]any
			field string
		}{
			{"missing url", map[string]any{"eventTypes": []string{"*"}}, "url"},
			{"blank url", map[string]any{"url": "  ", "eventTypes": []string{"*"}}, "url"},
			{"plain http", map[string]any{"url": "http://hooks.example.com/x", "eventTypes": []string{"*"}}, "url"},
			{"other scheme", map[string]any{"url": "ftp://hooks.example.com/x", "eventTypes": []string{"*"}}, "url"},
			{"relative", map[string]any{"url": "/hooks", "eventTypes": []string{"*"}}, "url"},
			{"no host", map[string]any{"url": "https:///hooks", "eventTypes": []string{"*"}}, "url"},
			{"not a URL", map[string]any{"url": "hooks example com", "eventTypes": []string{"*"}}, "url"},
			{"credentials", map[string]any{"url": "https://user:pass@hooks.example.com/x", "eventTypes": []string{"*"}}, "url"},
			{"fragment", map[string]any{"url": "https://hooks.example.com/x#frag", "eventTypes": []string{"*"}}, "url"},
			{"unresolvable", map[string]any{"url": "https://nowhere.example.com/x", "eventTypes": []string{"*"}}, "url"},
			{"too long", map[string]any{"url": "https://hooks.example.com/" + strings.Repeat("a", 2000), "eventTypes": []string{"*"}}, "url"},
			{"missing eventTypes", map[string]any{"url": "https://hooks.example.com/x"}, "eventTypes"},
			{"empty eventTypes", map[string]any{"url": "https://hooks.example.com/x", "eventTypes": []string{}}, "eventTypes"},
			{"unknown event", map[string]any{"url": "https://hooks.example.com/x", "eventTypes": []string{"ticket.exploded"}}, "eventTypes"},
			{"versioned event", map[string]any{"url": "https://hooks.example.com/x", "eventTypes": []string{"ticket.created.v1"}}, "eventTypes"},
			{"test event", map[string]any{"url": "https://hooks.example.com/x", "eventTypes": []string{"webhook.test"}}, "eventTypes"},
			{"eventTypes not an array", map[string]any{"url": "https://hooks.example.com/x", "eventTypes": "*"}, "eventTypes"},
			{"description too long", map[string]any{"url": "https://hooks.example.com/x", "eventTypes": []string{"*"}, "description": strings.Repeat("d", 501)}, "description"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				testsupport.ExpectFailure(t, admin.Post("/api/v1/webhooks", tc.body), http.StatusUnprocessableEntity, apperr.Invalid, tc.field)
			})
		}
		if after := len(testsupport.All[webhooks.WebhookEndpoint](t, admin, "/api/v1/webhooks")); after != before {
			t.Fatalf("refused requests created %d endpoints", after-before)
		}
	})

	// The SSRF guard: every internal address class, as an IP literal and behind a name.
	t.Run("internal addresses refused", func(t *testing.T) {
		urls := []string{
			"https://127.0.0.1/x", "https://127.8.9.10/x", "https://[::1]/x", "https://localhost/x", // loopback
			"https://10.0.0.1/x", "https://172.16.0.1/x", "https://172.31.255.255/x", "https://192.168.1.1/x", // RFC 1918
			"https://[fc00::1]/x", "https://[fd12:3456::1]/x", // unique local
			"https://169.254.169.254/latest/meta-data", "https://[fe80::1]/x", // link-local
			"https://0.0.0.0/x", "https://[::]/x", // unspecified
			"https://224.0.0.1/x", "https://[ff02::1]/x", // multicast
			"https://100.64.0.1/x", "https://100.127.255.254/x", // CGNAT
			"https://[::ffff:127.0.0.1]/x", "https://[::ffff:a00:1]/x", // IPv4-mapped
			"https://metadata.example.com/x", "https://intranet.example.com/x", "https://home.example.com/x",
			"https://partly.example.com/x", "https://loop.example.com/x", "https://loop6.example.com/x",
			"https://cgnat.example.com/x", "https://multicast.example.com/x", "https://ula.example.com/x",
			"https://linklocal6.example.com/x", "https://unspecified.example.com/x", "https://mapped.example.com/x",
		}
		for _, u := range urls {
			f := testsupport.ExpectFailure(t, admin.Post("/api/v1/webhooks", map[string]any{"url": u, "eventTypes": []string{"*"}}), http.StatusUnprocessableEntity, apperr.Invalid, "url")
			if len(f.Fields) != 1 {
				t.Fatalf("%s: fields %+v, want url only", u, f.Fields)
			}
		}
		// And on PATCH.
		testsupport.ExpectFailure(t, admin.Patch("/api/v1/webhooks/"+ep.ID.String(), map[string]any{"url": "https://169.254.169.254/x"}), http.StatusUnprocessableEntity, apperr.Invalid, "url")
		testsupport.ExpectFailure(t, admin.Patch("/api/v1/webhooks/"+ep.ID.String(), map[string]any{"url": "http://hooks.example.com/x"}), http.StatusUnprocessableEntity, apperr.Invalid, "url")
		if got := whGet(t, admin, ep.ID); got.URL != ep.URL {
			t.Fatalf("refused patch changed the url to %s", got.URL)
		}
	})

	t.Run("patch", func(t *testing.T) {
		var got webhooks.WebhookEndpoint
		testsupport.ExpectOK(t, admin.Patch("/api/v1/webhooks/"+ep.ID.String(), map[string]any{
			"url": "https://other.example.com/v2", "eventTypes": []string{"invoice.paid"}, "description": "CRM v2",
		}), http.StatusOK, &got)
		if got.URL != "https://other.example.com/v2" || !slices.Equal(got.EventTypes, []string{"invoice.paid"}) || got.Description != "CRM v2" || !got.Enabled {
			t.Fatalf("patched %+v", got)
		}
		var same webhooks.WebhookEndpoint
		testsupport.ExpectOK(t, admin.Patch("/api/v1/webhooks/"+ep.ID.String(), map[string]any{"description": "CRM v2"}), http.StatusOK, &same)
		if !same.UpdatedAt.Equal(got.UpdatedAt) {
			t.Fatal("a patch changing nothing wrote the row")
		}
		testsupport.ExpectFailure(t, admin.Patch("/api/v1/webhooks/"+ep.ID.String(), map[string]any{"eventTypes": []string{"nope"}}), http.StatusUnprocessableEntity, apperr.Invalid, "eventTypes")
		testsupport.ExpectFailure(t, admin.Patch("/api/v1/webhooks/"+ep.ID.String(), map[string]any{"eventTypes": []string{}}), http.StatusUnprocessableEntity, apperr.Invalid, "eventTypes")

		testsupport.ExpectOK(t, admin.Patch("/api/v1/webhooks/"+ep.ID.String(), map[string]any{"enabled": false}), http.StatusOK, &got)
		if got.Enabled || got.DisabledReason == "" {
			t.Fatalf("disabled %+v", got)
		}
		testsupport.ExpectFailure(t, admin.Post("/api/v1/webhooks/"+ep.ID.String()+"/test", nil), http.StatusConflict, apperr.Conflict)

		// As the delivery worker leaves an endpoint it disabled.
		if err := app.DB.InOrg(context.Background(), admin.OrgID, admin.UserID, func(tx pgx.Tx) error {
			_, err := tx.Exec(context.Background(), `UPDATE webhook_endpoints SET consecutive_failures = 12, failing_since = now() - interval '2 days',
				disabled_reason = 'disabled automatically' WHERE id = $1`, ep.ID)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if e := whGet(t, admin, ep.ID); e.ConsecutiveFailures != 12 || e.FailingSince == nil || e.DisabledReason != "disabled automatically" {
			t.Fatalf("failing endpoint shows %+v", e)
		}
		testsupport.ExpectOK(t, admin.Patch("/api/v1/webhooks/"+ep.ID.String(), map[string]any{"enabled": true}), http.StatusOK, &got)
		if !got.Enabled || got.DisabledReason != "" || got.ConsecutiveFailures != 0 || got.FailingSince != nil {
			t.Fatalf("re-enabled %+v, want the failure record cleared", got)
		}
	})

	t.Run("test send and the delivery log", func(t *testing.T) {
		var sent []webhooks.WebhookDelivery
		for range 3 {
			var d webhooks.WebhookDelivery
			testsupport.ExpectOK(t, admin.Post("/api/v1/webhooks/"+ep.ID.String()+"/test", nil), http.StatusCreated, &d)
			if d.ID == uuid.Nil || d.EndpointID != ep.ID || d.EventType != "webhook.test" || d.Status != "PENDING" || d.Attempts != 0 ||
				!strings.HasPrefix(d.MessageID, "msg_") {
				t.Fatalf("test delivery %+v", d)
			}
			var msg webhooks.Message
			if err := json.Unmarshal(d.Payload, &msg); err != nil || msg.Type != "webhook.test" || !strings.Contains(string(msg.Data), ep.ID.String()) {
				t.Fatalf("test payload %s: %v", d.Payload, err)
			}
			sent = append(sent, d)
		}
		// Queued as a River job on the webhooks queue, in the same transaction.
		var queued int
		if err := app.DB.Pool.QueryRow(context.Background(),
			`SELECT count(*) FROM river_job WHERE kind = 'webhook.deliver' AND queue = 'webhooks' AND args->>'deliveryId' = ANY($1)`,
			[]string{sent[0].ID.String(), sent[1].ID.String(), sent[2].ID.String()}).Scan(&queued); err != nil || queued != 3 {
			t.Fatalf("%d delivery jobs queued (%v), want 3", queued, err)
		}
		base := "/api/v1/webhooks/" + ep.ID.String() + "/deliveries"
		first, next := testsupport.Page[webhooks.WebhookDelivery](t, admin, base+"?limit=2")
		if len(first) != 2 || next == "" || first[0].ID != sent[2].ID || first[1].ID != sent[1].ID {
			t.Fatalf("first page %v (next %q), want the newest two", first, next)
		}
		second, last := testsupport.Page[webhooks.WebhookDelivery](t, admin, base+"?limit=2&cursor="+next)
		if len(second) != 1 || last != "" || second[0].ID != sent[0].ID {
			t.Fatalf("second page %v (next %q)", second, last)
		}
		if got := testsupport.All[webhooks.WebhookDelivery](t, admin, base+"?status=PENDING"); len(got) != 3 {
			t.Fatalf("%d pending, want 3", len(got))
		}
		if got := testsupport.All[webhooks.WebhookDelivery](t, admin, base+"?status=DELIVERED"); len(got) != 0 {
			t.Fatalf("%d delivered, want 0", len(got))
		}
		testsupport.ExpectFailure(t, admin.Get(base+"?status=LOST"), http.StatusUnprocessableEntity, apperr.Invalid)
		testsupport.ExpectFailure(t, admin.Get(base+"?cursor=not-a-cursor"), http.StatusUnprocessableEntity, apperr.Invalid, "cursor")
	})

	t.Run("delete", func(t *testing.T) {
		gone := whCreate(t, admin, map[string]any{"url": "https://hooks.example.com/gone", "eventTypes": []string{"*"}})
		testsupport.ExpectOK(t, admin.Post("/api/v1/webhooks/"+gone.ID.String()+"/test", nil), http.StatusCreated, nil)
		var out struct {
			Deleted bool `json:"deleted"`
		}
		testsupport.ExpectOK(t, admin.Delete("/api/v1/webhooks/"+gone.ID.String()), http.StatusOK, &out)
		if !out.Deleted {
			t.Fatal("deleted: false")
		}
		for _, r := range []*testsupport.Response{
			admin.Get("/api/v1/webhooks/" + gone.ID.String()),
			admin.Get("/api/v1/webhooks/" + gone.ID.String() + "/deliveries"),
			admin.Delete("/api/v1/webhooks/" + gone.ID.String()),
			admin.Patch("/api/v1/webhooks/"+gone.ID.String(), map[string]any{"enabled": false}),
			admin.Post("/api/v1/webhooks/"+gone.ID.String()+"/test", nil),
		} {
			testsupport.ExpectFailure(t, r, http.StatusNotFound, apperr.NotFound)
		}
		if slices.ContainsFunc(testsupport.All[webhooks.WebhookEndpoint](t, admin, "/api/v1/webhooks"), func(e webhooks.WebhookEndpoint) bool { return e.ID == gone.ID }) {
			t.Fatal("deleted endpoint still listed")
		}
	})

	t.Run("list pages newest first", func(t *testing.T) {
		all := testsupport.All[webhooks.WebhookEndpoint](t, admin, "/api/v1/webhooks")
		if len(all) < 4 || all[len(all)-1].ID != ep.ID {
			t.Fatalf("list %v", all)
		}
		for i := 1; i < len(all); i++ {
			if all[i].CreatedAt.After(all[i-1].CreatedAt) {
				t.Fatal("list not newest first")
			}
		}
		page1, next := testsupport.Page[webhooks.WebhookEndpoint](t, admin, "/api/v1/webhooks?limit=1")
		page2, _ := testsupport.Page[webhooks.WebhookEndpoint](t, admin, "/api/v1/webhooks?limit=1&cursor="+next)
		if len(page1) != 1 || len(page2) != 1 || page1[0].ID != all[0].ID || page2[0].ID != all[1].ID {
			t.Fatalf("pages %v %v", page1, page2)
		}
	})

	t.Run("timeline", func(t *testing.T) {
		var trail []timeline.Event
		actor := access.Actor{UserID: admin.UserID, OrgID: admin.OrgID, Role: access.Admin}
		if err := app.DB.InOrg(context.Background(), admin.OrgID, admin.UserID, func(tx pgx.Tx) error {
			var err error
			trail, err = timeline.List(context.Background(), tx, actor, webhooks.EntityEndpoint, ep.ID, 0, 100, false)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		var actions []string
		for _, e := range trail {
			actions = append(actions, e.Action)
			if e.ActorID == nil || *e.ActorID != admin.UserID {
				t.Fatalf("event %+v has no acting admin", e)
			}
			if strings.Contains(string(e.Before)+string(e.After), "whsec_") {
				t.Fatalf("timeline holds the secret: %s %s", e.Before, e.After)
			}
		}
		// created; patched; disabled; re-enabled (the no-op patch and refused ones record nothing).
		if !slices.Equal(actions, []string{"created", "updated", "updated", "updated"}) {
			t.Fatalf("timeline actions %v", actions)
		}
	})
}

// Every webhook operation is ADMIN only: other roles 403 (and change nothing),
// no token 401.
func TestWebhookRoles(t *testing.T) {
	t.Parallel()
	app, _ := whNewApp(t, whProduction)
	team := app.NewTeam("Webhook Roles")
	ep := whCreate(t, team.Admin, map[string]any{"url": "https://hooks.example.com/roles", "eventTypes": []string{"*"}})
	id := ep.ID.String()
	ops := []struct {
		name, method, path string
		body               any
		ok                 int
	}{
		{"list", http.MethodGet, "/api/v1/webhooks", nil, http.StatusOK},
		{"get", http.MethodGet, "/api/v1/webhooks/" + id, nil, http.StatusOK},
		{"deliveries", http.MethodGet, "/api/v1/webhooks/" + id + "/deliveries", nil, http.StatusOK},
		{"patch", http.MethodPatch, "/api/v1/webhooks/" + id, map[string]any{"description": "changed by %s"}, http.StatusOK},
		{"test", http.MethodPost, "/api/v1/webhooks/" + id + "/test", nil, http.StatusCreated},
		{"create", http.MethodPost, "/api/v1/webhooks", map[string]any{"url": "https://hooks.example.com/%s", "eventTypes": []string{"*"}}, http.StatusCreated},
	}
	snapshot := func(t *testing.T) (whEndpoint, int, int) {
		return whGet(t, team.Admin, ep.ID), len(testsupport.All[webhooks.WebhookEndpoint](t, team.Admin, "/api/v1/webhooks")),
			len(testsupport.All[webhooks.WebhookDelivery](t, team.Admin, "/api/v1/webhooks/"+id+"/deliveries"))
	}
	withRole := func(body any, role string) any {
		m, ok := body.(map[string]any)
		if !ok {
			return body
		}
		out := map[string]any{}
		for k, v := range m {
			if s, ok := v.(string); ok && strings.Contains(s, "%s") {
				v = strings.ReplaceAll(s, "%s", strings.ToLower(role))
			}
			out[k] = v
		}
		return out
	}
	before, endpoints, deliveries := snapshot(t)
	for _, role := range []access.Role{access.Coordinator, access.Contractor, access.Tenant, mxAnonymous} {
		for _, op := range ops {
			t.Run(string(role)+" "+op.name, func(t *testing.T) {
				c := app.Anonymous()
				if role != mxAnonymous {
					c = team.ByRole(role)
				}
				r := c.With(t).Do(op.method, op.path, withRole(op.body, string(role)))
				if role == mxAnonymous {
					testsupport.ExpectFailure(t, r, http.StatusUnauthorized, apperr.Unauthenticated)
				} else {
					testsupport.ExpectFailure(t, r, http.StatusForbidden, apperr.Forbidden)
				}
			})
		}
		// Refused deletes last, so the others still find the endpoint.
		t.Run(string(role)+" delete", func(t *testing.T) {
			c := app.Anonymous()
			if role != mxAnonymous {
				c = team.ByRole(role)
			}
			want, code := http.StatusForbidden, apperr.Forbidden
			if role == mxAnonymous {
				want, code = http.StatusUnauthorized, apperr.Unauthenticated
			}
			testsupport.ExpectFailure(t, c.With(t).Delete("/api/v1/webhooks/"+id), want, code)
		})
	}
	after, endpointsAfter, deliveriesAfter := snapshot(t)
	if !reflect.DeepEqual(before, after) || endpointsAfter != endpoints || deliveriesAfter != deliveries {
		t.Fatalf("refused requests changed something: %+v→%+v, %d→%d endpoints, %d→%d deliveries",
			before, after, endpoints, endpointsAfter, deliveries, deliveriesAfter)
	}
	// The ADMIN may do each.
	for _, op := range ops {
		t.Run("ADMIN "+op.name, func(t *testing.T) {
			testsupport.ExpectOK(t, team.Admin.With(t).Do(op.method, op.path, withRole(op.body, "admin")), op.ok, nil)
		})
	}
	testsupport.ExpectOK(t, team.Admin.Delete("/api/v1/webhooks/"+id), http.StatusOK, nil)
}

// Another organisation's endpoint answers 404 to every operation, exactly as an id that
// exists nowhere, and stays as it was.
func TestWebhookCrossTenant(t *testing.T) {
	t.Parallel()
	app, _ := whNewApp(t, whProduction)
	a, b := app.Register("Webhook Tenant A"), app.Register("Webhook Tenant B")
	aEP := whCreate(t, a, map[string]any{"url": "https://hooks.example.com/a", "eventTypes": []string{"*"}})
	testsupport.ExpectOK(t, a.Post("/api/v1/webhooks/"+aEP.ID.String()+"/test", nil), http.StatusCreated, nil)
	bEP := whCreate(t, b, map[string]any{"url": "https://hooks.example.com/b", "eventTypes": []string{"*"}})
	before := whGet(t, a, aEP.ID)
	deliveriesBefore := testsupport.All[webhooks.WebhookDelivery](t, a, "/api/v1/webhooks/"+aEP.ID.String()+"/deliveries")

	ops := []struct {
		name, method, path string
		body               any
	}{
		{"get", http.MethodGet, "/api/v1/webhooks/%s", nil},
		{"deliveries", http.MethodGet, "/api/v1/webhooks/%s/deliveries", nil},
		{"patch", http.MethodPatch, "/api/v1/webhooks/%s", map[string]any{"url": "https://hooks.example.com/stolen", "enabled": false}},
		{"test", http.MethodPost, "/api/v1/webhooks/%s/test", nil},
		{"delete", http.MethodDelete, "/api/v1/webhooks/%s", nil},
	}
	for _, op := range ops {
		t.Run(op.name, func(t *testing.T) {
			foreign := testsupport.ExpectFailure(t, b.With(t).Do(op.method, testsupport.Path(op.path, aEP.ID), op.body), http.StatusNotFound, apperr.NotFound)
			missing := testsupport.ExpectFailure(t, b.With(t).Do(op.method, testsupport.Path(op.path, uuid.New()), op.body), http.StatusNotFound, apperr.NotFound)
			if foreign.Message != missing.Message {
				t.Fatalf("another org's endpoint answers %q, a missing one %q", foreign.Message, missing.Message)
			}
		})
	}
	if after := whGet(t, a, aEP.ID); !reflect.DeepEqual(before, after) {
		t.Fatalf("org B changed org A's endpoint: %+v → %+v", before, after)
	}
	if after := testsupport.All[webhooks.WebhookDelivery](t, a, "/api/v1/webhooks/"+aEP.ID.String()+"/deliveries"); len(after) != len(deliveriesBefore) {
		t.Fatalf("org B queued deliveries to org A's endpoint: %d → %d", len(deliveriesBefore), len(after))
	}
	listB := testsupport.All[webhooks.WebhookEndpoint](t, b, "/api/v1/webhooks")
	if len(listB) != 1 || listB[0].ID != bEP.ID {
		t.Fatalf("org B's list %v", listB)
	}
	listA := testsupport.All[webhooks.WebhookEndpoint](t, a, "/api/v1/webhooks")
	if len(listA) != 1 || listA[0].ID != aEP.ID {
		t.Fatalf("org A's list %v", listA)
	}
}

// In development mode (APP_ENV=development) an endpoint may be plain http on a private
// address, such as the local receiver here: httptest listens on 127.0.0.1, which
// production mode refuses. A test send is delivered, signed, and logged as DELIVERED.
func TestWebhookTestSendDelivers(t *testing.T) {
	t.Parallel()
	app, svc := whNewApp(t, webhooks.Config{AllowPrivateNetworks: true})
	admin := app.Register("Webhook Test Send")

	got := make(chan *http.Request, 10)
	bodies := make(chan []byte, 10)
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got <- r
		bodies <- b
		_, _ = io.WriteString(w, `{"ok":true}`)
	}))
	t.Cleanup(recv.Close)
	ep := whCreate(t, admin, map[string]any{"url": recv.URL + "/incoming", "eventTypes": []string{"work_order.assigned"}})
	whCreate(t, admin, map[string]any{"url": "http://10.0.0.5/hook", "eventTypes": []string{"*"}}) // private: fine here

	// Workers of the test's own on the app's database (the app's are not started).
	ws := river.NewWorkers()
	svc.Register(ws)
	client, err := river.NewClient(riverpgxv5.New(app.DB.Pool), &river.Config{
		Queues: map[string]river.QueueConfig{jobs.QueueWebhooks: {MaxWorkers: 2}}, Workers: ws,
		FetchCooldown: 5 * time.Millisecond, FetchPollInterval: 20 * time.Millisecond,
		Logger: slog.New(slog.DiscardHandler), TestOnly: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	done, cancel := client.Subscribe(river.EventKindJobCompleted, river.EventKindJobFailed)
	defer cancel()
	if err := client.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, stop := context.WithTimeout(context.Background(), 10*time.Second)
		defer stop()
		_ = client.Stop(ctx)
	})

	var d webhooks.WebhookDelivery
	testsupport.ExpectOK(t, admin.Post("/api/v1/webhooks/"+ep.ID.String()+"/test", nil), http.StatusCreated, &d)
	var req *http.Request
	var body []byte
	select {
	case req = <-got:
		body = <-bodies
	case <-time.After(20 * time.Second):
		t.Fatal("the test message was not delivered")
	}
	select {
	case ev := <-done:
		if ev.Job.Kind != "webhook.deliver" || ev.Job.State != rivertype.JobStateCompleted {
			t.Fatalf("job %s ended %s", ev.Job.Kind, ev.Job.State)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the delivery job did not finish")
	}
	if req.URL.Path != "/incoming" || req.Header.Get("webhook-id") != d.MessageID || req.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("request %s %v", req.URL.Path, req.Header)
	}
	// Verified as a receiver would, from the secret shown at creation.
	key, _ := base64.StdEncoding.DecodeString(strings.TrimPrefix(ep.Secret, "whsec_"))
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(req.Header.Get("webhook-id") + "." + req.Header.Get("webhook-timestamp") + "." + string(body)))
	if want := "v1," + base64.StdEncoding.EncodeToString(mac.Sum(nil)); req.Header.Get("webhook-signature") != want {
		t.Fatalf("webhook-signature %q, want %q", req.Header.Get("webhook-signature"), want)
	}
	var msg struct {
		Type string `json:"type"`
		Data struct {
			EndpointID uuid.UUID `json:"endpointId"`
		} `json:"data"`
	}
	if err := json.Unmarshal(body, &msg); err != nil || msg.Type != "webhook.test" || msg.Data.EndpointID != ep.ID {
		t.Fatalf("body %s (%v)", body, err)
	}
	log := testsupport.All[webhooks.WebhookDelivery](t, admin, "/api/v1/webhooks/"+ep.ID.String()+"/deliveries")
	if len(log) != 1 || log[0].ID != d.ID || log[0].Status != "DELIVERED" || log[0].Attempts != 1 || log[0].ResponseStatus == nil ||
		*log[0].ResponseStatus != 200 || log[0].ResponseBody != `{"ok":true}` || log[0].DeliveredAt == nil {
		t.Fatalf("delivery log %+v", log)
	}
}

// TestWebhookLimits: an organisation has at most WEBHOOK_MAX_ENDPOINTS endpoints (409
// beyond, room again after a delete; another organisation counts on its own) and at most
// WEBHOOK_TESTS_PER_MINUTE test sends a minute (429 with Retry-After beyond).
// includePersonalData is off by default and set at create and update.
func TestWebhookLimits(t *testing.T) {
	t.Parallel()
	app := testsupport.NewApp(t, map[string]string{"WEBHOOK_MAX_ENDPOINTS": "3", "WEBHOOK_TESTS_PER_MINUTE": "2"})
	admin, other := app.Register("Capped Lettings"), app.Register("Other Capped Lettings")
	create := func(c *testsupport.Client, i int, personal bool) *testsupport.Response {
		body := map[string]any{"url": "https://hooks.example.com/" + strconv.Itoa(i), "eventTypes": []string{"*"}}
		if personal {
			body["includePersonalData"] = true
		}
		return c.With(t).Post("/api/v1/webhooks", body)
	}
	var ids []uuid.UUID
	for i := range 3 {
		var ep webhooks.WebhookEndpoint
		expectSuccessInto(t, create(admin, i, i == 1), http.StatusCreated, &ep)
		if ep.IncludePersonalData != (i == 1) {
			t.Fatalf("endpoint %d: includePersonalData %v", i, ep.IncludePersonalData)
		}
		ids = append(ids, ep.ID)
	}
	f := testsupport.ExpectFailure(t, create(admin, 3, false), http.StatusConflict, apperr.Conflict)
	if !strings.Contains(f.Message, "at most 3 webhook endpoints") {
		t.Fatalf("cap message %q", f.Message)
	}
	create(other, 0, false).Expect(http.StatusCreated)
	admin.With(t).Delete("/api/v1/webhooks/" + ids[0].String()).Expect(http.StatusOK)
	create(admin, 4, false).Expect(http.StatusCreated)

	var ep webhooks.WebhookEndpoint
	expectSuccessInto(t, admin.With(t).Patch("/api/v1/webhooks/"+ids[1].String(), map[string]any{"includePersonalData": false}), http.StatusOK, &ep)
	if ep.IncludePersonalData {
		t.Fatal("includePersonalData still on after PATCH false")
	}

	test := func(c *testsupport.Client, id uuid.UUID) *testsupport.Response {
		return c.With(t).Post("/api/v1/webhooks/"+id.String()+"/test", nil)
	}
	test(admin, ids[1]).Expect(http.StatusCreated)
	test(admin, ids[2]).Expect(http.StatusCreated)
	r := test(admin, ids[1])
	testsupport.ExpectFailure(t, r, http.StatusTooManyRequests, apperr.RateLimited)
	expectRetryAfter(t, r)
	// Another organisation's test sends are counted apart.
	var others []webhooks.WebhookEndpoint
	other.With(t).Get("/api/v1/webhooks").Expect(http.StatusOK).Data(&others)
	test(other, others[0].ID).Expect(http.StatusCreated)
}

func expectSuccessInto(t *testing.T, r *testsupport.Response, status int, v any) {
	t.Helper()
	if err := json.Unmarshal(expectSuccess(t, r, status), v); err != nil {
		t.Fatal(err)
	}
}
