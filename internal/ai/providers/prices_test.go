package providers

import "testing"

func TestCost(t *testing.T) {
	tests := []struct {
		provider, model string
		in, out         int
		want            int64
		known           bool
	}{
		// gpt-4o-mini: 12p and 48p per million tokens.
		{"openai", "gpt-4o-mini", 1_000_000, 0, 12_000_000, true},
		{"openai", "gpt-4o-mini", 1000, 200, 1000*12 + 200*48, true},
		{"openai", "gpt-4o-mini-2024-07-18", 1000, 200, 1000*12 + 200*48, true},
		{"openai", "gpt-4o", 1000, 200, 1000*200 + 200*800, true},
		{"openai", "gpt-4o-2024-08-06", 1000, 200, 1000*200 + 200*800, true},
		{"openai", "gpt-4.1-mini", 1000, 200, 1000*32 + 200*128, true},
		{"openai", "gpt-4.1-mini-2025-04-14", 1000, 200, 1000*32 + 200*128, true},
		{"openai", "gpt-4.1", 1000, 200, 1000*160 + 200*640, true},
		{"openai", "gpt-4.1-nano", 1000, 200, 1000*8 + 200*32, true},
		{"anthropic", "claude-haiku-4-5", 1000, 200, 1000*80 + 200*400, true},
		{"anthropic", "claude-haiku-4-5-20251001", 1000, 200, 1000*80 + 200*400, true},
		{"anthropic", "claude-3-5-haiku-20241022", 1000, 200, 1000*64 + 200*320, true},
		{"anthropic", "claude-sonnet-4-20250514", 1000, 200, 1000*240 + 200*1200, true},
		{"anthropic", "claude-sonnet-4-5-20250929", 1000, 200, 1000*240 + 200*1200, true},
		{"anthropic", "claude-sonnet-4-6", 1000, 200, 1000*240 + 200*1200, true},
		{"ollama", "llama3.1", 5000, 500, 0, true},
		{"builtin", "", 0, 0, 0, true},
		// Unknown: a model not in the table, a name that only looks like a known one,
		// an unknown provider.
		{"anthropic", "claude-haiku-5-5", 1000, 200, 0, false},
		{"openai", "gpt-5-mini", 1000, 200, 0, false},
		{"openai", "gpt-4o-audio-preview", 1000, 200, 0, false},
		{"anthropic", "claude-sonnet-4-7", 1000, 200, 0, false},
		{"gemini", "gpt-4o", 1000, 200, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.provider+"/"+tt.model, func(t *testing.T) {
			got, known := Cost(tt.provider, tt.model, tt.in, tt.out)
			if got != tt.want || known != tt.known {
				t.Errorf("Cost = %d, %v; want %d, %v", got, known, tt.want, tt.known)
			}
		})
	}
}

// TestPricesConverted: every entry is a whole number of pence per million tokens, the
// dollar price at the stated rate.
func TestPricesConverted(t *testing.T) {
	for name, p := range prices {
		if p.InputPencePerMillion <= 0 || p.OutputPencePerMillion < p.InputPencePerMillion {
			t.Errorf("%s: %+v", name, p)
		}
	}
	if p := prices["gpt-4o-mini"]; p != (Price{12, 48}) {
		t.Errorf("gpt-4o-mini %+v, want {12 48} ($0.15/$0.60 at 0.80)", p)
	}
}
