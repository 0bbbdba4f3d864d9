package httpapi_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/danielgtaylor/huma/v2"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/maintainuk/maintainuk/internal/httpapi"
	"github.com/maintainuk/maintainuk/internal/testsupport"
)

// contract checks recorded answers against the server's OpenAPI 3.1 document with a
// JSON Schema 2020-12 validator (formats asserted).
type contract struct {
	doc      map[string]any
	ops      []docOperation
	compiler *jsonschema.Compiler
	schemas  map[string]*jsonschema.Schema
}

type docOperation struct {
	method, path string
	re           *regexp.Regexp
	params       int
	op           map[string]any
}

// conformance is what check found.
type conformance struct {
	checked, skipped, mismatches int
	operations                   map[string]bool
	pairs                        map[string]bool
	problems                     []string
}

const docURL = "https://maintainuk.invalid/openapi.json"

// headersDocumented are answer headers a client acts on: when an answer carries one, its
// documented response must declare it.
var headersDocumented = []string{"Retry-After"}

func newContract() (*contract, error) {
	raw, err := json.Marshal(httpapi.New(httpapi.Deps{}).OpenAPI())
	if err != nil {
		return nil, err
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		return nil, err
	}
	c := &contract{doc: doc.(map[string]any), compiler: jsonschema.NewCompiler(), schemas: map[string]*jsonschema.Schema{}}
	c.compiler.DefaultDraft(jsonschema.Draft2020)
	c.compiler.AssertFormat()
	if err := c.compiler.AddResource(docURL, doc); err != nil {
		return nil, err
	}
	paths, _ := c.doc["paths"].(map[string]any)
	param := regexp.MustCompile(`\{[^}]+\}`)
	for path, item := range paths {
		for method, op := range item.(map[string]any) {
			opm, ok := op.(map[string]any)
			if !ok {
				continue
			}
			pattern := "^" + param.ReplaceAllString(regexp.QuoteMeta(strings.ReplaceAll(strings.ReplaceAll(path, "{", "\x00"), "}", "\x01")), "") + "$"
			pattern = regexp.MustCompile("\x00[^\x01]*\x01").ReplaceAllString(pattern, "[^/]+")
			c.ops = append(c.ops, docOperation{
				method: strings.ToUpper(method), path: path, re: regexp.MustCompile(pattern),
				params: strings.Count(path, "{"), op: opm,
			})
		}
	}
	// A literal segment wins over a parameter, as in http.ServeMux.
	slices.SortFunc(c.ops, func(a, b docOperation) int { return a.params - b.params })
	return c, nil
}

func (c *contract) operation(method, path string) *docOperation {
	for i := range c.ops {
		if c.ops[i].method == method && c.ops[i].re.MatchString(path) {
			return &c.ops[i]
		}
	}
	return nil
}

