// Package billing is what an organisation pays for: the plans (internal/plans, the
// original design's SubscriptionPlans) with their Stripe prices, and the month's usage
// against each plan's allowance, with the overage and what it costs (docs/billing.md).
package billing

import (
	"context"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/maintainuk/maintainuk/internal/billing/payments"
	"github.com/maintainuk/maintainuk/internal/database"
	"github.com/maintainuk/maintainuk/internal/events"
	"github.com/maintainuk/maintainuk/internal/plans"
)

// Config is the deployment's billing settings.
type Config struct {
	// StripePrices maps a plan code (STARTER, PROFESSIONAL, ENTERPRISE) to its Stripe price
	// id; the free plan has none.
	StripePrices map[string]string
	// BaseURL is the app's, where the billing portal and checkout return to.
	BaseURL string
	// VerifyEvent checks a webhook's signature and reads its event (the provider's
	// payload and signature header); nil refuses every webhook.
	VerifyEvent func(payload []byte, signature string) (payments.Event, error)
}

// Service answers the billing endpoints and works the billing jobs.
type Service struct {
	db       *database.DB
	cfg      Config
	provider payments.Provider
	now      func() time.Time
	jobs     Inserter
	pub      events.Publisher
	logger   *slog.Logger
}

// SetPublisher gives the service the outbox its notices (a failed payment) go through.
func (s *Service) SetPublisher(p events.Publisher) { s.pub = p }

// Inserter inserts jobs in the caller's transaction (the River client).
type Inserter interface {
	InsertTx(ctx context.Context, tx pgx.Tx, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error)
}

// SetInserter gives the service the River client its usage reports are queued on.
func (s *Service) SetInserter(i Inserter) { s.jobs = i }

// SetLogger sets where the service logs what it leaves alone (webhooks of unknown
// customers); it is slog's default otherwise.
func (s *Service) SetLogger(l *slog.Logger) { s.logger = l }

// NewService returns the billing service on a payment provider.
func NewService(db *database.DB, cfg Config, provider payments.Provider, now func() time.Time) *Service {
	return &Service{db: db, cfg: cfg, provider: provider, now: now, logger: slog.Default()}
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
