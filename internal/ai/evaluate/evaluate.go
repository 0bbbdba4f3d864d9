// Package evaluate measures a classifier against labelled repair reports: the accuracy
// of its categories and priorities, how many emergencies it catches, and where it errs.
package evaluate

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"

	"github.com/maintainuk/maintainuk/internal/ai/schema"
)

// Case is one labelled report.
type Case struct {
	ID          string `json:"id"`
	Title       string `json:"title"`
	Description string `json:"description"`
	Category    string `json:"category"`
	Priority    string `json:"priority"`
}

// ClassifyFunc is the classifier under test.
type ClassifyFunc func(context.Context, schema.ClassifyInput) (schema.Classification, error)

// Miss is a case the classifier got wrong in category, priority or both.
type Miss struct {
	ID                        string
	GoldCategory, GotCategory string
	GoldPriority, GotPriority string
}

// Result holds the measures of one run. Confusion matrices are indexed
// [gold][predicted] in the order of schema.Categories and schema.Priorities.
type Result struct {
	Cases              int
	CategoryAccuracy   float64
	PriorityAccuracy   float64
	EmergencyRecall    float64
	EmergencyPrecision float64
	CategoryConfusion  [][]int
	PriorityConfusion  [][]int
	Misses             []Miss
}

// Load reads JSON Lines of labelled cases; blank lines are skipped. A bad line, a
// missing id or an unknown label is an error naming the line.
func Load(r io.Reader) ([]Case, error) {
	var cases []Case
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 4*1024*1024)
	for n := 1; sc.Scan(); n++ {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		var c Case
		if err := json.Unmarshal(line, &c); err != nil {
			return nil, fmt.Errorf("line %d: %w", n, err)
		}
		switch {
		case c.ID == "":
			return nil, fmt.Errorf("line %d: no id", n)
		case !slices.Contains(schema.Categories, c.Category):
			return nil, fmt.Errorf("line %d (%s): unknown category %q", n, c.ID, c.Category)
		case !slices.Contains(schema.Priorities, c.Priority):
			return nil, fmt.Errorf("line %d (%s): unknown priority %q", n, c.ID, c.Priority)
		}
		cases = append(cases, c)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	return cases, nil
}

// Run classifies every case and measures the answers. It stops at the first error of
// the classifier or when ctx is done. An answer outside the known labels counts as
// wrong and lands in no matrix cell.
func Run(ctx context.Context, cases []Case, classify ClassifyFunc) (Result, error) {
	res := Result{
		Cases:             len(cases),
		CategoryConfusion: square(len(schema.Categories)),
		PriorityConfusion: square(len(schema.Priorities)),
	}
	var catOK, priOK, emGold, emGot, emBoth int
	for _, c := range cases {
		if err := ctx.Err(); err != nil {
			return Result{}, err
		}
		got, err := classify(ctx, schema.ClassifyInput{Title: c.Title, Description: c.Description})
		if err != nil {
			return Result{}, fmt.Errorf("%s: %w", c.ID, err)
		}
		count(res.CategoryConfusion, schema.Categories, c.Category, got.Category)
		count(res.PriorityConfusion, schema.Priorities, c.Priority, got.Priority)
		if got.Category == c.Category {
			catOK++
		}
		if got.Priority == c.Priority {
			priOK++
		}
		goldEm, gotEm := c.Priority == "EMERGENCY", got.Priority == "EMERGENCY"
		if goldEm {
			emGold++
		}
		if gotEm {
			emGot++
		}
		if goldEm && gotEm {
			emBoth++
		}
		if got.Category != c.Category || got.Priority != c.Priority {
			res.Misses = append(res.Misses, Miss{c.ID, c.Category, got.Category, c.Priority, got.Priority})
		}
	}
	res.CategoryAccuracy = ratio(catOK, len(cases))
	res.PriorityAccuracy = ratio(priOK, len(cases))
	res.EmergencyRecall = ratio(emBoth, emGold)
	res.EmergencyPrecision = ratio(emBoth, emGot)
	return res, nil
}

// ratio is n/d, and 1 when there is nothing to measure (no gold emergencies means
// none were missed; no predicted ones means none were wrong).
func ratio(n, d int) float64 {
	if d == 0 {
		return 1
	}
	return float64(n) / float64(d)
}

func square(n int) [][]int {
	m := make([][]int, n)
	for i := range m {
		m[i] = make([]int, n)
	}
	return m
}

func count(m [][]int, labels []string, gold, got string) {
	g, p := slices.Index(labels, gold), slices.Index(labels, got)
	if g >= 0 && p >= 0 {
		m[g][p]++
	}
}
