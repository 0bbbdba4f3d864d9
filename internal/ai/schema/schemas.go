package schema

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/maintainuk/maintainuk/internal/ai/llm"
)

// Each answer has two schemas built from one field list, so they cannot drift apart:
//
//   - the sent schema, handed to providers, stays inside the subset OpenAI's strict
//     structured outputs accept (type, enum, properties, required, additionalProperties,
//     items, description): every object closed, every property required. Bounds are
//     spelt out in descriptions because strict mode rejects minimum, maxLength and the
//     like, and other providers honour them unevenly;
//   - the local schema (draft 2020-12) adds those bounds, and Decode checks every answer
//     against it whoever produced it, a model that ignored the schema included.

// Limits of an answer, shared by the schemas and the Go checks.
const (
	MaxReasoningChars = 1000
	MaxSubjectChars   = 200
	MaxBodyChars      = 5000
	MaxSummaryChars   = 3000
	MaxKeyPoints      = 10
	MaxKeyPointChars  = 300
	// MaxPence is £100,000: no single repair estimate should come near it.
	MaxPence = 10_000_000
)

type valueKind int

const (
	kString valueKind = iota
	kNumber
	kInteger
	kStringArray
)

// field is one property of an answer. Zero bounds mean none.
type field struct {
	name, desc     string
	kind           valueKind
	enum           []string // of the value, or of each item for arrays
	minLen, maxLen int      // characters, of the value or of each item
	min, max       float64  // numbers only; hasRange says they apply
	hasRange       bool
	maxItems       int
	uniqueItems    bool
}

type answer struct {
	name   string // the schema's name for providers that want one
	desc   string
	fields []field
}

var answers = map[llm.Capability]answer{
	llm.Classify: {"classification", "The suggested category and priority of a repair report.", []field{
		{name: "category", kind: kString, enum: Categories, desc: "Which trade fixes it."},
		{name: "priority", kind: kString, enum: Priorities, desc: "How fast it must be attended."},
		{name: "confidence", kind: kNumber, min: 0, max: 1, hasRange: true, desc: "How sure you are, from 0 to 1."},
		{name: "reasoning", kind: kString, maxLen: MaxReasoningChars, desc: fmt.Sprintf("Why, in one or two sentences of British English; at most %d characters.", MaxReasoningChars)},
		{name: "hazards", kind: kStringArray, enum: Hazards, uniqueItems: true, desc: "Every hazard the report shows, each at most once; empty when none."},
	}},
	llm.Draft: {"draft", "A message for a person to read, edit and send.", []field{
		{name: "subject", kind: kString, minLen: 1, maxLen: MaxSubjectChars, desc: fmt.Sprintf("The subject line; 1 to %d characters.", MaxSubjectChars)},
		{name: "body", kind: kString, minLen: 1, maxLen: MaxBodyChars, desc: fmt.Sprintf("The message in plain text; 1 to %d characters.", MaxBodyChars)},
	}},
	llm.Summarise: {"summary", "A ticket's story for a report.", []field{
		{name: "summary", kind: kString, minLen: 1, maxLen: MaxSummaryChars, desc: fmt.Sprintf("The story in plain prose; 1 to %d characters.", MaxSummaryChars)},
		{name: "keyPoints", kind: kStringArray, minLen: 1, maxLen: MaxKeyPointChars, maxItems: MaxKeyPoints, desc: fmt.Sprintf("At most %d key points, each 1 to %d characters.", MaxKeyPoints, MaxKeyPointChars)},
	}},
	llm.Estimate: {"estimate", "A repair's cost range in pence, VAT included.", []field{
		{name: "lowPence", kind: kInteger, min: 0, max: MaxPence, hasRange: true, desc: fmt.Sprintf("The lowest likely cost in whole pence, VAT included; 0 to %d.", MaxPence)},
		{name: "highPence", kind: kInteger, min: 0, max: MaxPence, hasRange: true, desc: fmt.Sprintf("The highest likely cost in whole pence, VAT included; at least lowPence, at most %d.", MaxPence)},
		{name: "likelyPence", kind: kInteger, min: 0, max: MaxPence, hasRange: true, desc: "The most likely cost in whole pence, VAT included; between lowPence and highPence."},
		{name: "reasoning", kind: kString, maxLen: MaxReasoningChars, desc: fmt.Sprintf("What the range assumes, in British English; at most %d characters.", MaxReasoningChars)},
	}},
}

