package workorders

import (
	"strings"
	"time"
	"unicode"

	"github.com/maintainuk/maintainuk/internal/ukcalendar"
	"github.com/maintainuk/maintainuk/internal/workorders/workordersdb"
)

// gasWords are the words (lower case, whole words) that make a job gas work whatever the
// ticket's category. Kept small on purpose (docs/compliance.md): "cooker" and "hob" are
// left out because electric and induction ones are common ("gas cooker" and "gas hob"
// match through "gas"); an ADMIN overrides a false match.
var gasWords = map[string]bool{"gas": true, "boiler": true, "boilers": true, "flue": true, "flues": true}

// IsGasWork reports whether a job needs a Gas Safe registered contractor: its ticket is
// in the HVAC category (heating and boilers), or any of texts (the ticket's title and
// description, the work order's description) names gas or a gas appliance as a whole word.
func IsGasWork(category string, texts ...string) bool {
	if strings.EqualFold(category, "HVAC") {
		return true
	}
	for _, text := range texts {
		for _, w := range strings.FieldsFunc(strings.ToLower(text), func(r rune) bool { return !unicode.IsLetter(r) }) {
			if gasWords[w] {
				return true
			}
		}
	}
	return false
}

// londonToday is the London calendar date of t, as midnight UTC (how a date column reads).
func londonToday(t time.Time) time.Time {
	y, m, d := t.In(ukcalendar.London).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// dispatchProblems lists why a contractor may not be sent a job today (each refuses the
// work order unless an ADMIN overrides it) and the warnings that do not refuse it.
func dispatchProblems(c workordersdb.GetContractorDispatchRow, gasWork bool, today time.Time) (problems, warnings []string) {
	if gasWork {
		switch {
		case c.GasSafeNumber == "":
			problems = append(problems, "gas work needs a Gas Safe registered contractor: no Gas Safe number on record")
		case c.GasSafeExpiresOn == nil:
			problems = append(problems, "gas work needs a current Gas Safe registration: no registration expiry date on record")
		case c.GasSafeExpiresOn.Before(today):
			problems = append(problems, "gas work needs a current Gas Safe registration: it expired on "+c.GasSafeExpiresOn.Format(time.DateOnly))
		}
	}
	switch {
	case c.InsuranceExpiresOn == nil:
		warnings = append(warnings, "no insurance expiry date on record for this contractor")
	case c.InsuranceExpiresOn.Before(today):
		problems = append(problems, "the contractor's insurance lapsed on "+c.InsuranceExpiresOn.Format(time.DateOnly))
	}
	return problems, warnings
}