// unseen lists the documented operations no recorded answer came from.
func (c *contract) unseen(report conformance) []string {
	var out []string
	for _, op := range c.ops {
		if name := op.method + " " + op.path; !report.operations[name] {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out
}

// pointerToken escapes one JSON pointer reference token.
func pointerToken(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}

func (c *contract) schema(ptr string) (*jsonschema.Schema, error) {
	if s, ok := c.schemas[ptr]; ok {
		return s, nil
	}
	s, err := c.compiler.Compile(docURL + "#" + ptr)
	if err != nil {
		return nil, err
	}
	c.schemas[ptr] = s
	return s, nil
}

// check validates every recorded answer of a documented operation; answers to other
// paths (the document itself, /docs, unknown routes) are counted as skipped.
func (c *contract) check(recs []testsupport.Recorded) conformance {
	out := conformance{operations: map[string]bool{}, pairs: map[string]bool{}}
	seen := map[string]bool{}
	problem := func(key, format string, args ...any) {
		out.mismatches++
		if seen[key] {
			return // one line per operation, status and problem
		}
		seen[key] = true
		out.problems = append(out.problems, fmt.Sprintf(format, args...))
	}
	for _, r := range recs {
		op := c.operation(r.Method, r.Path)
		if op == nil {
			out.skipped++
			continue
		}
		out.checked++
		name := op.method + " " + op.path
		status := strconv.Itoa(r.Status)
		out.operations[name] = true
		out.pairs[name+" "+status] = true
		responses, _ := op.op["responses"].(map[string]any)
		resp, _ := responses[status].(map[string]any)
		if resp == nil {
			problem(name+status, "  %s answered %s, which its operation does not document (documents %v; seen in %s)",
				name, status, slices.Sorted(mapKeys(responses)), r.Test)
			continue
		}
		headers, _ := resp["headers"].(map[string]any)
		for _, h := range headersDocumented {
			if r.Header.Get(h) != "" && headers[h] == nil {
				problem(name+status+h, "  %s %s: answer carries header %s, which is not documented (seen in %s)", name, status, h, r.Test)
			}
		}
		content, _ := resp["content"].(map[string]any)
		if len(r.Body) == 0 {
			continue
		}
		mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
		if err != nil {
			problem(name+status+"ct", "  %s %s: Content-Type %q: %v (seen in %s)", name, status, r.Header.Get("Content-Type"), err, r.Test)
			continue
		}
		if content[mt] == nil {
			problem(name+status+mt, "  %s %s: body of type %s, which is not documented (documents %v; seen in %s)",
				name, status, mt, slices.Sorted(mapKeys(content)), r.Test)
			continue
		}
		if mt != "application/json" && !strings.HasSuffix(mt, "+json") {
			continue
		}
		ptr := "/paths/" + pointerToken(op.path) + "/" + strings.ToLower(op.method) + "/responses/" + status + "/content/" + pointerToken(mt) + "/schema"
		sch, err := c.schema(ptr)
		if err != nil {
			problem(ptr, "  %s %s: schema does not compile: %v", name, status, err)
			continue
		}
		body, err := jsonschema.UnmarshalJSON(bytes.NewReader(r.Body))
		if err != nil {
			problem(name+status+"json", "  %s %s: body is not JSON: %v (seen in %s)", name, status, err, r.Test)
			continue
		}
		if err := sch.Validate(body); err != nil {
			for _, leaf := range leaves(err) {
				// One line per place in the schema: /data/3/x and /data/4/x are the same problem.
				problem(name+status+arrayIndex.ReplaceAllString(leaf, "/*"), "  %s %s: %s (seen in %s)", name, status, leaf, r.Test)
			}
		}
	}
	return out
}

var arrayIndex = regexp.MustCompile(`/[0-9]+`)

// leaves lists a validation error's innermost causes as "at <JSON pointer>: <message>".
func leaves(err error) []string {
	ve, ok := err.(*jsonschema.ValidationError)
	if !ok {
		return []string{err.Error()}
	}
	var out []string
	var walk func(e *jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		if len(e.Causes) == 0 {
			msg := e.Error()
			if i := strings.Index(msg, ": "); i >= 0 {
				msg = msg[i+2:]
			}
			out = append(out, fmt.Sprintf("at /%s: %s", strings.Join(escapeAll(e.InstanceLocation), "/"), msg))
			return
		}
		for _, cause := range e.Causes {
			walk(cause)
		}
	}
	walk(ve)
	return out
}

func escapeAll(tokens []string) []string {
	out := make([]string, len(tokens))
	for i, t := range tokens {
		out[i] = pointerToken(t)
	}
	return out
}

func mapKeys(m map[string]any) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// TestConformanceCheck shows the check TestMain runs has teeth: a null where the
// document says string, an undocumented status, an undocumented body type and an
// undocumented Retry-After are each reported.
func TestConformanceCheck(t *testing.T) {
	t.Parallel()
	c, err := newContract()
	if err != nil {
		t.Fatal(err)
	}
	json := http.Header{"Content-Type": {"application/json"}}
	good := testsupport.Recorded{Method: "GET", Path: "/health/live", Status: 200, Header: json, Body: []byte(`{"status":"ok"}`)}
	if got := c.check([]testsupport.Recorded{good}); len(got.problems) != 0 || got.checked != 1 {
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
		got := c.check([]testsupport.Recorded{rec})
		if len(got.problems) == 0 {
			t.Errorf("%s: not reported", name)
		}
		t.Logf("%s: %v", name, got.problems)
	}
	if c.operation("GET", "/docs") != nil || c.operation("GET", "/api/v1/tickets/x") == nil {
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
	var check func(name string, sc *huma.Schema, typ reflect.Type)
	check = func(name string, sc *huma.Schema, typ reflect.Type) {
		for i := range typ.NumField() {
			f := typ.Field(i)
			jsonName, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
			if f.Anonymous && jsonName == "" && f.Type.Kind() == reflect.Struct {
				check(name, sc, f.Type)
				continue
			}
			if f.Type.Kind() != reflect.Pointer || strings.Contains(opts, "omitempty") || strings.Contains(opts, "omitzero") || jsonName == "-" {
				continue
			}
			if jsonName == "" {
				jsonName = f.Name
			}
			prop := sc.Properties[jsonName]
			if prop == nil {
				continue
			}
			checked++
			if prop.Ref != "" {
				prop = reg.SchemaFromRef(prop.Ref) // a struct: nullable only if its own schema says so
			}
			if !prop.Nullable {
				t.Errorf("%s.%s is a pointer that answers null, but its schema is not nullable", name, jsonName)
			}
		}
	}
	for name, sc := range reg.Map() {
		if typ := reg.TypeFromRef("#/components/schemas/" + name); typ != nil && typ.Kind() == reflect.Struct && !strings.HasSuffix(name, "InBody") {
			check(name, sc, typ)
		}
	}
	if checked < 10 {
		t.Fatalf("only %d nullable pointer fields found: the walk is broken", checked)
	}
	t.Logf("%d pointer fields are nullable", checked)
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
