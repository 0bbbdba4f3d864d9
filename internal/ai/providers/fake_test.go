package providers

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/maintainuk/maintainuk/internal/ai/llm"
)

// Test secrets: each fake error body echoes both, to prove they are scrubbed.
const (
	testKey    = "sk-test-0123456789abcdef"
	testSystem = "You classify maintenance reports for a landlord."
	testUser   = `{"report":"Water pouring through the ceiling at 12 Acacia Avenue"}`
	testSchema = `{"type":"object","properties":{"category":{"type":"string"}},"required":["category"],"additionalProperties":false}`
)

func testRequest() llm.Request {
	return llm.Request{
		Capability: llm.Classify,
		System:     testSystem,
		User:       testUser,
		Schema:     json.RawMessage(testSchema),
		SchemaName: "classify",
	}
}

// seen is one request as the fake received it.
type seen struct {
	Method string
	Path   string
	Header http.Header
	Body   map[string]any
}

// fake is a stand-in for a provider's API: it records each request and answers with a
// fixed status, headers and body, after an optional delay that a cancelled request cuts
// short.
type fake struct {
	t      *testing.T
	srv    *httptest.Server
	status int
	header map[string]string
	body   string
	delay  time.Duration

	mu   sync.Mutex
	reqs []seen
}

func newFake(t *testing.T, status int, body string) *fake {
	t.Helper()
	f := &fake{t: t, status: status, body: body}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fake) serve(w http.ResponseWriter, r *http.Request) {
	raw, _ := io.ReadAll(r.Body)
	var body map[string]any
	if err := json.Unmarshal(raw, &body); err != nil {
		f.t.Errorf("request body is not a JSON object: %v", err)
	}
	f.mu.Lock()
	f.reqs = append(f.reqs, seen{r.Method, r.URL.Path, r.Header.Clone(), body})
	f.mu.Unlock()
	if f.delay > 0 {
		select {
		case <-time.After(f.delay):
		case <-r.Context().Done():
			return
		}
	}
	for k, v := range f.header {
		w.Header().Set(k, v)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(f.status)
	_, _ = io.WriteString(w, f.body)
}

func (f *fake) last() seen {
	f.t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.reqs) == 0 {
		f.t.Fatal("the fake received no request")
	}
	return f.reqs[len(f.reqs)-1]
}

func (f *fake) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.reqs)
}

// captureTransport answers every request itself, so a test can see where a provider
// would go by default without touching the network.
type captureTransport struct {
	mu      sync.Mutex
	urls    []string
	headers []http.Header
	body    string
}

func (c *captureTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	c.mu.Lock()
	c.urls = append(c.urls, r.URL.String())
	c.headers = append(c.headers, r.Header.Clone())
	c.mu.Unlock()
	return &http.Response{
		StatusCode: http.StatusOK,
		Header:     http.Header{"Content-Type": {"application/json"}},
		Body:       io.NopCloser(strings.NewReader(c.body)),
		Request:    r,
	}, nil
}

// jsonEqual compares two JSON documents by value.
func jsonEqual(t *testing.T, got any, want string) bool {
	t.Helper()
	g, err := json.Marshal(got)
	if err != nil {
		t.Fatal(err)
	}
	var a, b any
	if err := json.Unmarshal(g, &a); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(want), &b); err != nil {
		t.Fatal(err)
	}
	ga, _ := json.Marshal(a)
	gb, _ := json.Marshal(b)
	return string(ga) == string(gb)
}

// assertNoSecrets fails when an error's text carries the key or the prompt.
func assertNoSecrets(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		return
	}
	text := err.Error()
	for _, s := range []string{testKey, testSystem, testUser, "Acacia"} {
		if strings.Contains(text, s) {
			t.Errorf("error text %q carries %q", text, s)
		}
	}
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}
