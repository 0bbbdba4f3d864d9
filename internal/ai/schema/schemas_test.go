package schema

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/maintainuk/maintainuk/internal/ai/llm"
)

// strictKeywords is the subset OpenAI's strict structured outputs accept, as the sent
// schemas use it.
var strictKeywords = map[string]bool{
	"type": true, "enum": true, "properties": true, "required": true,
	"additionalProperties": true, "items": true, "description": true,
}

func TestSentSchemasStayInTheStrictSubset(t *testing.T) {
	for _, c := range llm.Capabilities {
		name, raw := For(c)
		if name == "" {
			t.Errorf("%s: empty name", c)
		}
		var doc map[string]any
		if err := json.Unmarshal(raw, &doc); err != nil {
			t.Fatalf("%s: %v", c, err)
		}
		checkStrict(t, string(c), doc)
	}
}

// checkStrict walks a schema: only strict keywords, every object closed with every
// property required.
func checkStrict(t *testing.T, at string, s map[string]any) {
	t.Helper()
	for k := range s {
		if !strictKeywords[k] {
			t.Errorf("%s: keyword %q outside the strict subset", at, k)
		}
	}
	if s["type"] == "object" {
		if s["additionalProperties"] != false {
			t.Errorf("%s: object not closed", at)
		}
		props, _ := s["properties"].(map[string]any)
		req := map[string]bool{}
		for _, r := range s["required"].([]any) {
			req[r.(string)] = true
		}
		for p, sub := range props {
			if !req[p] {
				t.Errorf("%s: property %s not required", at, p)
			}
			checkStrict(t, at+"/"+p, sub.(map[string]any))
		}
	}
	if items, ok := s["items"].(map[string]any); ok {
		checkStrict(t, at+"[]", items)
	}
}

// The schemas name exactly the JSON fields types.go declares.
func TestSchemasMatchTheTypes(t *testing.T) {
	types := map[llm.Capability]any{llm.Classify: Classification{}, llm.Draft: Draft{}, llm.Summarise: Summary{}, llm.Estimate: Estimate{}}
	for c, v := range types {
		var tags []string
		rt := reflect.TypeOf(v)
		for i := range rt.NumField() {
			tags = append(tags, strings.Split(rt.Field(i).Tag.Get("json"), ",")[0])
		}
		for _, doc := range []json.RawMessage{sentDocs[c], localDocs[c]} {
			var s struct{ Required []string }
			if err := json.Unmarshal(doc, &s); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(s.Required, tags) {
				t.Errorf("%s: schema fields %v, type fields %v", c, s.Required, tags)
			}
		}
	}
}

func TestForReturnsACopy(t *testing.T) {
	_, a := For(llm.Draft)
	a[0] = 'X'
	if _, b := For(llm.Draft); b[0] != '{' {
		t.Error("editing one caller's schema changed another's")
	}
}
