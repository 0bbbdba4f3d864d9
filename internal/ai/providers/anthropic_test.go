package providers

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/maintainuk/maintainuk/internal/ai/llm"
)

func messageAnswer(stop string, content ...any) string {
	return mustJSON(map[string]any{
		"id": "msg_1", "type": "message", "role": "assistant",
		"model": "claude-haiku-4-5-20251001", "content": content,
		"stop_reason": stop, "stop_sequence": nil,
		"usage": map[string]any{"input_tokens": 410, "output_tokens": 25},
	})
}

func toolUse(name, input string) any {
	return map[string]any{"type": "tool_use", "id": "toolu_1", "name": name, "input": rawJSON(input)}
}

func textBlock(text string) any { return map[string]any{"type": "text", "text": text} }

type rawJSON string

func (r rawJSON) MarshalJSON() ([]byte, error) { return []byte(r), nil }

func TestAnthropicRequest(t *testing.T) {
	t.Setenv("ANTHROPIC_BASE_URL", "http://elsewhere.invalid")
	t.Setenv("ANTHROPIC_API_KEY", "sk-from-the-environment")
	tests := []struct {
		name      string
		cfg       llm.Config
		req       func(*llm.Request)
		wantModel string
		wantMax   float64
	}{
		{name: "defaults", wantModel: DefaultAnthropicModel, wantMax: DefaultAnthropicMaxTokens},
		{
			name:      "config",
			cfg:       llm.Config{Model: "claude-sonnet-4-6", MaxTokens: 1500, Temperature: 0.3},
			wantModel: "claude-sonnet-4-6", wantMax: 1500,
		},
		{
			name:      "request overrides config",
			cfg:       llm.Config{Model: "claude-sonnet-4-6", MaxTokens: 1500},
			req:       func(r *llm.Request) { r.Model, r.MaxTokens = "claude-haiku-4-5", 400 },
			wantModel: "claude-haiku-4-5", wantMax: 400,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t, http.StatusOK, messageAnswer("tool_use", toolUse("classify", `{"category":"leak"}`)))
			cfg := tt.cfg
			cfg.APIKey, cfg.BaseURL = testKey, f.srv.URL
			req := testRequest()
			if tt.req != nil {
				tt.req(&req)
			}
			if _, err := NewAnthropic(cfg, nil).Complete(context.Background(), req); err != nil {
				t.Fatal(err)
			}
			got := f.last()
			if got.Method != http.MethodPost || got.Path != "/v1/messages" {
				t.Errorf("request %s %s, want POST /v1/messages", got.Method, got.Path)
			}
			if a := got.Header.Get("Authorization"); a != "Bearer "+testKey {
				t.Errorf("Authorization %q", a)
			}
			if k := got.Header.Get("X-Api-Key"); k != "" {
				t.Errorf("x-api-key %q sent as well", k)
			}
			if v := got.Header.Get("Anthropic-Version"); v != "2026-10-21" {
				t.Errorf("anthropic-version %q", v)
			}
			if ct := got.Header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type %q", ct)
			}
			if got.Body["model"] != tt.wantModel || got.Body["max_tokens"] != tt.wantMax {
				t.Errorf("model %v max_tokens %v, want %s %v", got.Body["model"], got.Body["max_tokens"], tt.wantModel, tt.wantMax)
			}
			if !jsonEqual(t, got.Body["system"], `[{"type":"text","text":"`+testSystem+`"}]`) {
				t.Errorf("system %v", got.Body["system"])
			}
			wantMessages := `[{"role":"user","content":[{"type":"text","text":` + mustJSON(testUser) + `}]}]`
			if !jsonEqual(t, got.Body["messages"], wantMessages) {
				t.Errorf("messages %v", got.Body["messages"])
			}
			if !jsonEqual(t, got.Body["tools"], `[{"name":"classify","input_schema":`+testSchema+`}]`) {
				t.Errorf("tools %v", got.Body["tools"])
			}
			if !jsonEqual(t, got.Body["tool_choice"], `{"type":"tool","name":"classify"}`) {
				t.Errorf("tool_choice %v", got.Body["tool_choice"])
			}
			if _, ok := got.Body["temperature"]; ok {
				t.Error("temperature sent")
			}
		})
	}
}

