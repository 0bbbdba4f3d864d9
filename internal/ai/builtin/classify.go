// Package builtin is the offline AI engine: deterministic rules in place of a model.
package builtin

import (
	"math"
	"sort"
	"strings"

	"github.com/maintainuk/maintainuk/internal/ai/schema"
)

// Weights of where a word sits relative to the cue that decides a report: the cue's own
// clause says most about which trade it concerns, its sentence less, the rest least.
const (
	clauseWeight   = 4
	sentenceWeight = 2
	titleWeight    = 1.5
)

func init() {
	for _, t := range vocabulary {
		for _, p := range t.phrases {
			for _, w := range p {
				if len(w) >= 6 && !contains(longWords, w) {
					longWords = append(longWords, w)
				}
			}
		}
	}
	sort.Strings(longWords)
}

// Classify suggests a category, priority and hazards for a repair report by the
// labelling guide's rules. The same report always gets the same answer.
func Classify(in schema.ClassifyInput) schema.Classification {
	r := parse(in.Title, in.Description)
	vulnCue, isVuln := r.vulnerable()
	cues := r.cues(vulnCue, isVuln)
	vocab, _ := r.vocabularyScores(-1)

	out := schema.Classification{Hazards: []string{}}
	top := -1
	for i, c := range cues {
		if top < 0 || c.priority > cues[top].priority || c.priority == cues[top].priority && c.weight > cues[top].weight {
			top = i
		}
	}
	if top < 0 {
		cat, margin := best(vocab, nil)
		out.Category, out.Priority = cat, priorityNames[routine]
		out.Confidence = clamp(0.3 + 0.4*margin)
		out.Reasoning = r.vocabularyReason(cat) + " Nothing suggests danger or worsening damage, so routine."
		if cat == catOther && vocab[catOther] == 0 {
			out.Confidence = 0.2
			out.Reasoning = "No repair words recognised, so filed as other and routine."
		}
	} else {
		priority := cues[top].priority
		// Among the cues of the most serious priority, each trade's weight adds up: the
		// report is labelled by its most serious problem.
		// A cue with no trade named near it ("FLOODING" as the title) does not vote;
		// if no cue can, the whole report's words decide among the cue's trades.
		weights := map[string]float64{}
		for _, c := range cues {
			if c.priority != priority {
				continue
			}
			allowed, ok := tradesFrom[c.category]
			if !ok {
				weights[c.category] += c.weight
				continue
			}
			// The cue's weight is shared among the trades named near it, in proportion.
			shares, sum := r.tradeShares(c.clause, allowed)
			for cat, s := range shares {
				weights[cat] += c.weight * s / sum
			}
		}
		if len(weights) == 0 {
			weights[r.tradeNear(cues[top].clause, tradesFrom[cues[top].category])] = cues[top].weight
		}
		cat, margin := best(weights, vocab)
		winning := cues[top]
		for _, c := range cues {
			if c.priority == priority && c.category == cat && c.weight > winning.weight {
				winning = c
			}
		}
		priority = applyConventions(cat, priority, cues)
		out.Category, out.Priority = cat, priorityNames[priority]
		out.Confidence = clamp(0.55 + 0.06*math.Min(weights[cat], 6) + 0.1*margin - 0.05*float64(len(weights)-1))
		out.Reasoning = winning.reason
		if _, ok := tradesFrom[winning.category]; ok {
			out.Reasoning += " " + r.vocabularyReason(cat)
		}
		if priority != cues[top].priority {
			out.Reasoning += " " + conventionNote(cat)
		}
	}
	out.Hazards = hazardsOf(cues, isVuln)
	return out
}

// tradeShares scores the trades named around clause c, among those allowed: words in
// the clause weigh most, then its sentence, the title, the rest of the report. Only
// naming words (weight 3 or more) count, so the thing leaking decides rather than the
// leak. It returns nothing when the clause's sentence names no allowed trade.
func (r *report) tradeShares(c int, allowed []string) (map[string]float64, float64) {
	scores, nearby := r.vocabularyScores(c)
	shares, sum := map[string]float64{}, 0.0
	local := false
	for _, cat := range schema.Categories {
		if allowed == nil || contains(allowed, cat) {
			local = local || nearby[cat] > 0
			if scores[cat] > 0 {
				shares[cat] = scores[cat]
				sum += scores[cat]
			}
		}
	}
	if !local {
		return nil, 1
	}
	return shares, sum
}

