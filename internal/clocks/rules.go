// Package clocks holds the legal and contractual clocks a repair runs against, as data:
// each rule with its source in law, the regime it belongs to, how long it allows
// (calendar hours or UK working days) and what starts and stops it. Which regimes apply
// depends on the landlord: every organisation has its own response windows (its SLA);
// social landlords are bound by Awaab's Law; councils also by the Right to Repair
// (docs/compliance.md).
package clocks

import (
	"time"

	"github.com/maintainuk/maintainuk/internal/ukcalendar"
)

// Regime is a body of rules a repair may run against.
type Regime string

const (
	// SLA is the organisation's own response windows per priority (SPEC section 3).
	SLA Regime = "SLA"
	// Awaab is Awaab's Law: the Hazards in Social Housing (Prescribed Requirements)
	// (England) Regulations 2025 (SI 2025/1042), made under section 10A of the Landlord and
	// Tenant Act 1985 (inserted by the Social Housing (Regulation) Act 2023, s.42), in force
	// for emergency hazards and damp and mould from 27 October 2025.
	Awaab Regime = "AWAAB"
	// RightToRepair is the Secure Tenants of Local Housing Authorities (Right to Repair)
	// Regulations 1994 (SI 1994/133): qualifying repairs for a council's secure tenants
	// within a prescribed number of working days, by defect.
	RightToRepair Regime = "RIGHT_TO_REPAIR"
)

// Landlord is what kind of landlord an organisation is, which decides the regimes.
type Landlord string

const (
	// Private landlords and letting agents: their own response windows only.
	Private Landlord = "PRIVATE"
	// Social landlords (private registered providers, housing associations): Awaab's Law.
	Social Landlord = "SOCIAL"
	// Councils (local housing authorities): Awaab's Law and the Right to Repair.
	Council Landlord = "COUNCIL"
)

// Landlords are the kinds, for validation and forms.
var Landlords = []Landlord{Private, Social, Council}

// Valid reports whether l is one of the kinds.
func (l Landlord) Valid() bool { return l == Private || l == Social || l == Council }

// Regimes are the regimes a kind of landlord's repairs run against.
func (l Landlord) Regimes() []Regime {
	switch l {
	case Social:
		return []Regime{SLA, Awaab}
	case Council:
		return []Regime{SLA, Awaab, RightToRepair}
	}
	return []Regime{SLA}
}

// Trigger is a ticket event that starts or stops a clock.
type Trigger string

const (
	// Reported: the landlord became aware (the ticket was created, or tagged later).
	Reported Trigger = "REPORTED"
	// Investigated: the hazard was investigated (recorded by staff).
	Investigated Trigger = "INVESTIGATED"
	// MadeSafe: an emergency hazard was made safe.
	MadeSafe Trigger = "MADE_SAFE"
	// SummarySent: the written summary of the investigation went to the tenant.
	SummarySent Trigger = "SUMMARY_SENT"
	// SafetyWorkStarted and FurtherWorkStarted: works began.
	SafetyWorkStarted  Trigger = "SAFETY_WORK_STARTED"
	FurtherWorkStarted Trigger = "FURTHER_WORK_STARTED"
	// Resolved: the repair is done (the ticket resolved).
	Resolved Trigger = "RESOLVED"
)

// Rule is one time limit.
type Rule struct {
	Code   string
	Regime Regime
	Name   string
	// Source cites the law (or the organisation's settings for the SLA).
	Source string
	// Hours is a limit in calendar hours; WorkingDays one in UK working days (one of them).
	Hours       int
	WorkingDays int
	// StartsOn and StopsOn are the events that start the clock and meet it.
	StartsOn Trigger
	StopsOn  Trigger
}

// Due is when a clock of the rule started at start runs out: calendar hours later, or the
// same London wall time the given number of working days later (weekends and the
// region's bank holidays skipped; clock changes keep the wall time).
func (r Rule) Due(start time.Time, cal *ukcalendar.Calendar) time.Time {
	if r.Hours > 0 {
		return start.Add(time.Duration(r.Hours) * time.Hour).UTC()
	}
	return cal.AddWorkingDays(start, r.WorkingDays)
}

// Awaab's Law's duties for emergency hazards and damp and mould, as in force from 27
// October 2025 (SI 2025/1042). Working days exclude weekends and bank holidays.
var (
	AwaabEmergency = Rule{Code: "AWAAB_EMERGENCY", Regime: Awaab, Name: "Emergency hazard investigated and made safe",
		Source: "SI 2025/1042: an emergency hazard must be investigated and made safe within 24 hours of the landlord becoming aware of it",
		Hours:  24, StartsOn: Reported, StopsOn: MadeSafe}
	AwaabInvestigate = Rule{Code: "AWAAB_INVESTIGATE", Regime: Awaab, Name: "Damp and mould investigated",
		Source:      "SI 2025/1042: a potential significant hazard (damp and mould) must be investigated within 10 working days of the landlord becoming aware of it",
		WorkingDays: 10, StartsOn: Reported, StopsOn: Investigated}
	AwaabSummary = Rule{Code: "AWAAB_SUMMARY", Regime: Awaab, Name: "Written summary to the tenant",
		Source:      "SI 2025/1042: a written summary of the investigation's findings must be given to the tenant within 3 working days of the investigation concluding",
		WorkingDays: 3, StartsOn: Investigated, StopsOn: SummarySent}
	AwaabSafetyWork = Rule{Code: "AWAAB_SAFETY_WORK", Regime: Awaab, Name: "Safety work begun",
		Source:      "SI 2025/1042: where a significant hazard is found, relevant safety work must begin within 5 working days of the investigation concluding",
		WorkingDays: 5, StartsOn: Investigated, StopsOn: SafetyWorkStarted}
	AwaabFurtherWork = Rule{Code: "AWAAB_FURTHER_WORK", Regime: Awaab, Name: "Further work begun",
		Source:      "SI 2025/1042: further work needed to prevent the hazard recurring must begin within 5 working days of the safety work (or, where it cannot, as soon as reasonably practicable)",
		WorkingDays: 5, StartsOn: SafetyWorkStarted, StopsOn: FurtherWorkStarted}
)

// AwaabRules are Awaab's Law's duties in the order they run.
var AwaabRules = []Rule{AwaabEmergency, AwaabInvestigate, AwaabSummary, AwaabSafetyWork, AwaabFurtherWork}

// ByCode finds a rule among every rule this package defines (the SLA's rule is the
// organisation's own and made by SLARule).
func ByCode(code string) (Rule, bool) {
	for _, r := range AwaabRules {
		if r.Code == code {
			return r, true
		}
	}
	for _, d := range RightToRepairDefects {
		if r := d.Rule(); r.Code == code {
			return r, true
		}
	}
	return Rule{}, false
}

// SLARule is the organisation's own response window for a priority, from its settings:
// calendar hours or working days.
func SLARule(priority string, hours, workingDays int) Rule {
	return Rule{Code: "SLA_" + priority, Regime: SLA, Name: "Response time (" + priority + ")",
		Source: "the organisation's SLA windows (Settings)", Hours: hours, WorkingDays: workingDays,
		StartsOn: Reported, StopsOn: Resolved}
}
