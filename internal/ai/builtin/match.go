package builtin

import "strings"

// A phrase is a run of words to find; "*" stands for any one word.
type phrase []string

// phrases splits each space-separated phrase into words, once, at start-up, and
// records the words as known for the misspelling check.
func phrases(ss ...string) []phrase {
	out := make([]phrase, len(ss))
	for i, s := range ss {
		out[i] = phrase(strings.Fields(s))
		for _, w := range out[i] {
			knownWords[w] = true
		}
	}
	return out
}

// hit is where a phrase was found: a clause and the word it starts at.
type hit struct{ clause, pos int }

// negators turn the cue after them in the same clause into its opposite; "in case of a
// leak" is no leak either.
var negators = map[string]bool{
	"no": true, "not": true, "never": true, "without": true, "isnt": true, "arent": true, "wasnt": true,
	"werent": true, "dont": true, "doesnt": true, "didnt": true, "hasnt": true, "havent": true, "hadnt": true,
	"cant": true, "couldnt": true, "nothing": true, "nobody": true, "case": true, "incase": true,
	"none": true, "neither": true, "nor": true, "zero": true,
}

// negationStops end a negation's reach early: "no heating and sparks" negates only heating.
var negationStops = map[string]bool{
	"and": true, "so": true, "because": true, "then": true, "which": true, "when": true, "while": true,
	"if": true, "now": true, "since": true, "also": true, "still": true, "yet": true, "just": true,
}

// hedges after a negator undo it: "not sure", "not only".
var hedges = map[string]bool{"sure": true, "only": true, "idea": true, "certain": true, "stop": true, "stopped": true}

// negationReach is how many words back a negator still applies.
const negationReach = 6

// negated reports whether the words before pos in clause c negate what starts at pos.
func (r *report) negated(c, pos int) bool {
	w := r.clauses[c].words
	for i := pos - 1; i >= 0 && i >= pos-negationReach; i-- {
		if negationStops[w[i]] {
			return false
		}
		if negators[w[i]] {
			return !(i+1 < len(w) && hedges[w[i+1]])
		}
	}
	return false
}

// matchAt reports whether p starts at word pos of words.
func matchAt(words []string, pos int, p phrase) bool {
	if pos+len(p) > len(words) {
		return false
	}
	for j, w := range p {
		if w != "*" && w != words[pos+j] {
			return false
		}
	}
	return true
}

// find returns every affirmed (not negated) place one of ps occurs, in text order.
func (r *report) find(ps []phrase) []hit {
	var hits []hit
	for c := range r.clauses {
		hits = r.findIn(c, ps, hits)
	}
	return hits
}

func (r *report) findIn(c int, ps []phrase, hits []hit) []hit {
	words := r.clauses[c].words
	for pos := range words {
		for _, p := range ps {
			if matchAt(words, pos, p) && !r.negated(c, pos) {
				hits = append(hits, hit{c, pos})
				break
			}
		}
	}
	return hits
}

// mentions reports whether any of ps occurs in clause c, negated or not: for the
// subject of a cue ("no heating": the heating is still what the report is about).
func (r *report) mentions(c int, ps []phrase) bool {
	words := r.clauses[c].words
	for pos := range words {
		for _, p := range ps {
			if matchAt(words, pos, p) {
				return true
			}
		}
	}
	return false
}

// mentionedNear reports whether any of ps occurs, negated or not, in the sentence
// holding clause c.
func (r *report) mentionedNear(c int, ps []phrase) bool {
	s := r.clauses[c].sentence
	for i := range r.clauses {
		if r.clauses[i].sentence == s && r.mentions(i, ps) {
			return true
		}
	}
	return false
}

// has reports whether any of ps is affirmed anywhere.
func (r *report) has(ps []phrase) bool {
	for c := range r.clauses {
		if r.inClause(c, ps) {
			return true
		}
	}
	return false
}

// inClause reports whether any of ps is affirmed in clause c.
func (r *report) inClause(c int, ps []phrase) bool {
	return len(r.findIn(c, ps, nil)) > 0
}

// inSentence reports whether any of ps is affirmed in the sentence holding clause c.
func (r *report) inSentence(c int, ps []phrase) bool {
	s := r.clauses[c].sentence
	for i := range r.clauses {
		if r.clauses[i].sentence == s && r.inClause(i, ps) {
			return true
		}
	}
	return false
}

// firstHit returns the first affirmed place of ps, or ok false.
func (r *report) firstHit(ps []phrase) (hit, bool) {
	for c := range r.clauses {
		if h := r.findIn(c, ps, nil); len(h) > 0 {
			return h[0], true
		}
	}
	return hit{}, false
}

// faultNear reports whether a clause of the sentence holding c affirms one of fault
// without naming one of parts: the fault of the whole thing, not of a part of it.
func (r *report) faultNear(c int, fault, parts []phrase) bool {
	s := r.clauses[c].sentence
	for i := range r.clauses {
		if r.clauses[i].sentence == s && r.inClause(i, fault) && !r.mentions(i, parts) {
			return true
		}
	}
	return false
}
