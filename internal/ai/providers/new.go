// Package providers holds the external AI providers behind llm.Provider: OpenAI and a
// local Ollama server (both through OpenAI's Chat Completions with a strict json_schema
// response format) and Anthropic (the Messages API, with one forced tool whose input is
// the answer). Each maps its failures to *llm.Error, whose text never carries the API
// key or the prompt. Prices for the cost of a call are in prices.go.
package providers

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/maintainuk/maintainuk/internal/ai/llm"
)

// The environment variables the caller reads keys from; the providers themselves read
// nothing from the environment.
const (
	OpenAIKeyEnv    = "OPENAI_API_KEY"
	AnthropicKeyEnv = "ANTHROPIC_API_KEY"
)

// ErrBuiltin is New's answer for the builtin provider, which needs no HTTP and is built
// by the caller (it lives beside the capabilities it answers).
var ErrBuiltin = errors.New("providers: builtin is built by the caller, not by providers.New")

// New builds the provider cfg.Provider names: openai, anthropic or ollama. OpenAI and
// Anthropic need cfg.APIKey; the error names the variable it is read from.
func New(cfg llm.Config, hc *http.Client) (llm.Provider, error) {
	switch cfg.Provider {
	case "openai":
		if cfg.APIKey == "" {
			return nil, errors.New(OpenAIKeyEnv + " is not set")
		}
		return NewOpenAI(cfg, hc), nil
	case "anthropic":
		if cfg.APIKey == "" {
			return nil, errors.New(AnthropicKeyEnv + " is not set")
		}
		return NewAnthropic(cfg, hc), nil
	case "ollama":
		return NewOllama(cfg, hc), nil
	case "builtin":
		return nil, ErrBuiltin
	default:
		return nil, fmt.Errorf("providers: unknown provider %q (want openai, anthropic, ollama or builtin)", cfg.Provider)
	}
}
