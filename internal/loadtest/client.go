package loadtest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// api is the small client preparation uses: JSON in, the envelope's data out.
type api struct {
	base   string // scheme://host[/prefix], no trailing slash, without /api/v1
	client *http.Client
}

// newAPI checks the base URL and picks the HTTP client.
func newAPI(baseURL string, client *http.Client) (*api, error) {
	u, err := url.Parse(strings.TrimSpace(baseURL))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("base URL %q: want http://host[:port] or https://host[:port]", baseURL)
	}
	base := strings.TrimSuffix(strings.TrimRight(u.String(), "/"), "/api/v1")
	if client == nil {
		client = defaultHTTPClient()
	}
	return &api{base: base, client: client}, nil
}

// defaultHTTPClient keeps a connection per worker open between requests: the standard
// transport keeps only two idle connections per host, so 16 workers would keep opening
// new ones and measure TCP set-up instead of the API.
func defaultHTTPClient() *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConns = 0
	tr.MaxIdleConnsPerHost = 1024
	return &http.Client{Transport: tr, Timeout: 30 * time.Second}
}

// url is the address of an API path such as /api/v1/tickets.
func (a *api) url(path string) string { return a.base + path }

// failure is the error member of an envelope.
type failure struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// envelope is every API answer: data on success, error on failure.
type envelope struct {
	Data  json.RawMessage `json:"data"`
	Error *failure        `json:"error"`
	Meta  struct {
		NextCursor string `json:"nextCursor"`
	} `json:"meta"`
	TraceID string `json:"traceId"`
}

// statusError is an answer other than the one expected.
type statusError struct {
	method, url string
	status      int
	failure     *failure
}

func (e *statusError) Error() string {
	if e.failure != nil {
		return fmt.Sprintf("%s %s: %d %s: %s", e.method, e.url, e.status, e.failure.Code, e.failure.Message)
	}
	return fmt.Sprintf("%s %s: answered %d without an API error envelope: is the URL the MaintainUK server's base address?", e.method, e.url, e.status)
}

// call sends body (JSON unless nil) with the bearer token and decodes the envelope's data
// into out (when not nil); it returns the next-page cursor of a list.
func (a *api) call(ctx context.Context, method, path, token string, body, out any, want int) (string, error) {
	var r io.Reader
	if body != nil {
		raw, err := json.Marshal(body)
		if err != nil {
			return "", fmt.Errorf("encode %s %s: %w", method, path, err)
		}
		r = bytes.NewReader(raw)
	}
	req, err := http.NewRequestWithContext(ctx, method, a.url(path), r)
	if err != nil {
		return "", fmt.Errorf("%s %s: %w", method, path, err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := a.client.Do(req)
	if err != nil {
		return "", fmt.Errorf("cannot reach the server: %w", err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", fmt.Errorf("%s %s: read answer: %w", method, req.URL, err)
	}
	var env envelope
	decodeErr := json.Unmarshal(raw, &env)
	if resp.StatusCode != want {
		se := &statusError{method: method, url: req.URL.String(), status: resp.StatusCode}
		if decodeErr == nil {
			se.failure = env.Error
		}
		return "", se
	}
	if decodeErr != nil || env.Data == nil {
		return "", fmt.Errorf("%s %s: answered %d but not with an API envelope: is the URL the MaintainUK server's base address?", method, req.URL, resp.StatusCode)
	}
	if out != nil {
		if err := json.Unmarshal(env.Data, out); err != nil {
			return "", fmt.Errorf("%s %s: decode data: %w", method, req.URL, err)
		}
	}
	return env.Meta.NextCursor, nil
}

// errorDetail is what an answer's body says went wrong, for a Result's note, with the
// trace id that finds the request in the server's log.
func errorDetail(body []byte) string {
	var env envelope
	if json.Unmarshal(body, &env) != nil || env.Error == nil {
		return ""
	}
	return fmt.Sprintf("%s: %s (trace %s)", env.Error.Code, env.Error.Message, env.TraceID)
}

// isStatus reports whether err is an answer with the given status.
func isStatus(err error, status int) bool {
	se, ok := errors.AsType[*statusError](err)
	return ok && se.status == status
}
