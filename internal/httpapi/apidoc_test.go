package httpapi_test

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/danielgtaylor/huma/v2"

	"github.com/maintainuk/maintainuk/internal/httpapi"
	"github.com/maintainuk/maintainuk/internal/testsupport"
	"github.com/maintainuk/maintainuk/internal/webhooks"
)

// docServer is the API without a database: enough for the document and /docs, which
// touch none.
func docServer(t *testing.T) *httpapi.Server {
	t.Helper()
	return httpapi.New(httpapi.Deps{
		Logger:   slog.New(slog.DiscardHandler),
		BaseURL:  "https://maintain.example.co.uk",
		Webhooks: &webhooks.Service{}, // never called; webhook routes exist only with one
	})
}

// TestDocsServedOffline fetches /docs and everything it references from the server
// alone: nothing may come from another origin (the page used to load its renderer from
// a CDN and was blank offline).
func TestDocsServedOffline(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(docServer(t))
	defer srv.Close()
	get := func(path string) (*http.Response, []byte) {
		t.Helper()
		resp, err := srv.Client().Get(srv.URL + path)
		if err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		return resp, body
	}

	resp, page := get("/docs")
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("/docs: %d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if bytesContainAny(page, "http://", "https://", "//unpkg", "//cdn") {
		t.Fatalf("/docs refers to another origin:\n%s", page)
	}
	csp := resp.Header.Get("Content-Security-Policy")
	for _, want := range []string{"default-src 'none'", "script-src 'self'", "connect-src 'self'", "style-src 'self'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("/docs CSP %q lacks %q", csp, want)
		}
	}
	for _, directive := range strings.Split(csp, ";") {
		for _, source := range strings.Fields(directive)[1:] {
			if source != "'self'" && source != "'none'" && source != "'unsafe-inline'" && source != "data:" {
				t.Errorf("/docs CSP allows %q in %q: only this origin", source, strings.TrimSpace(directive))
			}
		}
		if strings.Contains(directive, "'unsafe-inline'") && !strings.HasPrefix(strings.TrimSpace(directive), "style-src") {
			t.Errorf("/docs CSP allows inline code: %q", directive)
		}
	}

	refs := regexp.MustCompile(`(?i)(?:src|href|apiDescriptionUrl)="([^"]*)"`).FindAllSubmatch(page, -1)
	if len(refs) < 3 {
		t.Fatalf("/docs references %d resources, want the script, the stylesheet and the document:\n%s", len(refs), page)
	}
	wantType := map[string]string{".js": "text/javascript", ".css": "text/css", ".json": "application/openapi+json"}
	for _, m := range refs {
		ref := string(m[1])
		if !strings.HasPrefix(ref, "/") || strings.HasPrefix(ref, "//") {
			t.Errorf("/docs references %q: want a path on this server", ref)
			continue
		}
		resp, body := get(ref)
		if resp.StatusCode != http.StatusOK || len(body) == 0 {
			t.Errorf("%s: %d, %d bytes", ref, resp.StatusCode, len(body))
			continue
		}
		ext := ref[strings.LastIndexByte(ref, '.'):]
		if ct := resp.Header.Get("Content-Type"); wantType[ext] == "" || !strings.HasPrefix(ct, wantType[ext]) {
			t.Errorf("%s: Content-Type %q, want %q", ref, ct, wantType[ext])
		}
	}
	if resp, _ := get("/docs/assets/"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("/docs/assets/ answers %d: no directory listing", resp.StatusCode)
	}
	if resp, _ := get("/docs/assets/nothing.js"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("/docs/assets/nothing.js answers %d", resp.StatusCode)
	}
}

func bytesContainAny(b []byte, subs ...string) bool {
	for _, s := range subs {
		if strings.Contains(string(b), s) {
			return true
		}
	}
	return false
}