func TestAnthropicAnswer(t *testing.T) {
	tests := []struct {
		name      string
		body      string
		wantOut   string
		retryable bool
		wantErr   string
	}{
		{
			name:    "tool use",
			body:    messageAnswer("tool_use", toolUse("classify", `{"category":"leak"}`)),
			wantOut: `{"category":"leak"}`,
		},
		{
			name:    "text before the tool use",
			body:    messageAnswer("tool_use", textBlock("Here it is."), toolUse("classify", `{"category":"damp"}`)),
			wantOut: `{"category":"damp"}`,
		},
		{
			name:      "no tool use",
			body:      messageAnswer("end_turn", textBlock(`{"category":"leak"}`)),
			retryable: true, wantErr: "no classify tool use",
		},
		{
			name:      "another tool",
			body:      messageAnswer("tool_use", toolUse("estimate", `{}`)),
			retryable: true, wantErr: "no classify tool use",
		},
		{name: "refusal", body: messageAnswer("refusal"), wantErr: "refused"},
		{
			name:    "cut off",
			body:    messageAnswer("max_tokens", toolUse("classify", `{}`)),
			wantErr: "token limit",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t, http.StatusOK, tt.body)
			resp, err := NewAnthropic(llm.Config{APIKey: testKey, BaseURL: f.srv.URL}, nil).Complete(context.Background(), testRequest())
			if resp.TokensIn != 410 || resp.TokensOut != 25 || resp.Model != "claude-haiku-4-5-20251001" {
				t.Errorf("response %+v: want the model and tokens even on failure", resp)
			}
			if tt.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				if !jsonEqual(t, resp.Output, tt.wantOut) {
					t.Errorf("output %s, want %s", resp.Output, tt.wantOut)
				}
				return
			}
			var pe *llm.Error
			if !errors.As(err, &pe) {
				t.Fatalf("error %v (%T), want *llm.Error", err, err)
			}
			if pe.Provider != "anthropic" || pe.Retryable != tt.retryable {
				t.Errorf("error %+v, want retryable %v", pe, tt.retryable)
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error %q, want it to say %q", err, tt.wantErr)
			}
		})
	}
}

// TestAnthropicBadSchema: a schema that is not an object fails before any request.
func TestAnthropicBadSchema(t *testing.T) {
	f := newFake(t, http.StatusOK, messageAnswer("tool_use"))
	req := testRequest()
	req.Schema = []byte(`["not", "an", "object"]`)
	_, err := NewAnthropic(llm.Config{APIKey: testKey, BaseURL: f.srv.URL}, nil).Complete(context.Background(), req)
	if llm.Retryable(err) || err == nil {
		t.Errorf("error %v, want a non-retryable one", err)
	}
	if f.count() != 0 {
		t.Errorf("%d requests sent", f.count())
	}
}

// TestAnthropicDefaultURL: with no BaseURL the provider goes to api.anthropic.com,
// whatever ANTHROPIC_BASE_URL says, and sends the configured key, not the environment's.
func TestAnthropicDefaultURL(t *testing.T) {
	t.Setenv("ANTHROPIC_BASE_URL", "http://elsewhere.invalid")
	t.Setenv("ANTHROPIC_API_KEY", "sk-from-the-environment")
	ct := &captureTransport{body: messageAnswer("tool_use", toolUse("classify", `{}`))}
	p := NewAnthropic(llm.Config{APIKey: testKey}, &http.Client{Transport: ct})
	if p.Name() != "anthropic" {
		t.Errorf("Name %q", p.Name())
	}
	if _, err := p.Complete(context.Background(), testRequest()); err != nil {
		t.Fatal(err)
	}
	if want := "https://api.anthropic.com/v1/messages"; len(ct.urls) != 1 || ct.urls[0] != want {
		t.Errorf("requested %v, want %s", ct.urls, want)
	}
	if got := ct.headers[0].Get("Authorization"); got != "Bearer "+testKey {
		t.Errorf("Authorization %q", got)
	}
}
