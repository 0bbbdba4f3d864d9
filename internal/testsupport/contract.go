package testsupport

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/maintainuk/maintainuk/internal/httpapi"
)

// Contract checks recorded answers against the server's OpenAPI 3.1 document with a
// JSON Schema 2020-12 validator (formats asserted).
type Contract struct {
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

// ContractReport is what Check found: answers checked, answers skipped (not to an
// operation), the operations and operation/status pairs seen, and one line per problem.
type ContractReport struct {
	Checked, Skipped, Mismatches int
	Operations                   map[string]bool
	Pairs                        map[string]bool
	Problems                     []string
}

const docURL = "https://maintainuk.invalid/openapi.json"

// headersDocumented are answer headers a client acts on: when an answer carries one, its
// documented response must declare it.
var headersDocumented = []string{"Retry-After", "Idempotent-Replayed", "WWW-Authenticate", "RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset"}

// NewContract reads the API's OpenAPI document (httpapi.New builds the same one the
// server serves).
func NewContract() (*Contract, error) {
	raw, err := json.Marshal(httpapi.New(httpapi.Deps{}).OpenAPI())
	if err != nil {
		return nil, err
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		return nil, err
	}
	c := &Contract{doc: doc.(map[string]any), compiler: jsonschema.NewCompiler(), schemas: map[string]*jsonschema.Schema{}}
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

// Documents reports whether an operation of the document serves method and path.
func (c *Contract) Documents(method, path string) bool { return c.operation(method, path) != nil }

func (c *Contract) operation(method, path string) *docOperation {
	for i := range c.ops {
		if c.ops[i].method == method && c.ops[i].re.MatchString(path) {
			return &c.ops[i]
		}
	}
	return nil
}

// Unseen lists the documented operations no recorded answer came from.
func (c *Contract) Unseen(report ContractReport) []string {
	var out []string
	for _, op := range c.ops {
		if name := op.method + " " + op.path; !report.Operations[name] {
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

func (c *Contract) schema(ptr string) (*jsonschema.Schema, error) {
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

// Check validates every recorded answer of a documented operation; answers to other
// paths (the document itself, /docs, unknown routes) are counted as skipped.
func (c *Contract) Check(recs []Recorded) ContractReport {
	out := ContractReport{Operations: map[string]bool{}, Pairs: map[string]bool{}}
	seen := map[string]bool{}
	problem := func(key, format string, args ...any) {
		out.Mismatches++
		if seen[key] {
			return // one line per operation, status and problem
		}
		seen[key] = true
		out.Problems = append(out.Problems, fmt.Sprintf(format, args...))
	}
	for _, r := range recs {
		op := c.operation(r.Method, r.Path)
		if op == nil {
			out.Skipped++
			continue
		}
		out.Checked++
		name := op.method + " " + op.path
		status := strconv.Itoa(r.Status)
		out.Operations[name] = true
		out.Pairs[name+" "+status] = true
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

// RunCheckingContract runs a package's tests (m.Run) while recording every answer its
// Clients see, then checks each against the OpenAPI document: its status must be
// documented for its operation, with any Retry-After header, and its body must match the
// schema documented for that status and type. A mismatch fails the run with one line per
// operation, status and JSON pointer; with -v the run says how much it checked. Call it
// from TestMain: os.Exit(testsupport.RunCheckingContract(m)).
func RunCheckingContract(m *testing.M) int {
	rec := RecordResponses()
	if code := m.Run(); code != 0 {
		return code
	}
	answers := rec.Responses()
	if len(answers) == 0 {
		return 0 // a run of tests that call no API (-run, fuzzing)
	}
	c, err := NewContract()
	if err != nil {
		fmt.Fprintf(os.Stderr, "schema conformance: %v\n", err)
		return 1
	}
	report := c.Check(answers)
	if len(report.Problems) > 0 {
		fmt.Fprintf(os.Stderr, "\nschema conformance: %d answers do not match /openapi.json:\n", report.Mismatches)
		for _, p := range report.Problems {
			fmt.Fprintln(os.Stderr, p)
		}
		return 1
	}
	if testing.Verbose() {
		fmt.Printf("schema conformance: %d answers of %d operations (%d operation/status pairs) match /openapi.json; %d other answers (not operations) skipped\n",
			report.Checked, len(report.Operations), len(report.Pairs), report.Skipped)
		if unseen := c.Unseen(report); len(unseen) > 0 && len(unseen) <= 10 { // a package testing most of the API
			fmt.Printf("schema conformance: no test sees an answer of %v\n", unseen)
		}
	}
	return 0
}
