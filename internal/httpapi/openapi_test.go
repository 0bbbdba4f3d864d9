package httpapi_test

import (
	"context"
	"encoding/json"
	"maps"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/danielgtaylor/huma/v2"
	"github.com/getkin/kin-openapi/openapi3"

	"github.com/maintainuk/maintainuk/internal/apperr"
	"github.com/maintainuk/maintainuk/internal/testsupport"
)

// route is one documented operation.
type route struct{ method, path string }

func (r route) String() string { return r.method + " " + r.path }

// specRoutes is every operation SPEC.md section 4 requires that exists so far, and
// whether it is public (no bearer token). A route added to the server must be added here
// (and to the SPEC when it is new); a route removed from the server fails this test.
var specRoutes = map[route]bool{
	{"POST", "/api/v1/auth/register"}:                              true,
	{"POST", "/api/v1/auth/login"}:                                 true,
	{"POST", "/api/v1/auth/refresh"}:                               true,
	{"POST", "/api/v1/auth/logout"}:                                false,
	{"GET", "/api/v1/auth/me"}:                                     false,
	{"POST", "/api/v1/auth/switch-org"}:                            false,
	{"POST", "/api/v1/auth/accept-invitation"}:                     true,
	{"POST", "/api/v1/auth/forgot-password"}:                       true,
	{"POST", "/api/v1/auth/reset-password"}:                        true,
	{"POST", "/api/v1/auth/change-password"}:                       false,
	{"GET", "/api/v1/members"}:                                     false,
	{"POST", "/api/v1/members"}:                                    false,
	{"PATCH", "/api/v1/members/{id}"}:                              false,
	{"DELETE", "/api/v1/members/{id}"}:                             false,
	{"GET", "/api/v1/invitations"}:                                 false,
	{"GET", "/api/v1/properties"}:                                  false,
	{"POST", "/api/v1/properties"}:                                 false,
	{"GET", "/api/v1/properties/{id}"}:                             false,
	{"PATCH", "/api/v1/properties/{id}"}:                           false,
	{"GET", "/api/v1/properties/{id}/units"}:                       false,
	{"POST", "/api/v1/properties/{id}/units"}:                      false,
	{"GET", "/api/v1/units/{id}"}:                                  false,
	{"GET", "/api/v1/units/{id}/occupants"}:                        false,
	{"POST", "/api/v1/units/{id}/occupants"}:                       false,
	{"GET", "/api/v1/contractors"}:                                 false,
	{"POST", "/api/v1/contractors"}:                                false,
	{"GET", "/api/v1/contractors/{id}"}:                            false,
	{"PATCH", "/api/v1/contractors/{id}"}:                          false,
	{"POST", "/api/v1/properties/{id}/certificates"}:               false,
	{"GET", "/api/v1/properties/{id}/certificates"}:                false,
	{"GET", "/api/v1/certificates/{id}"}:                           false,
	{"PATCH", "/api/v1/certificates/{id}"}:                         false,
	{"PUT", "/api/v1/certificates/{id}/document"}:                  false,
	{"GET", "/api/v1/certificates/{id}/document"}:                  false,
	{"GET", "/api/v1/compliance/certificates"}:                     false,
	{"GET", "/api/v1/timeline"}:                                    false,
	{"POST", "/api/v1/tickets"}:                                    false,
	{"GET", "/api/v1/tickets"}:                                     false,
	{"GET", "/api/v1/tickets/{id}"}:                                false,
	{"PATCH", "/api/v1/tickets/{id}"}:                              false,
	{"POST", "/api/v1/tickets/{id}/transition"}:                    false,
	{"POST", "/api/v1/tickets/{id}/comments"}:                      false,
	{"POST", "/api/v1/tickets/{id}/attachments"}:                   false,
	{"GET", "/api/v1/tickets/{id}/attachments"}:                    false,
	{"GET", "/api/v1/attachments/{id}"}:                            false,
	{"POST", "/api/v1/public/{orgSlug}/reports"}:                   true,
	{"POST", "/api/v1/work-orders"}:                                false,
	{"GET", "/api/v1/work-orders"}:                                 false,
	{"GET", "/api/v1/work-orders/{id}"}:                            false,
	{"POST", "/api/v1/work-orders/{id}/transition"}:                false,
	{"POST", "/api/v1/work-orders/{id}/quotes"}:                    false,
	{"GET", "/api/v1/quotes"}:                                      false,
	{"GET", "/api/v1/quotes/{id}"}:                                 false,
	{"POST", "/api/v1/quotes/{id}/approve"}:                        false,
	{"POST", "/api/v1/quotes/{id}/reject"}:                         false,
	{"POST", "/api/v1/quotes/{id}/withdraw"}:                       false,
	{"POST", "/api/v1/work-orders/{id}/invoices"}:                  false,
	{"GET", "/api/v1/invoices"}:                                    false,
	{"GET", "/api/v1/invoices/{id}"}:                               false,
	{"POST", "/api/v1/invoices/{id}/approve"}:                      false,
	{"POST", "/api/v1/invoices/{id}/reject"}:                       false,
	{"POST", "/api/v1/invoices/{id}/mark-paid"}:                    false,
	{"GET", "/api/v1/invoices/{id}/pdf"}:                           false,
	{"GET", "/api/v1/settings"}:                                    false,
	{"PATCH", "/api/v1/settings"}:                                  false,
	{"GET", "/api/v1/webhooks"}:                                    false,
	{"POST", "/api/v1/webhooks"}:                                   false,
	{"GET", "/api/v1/webhooks/{id}"}:                               false,
	{"PATCH", "/api/v1/webhooks/{id}"}:                             false,
	{"DELETE", "/api/v1/webhooks/{id}"}:                            false,
	{"GET", "/api/v1/webhooks/{id}/deliveries"}:                    false,
	{"POST", "/api/v1/webhooks/{id}/test"}:                         false,
	{"POST", "/api/v1/tickets/{id}/ai/classify"}:                   false,
	{"GET", "/api/v1/tickets/{id}/ai-suggestion"}:                  false,
	{"POST", "/api/v1/tickets/{id}/ai-suggestion/accept"}:          false,
	{"POST", "/api/v1/tickets/{id}/ai-suggestion/override"}:        false,
	{"POST", "/api/v1/tickets/{id}/ai/draft"}:                      false,
	{"POST", "/api/v1/tickets/{id}/ai/summary"}:                    false,
	{"POST", "/api/v1/tickets/{id}/ai/estimate"}:                   false,
	{"GET", "/api/v1/ai/settings"}:                                 false,
	{"PATCH", "/api/v1/ai/settings"}:                               false,
	{"GET", "/api/v1/ai/prompts/{capability}"}:                     false,
	{"PUT", "/api/v1/ai/prompts/{capability}"}:                     false,
	{"GET", "/api/v1/ai/usage"}:                                    false,
	{"GET", "/api/v1/ai/decisions"}:                                false,
	{"GET", "/api/v1/ai/self-help"}:                                false,
	{"POST", "/api/v1/public/{orgSlug}/triage"}:                    true,
	{"POST", "/api/v1/public/{orgSlug}/triage/{triageId}/outcome"}: true,
	{"POST", "/api/v1/consent/grant"}:                              false,
	{"POST", "/api/v1/consent/revoke"}:                             false,
	{"GET", "/api/v1/consent"}:                                     false,
	{"GET", "/api/v1/consent/history"}:                             false,
	{"POST", "/api/v1/tickets/{id}/messages"}:                      false,
	{"GET", "/api/v1/tickets/{id}/messages"}:                       false,
	{"GET", "/api/v1/billing/plans"}:                               true,
	{"GET", "/api/v1/billing/usage"}:                               false,
	{"GET", "/api/v1/billing/statement"}:                           false,
	{"GET", "/api/v1/billing/subscription"}:                        false,
	{"POST", "/api/v1/billing/upgrade"}:                            false,
	{"POST", "/api/v1/billing/cancel"}:                             false,
	{"POST", "/api/v1/billing/resume"}:                             false,
	{"POST", "/api/v1/billing/checkout"}:                           false,
	{"POST", "/api/v1/billing/portal"}:                             false,
	{"GET", "/api/v1/billing/invoices"}:                            false,
	{"POST", "/webhooks/stripe"}:                                   true,
	{"GET", "/api/v1/hazards"}:                                     false,
	{"PUT", "/api/v1/tickets/{id}/hazards"}:                        false,
	{"GET", "/api/v1/right-to-repair/defects"}:                     false,
	{"GET", "/api/v1/tickets/{id}/clocks"}:                         false,
	{"POST", "/api/v1/tickets/{id}/clocks/milestone"}:              false,
	{"POST", "/api/v1/tickets/{id}/clocks/pause"}:                  false,
	{"POST", "/api/v1/tickets/{id}/clocks/resume"}:                 false,
	{"PUT", "/api/v1/tickets/{id}/right-to-repair"}:                false,
	{"GET", "/api/v1/tickets/{id}/evidence"}:                       false,
	{"POST", "/webhooks/twilio/status"}:                            true,
	{"POST", "/webhooks/twilio/inbound"}:                           true,
	{"GET", "/health/live"}:                                        true,
	{"GET", "/health/ready"}:                                       true,
}

