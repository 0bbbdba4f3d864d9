package evaluate

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/maintainuk/maintainuk/internal/ai/schema"
)

// fixed answers each title with the category and priority it names, "CAT/PRI".
func fixed(_ context.Context, in schema.ClassifyInput) (schema.Classification, error) {
	cat, pri, _ := strings.Cut(in.Title, "/")
	return schema.Classification{Category: cat, Priority: pri, Hazards: []string{}}, nil
}

func TestRunMetrics(t *testing.T) {
	cases := []Case{
		{ID: "a", Title: "PLUMBING/EMERGENCY", Category: "PLUMBING", Priority: "EMERGENCY"}, // right
		{ID: "b", Title: "HVAC/URGENT", Category: "HVAC", Priority: "EMERGENCY"},            // missed emergency
		{ID: "c", Title: "OTHER/EMERGENCY", Category: "PEST_CONTROL", Priority: "ROUTINE"},  // false emergency, wrong category
		{ID: "d", Title: "ELECTRICAL/ROUTINE", Category: "ELECTRICAL", Priority: "ROUTINE"}, // right
	}
	res, err := Run(context.Background(), cases, fixed)
	if err != nil {
		t.Fatal(err)
	}
	if res.CategoryAccuracy != 0.75 || res.PriorityAccuracy != 0.5 {
		t.Errorf("accuracy %v %v, want 0.75 0.5", res.CategoryAccuracy, res.PriorityAccuracy)
	}
	if res.EmergencyRecall != 0.5 || res.EmergencyPrecision != 0.5 {
		t.Errorf("emergency recall %v precision %v, want 0.5 0.5", res.EmergencyRecall, res.EmergencyPrecision)
	}
	if got := res.CategoryConfusion[5][6]; got != 1 { // PEST_CONTROL read as OTHER
		t.Errorf("category confusion [PEST_CONTROL][OTHER] = %d, want 1", got)
	}
	if got := res.PriorityConfusion[2][1]; got != 1 { // EMERGENCY read as URGENT
		t.Errorf("priority confusion [EMERGENCY][URGENT] = %d, want 1", got)
	}
	if len(res.Misses) != 2 || res.Misses[0].ID != "b" || res.Misses[1].ID != "c" {
		t.Errorf("misses %+v", res.Misses)
	}
}

// TestRunNothingToMeasure: with no cases or no emergencies nothing divides by zero.
func TestRunNothingToMeasure(t *testing.T) {
	tests := []struct {
		name  string
		cases []Case
		want  [4]float64 // category, priority, recall, precision
	}{
		{"no cases", nil, [4]float64{1, 1, 1, 1}},
		{"no emergencies", []Case{{ID: "a", Title: "OTHER/ROUTINE", Category: "OTHER", Priority: "ROUTINE"}}, [4]float64{1, 1, 1, 1}},
		{"emergencies never predicted", []Case{{ID: "a", Title: "OTHER/ROUTINE", Category: "OTHER", Priority: "EMERGENCY"}}, [4]float64{1, 0, 0, 1}},
		{"unknown answer", []Case{{ID: "a", Title: "MAGIC/SOON", Category: "OTHER", Priority: "ROUTINE"}}, [4]float64{0, 0, 1, 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := Run(context.Background(), tt.cases, fixed)
			if err != nil {
				t.Fatal(err)
			}
			got := [4]float64{res.CategoryAccuracy, res.PriorityAccuracy, res.EmergencyRecall, res.EmergencyPrecision}
			if got != tt.want {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestRunErrors(t *testing.T) {
	boom := errors.New("boom")
	_, err := Run(context.Background(), []Case{{ID: "x"}}, func(context.Context, schema.ClassifyInput) (schema.Classification, error) {
		return schema.Classification{}, boom
	})
	if !errors.Is(err, boom) || !strings.Contains(err.Error(), "x") {
		t.Errorf("classifier error: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Run(ctx, []Case{{ID: "x"}}, fixed); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}

func TestLoad(t *testing.T) {
	good := `{"id":"a","title":"t","description":"d","category":"HVAC","priority":"URGENT"}

{"id":"b","title":"t","description":"d","category":"OTHER","priority":"ROUTINE"}
`
	cases, err := Load(strings.NewReader(good))
	if err != nil || len(cases) != 2 || cases[1].ID != "b" {
		t.Fatalf("Load: %v %+v", err, cases)
	}
	tests := []struct{ name, input, want string }{
		{"bad json", `{"id":"a","category":"HVAC","priority":"URGENT"}` + "\n{oops", "line 2"},
		{"unknown category", `{"id":"a","category":"GARDENING","priority":"URGENT"}`, `line 1 (a): unknown category "GARDENING"`},
		{"unknown priority", `{"id":"a","category":"HVAC","priority":"SOON"}`, `line 1 (a): unknown priority "SOON"`},
		{"no id", `{"category":"HVAC","priority":"URGENT"}`, "line 1: no id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(strings.NewReader(tt.input))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func TestReport(t *testing.T) {
	res, err := Run(context.Background(), []Case{
		{ID: "dev-1", Title: "HVAC/URGENT", Category: "HVAC", Priority: "EMERGENCY"},
		{ID: "dev-2", Title: "OTHER/ROUTINE", Category: "OTHER", Priority: "ROUTINE"},
	}, fixed)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	Report(&b, res)
	out := b.String()
	lines := strings.Split(out, "\n")
	for i, want := range []string{"category accuracy 1.00", "priority accuracy 0.50", "EMERGENCY recall 0.00 precision 1.00"} {
		if lines[i] != want {
			t.Errorf("line %d %q, want %q", i+1, lines[i], want)
		}
	}
	for _, want := range []string{
		"          ROUTINE URGENT EMERGENCY\n",
		"EMERGENCY       0      1         0\n",
		"dev-1  HVAC/EMERGENCY → HVAC/URGENT\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
}
