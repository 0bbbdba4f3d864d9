// Package billing is what an organisation pays for: the plans (internal/plans, the
// original design's SubscriptionPlans) with their Stripe prices, and the month's usage
// against each plan's allowance, with the overage and what it costs (docs/billing.md).
package billing

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/maintainuk/maintainuk/internal/billing/payments"
	"github.com/maintainuk/maintainuk/internal/database"
	"github.com/maintainuk/maintainuk/internal/plans"
)

// Config is the deployment's billing settings.
type Config struct {
	// StripePrices maps a plan code (STARTER, PROFESSIONAL, ENTERPRISE) to its Stripe price
	// id; the free plan has none.
	StripePrices map[string]string
}

// Service answers the billing endpoints.
type Service struct {
	db       *database.DB
	cfg      Config
	provider payments.Provider
	now      func() time.Time
}

// NewService returns the billing service on a payment provider.
func NewService(db *database.DB, cfg Config, provider payments.Provider, now func() time.Time) *Service {
	return &Service{db: db, cfg: cfg, provider: provider, now: now}
}

// Allowances are a plan's monthly inclusions.
type Allowances struct {
	SMS       int64 `json:"sms" doc:"SMS segments."`
	WhatsApp  int64 `json:"whatsapp" doc:"WhatsApp messages."`
	AITokens  int64 `json:"aiTokens" doc:"Tokens of hosted AI models (OpenAI, Anthropic)."`
	StorageGB int64 `json:"storageGb" doc:"Gigabytes of stored attachments (10^9 bytes)."`
}

// OveragePrices are what usage beyond the allowances costs, in pence.
type OveragePrices struct {
	SMSPence                 int64 `json:"smsPence" doc:"Per SMS segment."`
	WhatsAppPence            int64 `json:"whatsappPence" doc:"Per WhatsApp message."`
	AITokensPencePerThousand int64 `json:"aiTokensPencePerThousand" doc:"Per thousand AI tokens."`
	StorageGBPence           int64 `json:"storageGbPence" doc:"Per gigabyte stored."`
}

// Plan is a plan as the API shows it.
type Plan struct {
	Code              string        `json:"code" enum:"FREE,STARTER,PROFESSIONAL,ENTERPRISE"`
	Name              string        `json:"name"`
	MonthlyPricePence int64         `json:"monthlyPricePence"`
	Included          Allowances    `json:"included"`
	Overage           OveragePrices `json:"overage"`
	AllowOverage      bool          `json:"allowOverage" doc:"Whether usage beyond the allowance is allowed (and billed) or blocked."`
	StripePriceID     string        `json:"stripePriceId" doc:"The Stripe price of the subscription; empty for the free plan or when not configured."`
}

func (s *Service) view(p plans.Plan) Plan {
	return Plan{Code: p.Code, Name: p.Name, MonthlyPricePence: p.MonthlyPricePence,
		Included: Allowances{SMS: p.Included[plans.SMS], WhatsApp: p.Included[plans.WhatsApp], AITokens: p.Included[plans.AITokens], StorageGB: p.Included[plans.Storage]},
		Overage: OveragePrices{SMSPence: p.OveragePence[plans.SMS], WhatsAppPence: p.OveragePence[plans.WhatsApp],
			AITokensPencePerThousand: p.OverageAIPencePerThousand, StorageGBPence: p.OveragePence[plans.Storage]},
		AllowOverage: p.AllowOverage, StripePriceID: s.cfg.StripePrices[p.Code]}
}

// Plans lists the plans, cheapest first.
func (s *Service) Plans() []Plan {
	out := make([]Plan, len(plans.All))
	for i, p := range plans.All {
		out[i] = s.view(p)
	}
	return out
}

// orgPlan reads the organisation's plan.
func orgPlan(ctx context.Context, tx pgx.Tx, orgID uuid.UUID) (plans.Plan, error) {
	var code string
	if err := tx.QueryRow(ctx, "SELECT plan FROM organisations WHERE id = $1", orgID).Scan(&code); err != nil {
		return plans.Plan{}, err
	}
	return plans.ByCode(code)
}