// specPlanned are the other operations SPEC.md section 4 names, not built yet (path
// parameters may be named differently: they are compared as {}). They may appear without
// failing the test; any route in neither list fails it, so it is added here on purpose.
var specPlanned = map[route]bool{
	{"GET", "/metrics"}: true,
}

var pathParam = regexp.MustCompile(`\{[^}]*\}`)

// without31Keywords removes contentMediaType and contentEncoding everywhere in a JSON
// document.
func without31Keywords(t *testing.T, raw []byte) []byte {
	t.Helper()
	var doc any
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	var walk func(any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			delete(v, "contentMediaType")
			delete(v, "contentEncoding")
			for _, child := range v {
				walk(child)
			}
		case []any:
			for _, child := range v {
				walk(child)
			}
		}
	}
	walk(doc)
	out, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// specAccess says whether the SPEC makes r public, and whether it names r at all.
func specAccess(r route) (public, known bool) {
	if public, ok := specRoutes[r]; ok {
		return public, true
	}
	public, known = specPlanned[route{r.method, pathParam.ReplaceAllString(r.path, "{}")}]
	return public, known
}

// createdRoutes answer 201.
var createdRoutes = map[route]bool{
	{"POST", "/api/v1/auth/register"}:             true,
	{"POST", "/api/v1/members"}:                   true,
	{"POST", "/api/v1/properties"}:                true,
	{"POST", "/api/v1/properties/{id}/units"}:     true,
	{"POST", "/api/v1/units/{id}/occupants"}:      true,
	{"POST", "/api/v1/contractors"}:               true,
	{"POST", "/api/v1/tickets"}:                   true,
	{"POST", "/api/v1/tickets/{id}/comments"}:     true,
	{"POST", "/api/v1/tickets/{id}/attachments"}:  true,
	{"POST", "/api/v1/tickets/{id}/messages"}:     true,
	{"POST", "/api/v1/public/{orgSlug}/reports"}:  true,
	{"POST", "/api/v1/work-orders"}:               true,
	{"POST", "/api/v1/work-orders/{id}/quotes"}:   true,
	{"POST", "/api/v1/work-orders/{id}/invoices"}: true,
	{"POST", "/api/v1/webhooks"}:                  true,
	{"POST", "/api/v1/webhooks/{id}/test"}:        true,
	// Certificates (docs/compliance.md).
	{"POST", "/api/v1/properties/{id}/certificates"}: true,
}

