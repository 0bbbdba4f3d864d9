// Package plans is the one place the subscription plans are defined: what each costs a
// month, what usage it includes, what usage beyond that costs, and whether usage beyond
// it is allowed at all. The numbers are the original design's SubscriptionPlans
// (seed phase 8.3), in pence.
package plans

import "fmt"

// Metric is a metered kind of usage (usage_meters.metric).
type Metric string

// Metered usage.
const (
	SMS      Metric = "sms"      // SMS segments sent
	WhatsApp Metric = "whatsapp" // WhatsApp messages sent
	AITokens Metric = "ai_tokens"
	Storage  Metric = "storage_gb"
)

// Plan is one subscription plan.
type Plan struct {
	Code              string
	Name              string
	MonthlyPricePence int64
	// Included is the monthly allowance per metric (storage in GB).
	Included map[Metric]int64
	// OveragePence is the price of one unit beyond the allowance (an SMS segment, a
	// WhatsApp message, a GB of storage); AI tokens are priced per thousand in
	// OverageAIPencePerThousand, since one token costs a fraction of a penny.
	OveragePence              map[Metric]int64
	OverageAIPencePerThousand int64
	// AllowOverage decides what happens beyond the allowance: the free plan blocks the
	// action, paid plans allow it and bill the overage.
	AllowOverage bool
}

// The four plans. The seed's overage prices are in pounds (0.05 = 5p per SMS; AI tokens
// 0.001 = 0.1p each, so £1.00 per thousand).
var (
	Free = Plan{Code: "FREE", Name: "Free", MonthlyPricePence: 0,
		Included:     map[Metric]int64{SMS: 50, WhatsApp: 20, AITokens: 1000, Storage: 1},
		OveragePence: map[Metric]int64{SMS: 5, WhatsApp: 10, Storage: 100}, OverageAIPencePerThousand: 100}
	Starter = Plan{Code: "STARTER", Name: "Starter", MonthlyPricePence: 2900,
		Included:     map[Metric]int64{SMS: 500, WhatsApp: 200, AITokens: 10000, Storage: 10},
		OveragePence: map[Metric]int64{SMS: 4, WhatsApp: 8, Storage: 80}, OverageAIPencePerThousand: 80, AllowOverage: true}
	Professional = Plan{Code: "PROFESSIONAL", Name: "Professional", MonthlyPricePence: 9900,
		Included:     map[Metric]int64{SMS: 2000, WhatsApp: 1000, AITokens: 50000, Storage: 50},
		OveragePence: map[Metric]int64{SMS: 3, WhatsApp: 6, Storage: 60}, OverageAIPencePerThousand: 60, AllowOverage: true}
	Enterprise = Plan{Code: "ENTERPRISE", Name: "Enterprise", MonthlyPricePence: 29900,
		Included:     map[Metric]int64{SMS: 10000, WhatsApp: 5000, AITokens: 200000, Storage: 200},
		OveragePence: map[Metric]int64{SMS: 2, WhatsApp: 4, Storage: 40}, OverageAIPencePerThousand: 40, AllowOverage: true}
)

// All lists the plans from the cheapest.
var All = []Plan{Free, Starter, Professional, Enterprise}

// ByCode returns the plan an organisation's plan column names.
func ByCode(code string) (Plan, error) {
	for _, p := range All {
		if p.Code == code {
			return p, nil
		}
	}
	return Plan{}, fmt.Errorf("plans: unknown plan %q", code)
}
