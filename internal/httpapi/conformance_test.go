package httpapi_test

import (
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/danielgtaylor/huma/v2"

	"github.com/maintainuk/maintainuk/internal/httpapi"
	"github.com/maintainuk/maintainuk/internal/testsupport"
)

// TestConformanceCheck shows the check TestMain runs has teeth: a null where the
// document says string, an undocumented status, an undocumented body type and an
// undocumented Retry-After are each reported.
func TestConformanceCheck(t *testing.T) {
	t.Parallel()
	c, err := testsupport.NewContract()
	if err != nil {
		t.Fatal(err)
	}
	json := http.Header{"Content-Type": {"application/json"}}
	good := testsupport.Recorded{Method: "GET", Path: "/health/live", Status: 200, Header: json, Body: []byte(`{"status":"ok"}`)}
	if got := c.Check([]testsupport.Recorded{good}); len(got.Problems) != 0 || got.Checked != 1 {
		t.Fatalf("a conforming answer: %+v", got)
	}
	for name, rec := range map[string]testsupport.Recorded{
		"null for a string":   {Method: "GET", Path: "/health/live", Status: 200, Header: json, Body: []byte(`{"status":null}`)},
		"undocumented status": {Method: "GET", Path: "/health/live", Status: 418, Header: json, Body: []byte(`{}`)},
		"undocumented type":   {Method: "GET", Path: "/health/live", Status: 200, Header: http.Header{"Content-Type": {"text/plain"}}, Body: []byte(`ok`)},
		"undocumented header": {Method: "GET", Path: "/health/live", Status: 200, Header: http.Header{"Content-Type": {"application/json"}, "Retry-After": {"1"}}, Body: []byte(`{"status":"ok"}`)},
		"data in a failure": {Method: "GET", Path: "/api/v1/auth/me", Status: 401, Header: json,
			Body: []byte(`{"data":{"id":1},"error":{"code":"UNAUTHENTICATED","message":"x","fields":[]},"traceId":"t"}`)},
	} {
		got := c.Check([]testsupport.Recorded{rec})
		if len(got.Problems) == 0 {
			t.Errorf("%s: not reported", name)
		}
		t.Logf("%s: %v", name, got.Problems)
	}
	if c.Documents("GET", "/docs") || !c.Documents("GET", "/api/v1/tickets/x") {
		t.Fatal("operations are not matched by their path templates")
	}
}

// TestPointersAreNullable covers what the recorded answers may miss: in every schema of
// the document, a pointer field that is not omitted when nil is documented as nullable
// (it answers null), so no answer outside the tests can break the contract that way.
func TestPointersAreNullable(t *testing.T) {
	t.Parallel()
	reg := httpapi.New(httpapi.Deps{}).OpenAPI().Components.Schemas
	checked := 0
	eachAnswerField(reg, func(schema string, f reflect.StructField, jsonName, opts string, prop *huma.Schema) {
		if f.Type.Kind() != reflect.Pointer || strings.Contains(opts, "omitempty") || strings.Contains(opts, "omitzero") {
			return
		}
		checked++
		if prop.Ref != "" {
			prop = reg.SchemaFromRef(prop.Ref) // a struct: nullable only if its own schema says so
		}
		if !prop.Nullable {
			t.Errorf("%s.%s is a pointer that answers null, but its schema is not nullable", schema, jsonName)
		}
	})
	if checked < 10 {
		t.Fatalf("only %d nullable pointer fields found: the walk is broken", checked)
	}
	t.Logf("%d pointer fields are nullable", checked)
}

