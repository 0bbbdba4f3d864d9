package providers

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/maintainuk/maintainuk/internal/ai/llm"
)

var providerNames = []string{"openai", "anthropic", "ollama"}

func buildProvider(name, baseURL string, hc *http.Client) llm.Provider {
	cfg := llm.Config{APIKey: testKey, BaseURL: baseURL}
	switch name {
	case "anthropic":
		return NewAnthropic(cfg, hc)
	case "ollama":
		return NewOllama(cfg, hc)
	default:
		return NewOpenAI(cfg, hc)
	}
}

// errorBody is the provider's error document, its message echoing the key and the
// prompt as a careless proxy might.
func errorBody(provider string) string {
	msg := "bad things: " + testKey + " " + testUser + " " + testSystem
	if provider == "anthropic" {
		return mustJSON(map[string]any{"type": "error", "error": map[string]any{"type": "api_error", "message": msg}})
	}
	return mustJSON(map[string]any{"error": map[string]any{"message": msg, "type": "invalid_request_error", "param": nil, "code": nil}})
}

func TestStatusErrors(t *testing.T) {
	tests := []struct {
		status     int
		retryAfter string
		retryable  bool
		wantAfter  time.Duration
	}{
		{status: 400},
		{status: 401},
		{status: 403},
		{status: 404},
		{status: 422},
		{status: 408, retryable: true},
		{status: 409, retryable: true},
		{status: 429, retryAfter: "7", retryable: true, wantAfter: 7 * time.Second},
		{status: 429, retryable: true},
		{status: 500, retryable: true},
		{status: 503, retryAfter: "2", retryable: true, wantAfter: 2 * time.Second},
		{status: 529, retryable: true},
	}
	for _, name := range providerNames {
		for _, tt := range tests {
			t.Run(name+"/"+strconv.Itoa(tt.status)+"/"+tt.retryAfter, func(t *testing.T) {
				f := newFake(t, tt.status, errorBody(name))
				if tt.retryAfter != "" {
					f.header = map[string]string{"Retry-After": tt.retryAfter}
				}
				_, err := buildProvider(name, f.srv.URL, nil).Complete(context.Background(), testRequest())
				var pe *llm.Error
				if !errors.As(err, &pe) {
					t.Fatalf("error %v (%T), want *llm.Error", err, err)
				}
				if pe.Provider != name || pe.Status != tt.status || pe.Retryable != tt.retryable || pe.RetryAfter != tt.wantAfter {
					t.Errorf("got provider %s status %d retryable %v after %v, want %s %d %v %v",
						pe.Provider, pe.Status, pe.Retryable, pe.RetryAfter, name, tt.status, tt.retryable, tt.wantAfter)
				}
				if llm.Retryable(err) != tt.retryable {
					t.Errorf("llm.Retryable %v", llm.Retryable(err))
				}
				if want := name + ": HTTP " + strconv.Itoa(tt.status); !strings.HasPrefix(err.Error(), want) {
					t.Errorf("error %q, want it to start %q", err, want)
				}
				assertNoSecrets(t, err)
				if f.count() != 1 {
					t.Errorf("%d requests: the SDK retried", f.count())
				}
			})
		}
	}
}

// TestStatusErrorDetail: the provider's message is kept, scrubbed and short, except for
// 401 and 403, where OpenAI's would name the rejected key; a body that is not the API's
// error document (a proxy's page) is left out.
func TestStatusErrorDetail(t *testing.T) {
	long := strings.Repeat("schema problem ", 40)
	openaiBody := mustJSON(map[string]any{"error": map[string]any{"message": long, "type": "x"}})
	anthropicBody := mustJSON(map[string]any{"type": "error", "error": map[string]any{"type": "x", "message": long}})
	proxyPage := "<html><body>" + testUser + "</body></html>"
	tests := []struct {
		provider string
		status   int
		body     string
		want     string
	}{
		{"openai", 400, openaiBody, "openai: HTTP 400 Bad Request: " + long[:maxDetail] + "…"},
		{"openai", 401, openaiBody, "openai: HTTP 401 Unauthorized"},
		{"openai", 403, openaiBody, "openai: HTTP 403 Forbidden"},
		{"openai", 502, proxyPage, "openai: HTTP 502 Bad Gateway"},
		{"anthropic", 400, anthropicBody, "anthropic: HTTP 400 Bad Request: " + long[:maxDetail] + "…"},
		{"anthropic", 401, anthropicBody, "anthropic: HTTP 401 Unauthorized"},
		{"anthropic", 502, proxyPage, "anthropic: HTTP 502 Bad Gateway"},
	}
	for _, tt := range tests {
		t.Run(tt.provider+"/"+strconv.Itoa(tt.status), func(t *testing.T) {
			f := newFake(t, tt.status, tt.body)
			_, err := buildProvider(tt.provider, f.srv.URL, nil).Complete(context.Background(), testRequest())
			if err == nil || err.Error() != tt.want {
				t.Errorf("error\n%q, want\n%q", err, tt.want)
			}
		})
	}
}

