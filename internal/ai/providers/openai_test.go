package providers

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/maintainuk/maintainuk/internal/ai/llm"
)

func chatAnswer(content, refusal, finish string) string {
	msg := map[string]any{"role": "assistant", "content": content, "refusal": nil}
	if refusal != "" {
		msg["content"] = nil
		msg["refusal"] = refusal
	}
	b := mustJSON(map[string]any{
		"id": "chatcmpl-1", "object": "chat.completion", "created": 1764720000,
		"model": "gpt-4o-mini-2024-07-18",
		"choices": []any{map[string]any{
			"index": 0, "message": msg, "finish_reason": finish, "logprobs": nil,
		}},
		"usage": map[string]any{"prompt_tokens": 321, "completion_tokens": 12, "total_tokens": 333},
	})
	return b
}

// chatProvider builds the OpenAI or the Ollama provider against a fake.
func chatProvider(name string, cfg llm.Config) llm.Provider {
	if name == "ollama" {
		return NewOllama(cfg, nil)
	}
	return NewOpenAI(cfg, nil)
}

func TestChatCompletionsRequest(t *testing.T) {
	tests := []struct {
		name      string
		provider  string
		cfg       llm.Config
		req       func(*llm.Request)
		wantModel string
		wantAuth  string
		wantTemp  any
		wantMax   string // the output-limit field and its absence of the other
		maxValue  float64
	}{
		{
			name: "openai defaults", provider: "openai",
			cfg:       llm.Config{APIKey: testKey},
			wantModel: DefaultOpenAIModel, wantAuth: "Bearer " + testKey,
		},
		{
			name: "openai config", provider: "openai",
			cfg:       llm.Config{APIKey: testKey, Model: "gpt-4.1-mini", Temperature: 0.2, MaxTokens: 800},
			wantModel: "gpt-4.1-mini", wantAuth: "Bearer " + testKey,
			wantTemp: 0.2, wantMax: "max_completion_tokens", maxValue: 800,
		},
		{
			name: "request overrides config", provider: "openai",
			cfg: llm.Config{APIKey: testKey, Model: "gpt-4.1-mini", Temperature: 0.2, MaxTokens: 800},
			req: func(r *llm.Request) {
				r.Model, r.Temperature, r.MaxTokens = "gpt-4o", 0.7, 300
			},
			wantModel: "gpt-4o", wantAuth: "Bearer " + testKey,
			wantTemp: 0.7, wantMax: "max_completion_tokens", maxValue: 300,
		},
		{
			name: "ollama defaults", provider: "ollama",
			cfg:       llm.Config{MaxTokens: 500},
			wantModel: DefaultOllamaModel, wantAuth: "Bearer ollama",
			wantMax: "max_tokens", maxValue: 500,
		},
		{
			name: "ollama with a model and key", provider: "ollama",
			cfg:       llm.Config{Model: "qwen2.5:7b", APIKey: testKey, Temperature: 0.1},
			wantModel: "qwen2.5:7b", wantAuth: "Bearer " + testKey, wantTemp: 0.1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t, http.StatusOK, chatAnswer(`{"category":"leak"}`, "", "stop"))
			cfg := tt.cfg
			cfg.BaseURL = f.srv.URL + "/v1"
			req := testRequest()
			if tt.req != nil {
				tt.req(&req)
			}
			if _, err := chatProvider(tt.provider, cfg).Complete(context.Background(), req); err != nil {
				t.Fatal(err)
			}
			got := f.last()
			if got.Method != http.MethodPost || got.Path != "/v1/chat/completions" {
				t.Errorf("request %s %s, want POST /v1/chat/completions", got.Method, got.Path)
			}
			if a := got.Header.Get("Authorization"); a != tt.wantAuth {
				t.Errorf("Authorization %q, want %q", a, tt.wantAuth)
			}
			if ct := got.Header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type %q", ct)
			}
			if got.Body["model"] != tt.wantModel {
				t.Errorf("model %v, want %s", got.Body["model"], tt.wantModel)
			}
			wantMessages := `[{"role":"system","content":"` + testSystem + `"},` +
				`{"role":"user","content":` + mustJSON(testUser) + `}]`
			if !jsonEqual(t, got.Body["messages"], wantMessages) {
				t.Errorf("messages %v", got.Body["messages"])
			}
			wantFormat := `{"type":"json_schema","json_schema":{"name":"classify","strict":true,"schema":` + testSchema + `}}`
			if !jsonEqual(t, got.Body["response_format"], wantFormat) {
				t.Errorf("response_format %v", got.Body["response_format"])
			}
			if got.Body["temperature"] != tt.wantTemp {
				t.Errorf("temperature %v, want %v", got.Body["temperature"], tt.wantTemp)
			}
			for _, field := range []string{"max_tokens", "max_completion_tokens"} {
				v, ok := got.Body[field]
				switch {
				case field == tt.wantMax && v != tt.maxValue:
					t.Errorf("%s %v, want %v", field, v, tt.maxValue)
				case field != tt.wantMax && ok:
					t.Errorf("%s sent as %v", field, v)
				}
			}
		})
	}
}

