package schema

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/maintainuk/maintainuk/internal/ai/llm"
)

func TestDecodeValid(t *testing.T) {
	tests := []struct {
		c    llm.Capability
		raw  string
		want any
	}{
		{llm.Classify, `{"category":"PLUMBING","priority":"EMERGENCY","confidence":0.9,"reasoning":"Burst pipe.","hazards":["WATER_NEAR_ELECTRICS"]}`,
			Classification{Category: "PLUMBING", Priority: "EMERGENCY", Confidence: 0.9, Reasoning: "Burst pipe.", Hazards: []string{"WATER_NEAR_ELECTRICS"}}},
		{llm.Classify, `{"category":"OTHER","priority":"ROUTINE","confidence":0,"reasoning":"","hazards":[]}`,
			Classification{Category: "OTHER", Priority: "ROUTINE", Hazards: []string{}}},
		{llm.Classify, `{"category":"HVAC","priority":"URGENT","confidence":1,"reasoning":"x","hazards":[]}`,
			Classification{Category: "HVAC", Priority: "URGENT", Confidence: 1, Reasoning: "x", Hazards: []string{}}},
		{llm.Draft, `{"subject":"Your repair","body":"Dear resident, …"}`, Draft{Subject: "Your repair", Body: "Dear resident, …"}},
		{llm.Summarise, `{"summary":"Leak fixed.","keyPoints":["Reported Monday","Fixed Tuesday"]}`,
			Summary{Summary: "Leak fixed.", KeyPoints: []string{"Reported Monday", "Fixed Tuesday"}}},
		{llm.Estimate, `{"lowPence":8000,"highPence":20000,"likelyPence":12000,"reasoning":"Call-out and part."}`,
			Estimate{LowPence: 8000, HighPence: 20000, LikelyPence: 12000, Reasoning: "Call-out and part."}},
		{llm.Estimate, `{"lowPence":0,"highPence":10000000,"likelyPence":10000000,"reasoning":""}`,
			Estimate{HighPence: MaxPence, LikelyPence: MaxPence}},
		{llm.Estimate, " \n{\"lowPence\":5,\"highPence\":5,\"likelyPence\":5,\"reasoning\":\"\"}\n", Estimate{LowPence: 5, HighPence: 5, LikelyPence: 5}},
	}
	for _, tt := range tests {
		got, err := Decode(tt.c, json.RawMessage(tt.raw))
		if err != nil {
			t.Errorf("%s %s: %v", tt.c, tt.raw, err)
			continue
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: got %#v, want %#v", tt.c, got, tt.want)
		}
	}
}