// TestTransportErrors: a deadline, a cancellation and a refused connection give an
// *llm.Error with no status, promptly.
func TestTransportErrors(t *testing.T) {
	closed := newFake(t, http.StatusOK, "{}")
	closedURL := closed.srv.URL
	closed.srv.Close()

	tests := []struct {
		name      string
		setup     func(t *testing.T) (baseURL string, ctx context.Context)
		retryable bool
		is        error
	}{
		{
			name: "deadline",
			setup: func(t *testing.T) (string, context.Context) {
				f := newFake(t, http.StatusOK, "{}")
				f.delay = 5 * time.Second
				ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
				t.Cleanup(cancel)
				return f.srv.URL, ctx
			},
			retryable: true, is: context.DeadlineExceeded,
		},
		{
			name: "cancelled",
			setup: func(t *testing.T) (string, context.Context) {
				f := newFake(t, http.StatusOK, "{}")
				f.delay = 5 * time.Second
				ctx, cancel := context.WithCancel(context.Background())
				time.AfterFunc(50*time.Millisecond, cancel)
				return f.srv.URL, ctx
			},
			is: context.Canceled,
		},
		{
			name: "connection refused",
			setup: func(*testing.T) (string, context.Context) {
				return closedURL, context.Background()
			},
			retryable: true,
		},
	}
	for _, name := range providerNames {
		for _, tt := range tests {
			t.Run(name+"/"+tt.name, func(t *testing.T) {
				baseURL, ctx := tt.setup(t)
				start := time.Now()
				_, err := buildProvider(name, baseURL, nil).Complete(ctx, testRequest())
				if d := time.Since(start); d > 2*time.Second {
					t.Errorf("took %v", d)
				}
				var pe *llm.Error
				if !errors.As(err, &pe) {
					t.Fatalf("error %v (%T), want *llm.Error", err, err)
				}
				if pe.Status != 0 || pe.Retryable != tt.retryable || llm.Retryable(err) != tt.retryable {
					t.Errorf("error %v: status %d retryable %v, want 0 %v", err, pe.Status, pe.Retryable, tt.retryable)
				}
				if tt.is != nil && !errors.Is(err, tt.is) {
					t.Errorf("error %v is not %v", err, tt.is)
				}
				if strings.Contains(err.Error(), "http://") {
					t.Errorf("error %q repeats the URL", err)
				}
				assertNoSecrets(t, err)
			})
		}
	}
}

// TestHTTPClientTimeout: the caller's http.Client timeout is a retryable timeout too.
func TestHTTPClientTimeout(t *testing.T) {
	for _, name := range providerNames {
		t.Run(name, func(t *testing.T) {
			f := newFake(t, http.StatusOK, "{}")
			f.delay = 5 * time.Second
			hc := &http.Client{Timeout: 100 * time.Millisecond}
			_, err := buildProvider(name, f.srv.URL, hc).Complete(context.Background(), testRequest())
			var pe *llm.Error
			if !errors.As(err, &pe) || !pe.Retryable || !strings.Contains(err.Error(), "timed out") {
				t.Errorf("error %v, want a retryable timeout", err)
			}
		})
	}
}

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name   string
		header http.Header
		want   time.Duration
	}{
		{"absent", http.Header{}, 0},
		{"nil", nil, 0},
		{"seconds", http.Header{"Retry-After": {"30"}}, 30 * time.Second},
		{"fraction", http.Header{"Retry-After": {"1.5"}}, 1500 * time.Millisecond},
		{"date", http.Header{"Retry-After": {now.Add(90 * time.Second).Format(http.TimeFormat)}}, 90 * time.Second},
		{"past date", http.Header{"Retry-After": {now.Add(-time.Minute).Format(http.TimeFormat)}}, 0},
		{"negative", http.Header{"Retry-After": {"-3"}}, 0},
		{"garbage", http.Header{"Retry-After": {"soon"}}, 0},
		{"milliseconds win", http.Header{"Retry-After": {"1"}, "Retry-After-Ms": {"250"}}, 250 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := retryAfter(tt.header, now); got != tt.want {
				t.Errorf("retryAfter %v, want %v", got, tt.want)
			}
		})
	}
}
