package providers

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/openai/openai-go/v3/shared"

	"github.com/maintainuk/maintainuk/internal/ai/llm"
)

// DefaultOpenAIModel is the cheap model structured outputs work well with.
const DefaultOpenAIModel = "gpt-4o-mini"

// chatCompletions is a provider speaking OpenAI's Chat Completions API: OpenAI itself
// and Ollama's compatible endpoint.
type chatCompletions struct {
	name    string
	model   string
	cfg     llm.Config
	service openai.ChatCompletionService
	// legacyMaxTokens sends max_tokens instead of max_completion_tokens. OpenAI
	// deprecated max_tokens and its reasoning models reject it; Ollama documents
	// only max_tokens.
	legacyMaxTokens bool
}

// NewOpenAI answers through OpenAI's Chat Completions with a strict json_schema response
// format. cfg.Model defaults to DefaultOpenAIModel and cfg.BaseURL to the SDK's
// (https://api.openai.com/v1/). The SDK does not retry (the caller does) and reads
// nothing from the environment: the key is cfg.APIKey. hc nil uses the SDK's client.
func NewOpenAI(cfg llm.Config, hc *http.Client) llm.Provider {
	return newChatCompletions("openai", DefaultOpenAIModel, cfg, hc, false)
}

func newChatCompletions(name, defaultModel string, cfg llm.Config, hc *http.Client, legacyMaxTokens bool) *chatCompletions {
	// The service is built without openai.NewClient so that OPENAI_BASE_URL,
	// OPENAI_ORG_ID and the like in the environment cannot redirect or alter a call.
	opts := []option.RequestOption{
		option.WithEnvironmentProduction(),
		option.WithAPIKey(cfg.APIKey),
		option.WithMaxRetries(0),
	}
	if cfg.BaseURL != "" {
		opts = append(opts, option.WithBaseURL(cfg.BaseURL))
	}
	if hc != nil {
		opts = append(opts, option.WithHTTPClient(hc))
	}
	model := cfg.Model
	if model == "" {
		model = defaultModel
	}
	return &chatCompletions{
		name:            name,
		model:           model,
		cfg:             cfg,
		service:         openai.NewChatCompletionService(opts...),
		legacyMaxTokens: legacyMaxTokens,
	}
}

func (p *chatCompletions) Name() string { return p.name }

// Complete sends one chat completion. Its deadline is ctx's. On an answer that is
// unusable (a refusal, truncation, no content) the error comes with a Response that
// still carries the model and tokens, so the caller can count the spend.
func (p *chatCompletions) Complete(ctx context.Context, req llm.Request) (llm.Response, error) {
	sec := secrets{p.cfg.APIKey, req.System, req.User}
	params := openai.ChatCompletionNewParams{
		Model: pick(req.Model, p.model),
		Messages: []openai.ChatCompletionMessageParamUnion{
			openai.SystemMessage(req.System),
			openai.UserMessage(req.User),
		},
		ResponseFormat: openai.ChatCompletionNewParamsResponseFormatUnion{
			OfJSONSchema: &shared.ResponseFormatJSONSchemaParam{
				JSONSchema: shared.ResponseFormatJSONSchemaJSONSchemaParam{
					Name:   req.SchemaName,
					Schema: req.Schema,
					Strict: openai.Bool(true),
				},
			},
		},
	}
	// Zero means the provider's default: some OpenAI models accept no temperature
	// but their default, and a zero limit is no limit.
	if t := pickFloat(req.Temperature, p.cfg.Temperature); t != 0 {
		params.Temperature = openai.Float(t)
	}
	if n := pickInt(req.MaxTokens, p.cfg.MaxTokens); n > 0 {
		if p.legacyMaxTokens {
			params.MaxTokens = openai.Int(int64(n))
		} else {
			params.MaxCompletionTokens = openai.Int(int64(n))
		}
	}

	cc, err := p.service.New(ctx, params)
	if err != nil {
		return llm.Response{}, mapError(p.name, err, sec)
	}
	resp := llm.Response{
		Model:     cc.Model,
		TokensIn:  int(cc.Usage.PromptTokens),
		TokensOut: int(cc.Usage.CompletionTokens),
	}
	if len(cc.Choices) == 0 {
		return resp, answerError(p.name, true, "answer has no choices")
	}
	choice := cc.Choices[0]
	switch {
	case choice.Message.Refusal != "":
		// The model declined: the same prompt would be declined again.
		return resp, answerError(p.name, false, "model refused to answer")
	case choice.FinishReason == "content_filter":
		return resp, answerError(p.name, false, "answer stopped by the content filter")
	case choice.FinishReason == "length":
		// Cut off at the token limit: the same limit would cut it off again, so
		// another try only spends more.
		return resp, answerError(p.name, false, "answer cut off at the token limit")
	case choice.Message.Content == "":
		return resp, answerError(p.name, true, "answer is empty")
	case !json.Valid([]byte(choice.Message.Content)):
		return resp, answerError(p.name, true, "answer is not JSON")
	}
	resp.Output = json.RawMessage(choice.Message.Content)
	return resp, nil
}

func pick(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func pickFloat(a, b float64) float64 {
	if a != 0 {
		return a
	}
	return b
}

func pickInt(a, b int) int {
	if a != 0 {
		return a
	}
	return b
}
