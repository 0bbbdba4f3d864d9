package prompts

import (
	"fmt"
	"strings"

	"github.com/maintainuk/maintainuk/internal/ai/llm"
	"github.com/maintainuk/maintainuk/internal/ai/schema"
)

// outputs tells the model the answer's shape and bounds. Providers also get the
// schema, but the sent schema cannot carry bounds (see package schema) and a local
// model may ignore it, so the words repeat it.
var outputs = map[llm.Capability]string{
	llm.Classify: fmt.Sprintf(`Answer with one JSON object with exactly these fields: "category", one of %s; "priority", one of %s; "confidence", a number from 0 to 1; "reasoning", a string of at most %d characters; "hazards", an array of distinct values from %s, empty when there are none.`,
		or(schema.Categories), or(schema.Priorities), schema.MaxReasoningChars, or(schema.Hazards)),
	llm.Draft: fmt.Sprintf(`Answer with one JSON object with exactly these fields: "subject", a string of 1 to %d characters; "body", the message in plain text, 1 to %d characters.`,
		schema.MaxSubjectChars, schema.MaxBodyChars),
	llm.Summarise: fmt.Sprintf(`Answer with one JSON object with exactly these fields: "summary", a string of 1 to %d characters; "keyPoints", an array of at most %d strings of 1 to %d characters each.`,
		schema.MaxSummaryChars, schema.MaxKeyPoints, schema.MaxKeyPointChars),
	llm.Estimate: fmt.Sprintf(`Answer with one JSON object with exactly these fields: "lowPence", "highPence" and "likelyPence", whole numbers of pence from 0 to %d with lowPence ≤ likelyPence ≤ highPence; "reasoning", a string of at most %d characters.`,
		schema.MaxPence, schema.MaxReasoningChars),
}

func or(values []string) string { return strings.Join(values, ", ") }
