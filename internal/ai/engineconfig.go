package ai

import (
	"fmt"
	"net/http"
	"time"

	"github.com/maintainuk/maintainuk/internal/ai/llm"
	"github.com/maintainuk/maintainuk/internal/ai/providers"
	"github.com/maintainuk/maintainuk/internal/config"
)

// EngineFromConfig builds the AI engine with every external provider this deployment can
// reach: OpenAI and Anthropic when their keys are set, Ollama when its address is set or
// it is the default provider. An organisation choosing one that is not there gets builtin.
func EngineFromConfig(c config.AI) (*Engine, error) {
	hc := &http.Client{Timeout: c.Timeout + 5*time.Second}
	base := llm.Config{Model: c.Model, Temperature: c.Temperature, MaxTokens: c.MaxTokens, Timeout: c.Timeout, Retries: c.Retries}
	var external []llm.Provider
	add := func(name, key, url string) error {
		pc := base
		pc.Provider, pc.APIKey, pc.BaseURL = name, key, url
		if name != c.Provider {
			pc.Model = "" // the model set is the default provider's; others use their own default
		}
		p, err := providers.New(pc, hc)
		if err != nil {
			return fmt.Errorf("ai: provider %s: %w", name, err)
		}
		external = append(external, p)
		return nil
	}
	if c.OpenAIAPIKey != "" {
		if err := add("openai", c.OpenAIAPIKey, c.OpenAIBaseURL); err != nil {
			return nil, err
		}
	}
	if c.AnthropicAPIKey != "" {
		if err := add("anthropic", c.AnthropicAPIKey, c.AnthropicBaseURL); err != nil {
			return nil, err
		}
	}
	if c.OllamaBaseURL != "" || c.Provider == "ollama" {
		if err := add("ollama", "", c.OllamaBaseURL); err != nil {
			return nil, err
		}
	}
	return NewEngine(Defaults{Provider: c.Provider, Temperature: c.Temperature, MaxTokens: c.MaxTokens,
		Timeout: c.Timeout, Retries: c.Retries, MonthlyTokenAllowance: c.MonthlyTokenAllowance}, external...), nil
}