// TestChatCompletionsDefaultURL: with no BaseURL, OpenAI goes to api.openai.com and
// Ollama to the local server, whatever OPENAI_BASE_URL says.
func TestChatCompletionsDefaultURL(t *testing.T) {
	t.Setenv("OPENAI_BASE_URL", "http://elsewhere.invalid/v1")
	tests := []struct {
		provider string
		want     string
	}{
		{"openai", "https://api.openai.com/v1/chat/completions"},
		{"ollama", "http://localhost:11434/v1/chat/completions"},
	}
	for _, tt := range tests {
		t.Run(tt.provider, func(t *testing.T) {
			ct := &captureTransport{body: chatAnswer(`{}`, "", "stop")}
			hc := &http.Client{Transport: ct}
			var p llm.Provider
			if tt.provider == "ollama" {
				p = NewOllama(llm.Config{}, hc)
			} else {
				p = NewOpenAI(llm.Config{APIKey: testKey}, hc)
			}
			if p.Name() != tt.provider {
				t.Errorf("Name %q", p.Name())
			}
			if _, err := p.Complete(context.Background(), testRequest()); err != nil {
				t.Fatal(err)
			}
			if len(ct.urls) != 1 || ct.urls[0] != tt.want {
				t.Errorf("requested %v, want %s", ct.urls, tt.want)
			}
		})
	}
}

func TestChatCompletionsAnswer(t *testing.T) {
	tests := []struct {
		name      string
		body      string
		wantOut   string
		retryable bool
		wantErr   string
	}{
		{name: "json", body: chatAnswer(`{"category":"leak"}`, "", "stop"), wantOut: `{"category":"leak"}`},
		{name: "refusal", body: chatAnswer("", "I can't help with that.", "stop"), wantErr: "refused"},
		{name: "cut off", body: chatAnswer(`{"categ`, "", "length"), wantErr: "token limit"},
		{name: "content filter", body: chatAnswer("", "", "content_filter"), wantErr: "content filter"},
		{name: "empty", body: chatAnswer("", "", "stop"), retryable: true, wantErr: "empty"},
		{name: "not json", body: chatAnswer("category: leak", "", "stop"), retryable: true, wantErr: "not JSON"},
		{
			name:      "no choices",
			body:      `{"id":"x","object":"chat.completion","model":"gpt-4o-mini","choices":[],"usage":{"prompt_tokens":321,"completion_tokens":12}}`,
			retryable: true, wantErr: "no choices",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t, http.StatusOK, tt.body)
			resp, err := NewOpenAI(llm.Config{APIKey: testKey, BaseURL: f.srv.URL}, nil).Complete(context.Background(), testRequest())
			if resp.TokensIn != 321 || resp.TokensOut != 12 || !strings.HasPrefix(resp.Model, "gpt-4o-mini") {
				t.Errorf("response %+v: want the model and tokens even on failure", resp)
			}
			if tt.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				if string(resp.Output) != tt.wantOut || resp.Model != "gpt-4o-mini-2024-07-18" {
					t.Errorf("response %+v", resp)
				}
				return
			}
			var pe *llm.Error
			if !errors.As(err, &pe) {
				t.Fatalf("error %v (%T), want *llm.Error", err, err)
			}
			if pe.Provider != "openai" || pe.Retryable != tt.retryable || pe.Status != 0 {
				t.Errorf("error %+v, want retryable %v", pe, tt.retryable)
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error %q, want it to say %q", err, tt.wantErr)
			}
			if resp.Output != nil {
				t.Errorf("output %s on failure", resp.Output)
			}
		})
	}
}
