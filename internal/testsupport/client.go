package testsupport

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/maintainuk/maintainuk/internal/access"
	"github.com/maintainuk/maintainuk/internal/apperr"
)

// Client calls the API as one user (or anonymously with no token).
type Client struct {
	App          *App
	Token        string
	RefreshToken string
	UserID       uuid.UUID
	OrgID        uuid.UUID
	Role         access.Role
	Email        string
	// t, when set by With, is the test that failures are reported to.
	t testing.TB
}

// With returns a copy of the client that reports failures to t: use it inside subtests,
// since failing the app's own test from a subtest's goroutine is not allowed.
func (c *Client) With(t testing.TB) *Client {
	cp := *c
	cp.t = t
	return &cp
}

func (c *Client) test() testing.TB {
	if c.t != nil {
		return c.t
	}
	return c.App.t
}

// Anonymous returns a client with no token.
func (a *App) Anonymous() *Client { return &Client{App: a} }

// Response is an API answer.
type Response struct {
	t      testing.TB
	Status int
	Header http.Header
	Body   []byte
}

// Failure is the error member of a failed answer.
type Failure struct {
	Code    string              `json:"code"`
	Message string              `json:"message"`
	Fields  []apperr.FieldError `json:"fields"`
}

// Do sends a request; body is marshalled to JSON unless it is a string or []byte (sent as is).
func (c *Client) Do(method, path string, body any, headers ...string) *Response {
	t := c.test()
	t.Helper()
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		r = strings.NewReader(b)
	case []byte:
		r = bytes.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			t.Fatalf("marshal: %v", err)
		}
		r = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, c.App.Server.URL+path, r)
	if err != nil {
		t.Fatalf("request: %v", err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := c.App.Server.Client().Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read body: %v", err)
	}
	if rec := activeRecorder(); rec != nil {
		rec.add(Recorded{Test: t.Name(), Method: method, Path: req.URL.Path, Status: resp.StatusCode, Header: resp.Header, Body: raw})
	}
	return &Response{t: t, Status: resp.StatusCode, Header: resp.Header, Body: raw}
}

// Get, Post, Patch and Delete are Do for each method.
func (c *Client) Get(path string) *Response {
	c.test().Helper()
	return c.Do(http.MethodGet, path, nil)
}
func (c *Client) Post(path string, body any, headers ...string) *Response {
	c.test().Helper()
	return c.Do(http.MethodPost, path, body, headers...)
}
func (c *Client) Patch(path string, body any) *Response {
	c.test().Helper()
	return c.Do(http.MethodPatch, path, body)
}
func (c *Client) Delete(path string) *Response {
	c.test().Helper()
	return c.Do(http.MethodDelete, path, nil)
}

// Expect fails the test unless the status is want, and returns the response.
func (r *Response) Expect(want int) *Response {
	r.t.Helper()
	if r.Status != want {
		r.t.Fatalf("status %d, want %d; body: %s", r.Status, want, r.Body)
	}
	return r
}

// Data decodes the envelope's data into v and returns the response.
func (r *Response) Data(v any) *Response {
	r.t.Helper()
	var env struct {
		Data json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(r.Body, &env); err != nil {
		r.t.Fatalf("decode envelope: %v; body: %s", err, r.Body)
	}
	if err := json.Unmarshal(env.Data, v); err != nil {
		r.t.Fatalf("decode data: %v; body: %s", err, r.Body)
	}
	return r
}

// Failure decodes the envelope's error.
func (r *Response) Failure() Failure {
	r.t.Helper()
	var env struct {
		Data    json.RawMessage `json:"data"`
		Error   *Failure        `json:"error"`
		TraceID string          `json:"traceId"`
	}
	if err := json.Unmarshal(r.Body, &env); err != nil {
		r.t.Fatalf("decode envelope: %v; body: %s", err, r.Body)
	}
	if env.Error == nil || string(env.Data) != "null" || env.TraceID == "" {
		r.t.Fatalf("not a failure envelope: %s", r.Body)
	}
	return *env.Error
}

// ExpectFailure is ExpectFailure reporting to the test that made the request.
func (r *Response) ExpectFailure(status int, code apperr.Code, fields ...string) Failure {
	r.t.Helper()
	return ExpectFailure(r.t, r, status, code, fields...)
}

// ID returns data.id.
func (r *Response) ID() uuid.UUID {
	r.t.Helper()
	var v struct {
		ID uuid.UUID `json:"id"`
	}
	r.Data(&v)
	return v.ID
}

// Path formats a path.
func Path(format string, args ...any) string { return fmt.Sprintf(format, args...) }
