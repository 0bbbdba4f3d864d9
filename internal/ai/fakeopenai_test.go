package ai_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeOpenAI is a local stand-in for OpenAI's Chat Completions API: it records each
// request and answers with what the test queued (a status and a message content), the
// last answer repeating.
type fakeOpenAI struct {
	*httptest.Server
	mu       sync.Mutex
	answers  []fakeAnswer
	requests []fakeRequest
}

type fakeAnswer struct {
	status  int
	content string        // the assistant message's content: the JSON the model produced
	delay   time.Duration // how long the answer takes
	// retryAfter is the Retry-After header of a failure.
	retryAfter string
}

type fakeRequest struct {
	Auth string
	Body string
	// System and User are the two messages' text.
	System, User string
	Schema       json.RawMessage
}

func newFakeOpenAI(t *testing.T, answers ...fakeAnswer) *fakeOpenAI {
	f := &fakeOpenAI{answers: answers}
	f.Server = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.Close)
	return f
}

func (f *fakeOpenAI) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	var req struct {
		Messages []struct {
			Role    string `json:"role"`
			Content any    `json:"content"`
		} `json:"messages"`
		ResponseFormat struct {
			JSONSchema struct {
				Schema json.RawMessage `json:"schema"`
			} `json:"json_schema"`
		} `json:"response_format"`
	}
	_ = json.Unmarshal(body, &req)
	rec := fakeRequest{Auth: r.Header.Get("Authorization"), Body: string(body), Schema: req.ResponseFormat.JSONSchema.Schema}
	for _, m := range req.Messages {
		text := fmt.Sprint(m.Content)
		if s, ok := m.Content.(string); ok {
			text = s
		}
		switch m.Role {
		case "system", "developer":
			rec.System = text
		case "user":
			rec.User = text
		}
	}
	f.mu.Lock()
	f.requests = append(f.requests, rec)
	a := fakeAnswer{status: http.StatusOK, content: "{}"}
	if len(f.answers) > 0 {
		a = f.answers[0]
		if len(f.answers) > 1 {
			f.answers = f.answers[1:]
		}
	}
	f.mu.Unlock()
	if a.delay > 0 {
		select {
		case <-time.After(a.delay):
		case <-r.Context().Done():
			return
		}
	}
	w.Header().Set("Content-Type", "application/json")
	if !strings.HasSuffix(r.URL.Path, "/chat/completions") {
		w.WriteHeader(http.StatusNotFound)
		return
	}
	if a.status != http.StatusOK {
		if a.retryAfter != "" {
			w.Header().Set("Retry-After", a.retryAfter)
		}
		w.WriteHeader(a.status)
		fmt.Fprintf(w, `{"error":{"message":"fake failure","type":"server_error","code":null}}`)
		return
	}
	content, _ := json.Marshal(a.content)
	fmt.Fprintf(w, `{"id":"chatcmpl-1","object":"chat.completion","created":1767225600,"model":"gpt-4o-mini-2024-07-18",`+
		`"choices":[{"index":0,"message":{"role":"assistant","content":%s,"refusal":null},"finish_reason":"stop"}],`+
		`"usage":{"prompt_tokens":120,"completion_tokens":30,"total_tokens":150}}`, content)
}

func (f *fakeOpenAI) seen() []fakeRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]fakeRequest(nil), f.requests...)
}

// openAIEnv configures the app to use the fake as its default provider, with fast
// timeouts and one retry.
func openAIEnv(f *fakeOpenAI) map[string]string {
	return map[string]string{
		"AI_PROVIDER": "openai", "OPENAI_API_KEY": "sk-test-very-secret-key", "OPENAI_BASE_URL": f.URL + "/v1/",
		"AI_TIMEOUT": "2s", "AI_RETRIES": "1",
	}
}