// eachAnswerField calls fn for every field of every answer schema in reg (request bodies
// left out) that the schema documents, with its JSON name, its tag options and its
// property schema; embedded structs are walked into.
func eachAnswerField(reg huma.Registry, fn func(schema string, f reflect.StructField, jsonName, opts string, prop *huma.Schema)) {
	var walk func(name string, sc *huma.Schema, typ reflect.Type)
	walk = func(name string, sc *huma.Schema, typ reflect.Type) {
		for i := range typ.NumField() {
			f := typ.Field(i)
			jsonName, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
			if f.Anonymous && jsonName == "" && f.Type.Kind() == reflect.Struct {
				walk(name, sc, f.Type)
				continue
			}
			if jsonName == "-" {
				continue
			}
			if jsonName == "" {
				jsonName = f.Name
			}
			if prop := sc.Properties[jsonName]; prop != nil {
				fn(name, f, jsonName, opts, prop)
			}
		}
	}
	for name, sc := range reg.Map() {
		if typ := reg.TypeFromRef("#/components/schemas/" + name); typ != nil && typ.Kind() == reflect.Struct && !strings.HasSuffix(name, "InBody") {
			walk(name, sc, typ)
		}
	}
}

// TestAnswerHeadersDocumented: every 429 and 503 an operation documents says Retry-After
// comes with it, and every 401 the bearer challenge.
func TestAnswerHeadersDocumented(t *testing.T) {
	t.Parallel()
	doc := httpapi.New(httpapi.Deps{}).OpenAPI()
	want := map[string]string{"429": "Retry-After", "503": "Retry-After", "401": "WWW-Authenticate"}
	seen := 0
	for path, item := range doc.Paths {
		for _, op := range []*huma.Operation{item.Get, item.Put, item.Post, item.Delete, item.Patch} {
			if op == nil {
				continue
			}
			for code, header := range want {
				if resp := op.Responses[code]; resp != nil {
					seen++
					if resp.Headers[header] == nil || resp.Headers[header].Schema == nil {
						t.Errorf("%s %s: %s does not document %s", op.Method, path, code, header)
					}
				}
			}
		}
	}
	if seen == 0 {
		t.Fatal("no 401, 429 or 503 answers documented: the walk is broken")
	}
}

// TestRateLimitsDocumented: every /api/ operation documents the 429 of the API's rate
// limits, and every answer of one the RateLimit-* headers; operations outside /api/ do not.
func TestRateLimitsDocumented(t *testing.T) {
	t.Parallel()
	doc := httpapi.New(httpapi.Deps{}).OpenAPI()
	limited := 0
	for path, item := range doc.Paths {
		for _, op := range []*huma.Operation{item.Get, item.Put, item.Post, item.Delete, item.Patch} {
			if op == nil {
				continue
			}
			api := strings.HasPrefix(path, "/api/")
			if api {
				limited++
				if op.Responses["429"] == nil {
					t.Errorf("%s %s: no 429", op.Method, path)
				}
			}
			for code, resp := range op.Responses {
				for _, h := range []string{"RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset"} {
					if documented := resp.Headers[h] != nil; documented != api {
						t.Errorf("%s %s %s: %s documented %v", op.Method, path, code, h, documented)
					}
				}
			}
		}
	}
	if limited < 50 {
		t.Fatalf("only %d /api/ operations: the walk is broken", limited)
	}
}

// TestNamedStringsHaveEnums: a field of one of the project's named string types (a
// status, a role, an error code) is documented with its values in every schema.
func TestNamedStringsHaveEnums(t *testing.T) {
	t.Parallel()
	reg := httpapi.New(httpapi.Deps{}).OpenAPI().Components.Schemas
	checked := 0
	eachAnswerField(reg, func(schema string, f reflect.StructField, jsonName, _ string, prop *huma.Schema) {
		ft := f.Type
		if ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		if ft.Kind() != reflect.String || !strings.HasPrefix(ft.PkgPath(), "github.com/maintainuk/") {
			return
		}
		checked++
		if len(prop.Enum) == 0 {
			t.Errorf("%s.%s is a %s but its schema lists no values (add it to enumsByType in contract.go)", schema, jsonName, ft)
		}
	})
	if checked < 10 {
		t.Fatalf("only %d named string fields found: the walk is broken", checked)
	}
}
