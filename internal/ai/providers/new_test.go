package providers

import (
	"errors"
	"strings"
	"testing"

	"github.com/maintainuk/maintainuk/internal/ai/llm"
)

func TestNew(t *testing.T) {
	tests := []struct {
		cfg      llm.Config
		wantName string
		wantErr  string
	}{
		{cfg: llm.Config{Provider: "openai", APIKey: testKey}, wantName: "openai"},
		{cfg: llm.Config{Provider: "anthropic", APIKey: testKey}, wantName: "anthropic"},
		{cfg: llm.Config{Provider: "ollama"}, wantName: "ollama"},
		{cfg: llm.Config{Provider: "openai"}, wantErr: "OPENAI_API_KEY is not set"},
		{cfg: llm.Config{Provider: "anthropic"}, wantErr: "ANTHROPIC_API_KEY is not set"},
		{cfg: llm.Config{Provider: "builtin"}, wantErr: "builtin is built by the caller"},
		{cfg: llm.Config{Provider: "gemini"}, wantErr: `unknown provider "gemini"`},
		{cfg: llm.Config{}, wantErr: `unknown provider ""`},
	}
	for _, tt := range tests {
		t.Run(tt.cfg.Provider+"/"+tt.wantErr, func(t *testing.T) {
			p, err := New(tt.cfg, nil)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("error %v, want %q", err, tt.wantErr)
				}
				if tt.cfg.Provider == "builtin" && !errors.Is(err, ErrBuiltin) {
					t.Errorf("error %v is not ErrBuiltin", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if p.Name() != tt.wantName {
				t.Errorf("Name %q, want %q", p.Name(), tt.wantName)
			}
		})
	}
}
