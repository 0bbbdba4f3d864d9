package builtin

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"math"
	"strings"

	"github.com/maintainuk/maintainuk/internal/ai/schema"
	"github.com/maintainuk/maintainuk/internal/money"
)

//go:embed data/prices.json
var pricesJSON []byte

// priceSource is where a published range comes from.
type priceSource struct {
	Name string `json:"name"`
	URL  string `json:"url"`
	Year int    `json:"year"`
}

// priceJob is one job's typical range; keywords pick it from a report.
type priceJob struct {
	ID          string        `json:"id"`
	Name        string        `json:"name"`
	Keywords    []string      `json:"keywords"`
	LowPence    int64         `json:"lowPence"`
	LikelyPence int64         `json:"likelyPence"`
	HighPence   int64         `json:"highPence"`
	Sources     []priceSource `json:"sources"`
	// Emergency marks a range that already is an emergency call-out's, so it is not
	// raised again for emergency wording.
	Emergency bool `json:"emergency,omitempty"`
}

type priceBook struct {
	Notes               string   `json:"notes"`
	EmergencyMultiplier float64  `json:"emergencyMultiplier"`
	EmergencyWords      []string `json:"emergencyWords"`
	Regions             struct {
		Source      priceSource        `json:"source"`
		Notes       string             `json:"notes"`
		Multipliers map[string]float64 `json:"multipliers"`
	} `json:"regions"`
	Categories map[string]struct {
		General priceJob   `json:"general"`
		Jobs    []priceJob `json:"jobs"`
	} `json:"categories"`
}

// prices is parsed once; the file is part of the binary, so a parse failure is a
// broken build and the tests catch it.
var prices = mustParseEmbedded[priceBook](pricesJSON)

func mustParseEmbedded[T any](b []byte) T {
	var v T
	if err := json.Unmarshal(b, &v); err != nil {
		panic(fmt.Sprintf("builtin: embedded data: %v", err))
	}
	return v
}

// EstimateCost gives a typical price range for the repair a report describes: the best
// matching job of its category by keywords (else the category's call-out), scaled for
// the region and raised for emergency or out-of-hours wording. Integer pence, VAT
// included, rounded to whole pounds; a typical range, not a quote.
func EstimateCost(in schema.EstimateInput) schema.Estimate {
	text := newPhraseText(in.Title, in.Description)
	job, category := matchJob(in.Category, newPhraseText(in.Title), text)

	factor, regionNote := 1.0, "national average (no region given)"
	if m, ok := prices.Regions.Multipliers[in.Region]; ok {
		factor = m
		regionNote = fmt.Sprintf("%s ×%.2f (%s %d)", in.Region, m, prices.Regions.Source.Name, prices.Regions.Source.Year)
	} else if in.Region != "" {
		regionNote = fmt.Sprintf("national average (region %q not known)", in.Region)
	}
	var reasons []string
	if job.ID == "general" {
		reasons = append(reasons, fmt.Sprintf("No specific job recognised in %s; using the %s range", category, strings.ToLower(job.Name)))
	} else {
		reasons = append(reasons, fmt.Sprintf("Matched job: %s (%s)", job.Name, category))
	}
	reasons = append(reasons, fmt.Sprintf("national range %s–%s", pounds(job.LowPence), pounds(job.HighPence)), "region: "+regionNote)
	if word, ok := estimateEmergencyWord(text); ok && !job.Emergency {
		factor *= prices.EmergencyMultiplier
		reasons = append(reasons, fmt.Sprintf("emergency or out-of-hours work (“%s”) ×%.1f", word, prices.EmergencyMultiplier))
	}
	low, likely, high := wholePounds(job.LowPence, factor), wholePounds(job.LikelyPence, factor), wholePounds(job.HighPence, factor)
	likely = min(max(likely, low), high)
	reasons = append(reasons, "sources: "+sourceList(job.Sources))
	reasoning := strings.Join(reasons, "; ") + ". Typical published prices including VAT, not a quote."
	return schema.Estimate{LowPence: low, LikelyPence: likely, HighPence: high, Reasoning: reasoning}
}

// matchJob scores each job by the words of the keywords found, so "blocked sink"
// outweighs a bare "sink", and counts a keyword in the title twice: the title names the
// problem, the description often mentions others. An unknown category searches every
// category.
func matchJob(category string, title, text phraseText) (priceJob, string) {
	names := []string{category}
	if _, ok := prices.Categories[category]; !ok {
		names = schema.Categories
	}
	var best priceJob
	bestCat, bestScore := "", 0
	for _, c := range names {
		for _, j := range prices.Categories[c].Jobs {
			score := 0
			for _, k := range j.Keywords {
				if text.has(k) {
					score += len(strings.Fields(k))
				}
				if title.has(k) {
					score += len(strings.Fields(k))
				}
			}
			if score > bestScore {
				best, bestCat, bestScore = j, c, score
			}
		}
	}
	if bestScore > 0 {
		return best, bestCat
	}
	if _, ok := prices.Categories[category]; !ok {
		category = "OTHER"
	}
	return prices.Categories[category].General, category
}

func estimateEmergencyWord(text phraseText) (string, bool) {
	for _, w := range prices.EmergencyWords {
		if text.has(w) {
			return w, true
		}
	}
	return "", false
}

// wholePounds scales pence and rounds to the nearest pound, never below £1.
func wholePounds(pence int64, factor float64) int64 {
	return max(100, int64(math.Round(float64(pence)*factor/100))*100)
}

// pounds shows a whole-pound amount without pence: "£120".
func pounds(pence int64) string { return strings.TrimSuffix(money.Format(pence), ".00") }

func sourceList(src []priceSource) string {
	parts := make([]string, len(src))
	for i, s := range src {
		parts[i] = fmt.Sprintf("%s %d", s.Name, s.Year)
	}
	return strings.Join(parts, ", ")
}