// sentDocs and localDocs hold each capability's schemas, built once.
var sentDocs, localDocs = buildAll()

// For returns the name and the schema to send to providers for c. It panics on a
// capability llm does not define: that is a programming error, not a runtime one.
func For(c llm.Capability) (name string, sent json.RawMessage) {
	a, ok := answers[c]
	if !ok {
		panic("schema: unknown capability " + string(c))
	}
	// A clone, so a caller that edits its copy cannot change what others send.
	return a.name, bytes.Clone(sentDocs[c])
}

func buildAll() (sent, local map[llm.Capability]json.RawMessage) {
	sent = map[llm.Capability]json.RawMessage{}
	local = map[llm.Capability]json.RawMessage{}
	for c, a := range answers {
		sent[c] = mustMarshal(a.object(false))
		local[c] = mustMarshal(a.object(true))
	}
	return sent, local
}

// object builds an answer's schema; strict adds the bounds the sent schema leaves out.
func (a answer) object(strict bool) ordered {
	props := ordered{}
	required := make([]string, 0, len(a.fields))
	for _, f := range a.fields {
		props = append(props, kv{f.name, f.schema(strict)})
		required = append(required, f.name)
	}
	o := ordered{}
	if strict {
		o = append(o, kv{"$schema", "https://json-schema.org/draft/2020-12/schema"})
	}
	return append(o,
		kv{"description", a.desc},
		kv{"type", "object"},
		kv{"properties", props},
		kv{"required", required},
		kv{"additionalProperties", false},
	)
}

func (f field) schema(strict bool) ordered {
	o := ordered{{"description", f.desc}}
	switch f.kind {
	case kString:
		o = append(o, scalar("string", f.enum, strict, f.minLen, f.maxLen)...)
	case kNumber, kInteger:
		t := "number"
		if f.kind == kInteger {
			t = "integer"
		}
		o = append(o, kv{"type", t})
		if strict && f.hasRange {
			o = append(o, kv{"minimum", f.min}, kv{"maximum", f.max})
		}
	case kStringArray:
		o = append(o, kv{"type", "array"}, kv{"items", ordered(scalar("string", f.enum, strict, f.minLen, f.maxLen))})
		if strict && f.maxItems > 0 {
			o = append(o, kv{"maxItems", f.maxItems})
		}
		if strict && f.uniqueItems {
			o = append(o, kv{"uniqueItems", true})
		}
	}
	return o
}

func scalar(t string, enum []string, strict bool, minLen, maxLen int) []kv {
	o := []kv{{"type", t}}
	if len(enum) > 0 {
		o = append(o, kv{"enum", enum})
	}
	if strict && minLen > 0 {
		o = append(o, kv{"minLength", minLen})
	}
	if strict && maxLen > 0 {
		o = append(o, kv{"maxLength", maxLen})
	}
	return o
}

// ordered is a JSON object that keeps its keys in order: models write properties in
// the order the schema lists them, and a reader of the schema expects types.go's order.
type ordered []kv

type kv struct {
	k string
	v any
}

func (o ordered) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, e := range o {
		if i > 0 {
			b.WriteByte(',')
		}
		k, err := json.Marshal(e.k)
		if err != nil {
			return nil, err
		}
		v, err := json.Marshal(e.v)
		if err != nil {
			return nil, err
		}
		b.Write(k)
		b.WriteByte(':')
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

func mustMarshal(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic("schema: " + err.Error())
	}
	return b
}
