package providers

import (
	"net/http"

	"github.com/maintainuk/maintainuk/internal/ai/llm"
)

const (
	// DefaultOllamaURL is a local Ollama server's OpenAI-compatible API.
	DefaultOllamaURL   = "http://localhost:11434/v1"
	DefaultOllamaModel = "llama3.1"
	// ollamaKey stands in for a key: Ollama ignores it, the SDK wants one.
	ollamaKey = "ollama"
)

// NewOllama answers through a local Ollama server's OpenAI-compatible Chat Completions,
// which honours the json_schema response format. cfg.BaseURL defaults to
// DefaultOllamaURL, cfg.Model to DefaultOllamaModel, cfg.APIKey to a placeholder (a
// server behind a proxy may want a real one). The output limit goes as max_tokens, the
// field Ollama documents.
func NewOllama(cfg llm.Config, hc *http.Client) llm.Provider {
	if cfg.BaseURL == "" {
		cfg.BaseURL = DefaultOllamaURL
	}
	if cfg.APIKey == "" {
		cfg.APIKey = ollamaKey
	}
	return newChatCompletions("ollama", DefaultOllamaModel, cfg, hc, true)
}
