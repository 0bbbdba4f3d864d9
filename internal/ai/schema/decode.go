package schema

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"

	"github.com/maintainuk/maintainuk/internal/ai/llm"
)

// ErrInvalid marks every answer Decode rejects, so the caller can tell a bad answer
// (worth a retry or a fallback) from a programming error.
var ErrInvalid = errors.New("invalid answer")

// MaxAnswerBytes bounds an answer before it is parsed: the longest valid answer (a
// draft) is a few tens of kilobytes even with every character escaped.
const MaxAnswerBytes = 64 << 10

// validators holds each capability's compiled local schema; compiling is far dearer
// than validating, so it happens once, at start-up.
var validators = compileAll()

func compileAll() map[llm.Capability]*jsonschema.Schema {
	out := map[llm.Capability]*jsonschema.Schema{}
	for c, doc := range localDocs {
		v, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
		if err != nil {
			panic("schema: " + err.Error())
		}
		url := "mem://schema/" + string(c) + ".json"
		comp := jsonschema.NewCompiler()
		if err := comp.AddResource(url, v); err != nil {
			panic("schema: " + err.Error())
		}
		out[c] = comp.MustCompile(url)
	}
	return out
}

// Decode checks a provider's answer for c against the local schema and the checks
// across fields, then returns it as its Go type: Classification, Draft, Summary or
// Estimate (values, not pointers). Errors wrap ErrInvalid and name the field at fault
// but never quote the answer: it may carry a resident's personal details.
func Decode(c llm.Capability, raw json.RawMessage) (any, error) {
	v, ok := validators[c]
	if !ok {
		return nil, fmt.Errorf("schema: unknown capability %q", c)
	}
	if len(raw) > MaxAnswerBytes {
		return nil, invalid(c, "answer is %d bytes, more than %d", len(raw), MaxAnswerBytes)
	}
	inst, err := parse(raw)
	if err != nil {
		return nil, invalid(c, "%s", err)
	}
	if err := v.Validate(inst); err != nil {
		var ve *jsonschema.ValidationError
		if !errors.As(err, &ve) {
			return nil, invalid(c, "does not match the schema")
		}
		return nil, invalid(c, "%s", describe(ve))
	}
	switch c {
	case llm.Classify:
		return unmarshal[Classification](c, raw)
	case llm.Draft:
		return unmarshal[Draft](c, raw)
	case llm.Summarise:
		return unmarshal[Summary](c, raw)
	default: // llm.Estimate: validators holds no other capability
		e, err := unmarshal[Estimate](c, raw)
		if err != nil {
			return nil, err
		}
		// A range whose ends are swapped would mislead whoever budgets from it.
		if e.LowPence > e.LikelyPence || e.LikelyPence > e.HighPence {
			return nil, invalid(c, "field /likelyPence: want lowPence ≤ likelyPence ≤ highPence")
		}
		return e, nil
	}
}

// parse reads exactly one JSON document; anything after it (a second document, prose
// a model added) is an error rather than silently ignored.
func parse(raw []byte) (any, error) {
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber() // jsonschema wants exact numbers
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, errors.New("not JSON")
	}
	if _, err := d.Token(); err != io.EOF {
		return nil, errors.New("text after the JSON document")
	}
	return v, nil
}

func unmarshal[T any](c llm.Capability, raw []byte) (T, error) {
	var v T
	if err := json.Unmarshal(raw, &v); err != nil {
		// The schema passed, so this is a value Go cannot hold (1.0 as pence, a number
		// beyond float64); name the field, not the value.
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return v, invalid(c, "field /%s: not representable as %s", te.Field, te.Type)
		}
		return v, invalid(c, "not representable in Go")
	}
	return v, nil
}

func invalid(c llm.Capability, format string, args ...any) error {
	return fmt.Errorf("schema: %s answer: %w: %s", c, ErrInvalid, fmt.Sprintf(format, args...))
}

// describe lists the innermost failures, each as "field /path: problem".
func describe(ve *jsonschema.ValidationError) string {
	var out []string
	var walk func(*jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		if len(e.Causes) == 0 {
			out = append(out, "field /"+strings.Join(e.InstanceLocation, "/")+": "+problem(e.ErrorKind))
			return
		}
		for _, c := range e.Causes {
			walk(c)
		}
	}
	walk(ve)
	return strings.Join(out, "; ")
}

// safeName matches property names a schema could have defined; others are not quoted.
var safeName = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]{0,39}$`)

// problem says what is wrong using only what the schema holds (types, enums, bounds),
// never the offending value.
func problem(k jsonschema.ErrorKind) string {
	switch k := k.(type) {
	case *kind.Type:
		return fmt.Sprintf("got %s, want %s", k.Got, strings.Join(k.Want, " or "))
	case *kind.Enum:
		want := make([]string, len(k.Want))
		for i, w := range k.Want {
			want[i] = fmt.Sprint(w)
		}
		return "want one of " + strings.Join(want, ", ")
	case *kind.Required:
		return "missing " + strings.Join(k.Missing, ", ")
	case *kind.AdditionalProperties:
		var names []string
		for _, p := range k.Properties {
			if safeName.MatchString(p) {
				names = append(names, p)
			}
		}
		if len(names) == 0 {
			return "unexpected property"
		}
		return "unexpected property " + strings.Join(names, ", ")
	case *kind.MinLength:
		return fmt.Sprintf("%d characters, want at least %d", k.Got, k.Want)
	case *kind.MaxLength:
		return fmt.Sprintf("%d characters, want at most %d", k.Got, k.Want)
	case *kind.MaxItems:
		return fmt.Sprintf("%d items, want at most %d", k.Got, k.Want)
	case *kind.UniqueItems:
		return fmt.Sprintf("items %d and %d repeat each other", k.Duplicates[0], k.Duplicates[1])
	case *kind.Minimum:
		return "want at least " + k.Want.RatString()
	case *kind.Maximum:
		return "want at most " + k.Want.RatString()
	default:
		return "fails " + strings.Join(k.KeywordPath(), "/")
	}
}
