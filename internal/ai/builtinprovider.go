package ai

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/maintainuk/maintainuk/internal/ai/builtin"
	"github.com/maintainuk/maintainuk/internal/ai/llm"
	"github.com/maintainuk/maintainuk/internal/ai/schema"
)

// builtinModel names the builtin engine's rules in audit rows; it changes when the rules
// change in a way that changes answers.
const builtinModel = "builtin-rules-v1"

// Builtin is the offline engine as a provider: it reads the request's Input (the real
// values: nothing leaves the process) and ignores the prompt.
type Builtin struct{}

// Name is "builtin".
func (Builtin) Name() string { return "builtin" }

// Complete answers from rules and data files.
func (Builtin) Complete(_ context.Context, req llm.Request) (llm.Response, error) {
	var v any
	switch in := req.Input.(type) {
	case schema.ClassifyInput:
		v = builtin.Classify(in)
	case schema.DraftInput:
		v = builtin.DraftMessage(in)
	case schema.SummaryInput:
		v = builtin.Summarise(in)
	case schema.EstimateInput:
		v = builtin.EstimateCost(in)
	default:
		return llm.Response{}, fmt.Errorf("builtin: no %s for %T", req.Capability, req.Input)
	}
	out, err := json.Marshal(v)
	return llm.Response{Output: out, Model: builtinModel}, err
}
