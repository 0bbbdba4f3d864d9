package evaluate

import (
	"fmt"
	"io"
	"strings"

	"github.com/maintainuk/maintainuk/internal/ai/schema"
)

// Report prints the measures, one per line, then both confusion matrices (rows gold,
// columns predicted) and the misclassified cases as gold → predicted.
func Report(w io.Writer, r Result) {
	fmt.Fprintf(w, "category accuracy %.2f\n", r.CategoryAccuracy)
	fmt.Fprintf(w, "priority accuracy %.2f\n", r.PriorityAccuracy)
	fmt.Fprintf(w, "EMERGENCY recall %.2f precision %.2f\n", r.EmergencyRecall, r.EmergencyPrecision)
	fmt.Fprintln(w)
	fmt.Fprintln(w, "category confusion (rows gold, columns predicted)")
	matrix(w, schema.Categories, r.CategoryConfusion)
	fmt.Fprintln(w)
	fmt.Fprintln(w, "priority confusion (rows gold, columns predicted)")
	matrix(w, schema.Priorities, r.PriorityConfusion)
	fmt.Fprintln(w)
	fmt.Fprintf(w, "misclassified %d of %d\n", len(r.Misses), r.Cases)
	for _, m := range r.Misses {
		fmt.Fprintf(w, "%s  %s/%s → %s/%s\n", m.ID, m.GoldCategory, m.GoldPriority, m.GotCategory, m.GotPriority)
	}
}

// matrix prints a labelled, right-aligned table; each column is as wide as its label.
func matrix(w io.Writer, labels []string, m [][]int) {
	first := 0
	for _, l := range labels {
		first = max(first, len(l))
	}
	fmt.Fprintf(w, "%-*s", first, "")
	for _, l := range labels {
		fmt.Fprintf(w, " %s", l)
	}
	fmt.Fprintln(w)
	for i, l := range labels {
		var b strings.Builder
		fmt.Fprintf(&b, "%-*s", first, l)
		for j, c := range labels {
			fmt.Fprintf(&b, " %*d", len(c), m[i][j])
		}
		fmt.Fprintln(w, b.String())
	}
}
