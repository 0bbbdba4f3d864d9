package certificates

import (
	"time"

	"github.com/maintainuk/maintainuk/internal/ukcalendar"
)

// Kinds of certificate.
const (
	GasSafety     = "GAS_SAFETY"
	EICR          = "EICR"
	EPC           = "EPC"
	SmokeCOAlarms = "SMOKE_CO_ALARMS"
)

// Rule is what the law says of one kind of certificate: how long it lasts (Months, 0 for
// a check that does not expire) and where that comes from.
type Rule struct {
	Kind   string
	Name   string // in words, for notices
	Months int
	// Source is the legal source, as shown in docs/compliance.md.
	Source string
}

// Rules are the kinds every let property needs, with their validity. Each entry names
// its legal source.
var Rules = []Rule{
	// Gas Safety (Installation and Use) Regulations 1998, reg. 36(3): every gas appliance
	// and flue checked at intervals of not more than 12 months; the record (CP12) given to
	// the tenant within 28 days of the check (reg. 36(6)).
	{Kind: GasSafety, Name: "gas safety record", Months: 12, Source: "Gas Safety (Installation and Use) Regulations 1998, reg. 36"},
	// Electrical Safety Standards in the Private Rented Sector (England) Regulations 2020,
	// reg. 3(1)(b): the installation inspected and tested at intervals of no more than 5 years.
	{Kind: EICR, Name: "electrical installation condition report", Months: 60, Source: "Electrical Safety Standards in the Private Rented Sector (England) Regulations 2020, reg. 3"},
	// Energy Performance of Buildings (England and Wales) Regulations 2012, reg. 11: an
	// energy performance certificate is valid for 10 years.
	{Kind: EPC, Name: "energy performance certificate", Months: 120, Source: "Energy Performance of Buildings (England and Wales) Regulations 2012, reg. 11"},
	// Smoke and Carbon Monoxide Alarm (England) Regulations 2015 as amended in 2022, reg. 4:
	// alarms checked in working order on the first day of each new tenancy. The check does
	// not expire; the date is recorded.
	{Kind: SmokeCOAlarms, Name: "smoke and carbon monoxide alarm check", Months: 0, Source: "Smoke and Carbon Monoxide Alarm (Amendment) Regulations 2022"},
}

// Kinds lists the kinds, in the order of Rules.
func Kinds() []string {
	out := make([]string, len(Rules))
	for i, r := range Rules {
		out[i] = r.Kind
	}
	return out
}

// RuleOf returns the rule of kind.
func RuleOf(kind string) (Rule, bool) {
	for _, r := range Rules {
		if r.Kind == kind {
			return r, true
		}
	}
	return Rule{}, false
}

// TenantCopyDays is how long a landlord has to give the tenant a copy of a gas safety
// record (Gas Safety (Installation and Use) Regulations 1998, reg. 36(6)(b)).
const TenantCopyDays = 28

// ExpiringDays is how close to its expiry a certificate is EXPIRING.
const ExpiringDays = 60

// States of a required kind at a property.
const (
	StateValid    = "VALID"
	StateExpiring = "EXPIRING"
	StateExpired  = "EXPIRED"
	StateMissing  = "MISSING"
)

// States lists the states.
var States = []string{StateValid, StateExpiring, StateExpired, StateMissing}

// AddMonths is d plus n calendar months; a day the target month lacks becomes its last
// day (31 January + 1 month is 28 or 29 February), as a "month" is read in law.
func AddMonths(d time.Time, n int) time.Time {
	y, m, day := d.Date()
	first := time.Date(y, m+time.Month(n), 1, 0, 0, 0, 0, time.UTC)
	last := first.AddDate(0, 1, -1).Day()
	return time.Date(first.Year(), first.Month(), min(day, last), 0, 0, 0, 0, time.UTC)
}

// Expiry is when a certificate of kind issued (checked) on issued expires, nil for a
// kind that does not expire. previous is the expiry of the property's latest earlier
// certificate of the same kind, if any.
//
// For gas safety, reg. 36(3) as amended by the Gas Safety (Installation and Use)
// (Amendment) Regulations 2018: a check done in the 2 months ending with the previous
// record's expiry (10 to 12 months after the previous check) is treated as done on that
// expiry date, so the new record runs to the previous expiry plus 12 months; any other
// check runs to its own date plus 12 months.
func Expiry(kind string, issued time.Time, previous *time.Time) *time.Time {
	rule, ok := RuleOf(kind)
	if !ok || rule.Months == 0 {
		return nil
	}
	issued = dateOnly(issued)
	e := AddMonths(issued, rule.Months)
	if kind == GasSafety && previous != nil {
		prev := dateOnly(*previous)
		windowStart := AddMonths(prev, -2).AddDate(0, 0, 1)
		if !issued.Before(windowStart) && !issued.After(prev) {
			e = AddMonths(prev, 12)
		}
	}
	return &e
}

// State is the state at today of a kind whose latest certificate expires on expires
// (nil: none that expires), present telling whether there is one at all. A certificate
// is valid to the end of its expiry date.
func State(present bool, expires *time.Time, today time.Time) string {
	switch {
	case !present:
		return StateMissing
	case expires == nil:
		return StateValid
	case dateOnly(*expires).Before(dateOnly(today)):
		return StateExpired
	case !dateOnly(*expires).After(dateOnly(today).AddDate(0, 0, ExpiringDays)):
		return StateExpiring
	}
	return StateValid
}

// TenantCopyDue is the date by which the tenant must have a copy of a gas safety record
// issued on issued (nil for other kinds).
func TenantCopyDue(kind string, issued time.Time) *time.Time {
	if kind != GasSafety {
		return nil
	}
	d := dateOnly(issued).AddDate(0, 0, TenantCopyDays)
	return &d
}

// TenantCopyOverdue reports whether, at today, a gas safety record issued on issued is
// past its 28 days without a copy sent to the tenant. It does not depend on the expiry.
func TenantCopyOverdue(kind string, issued time.Time, sent *time.Time, today time.Time) bool {
	due := TenantCopyDue(kind, issued)
	return due != nil && sent == nil && dateOnly(today).After(*due)
}

// Today is the London calendar date of t, as midnight UTC (how a date column reads).
func Today(t time.Time) time.Time {
	y, m, d := t.In(ukcalendar.London).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

func dateOnly(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}
