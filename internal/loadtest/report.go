package loadtest

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"text/tabwriter"
	"time"
)

// resultJSON is Result as JSON: camelCase, durations in milliseconds.
type resultJSON struct {
	Scenario   string         `json:"scenario"`
	Mode       string         `json:"mode"`
	Rate       float64        `json:"rate"`
	Workers    int            `json:"workers"`
	Requests   int            `json:"requests"`
	Successes  int            `json:"successes"`
	Errors     map[string]int `json:"errors"`
	Throughput float64        `json:"throughput"`
	P50        float64        `json:"p50"`
	P95        float64        `json:"p95"`
	P99        float64        `json:"p99"`
	Max        float64        `json:"max"`
	Note       string         `json:"note"`
}

func millis(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func fromMillis(ms float64) time.Duration { return time.Duration(ms * float64(time.Millisecond)) }

// MarshalJSON writes latencies as float milliseconds.
func (r Result) MarshalJSON() ([]byte, error) {
	errs := r.Errors
	if errs == nil {
		errs = map[string]int{}
	}
	return json.Marshal(resultJSON{Scenario: r.Scenario, Mode: r.Mode, Rate: r.Rate, Workers: r.Workers,
		Requests: r.Requests, Successes: r.Successes, Errors: errs, Throughput: r.Throughput,
		P50: millis(r.P50), P95: millis(r.P95), P99: millis(r.P99), Max: millis(r.Max), Note: r.Note})
}

// UnmarshalJSON reads what MarshalJSON writes, for tools that run the command and read -json.
func (r *Result) UnmarshalJSON(b []byte) error {
	var j resultJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*r = Result{Scenario: j.Scenario, Mode: j.Mode, Rate: j.Rate, Workers: j.Workers, Requests: j.Requests,
		Successes: j.Successes, Errors: j.Errors, Throughput: j.Throughput,
		P50: fromMillis(j.P50), P95: fromMillis(j.P95), P99: fromMillis(j.P99), Max: fromMillis(j.Max), Note: j.Note}
	return nil
}

// WriteTable writes the results as an aligned table, notes on their own lines below it.
func WriteTable(w io.Writer, rs []Result) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "scenario\tmode\trate\tworkers\trequests\tok\terrors\tok/s\tp50 ms\tp95 ms\tp99 ms\tmax ms\t")
	for _, r := range rs {
		rate := "max"
		if r.Mode == ModeConstant {
			rate = fmt.Sprintf("%g/s", r.Rate)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%d\t%s\t%.1f\t%.1f\t%.1f\t%.1f\t%.1f\t\n", r.Scenario, r.Mode, rate, r.Workers,
			r.Requests, r.Successes, errorSummary(r.Errors), r.Throughput, millis(r.P50), millis(r.P95), millis(r.P99), millis(r.Max))
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("write table: %w", err)
	}
	for _, r := range rs {
		if r.Note != "" {
			if _, err := fmt.Fprintf(w, "%s: %s\n", r.Scenario, r.Note); err != nil {
				return fmt.Errorf("write table: %w", err)
			}
		}
	}
	return nil
}

// errorSummary is "0", or each error's count by key: "429×3 transport×1".
func errorSummary(errs map[string]int) string {
	if len(errs) == 0 {
		return "0"
	}
	parts := make([]string, 0, len(errs))
	for _, k := range slices.Sorted(maps.Keys(errs)) {
		parts = append(parts, fmt.Sprintf("%s×%d", k, errs[k]))
	}
	return strings.Join(parts, " ")
}
