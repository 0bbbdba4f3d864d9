package builtin

import "strconv"

// Vulnerable occupants, as the guide lists them: a baby, an elderly person, a disabled
// person or someone seriously ill. School-age children are not vulnerable for this.
var vulnerableWords = phrases(
	"baby", "newborn", "infant", "toddler", "month old", "months old", "week old", "weeks old", "pregnant",
	"elderly", "pensioner", "frail", "nan", "grandad", "oap",
	"disabled", "disability", "wheelchair", "housebound", "bed bound", "bedbound", "walking frame", "mobility",
	"carer", "care package",
	"chemotherapy", "cancer", "copd", "heart condition", "terminally", "terminal", "dialysis", "dementia",
	"parkinsons", "stroke", "immune system", "immunocompromised", "severe asthma", "lung condition",
	"seriously ill", "very ill", "recovering from", "oxygen",
	// More ways to say the same: an age by decade, a newborn in days, a named condition.
	"days old", "day old", "new baby", "premature", "in her 70s", "in his 70s", "in her 80s", "in his 80s",
	"in her 90s", "in his 90s", "seventies", "eighties", "nineties", "old age pensioner",
	"has ms", "have ms", "with ms", "got ms", "multiple sclerosis", "motor neurone", "mnd", "cerebral palsy",
	"sickle cell", "cystic fibrosis", "bedridden", "crutches", "cant walk", "registered blind", "kidney failure",
	"out of hospital", "discharged", "heart surgery", "surgery", "heart attack", "operation",
	"transplant", "leukaemia", "hospice", "palliative", "end of life", "learning disability", "learning disabilities",
)

// ageLeads are the words before a number that make it someone's age.
var ageLeads = map[string]bool{
	"aged": true, "age": true, "im": true, "i": true, "is": true, "am": true, "she": true, "he": true,
	"was": true, "turned": true, "turning": true, "whos": true, "now": true, "are": true,
}

// elderlyAge is the age from which a named person counts as elderly.
const (
	elderlyAge = 65
	infantAge  = 4
)

// vulnerable reports whether an affirmed vulnerable occupant is mentioned, and the cue.
func (r *report) vulnerable() (string, bool) {
	if h, ok := r.firstHit(vulnerableWords); ok {
		return r.clauses[h.clause].words[h.pos], true
	}
	for c := range r.clauses {
		w := r.clauses[c].words
		for i, word := range w {
			age, err := strconv.Atoi(word)
			if err != nil || age <= 0 || age > 120 {
				continue
			}
			next := func(k int) string {
				if i+k < len(w) {
					return w[i+k]
				}
				return ""
			}
			prev := func(k int) string {
				if i-k >= 0 {
					return w[i-k]
				}
				return ""
			}
			yearOld := (next(1) == "year" || next(1) == "years" || next(1) == "yr" || next(1) == "yrs") && next(2) == "old"
			if yearOld && age <= infantAge && !r.negated(c, i) {
				return word + " year old", true
			}
			// "aged 87", "I'm 78", "my dad is 79", "she's 88", "(87)" or ", 90," alone
			// in its clause, "87 year old"; not a flat or house number.
			stated := yearOld || ageLeads[prev(1)] || len(w) == 1
			if stated && age >= elderlyAge && !r.negated(c, i) {
				return "aged " + word, true
			}
		}
	}
	return "", false
}