// tradeNear is the best-scoring allowed trade around clause c, or the first allowed
// trade (OTHER when any may do) when none is named.
func (r *report) tradeNear(c int, allowed []string) string {
	scores, _ := r.vocabularyScores(c)
	best, bestScore := "", 0.0
	for _, cat := range schema.Categories {
		if allowed != nil && !contains(allowed, cat) {
			continue
		}
		if s := scores[cat]; s > bestScore || s == bestScore && best != "" && s > 0 && catPriority[cat] > catPriority[best] {
			best, bestScore = cat, s
		}
	}
	if best != "" {
		return best
	}
	if allowed != nil {
		return allowed[0]
	}
	return catOther
}

// vocabularyScores adds up the category words found. With near >= 0 only naming words
// count and those close to clause near weigh more, and nearby holds the scores of the
// clause's sentence alone; with near < 0 every word counts, title words a little more.
func (r *report) vocabularyScores(near int) (scores, nearby map[string]float64) {
	scores, nearby = map[string]float64{}, map[string]float64{}
	for _, t := range vocabulary {
		if near >= 0 && t.weight < 3 {
			continue
		}
		for _, h := range r.find(t.phrases) {
			w := t.weight
			cl := r.clauses[h.clause]
			switch {
			case near >= 0 && h.clause == near:
				w *= clauseWeight + sentenceWeight
			case near >= 0 && cl.sentence == r.clauses[near].sentence:
				w *= sentenceWeight
			case cl.title:
				w *= titleWeight
			}
			scores[t.category] += w
			if near >= 0 && cl.sentence == r.clauses[near].sentence {
				nearby[t.category] += w
			}
		}
	}
	return scores, nearby
}

// best picks the highest-scoring category (ties go to the tie-break scores, then to
// the more dangerous trade) and its margin over the runner-up, from 0 to 1.
func best(scores, tieBreak map[string]float64) (string, float64) {
	cat, first, second := catOther, 0.0, 0.0
	for _, c := range schema.Categories {
		s := scores[c]
		better := s > first || s == first && s > 0 && (tieBreak[c] > tieBreak[cat] || tieBreak[c] == tieBreak[cat] && catPriority[c] > catPriority[cat])
		if better {
			second = math.Max(second, first)
			cat, first = c, s
		} else {
			second = math.Max(second, s)
		}
	}
	if first == 0 {
		return catOther, 0
	}
	return cat, (first - second) / first
}

// applyConventions applies the guide's caps: pests are never an emergency, and a
// washing machine, dishwasher or the like out of use is routine unless it is dangerous.
func applyConventions(cat string, priority int, cues []cue) int {
	switch cat {
	case catPest:
		if priority == emergency {
			return urgent
		}
	case catAppliance:
		if priority != urgent {
			return priority
		}
		for _, c := range cues {
			if c.category == catAppliance && c.priority == urgent {
				return urgent
			}
		}
		return routine
	}
	return priority
}

func conventionNote(cat string) string {
	if cat == catPest {
		return "Pests are never an emergency."
	}
	return "A minor appliance out of use is routine."
}

// vocabularyReason names the words that point to the category.
func (r *report) vocabularyReason(cat string) string {
	var found []string
	for _, t := range vocabulary {
		if t.category != cat {
			continue
		}
		for _, p := range t.phrases {
			if len(found) < 3 && r.has([]phrase{p}) {
				if w := displayPhrase(p); !contains(found, w) {
					found = append(found, w)
				}
			}
		}
	}
	name := strings.ToLower(strings.ReplaceAll(cat, "_", " "))
	if len(found) == 0 {
		return "Filed as " + name + "."
	}
	return "Mentions " + strings.Join(found, ", ") + ", so " + name + "."
}

// displayPhrase spells a phrase for people: compounds go back to two words.
func displayPhrase(p phrase) string {
	words := make([]string, len(p))
	for i, w := range p {
		words[i] = w
		if d, ok := compoundDisplay[w]; ok {
			words[i] = d
		}
	}
	return strings.Join(words, " ")
}

func hazardsOf(cues []cue, vulnerable bool) []string {
	seen := map[string]bool{}
	for _, c := range cues {
		if c.hazard != "" {
			seen[c.hazard] = true
		}
	}
	if vulnerable {
		seen[schema.HazardVulnerableOccupant] = true
	}
	out := []string{}
	for _, h := range hazardOrder {
		if seen[h] {
			out = append(out, h)
		}
	}
	return out
}

func clamp(x float64) float64 {
	if math.IsNaN(x) {
		return 0.5
	}
	return math.Max(0.05, math.Min(0.97, x))
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