// TestOperationDocs: every operation has a description; every JSON body has an example
// the server itself would accept; the server comes from BASE_URL; operations without
// auth say so with `security: []`.
func TestOperationDocs(t *testing.T) {
	t.Parallel()
	api := docServer(t).OpenAPI()
	raw, err := json.Marshal(api)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Servers []struct{ URL string } `json:"servers"`
		Paths   map[string]map[string]json.RawMessage
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Servers) != 1 || doc.Servers[0].URL != "https://maintain.example.co.uk" {
		t.Errorf("servers %+v, want BASE_URL", doc.Servers)
	}
	operations := 0
	for path, item := range api.Paths {
		for method, op := range map[string]*huma.Operation{"get": item.Get, "post": item.Post, "patch": item.Patch, "put": item.Put, "delete": item.Delete} {
			if op == nil {
				continue
			}
			operations++
			name := strings.ToUpper(method) + " " + path
			if strings.TrimSpace(op.Description) == "" {
				t.Errorf("%s (%s) has no description", name, op.OperationID)
			}
			var security struct {
				Security *[]map[string][]string `json:"security"`
			}
			if err := json.Unmarshal(doc.Paths[path][method], &security); err != nil {
				t.Fatal(err)
			}
			if security.Security == nil {
				t.Errorf("%s: no security member; public operations say security: []", name)
			}
			if op.RequestBody == nil {
				continue
			}
			mt := op.RequestBody.Content["application/json"]
			form := op.RequestBody.Content["multipart/form-data"]
			if form == nil {
				form = op.RequestBody.Content["application/x-www-form-urlencoded"]
			}
			if form != nil {
				if len(form.Examples) == 0 {
					t.Errorf("%s (%s) has a form body but no example", name, op.OperationID)
				}
				continue
			}
			if mt == nil || len(mt.Examples) == 0 {
				t.Errorf("%s (%s) has a body but no JSON example", name, op.OperationID)
				continue
			}
			for key, ex := range mt.Examples {
				// Through JSON, as a client would send it; validated by the server's own rules.
				var value any
				b, _ := json.Marshal(ex.Value)
				_ = json.Unmarshal(b, &value)
				res := &huma.ValidateResult{}
				huma.Validate(api.Components.Schemas, mt.Schema, huma.NewPathBuffer([]byte(""), 0), huma.ModeWriteToServer, value, res)
				if len(res.Errors) > 0 {
					t.Errorf("%s example %q does not pass the request schema: %v", name, key, res.Errors)
				}
			}
		}
	}
	if operations < 60 {
		t.Fatalf("only %d operations in the document", operations)
	}
}

