package providers

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/anthropics/anthropic-sdk-go/v2"
	"github.com/openai/openai-go/v3"

	"github.com/maintainuk/maintainuk/internal/ai/llm"
)

// maxDetail bounds the provider's own explanation kept in an error: enough to tell a bad
// schema from a quota problem, short enough for a log line.
const maxDetail = 200

// secrets are strings an error text must never carry: the API key and the prompt (the
// prompt's User part holds a resident's text, redacted or not). A provider's message
// that contains one of them whole has it replaced; a partial echo cannot be detected,
// which is why only the parsed error message is kept, never the raw body. Strings
// shorter than minSecret are left alone: Ollama's placeholder key "ollama" is no secret,
// and replacing short words would mangle ordinary text.
type secrets []string

const minSecret = 8

func (s secrets) scrub(text string) string {
	for _, v := range s {
		if len(v) >= minSecret {
			text = strings.ReplaceAll(text, v, "[redacted]")
		}
	}
	return text
}

// apiFailure is what both SDKs' error types have in common.
type apiFailure struct {
	status  int
	header  http.Header
	message string
}

func asAPIFailure(err error) (apiFailure, bool) {
	if oe, ok := errors.AsType[*openai.Error](err); ok {
		return apiFailure{oe.StatusCode, responseHeader(oe.Response), oe.Message}, true
	}
	if ae, ok := errors.AsType[*anthropic.Error](err); ok {
		return apiFailure{ae.StatusCode, responseHeader(ae.Response), ae.Message}, true
	}
	return apiFailure{}, false
}

func responseHeader(r *http.Response) http.Header {
	if r == nil {
		return nil
	}
	return r.Header
}

// mapError turns an SDK or transport error into an *llm.Error whose text names the
// provider and the failure but never the key, the prompt or the request URL's query.
// A cancelled ctx is not retryable (the caller gave up); a deadline is.
func mapError(provider string, err error, sec secrets) *llm.Error {
	e := &llm.Error{Provider: provider}
	if f, ok := asAPIFailure(err); ok {
		e.Status = f.status
		e.Retryable = retryableStatus(f.status)
		e.RetryAfter = retryAfter(f.header, time.Now())
		e.Err = errors.New(statusText(f, sec))
		return e
	}
	switch {
	case errors.Is(err, context.Canceled):
		e.Err = fmt.Errorf("request cancelled: %w", context.Canceled)
	case errors.Is(err, context.DeadlineExceeded):
		e.Retryable = true
		e.Err = fmt.Errorf("request timed out: %w", context.DeadlineExceeded)
	case isTimeout(err):
		e.Retryable = true
		e.Err = errors.New("request timed out")
	default:
		// A refused connection, a reset, an answer the SDK could not decode: worth
		// another try. url.Error's text repeats the URL, so only its cause is kept.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		e.Retryable = true
		e.Err = errors.New("request failed: " + truncate(sec.scrub(err.Error())))
	}
	return e
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// retryableStatus: a timeout, a conflict, rate limiting and server trouble (Anthropic's
// 529 overloaded included) may pass; 400, 401, 403, 404, 422 and the rest of 4xx would
// fail the same way again.
func retryableStatus(status int) bool {
	switch {
	case status == http.StatusRequestTimeout, status == http.StatusConflict,
		status == http.StatusTooManyRequests:
		return true
	default:
		return status >= 500
	}
}

// statusText is "HTTP 429 Too Many Requests: <provider's message>". The message is left
// out for 401 and 403: OpenAI's names the (masked) key it rejected.
func statusText(f apiFailure, sec secrets) string {
	text := "HTTP " + strconv.Itoa(f.status)
	if st := http.StatusText(f.status); st != "" {
		text += " " + st
	} else if f.status == 529 {
		text += " Overloaded"
	}
	if f.status == http.StatusUnauthorized || f.status == http.StatusForbidden {
		return text
	}
	if msg := strings.TrimSpace(f.message); msg != "" {
		text += ": " + truncate(sec.scrub(msg))
	}
	return text
}

// retryAfter reads Retry-After as seconds or as an HTTP date, and OpenAI's
// retry-after-ms, which is more precise when both are sent. Zero when absent or past.
func retryAfter(h http.Header, now time.Time) time.Duration {
	if h == nil {
		return 0
	}
	if ms, err := strconv.ParseFloat(h.Get("Retry-After-Ms"), 64); err == nil && ms > 0 {
		return time.Duration(ms * float64(time.Millisecond))
	}
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0
	}
	if s, err := strconv.ParseFloat(v, 64); err == nil {
		if s <= 0 {
			return 0
		}
		return time.Duration(s * float64(time.Second))
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

func truncate(s string) string {
	if len(s) <= maxDetail {
		return s
	}
	cut := maxDetail
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// answerError is a call that reached the model but produced nothing usable.
func answerError(provider string, retryable bool, text string) *llm.Error {
	return &llm.Error{Provider: provider, Retryable: retryable, Err: errors.New(text)}
}
