package providers

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/anthropics/anthropic-sdk-go/v2"
	"github.com/anthropics/anthropic-sdk-go/v2/option"

	"github.com/maintainuk/maintainuk/internal/ai/llm"
)

const (
	// DefaultAnthropicModel is the Haiku the SDK lists without a retirement date;
	// claude-3-5-haiku is no longer in its list. The SDK also lists claude-haiku-5-5,
	// left out because its price is not in the table (Cost would report it unknown).
	DefaultAnthropicModel = "claude-haiku-4-5"
	// DefaultAnthropicMaxTokens bounds the answer; the Messages API requires a limit.
	DefaultAnthropicMaxTokens = 1000
)

type anthropicProvider struct {
	model   string
	cfg     llm.Config
	service anthropic.MessageService
}

// NewAnthropic answers through the Messages API, forcing structured output with a single
// tool whose input_schema is the request's schema and a tool_choice naming it: the
// tool_use block's input is the answer. cfg.Model defaults to DefaultAnthropicModel,
// cfg.MaxTokens to DefaultAnthropicMaxTokens. No temperature is sent: API version
// 2026-10-21, which SDK v2 pins, has none (cfg.Temperature is ignored). The SDK does not
// retry and reads nothing from the environment. hc nil uses the SDK's client.
func NewAnthropic(cfg llm.Config, hc *http.Client) llm.Provider {
	// SDK v2 sends the key as "Authorization: Bearer", not the x-api-key header of
	// older API versions; it is the SDK's contract with the API version it pins
	// (anthropic-version 2026-10-21), so it is kept.
	opts := []option.RequestOption{
		option.WithoutEnvironmentDefaults(),
		option.WithAPIKey(cfg.APIKey),
		option.WithMaxRetries(0),
	}
	if cfg.BaseURL != "" {
		opts = append(opts, option.WithBaseURL(cfg.BaseURL))
	}
	if hc != nil {
		opts = append(opts, option.WithHTTPClient(hc))
	}
	client := anthropic.NewClient(opts...)
	return &anthropicProvider{
		model:   pick(cfg.Model, DefaultAnthropicModel),
		cfg:     cfg,
		service: client.Messages,
	}
}

func (p *anthropicProvider) Name() string { return "anthropic" }

// Complete sends one message. Its deadline is ctx's. As with OpenAI, an unusable answer
// comes with a Response carrying the model and tokens.
func (p *anthropicProvider) Complete(ctx context.Context, req llm.Request) (llm.Response, error) {
	sec := secrets{p.cfg.APIKey, req.System, req.User}
	schema, err := toolSchema(req.Schema)
	if err != nil {
		// The schema is ours, not the model's: another try would fail the same way.
		return llm.Response{}, answerError("anthropic", false, err.Error())
	}
	maxTokens := pickInt(req.MaxTokens, p.cfg.MaxTokens)
	if maxTokens <= 0 {
		maxTokens = DefaultAnthropicMaxTokens
	}
	params := anthropic.MessageNewParams{
		Model:     pick(req.Model, p.model),
		MaxTokens: int64(maxTokens),
		Messages:  []anthropic.MessageParam{anthropic.NewUserMessage(anthropic.NewTextBlock(req.User))},
		Tools: []anthropic.ToolUnionParam{{OfTool: &anthropic.ToolParam{
			Name:        req.SchemaName,
			InputSchema: schema,
		}}},
		ToolChoice: anthropic.ToolChoiceParamOfTool(req.SchemaName),
	}
	if req.System != "" {
		params.System = []anthropic.TextBlockParam{{Text: req.System}}
	}

	msg, err := p.service.New(ctx, params)
	if err != nil {
		return llm.Response{}, mapError("anthropic", err, sec)
	}
	resp := llm.Response{
		Model:     msg.Model,
		TokensIn:  int(msg.Usage.InputTokens),
		TokensOut: int(msg.Usage.OutputTokens),
	}
	switch msg.StopReason {
	case anthropic.StopReasonRefusal:
		return resp, answerError("anthropic", false, "model refused to answer")
	case anthropic.StopReasonMaxTokens:
		// The tool input may be cut short; the same limit would cut it again.
		return resp, answerError("anthropic", false, "answer cut off at the token limit")
	}
	for _, block := range msg.Content {
		if block.Type == "tool_use" && block.Name == req.SchemaName {
			if !json.Valid(block.Input) {
				return resp, answerError("anthropic", true, "tool input is not JSON")
			}
			resp.Output = block.Input
			return resp, nil
		}
	}
	return resp, answerError("anthropic", true, "answer has no "+req.SchemaName+" tool use")
}

// toolSchema spreads a JSON Schema object over the SDK's input schema type, which names
// properties and required and carries every other keyword as an extra field.
func toolSchema(raw json.RawMessage) (anthropic.ToolInputSchemaParam, error) {
	var fields map[string]any
	if err := json.Unmarshal(raw, &fields); err != nil {
		return anthropic.ToolInputSchemaParam{}, fmt.Errorf("schema is not a JSON object: %w", err)
	}
	var s anthropic.ToolInputSchemaParam
	if props, ok := fields["properties"]; ok {
		s.Properties = props
		delete(fields, "properties")
	}
	if req, ok := fields["required"].([]any); ok {
		for _, r := range req {
			name, ok := r.(string)
			if !ok {
				return s, fmt.Errorf("schema's required holds a %T", r)
			}
			s.Required = append(s.Required, name)
		}
		delete(fields, "required")
	}
	delete(fields, "type") // always "object", which the SDK writes
	if len(fields) > 0 {
		s.ExtraFields = fields
	}
	return s, nil
}