func TestDecodeRejects(t *testing.T) {
	const secret = "Priya Sharma 07700 900123"
	tests := []struct {
		name, raw string
		c         llm.Capability
		field     string // the error must name it
	}{
		{"extra property", `{"category":"PLUMBING","priority":"URGENT","confidence":0.5,"reasoning":"","hazards":[],"note":"x"}`, llm.Classify, "note"},
		{"extra property with an odd name", `{"category":"PLUMBING","priority":"URGENT","confidence":0.5,"reasoning":"","hazards":[],"` + secret + `":1}`, llm.Classify, "unexpected property"},
		{"wrong category", `{"category":"` + secret + `","priority":"URGENT","confidence":0.5,"reasoning":"","hazards":[]}`, llm.Classify, "/category"},
		{"wrong hazard", `{"category":"PLUMBING","priority":"URGENT","confidence":0.5,"reasoning":"","hazards":["FIRE"]}`, llm.Classify, "/hazards/0"},
		{"repeated hazard", `{"category":"PLUMBING","priority":"URGENT","confidence":0.5,"reasoning":"","hazards":["GAS","GAS"]}`, llm.Classify, "/hazards"},
		{"confidence 1.5", `{"category":"PLUMBING","priority":"URGENT","confidence":1.5,"reasoning":"","hazards":[]}`, llm.Classify, "/confidence"},
		{"confidence negative", `{"category":"PLUMBING","priority":"URGENT","confidence":-0.1,"reasoning":"","hazards":[]}`, llm.Classify, "/confidence"},
		{"missing field", `{"category":"PLUMBING","priority":"URGENT","confidence":0.5,"reasoning":""}`, llm.Classify, "hazards"},
		{"null hazards", `{"category":"PLUMBING","priority":"URGENT","confidence":0.5,"reasoning":"","hazards":null}`, llm.Classify, "/hazards"},
		{"long reasoning", `{"category":"PLUMBING","priority":"URGENT","confidence":0.5,"reasoning":"` + strings.Repeat("a", 1001) + `","hazards":[]}`, llm.Classify, "/reasoning"},
		{"string for a number", `{"category":"PLUMBING","priority":"URGENT","confidence":"0.5","reasoning":"","hazards":[]}`, llm.Classify, "/confidence"},
		{"empty subject", `{"subject":"","body":"b"}`, llm.Draft, "/subject"},
		{"huge body", `{"subject":"s","body":"` + strings.Repeat("é", 5001) + `"}`, llm.Draft, "/body"},
		{"too many key points", `{"summary":"s","keyPoints":[` + strings.TrimSuffix(strings.Repeat(`"k",`, 11), ",") + `]}`, llm.Summarise, "/keyPoints"},
		{"long key point", `{"summary":"s","keyPoints":["` + strings.Repeat("k", 301) + `"]}`, llm.Summarise, "/keyPoints/0"},
		{"low above high", `{"lowPence":30000,"highPence":20000,"likelyPence":25000,"reasoning":""}`, llm.Estimate, "likelyPence"},
		{"likely above high", `{"lowPence":100,"highPence":200,"likelyPence":300,"reasoning":""}`, llm.Estimate, "likelyPence"},
		{"negative pence", `{"lowPence":-1,"highPence":200,"likelyPence":100,"reasoning":""}`, llm.Estimate, "/lowPence"},
		{"more than £100k", `{"lowPence":1,"highPence":10000001,"likelyPence":100,"reasoning":""}`, llm.Estimate, "/highPence"},
		{"fractional pence", `{"lowPence":1.5,"highPence":200,"likelyPence":100,"reasoning":""}`, llm.Estimate, "/lowPence"},
		{"pence as a string", `{"lowPence":"100","highPence":200,"likelyPence":100,"reasoning":""}`, llm.Estimate, "/lowPence"},
		{"not JSON", `Sure! Here is the JSON: ` + secret, llm.Draft, "not JSON"},
		{"empty", ``, llm.Draft, "not JSON"},
		{"trailing garbage", `{"subject":"s","body":"b"} ` + secret, llm.Draft, "after the JSON"},
		{"two documents", `{"subject":"s","body":"b"}{"subject":"s","body":"b"}`, llm.Draft, "after the JSON"},
		{"an array", `[{"subject":"s","body":"b"}]`, llm.Draft, "want object"},
		{"too large", `{"subject":"s","body":"` + strings.Repeat(" ", MaxAnswerBytes) + `"}`, llm.Draft, "bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Decode(tt.c, json.RawMessage(tt.raw))
			if err == nil {
				t.Fatal("accepted")
			}
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("%v does not wrap ErrInvalid", err)
			}
			if !strings.Contains(err.Error(), tt.field) {
				t.Errorf("%q does not name %q", err, tt.field)
			}
			for _, leak := range []string{"Priya", "07700", "0.5\"", "aaaa"} {
				if strings.Contains(err.Error(), leak) {
					t.Errorf("%q echoes the answer", err)
				}
			}
		})
	}
}

func TestDecodeUnknownCapability(t *testing.T) {
	if _, err := Decode("translate", json.RawMessage(`{}`)); err == nil || errors.Is(err, ErrInvalid) {
		t.Errorf("got %v, want a non-ErrInvalid error", err)
	}
}

func FuzzDecode(f *testing.F) {
	f.Add("classify", `{"category":"PLUMBING","priority":"URGENT","confidence":0.5,"reasoning":"","hazards":[]}`)
	f.Add("estimate", `{"lowPence":1,"highPence":3,"likelyPence":2,"reasoning":""}`)
	f.Add("draft", `{"subject":"s","body":"b"}`)
	f.Add("summarise", `{"summary":"s","keyPoints":["a"]}`)
	f.Add("estimate", `{"lowPence":1e400,"highPence":3,"likelyPence":2,"reasoning":""}`)
	f.Fuzz(func(t *testing.T, c, raw string) {
		v, err := Decode(llm.Capability(c), json.RawMessage(raw))
		if err != nil {
			return
		}
		// Whatever passes re-encodes to an answer that passes again, to the same value.
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		again, err := Decode(llm.Capability(c), b)
		if err != nil {
			t.Fatalf("re-encoded answer rejected: %v", err)
		}
		if !reflect.DeepEqual(again, v) {
			t.Fatalf("got %#v, want %#v", again, v)
		}
		if e, ok := v.(Estimate); ok && (e.LowPence > e.LikelyPence || e.LikelyPence > e.HighPence) {
			t.Fatalf("range out of order: %#v", e)
		}
	})
}