// knownUndocumented201 are routes that answer 201 while documenting 200 (none now: every
// creating operation is registered with creates(op)).
var knownUndocumented201 = map[route]bool{}

// docRoutes lists the operations of a kin-openapi document.
func docRoutes(doc *openapi3.T) map[route]*openapi3.Operation {
	out := map[route]*openapi3.Operation{}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			out[route{method, path}] = op
		}
	}
	return out
}

func sortedRoutes[V any](m map[route]V) []string {
	var out []string
	for r := range m {
		out = append(out, r.String())
	}
	slices.Sort(out)
	return out
}

func TestOpenAPI(t *testing.T) {
	t.Parallel()
	app := testsupport.NewApp(t, nil)
	anon := app.Anonymous()
	served := anon.Get("/openapi.json")
	if served.Status != http.StatusOK {
		t.Fatalf("/openapi.json: %d %s", served.Status, served.Body)
	}
	checkSecurityHeaders(t, served, false)

	ctx := context.Background()
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(served.Body)
	if err != nil {
		t.Fatalf("kin-openapi cannot load /openapi.json: %v", err)
	}

	t.Run("is OpenAPI 3.1", func(t *testing.T) {
		if !strings.HasPrefix(doc.OpenAPI, "3.1.") || !doc.IsOpenAPI31OrLater() {
			t.Fatalf("openapi %q, want 3.1.x", doc.OpenAPI)
		}
		if doc.Info == nil || doc.Info.Title == "" || doc.Info.Version == "" {
			t.Fatalf("info %+v", doc.Info)
		}
	})

	t.Run("validates", func(t *testing.T) {
		// Full validation, as a 3.1 document (JSON Schema 2020-12: type arrays such as
		// ["string","null"], examples arrays), with formats and examples checked too.
		err := doc.Validate(ctx,
			openapi3.IsOpenAPI31OrLater(),
			openapi3.EnableSchemaFormatValidation(),
			openapi3.EnableSchemaPatternValidation(),
			openapi3.EnableSchemaDefaultsValidation(),
			openapi3.EnableExamplesValidation(),
			openapi3.EnableMultiError(),
		)
		if err != nil {
			t.Fatalf("/openapi.json is not a valid OpenAPI 3.1 document:\n%v", err)
		}
	})

	// kin-openapi v0.153 checks a 3.0 schema's `example` against its schema but not the
	// 3.1 (JSON Schema 2020-12) `examples` array huma emits: check those here.
	t.Run("3.1 schema examples match their schemas", func(t *testing.T) {
		checked := 0
		seen := map[*openapi3.Schema]bool{}
		var walk func(where string, ref *openapi3.SchemaRef)
		walk = func(where string, ref *openapi3.SchemaRef) {
			if ref == nil || ref.Value == nil || seen[ref.Value] {
				return
			}
			sc := ref.Value
			seen[sc] = true
			for i, ex := range sc.Examples {
				checked++
				if err := sc.VisitJSON(ex); err != nil {
					t.Errorf("%s: examples[%d] = %v does not match the schema: %v", where, i, ex, err)
				}
			}
			for name, p := range sc.Properties {
				walk(where+"."+name, p)
			}
			walk(where+"[]", sc.Items)
			walk(where+"{}", sc.AdditionalProperties.Schema)
		}
		for name, ref := range doc.Components.Schemas {
			walk(name, ref)
		}
		if checked == 0 {
			t.Fatal("no schema examples found: the walk is broken (huma emits some)")
		}
	})

	t.Run("3.0 downgrade validates", func(t *testing.T) {
		r := anon.Get("/openapi-3.0.json")
		if r.Status != http.StatusOK {
			t.Fatalf("/openapi-3.0.json: %d", r.Status)
		}
		// huma's 3.0 downgrade keeps the 3.1 keywords contentMediaType and contentEncoding on multipart file
		// fields (upload and public-report forms); 3.0 tools ignore unknown keywords, so
		// drop it before asking kin-openapi for strict 3.0.
		raw := without31Keywords(t, r.Body)
		doc30, err := openapi3.NewLoader().LoadFromData(raw)
		if err != nil {
			t.Fatalf("load 3.0: %v", err)
		}
		if !strings.HasPrefix(doc30.OpenAPI, "3.0.") {
			t.Fatalf("openapi %q, want 3.0.x", doc30.OpenAPI)
		}
		if err := doc30.Validate(ctx, openapi3.EnableExamplesValidation(), openapi3.EnableMultiError()); err != nil {
			t.Fatalf("/openapi-3.0.json is not valid OpenAPI 3.0:\n%v", err)
		}
		if got, want := sortedRoutes(docRoutes(doc30)), sortedRoutes(docRoutes(doc)); !slices.Equal(got, want) {
			t.Fatalf("3.0 routes %v\n3.1 routes %v", got, want)
		}
	})

	documented := docRoutes(doc)

	t.Run("served document is the server's", func(t *testing.T) {
		registered := map[route]bool{}
		for path, item := range app.API.OpenAPI().Paths {
			for method, op := range map[string]*huma.Operation{
				"GET": item.Get, "POST": item.Post, "PUT": item.Put, "PATCH": item.Patch, "DELETE": item.Delete,
				"HEAD": item.Head, "OPTIONS": item.Options, "TRACE": item.Trace,
			} {
				if op != nil {
					registered[route{method, path}] = true
				}
			}
		}
		if got, want := sortedRoutes(documented), sortedRoutes(registered); !slices.Equal(got, want) {
			t.Fatalf("served document %v\nregistered %v", got, want)
		}
	})

	t.Run("every SPEC route and no other is documented", func(t *testing.T) {
		var missing, extra []string
		for r := range specRoutes {
			if documented[r] == nil {
				missing = append(missing, r.String())
			}
		}
		for r := range documented {
			if _, known := specAccess(r); !known {
				extra = append(extra, r.String())
			} else if _, built := specRoutes[r]; !built {
				t.Logf("planned SPEC route now served: %s (move it to specRoutes in openapi_test.go)", r)
			}
		}
		slices.Sort(missing)
		slices.Sort(extra)
		if len(missing) > 0 {
			t.Errorf("SPEC routes the server does not document: %v", missing)
		}
		if len(extra) > 0 {
			t.Errorf("routes the SPEC does not name (add them to specRoutes in openapi_test.go, and to SPEC.md): %v", extra)
		}
	})

	t.Run("security", func(t *testing.T) {
		if len(doc.Security) != 0 {
			t.Fatalf("document-wide security %v would apply to public operations", doc.Security)
		}
		scheme := doc.Components.SecuritySchemes["bearer"]
		if scheme == nil || scheme.Value == nil || scheme.Value.Type != "http" || scheme.Value.Scheme != "bearer" {
			t.Fatalf("components.securitySchemes.bearer = %+v, want http bearer", scheme)
		}
		for r, op := range documented {
			public, known := specAccess(r)
			if !known {
				continue // reported above
			}
			var schemes []string
			if op.Security != nil {
				for _, req := range *op.Security {
					schemes = append(schemes, slices.Sorted(maps.Keys(req))...)
				}
			}
			switch {
			case public && len(schemes) != 0:
				t.Errorf("%s is public but declares security %v", r, schemes)
			case !public && !slices.Equal(schemes, []string{"bearer"}):
				t.Errorf("%s needs a token but declares security %v, want [bearer]", r, schemes)
			case !public && op.Responses.Status(http.StatusUnauthorized) == nil:
				t.Errorf("%s needs a token but does not document a 401 answer", r)
			}
		}
	})

	t.Run("envelopes are documented", func(t *testing.T) {
		for r, op := range documented {
			if op.OperationID == "" || op.Summary == "" {
				t.Errorf("%s: operationId %q, summary %q", r, op.OperationID, op.Summary)
			}
			if !strings.HasPrefix(r.path, "/api/") {
				continue // health and metrics answer plain bodies
			}
			for code, resp := range op.Responses.Map() {
				if resp.Value != nil && strings.HasPrefix(code, "2") && len(resp.Value.Content) > 0 && resp.Value.Content["application/json"] == nil {
					continue // a download (a PDF), not JSON
				}
				if resp.Value == nil || resp.Value.Content["application/json"] == nil {
					t.Errorf("%s %s: no application/json body documented", r, code)
					continue
				}
				schema := resp.Value.Content["application/json"].Schema
				if schema == nil || schema.Value == nil {
					t.Errorf("%s %s: no schema", r, code)
					continue
				}
				for _, member := range []string{"data", "error", "traceId"} {
					if schema.Value.Properties[member] == nil {
						t.Errorf("%s %s: schema %s has no %q member", r, code, schema.Ref, member)
					}
				}
				if strings.HasPrefix(code, "2") {
					continue
				}
				errSchema := schema.Value.Properties["error"]
				if errSchema == nil || errSchema.Value == nil || errSchema.Value.Properties["code"] == nil || errSchema.Value.Properties["fields"] == nil {
					t.Errorf("%s %s: error member is not {code, message, fields}", r, code)
				}
			}
		}
	})

	t.Run("answers are documented", func(t *testing.T) {
		for r, op := range documented {
			public, known := specAccess(r)
			if !known {
				continue
			}
			var success []string
			for code := range op.Responses.Map() {
				if strings.HasPrefix(code, "2") {
					success = append(success, code)
				}
			}
			want := "200"
			if createdRoutes[r] {
				want = "201"
			}
			_, built := specRoutes[r]
			switch {
			case !built:
				if !slices.Equal(success, []string{"200"}) && !slices.Equal(success, []string{"201"}) {
					t.Errorf("%s documents success %v, want one of 200 or 201", r, success)
				}
			case knownUndocumented201[r] && slices.Equal(success, []string{"200"}):
				t.Logf("KNOWN BUG: %s answers 201 but documents %v (set DefaultStatus: http.StatusCreated on the operation)", r, success)
			case knownUndocumented201[r]:
				t.Errorf("%s now documents %v: remove it from knownUndocumented201", r, success)
			case !slices.Equal(success, []string{want}):
				t.Errorf("%s documents success %v, want [%s]", r, success, want)
			}
			var need []int
			if op.RequestBody != nil {
				need = append(need, http.StatusBadRequest, http.StatusRequestEntityTooLarge, http.StatusUnsupportedMediaType, http.StatusUnprocessableEntity)
			}
			if len(op.Parameters) > 0 {
				need = append(need, http.StatusUnprocessableEntity)
			}
			if r.method == http.MethodPost && !public {
				need = append(need, http.StatusConflict)
				p := op.Parameters.GetByInAndName("header", "Idempotency-Key")
				if p == nil || p.Schema == nil || p.Schema.Value == nil || p.Schema.Value.MaxLength == nil || *p.Schema.Value.MaxLength != 255 {
					t.Errorf("%s does not document the Idempotency-Key header (max 255)", r)
				}
			}
			if r == (route{"GET", "/health/ready"}) {
				need = append(need, http.StatusServiceUnavailable)
			}
			for _, code := range need {
				if op.Responses.Status(code) == nil {
					t.Errorf("%s does not document its %d answer", r, code)
				}
			}
		}
	})

	// Real answers, success and failure, must validate against the schema the document
	// gives for their status, or generated clients reject them.
	t.Run("answers match their documented schemas", func(t *testing.T) {
		admin := app.Register("Schema Lettings")
		property := admin.Post("/api/v1/properties", map[string]any{"addressLine1": "1 Schema Road", "town": "Hull", "postcode": "HU1 1AA"})
		cases := []struct {
			name   string
			route  route
			status string // documented status to check against
			resp   *testsupport.Response
		}{
			{"object", route{"GET", "/api/v1/auth/me"}, "200", admin.Get("/api/v1/auth/me")},
			{"created", route{"POST", "/api/v1/properties"}, "201", property},
			{"list", route{"GET", "/api/v1/properties"}, "200", admin.Get("/api/v1/properties")},
			{"401", route{"GET", "/api/v1/auth/me"}, "401", anon.Get("/api/v1/auth/me")},
			{"404", route{"GET", "/api/v1/properties/{id}"}, "404", admin.Get("/api/v1/properties/00000000-0000-4000-8000-000000000001")},
			{"422 with fields", route{"POST", "/api/v1/properties"}, "422", admin.Post("/api/v1/properties", `{"town":"Hull"}`)},
			{"health", route{"GET", "/health/live"}, "200", anon.Get("/health/live")},
		}
		for _, tc := range cases {
			op := documented[tc.route]
			if op == nil {
				t.Errorf("%s: %s not documented", tc.name, tc.route)
				continue
			}
			resp := op.Responses.Value(tc.status)
			if resp == nil || resp.Value == nil || resp.Value.Content["application/json"] == nil {
				t.Errorf("%s: %s documents no JSON %s answer", tc.name, tc.route, tc.status)
				continue
			}
			var body any
			if err := json.Unmarshal(tc.resp.Body, &body); err != nil {
				t.Errorf("%s: %v", tc.name, err)
				continue
			}
			if err := resp.Value.Content["application/json"].Schema.Value.VisitJSON(body, openapi3.MultiErrors()); err != nil {
				t.Errorf("%s: %s %s answer does not match its documented schema: %v\nbody: %s", tc.name, tc.route, tc.status, err, tc.resp.Body)
			}
		}
	})

	// Each SPEC route is served by its operation: a secured one answers an anonymous call
	// with 401 (only registered operations check tokens), a public one is reached too.
	t.Run("every SPEC route is served", func(t *testing.T) {
		for r, public := range specRoutes {
			path := strings.ReplaceAll(r.path, "{id}", "00000000-0000-4000-8000-000000000001")
			var body any
			if r.method == http.MethodPost || r.method == http.MethodPatch {
				body = "{}"
			}
			resp := anon.Do(r.method, path, body)
			switch {
			case !public:
				testsupport.ExpectFailure(t, resp, http.StatusUnauthorized, apperr.Unauthenticated)
			case strings.HasPrefix(r.path, "/health/"):
				if resp.Status != http.StatusOK {
					t.Errorf("%s: %d", r, resp.Status)
				}
			case r == route{"GET", "/api/v1/billing/plans"}:
				// Public information: the plans and their prices.
				testsupport.ExpectOK(t, resp, http.StatusOK, nil)
			case r == route{"POST", "/webhooks/stripe"}:
				// Stripe's webhook checks the signature before anything else.
				testsupport.ExpectFailure(t, resp, http.StatusBadRequest, apperr.BadRequest)
			case strings.HasPrefix(r.path, "/webhooks/twilio/"):
				// Twilio's webhooks check the signature before anything else.
				testsupport.ExpectFailure(t, resp, http.StatusForbidden, apperr.Forbidden)
			case strings.HasPrefix(r.path, "/api/v1/public/"):
				// The public form admits the organisation before reading any body.
				if f := testsupport.ExpectFailure(t, resp, http.StatusNotFound, apperr.NotFound); !strings.Contains(f.Message, "organisation") {
					t.Errorf("%s: %s", r, f.Message)
				}
			default:
				testsupport.ExpectFailure(t, resp, http.StatusUnprocessableEntity, apperr.Invalid)
			}
		}
	})
}

func TestOpenAPIDocs(t *testing.T) {
	t.Parallel()
	app := testsupport.NewApp(t, nil)
	r := app.Anonymous().Get("/docs")
	if r.Status != http.StatusOK {
		t.Fatalf("/docs: %d %s", r.Status, r.Body)
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
		t.Fatalf("/docs Content-Type %q, want text/html", ct)
	}
	body := string(r.Body)
	if !strings.Contains(strings.ToLower(body), "<html") || !strings.Contains(body, "/openapi") {
		t.Fatalf("/docs does not look like API docs pointing at the document: %.300s", body)
	}
}