// TestRequestSchemasSayWhatTheServerChecks: the rules the domain enforces are in the
// request schemas, and huma's check of them still answers the API's own 422 envelope
// naming the field.
func TestRequestSchemasSayWhatTheServerChecks(t *testing.T) {
	t.Parallel()
	api := docServer(t).OpenAPI()
	body := func(path, method string) *huma.Schema {
		t.Helper()
		item := api.Paths[path]
		op := map[string]*huma.Operation{"post": item.Post, "patch": item.Patch}[method]
		s := op.RequestBody.Content["application/json"].Schema
		if s.Ref != "" {
			s = api.Components.Schemas.SchemaFromRef(s.Ref)
		}
		return s
	}
	prop := func(s *huma.Schema, name string) *huma.Schema {
		t.Helper()
		p := s.Properties[name]
		if p == nil {
			t.Fatalf("no property %s", name)
		}
		if p.Ref != "" {
			p = api.Components.Schemas.SchemaFromRef(p.Ref)
		}
		return p
	}
	unit := body("/api/v1/properties/{id}/units", "post")
	if ref := prop(unit, "reference"); ref.Pattern == "" || !regexp.MustCompile(ref.Pattern).MatchString("DL-12B") || regexp.MustCompile(ref.Pattern).MatchString("-DL") {
		t.Errorf("unit reference pattern %q", ref.Pattern)
	}
	for _, c := range []struct{ path, method, field string }{
		{"/api/v1/tickets", "post", "title"},
		{"/api/v1/tickets/{id}", "patch", "title"},
		{"/api/v1/properties/{id}/units", "post", "label"},
		{"/api/v1/auth/register", "post", "orgName"},
		{"/api/v1/contractors", "post", "companyName"},
		{"/api/v1/work-orders", "post", "description"},
		{"/api/v1/tickets/{id}/comments", "post", "body"},
	} {
		if p := prop(body(c.path, c.method), c.field); p.MinLength == nil || *p.MinLength < 1 {
			t.Errorf("%s %s: %s may be empty in the schema", c.method, c.path, c.field)
		}
	}
	if p := prop(body("/api/v1/auth/register", "post"), "password"); p.MinLength == nil || *p.MinLength != 10 {
		t.Errorf("register password minLength %v, want 10", p.MinLength)
	}
	for _, c := range []struct{ path, field string }{{"/api/v1/auth/register", "email"}, {"/api/v1/members", "email"}, {"/api/v1/contractors", "email"}, {"/api/v1/auth/forgot-password", "email"}} {
		if p := prop(body(c.path, "post"), c.field); p.Format != "email" {
			t.Errorf("%s %s format %q, want email", c.path, c.field, p.Format)
		}
	}
	postcode := prop(body("/api/v1/properties", "post"), "postcode")
	phone := prop(body("/api/v1/contractors", "post"), "phone")
	for name, p := range map[string]*huma.Schema{"postcode": postcode, "phone": phone} {
		if len(p.Examples) == 0 || !strings.Contains(p.Description, "(") {
			t.Errorf("%s: description %q, examples %v: say the accepted forms with examples", name, p.Description, p.Examples)
		}
	}
	sla := prop(body("/api/v1/settings", "patch"), "sla")
	window, _ := sla.AdditionalProperties.(*huma.Schema)
	if window != nil && window.Ref != "" {
		window = api.Components.Schemas.SchemaFromRef(window.Ref)
	}
	if window == nil {
		t.Fatalf("settings sla has no window schema")
	}
	for _, f := range []string{"hours", "workingDays"} {
		if p := prop(window, f); p.ExclusiveMinimum == nil || *p.ExclusiveMinimum != 0 {
			t.Errorf("sla window %s: exclusiveMinimum %v, want 0", f, p.ExclusiveMinimum)
		}
	}

	// The document must not carry huma's non-standard patternDescription keyword.
	raw, _ := json.Marshal(api)
	if strings.Contains(string(raw), "patternDescription") {
		t.Errorf("the document carries patternDescription, which is not JSON Schema")
	}
}

// TestSchemaRuleAnswersFieldError: a rule now in the schema still answers the API's
// failure envelope naming the field, with a readable message.
func TestSchemaRuleAnswersFieldError(t *testing.T) {
	t.Parallel()
	app := testsupport.NewApp(t, nil)
	admin := app.Register("Schema Rules Ltd")
	p := admin.Post("/api/v1/properties", map[string]any{"addressLine1": "1 High Street", "town": "York", "postcode": "YO1 7HH"})
	if p.Status != http.StatusCreated {
		t.Fatalf("property: %d %s", p.Status, p.Body)
	}
	var prop struct {
		Data struct{ ID string } `json:"data"`
	}
	_ = json.Unmarshal(p.Body, &prop)
	for _, c := range []struct {
		body  map[string]any
		field string
		msg   string
	}{
		{map[string]any{"label": "Flat 1", "reference": "-BAD"}, "reference", "letters, digits or hyphens"},
		{map[string]any{"label": "", "reference": "OK-1"}, "label", ""},
	} {
		r := admin.Post(fmt.Sprintf("/api/v1/properties/%s/units", prop.Data.ID), c.body)
		var env struct {
			Data  any `json:"data"`
			Error struct {
				Code   string `json:"code"`
				Fields []struct{ Field, Message string }
			} `json:"error"`
		}
		if err := json.Unmarshal(r.Body, &env); err != nil || r.Status != http.StatusUnprocessableEntity || env.Error.Code != "VALIDATION_FAILED" || env.Data != nil {
			t.Fatalf("%v: %d %s", c.body, r.Status, r.Body)
		}
		if len(env.Error.Fields) != 1 || env.Error.Fields[0].Field != c.field || !strings.Contains(env.Error.Fields[0].Message, c.msg) {
			t.Errorf("%v: fields %+v, want one on %s saying %q", c.body, env.Error.Fields, c.field, c.msg)
		}
	}
}
