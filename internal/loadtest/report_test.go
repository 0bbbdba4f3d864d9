package loadtest

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestPercentileIsNearestRank(t *testing.T) {
	sorted := make([]time.Duration, 100)
	for i := range sorted {
		sorted[i] = time.Duration(i+1) * time.Millisecond
	}
	for q, want := range map[float64]time.Duration{50: 50 * time.Millisecond, 95: 95 * time.Millisecond, 99: 99 * time.Millisecond, 100: 100 * time.Millisecond} {
		if got := percentile(sorted, q); got != want {
			t.Errorf("p%v of 1..100 ms = %v, want %v", q, got, want)
		}
	}
	if got := percentile([]time.Duration{7}, 50); got != 7 {
		t.Errorf("p50 of one = %v", got)
	}
}

func TestPacer(t *testing.T) {
	for rate, want := range map[float64]time.Duration{0: 0, 1: time.Second, 500: 2 * time.Millisecond, 0.5: 2 * time.Second} {
		wait, stop := pacer(rate).Pace(0, 0)
		if stop || wait != want {
			t.Errorf("rate %v: first wait %v (stop %v), want %v", rate, wait, stop, want)
		}
	}
}

var sample = Result{Scenario: "public-report", Mode: ModeConstant, Rate: 50, Workers: 16, Requests: 500, Successes: 497,
	Errors: map[string]int{"429": 2, "transport": 1}, Throughput: 49.7,
	P50: 1500 * time.Microsecond, P95: 12 * time.Millisecond, P99: 40250 * time.Microsecond, Max: time.Second, Note: "public reports are limited"}

func TestResultJSON(t *testing.T) {
	raw, err := json.Marshal(sample)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"scenario":"public-report"`, `"mode":"constant"`, `"rate":50`, `"errors":{"429":2,"transport":1}`,
		`"throughput":49.7`, `"p50":1.5`, `"p99":40.25`, `"max":1000`, `"note":"public reports are limited"`} {
		if !strings.Contains(string(raw), want) {
			t.Errorf("JSON %s lacks %s", raw, want)
		}
	}
	var back Result
	if err := json.Unmarshal(raw, &back); err != nil {
		t.Fatal(err)
	}
	if b, _ := json.Marshal(back); string(b) != string(raw) {
		t.Errorf("round trip changed the result:\n%s\n%s", raw, b)
	}
	if empty, _ := json.Marshal(Result{}); !strings.Contains(string(empty), `"errors":{}`) {
		t.Errorf("no errors must be {}, not null: %s", empty)
	}
}

func TestWriteTable(t *testing.T) {
	var b strings.Builder
	closed := Result{Scenario: "list-open", Mode: ModeMax, Workers: 16, Requests: 9000, Successes: 9000, Throughput: 900, P50: 15 * time.Millisecond}
	if err := WriteTable(&b, []Result{sample, closed}); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(b.String(), "\n")
	if len(lines) != 5 || lines[4] != "" {
		t.Fatalf("want a header, two rows and a note:\n%s", b.String())
	}
	for i, want := range [][]string{
		{"scenario", "mode", "rate", "ok/s", "p50 ms", "p99 ms"},
		{"public-report", "constant", "50/s", "497", "429×2 transport×1", "49.7", "1.5", "40.2"},
		{"list-open", "max", " max ", "9000", " 0 ", "900.0", "15.0"},
		{"public-report: public reports are limited"},
	} {
		for _, w := range want {
			if !strings.Contains(lines[i], w) {
				t.Errorf("line %d %q lacks %q", i, lines[i], w)
			}
		}
	}
}
