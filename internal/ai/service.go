// Package ai is the AI work assist: classification of new tickets (with the auto-apply
// rule and a person's accept or override), message drafts, work summaries, cost
// estimates, residents' self-help before they report, prompt template overrides, and the
// audit and cost of every call. The Engine makes the calls; this package decides who may
// ask, reads what a call needs, and records what came back.
package ai

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/maintainuk/maintainuk/internal/access"
	"github.com/maintainuk/maintainuk/internal/ai/aidb"
	"github.com/maintainuk/maintainuk/internal/ai/llm"
	"github.com/maintainuk/maintainuk/internal/apperr"
	"github.com/maintainuk/maintainuk/internal/database"
	"github.com/maintainuk/maintainuk/internal/plans"
	"github.com/maintainuk/maintainuk/internal/ratelimit"
	"github.com/maintainuk/maintainuk/internal/tickets"
)

// MetricTokens is the usage meter of tokens spent on external AI providers, per
// organisation and month; billing reads it.
const MetricTokens = "ai_tokens"

// Providers lists the providers an organisation may choose.
var Providers = []string{"builtin", "openai", "anthropic", "ollama"}

// Service is the AI work assist.
type Service struct {
	db      *database.DB
	q       *aidb.Queries
	engine  *Engine
	tickets *tickets.Service
	now     func() time.Time
	// triageByIP limits the public form's self-help per client and hour.
	triageByIP *ratelimit.Limiter
	// Observe, when set, is told of every call (the Prometheus metrics).
	Observe func(capability, requested, answered string, tokensIn, tokensOut int, took time.Duration)
}

// NewService returns the service; triagePerHour limits public self-help requests per
// client (IPv4 address or IPv6 /64) and hour.
func NewService(db *database.DB, engine *Engine, ticketsSvc *tickets.Service, triagePerHour int, now func() time.Time) *Service {
	return &Service{db: db, q: aidb.New(), engine: engine, tickets: ticketsSvc, now: now,
		triageByIP: ratelimit.New(triagePerHour, time.Hour, now)}
}

// AssistSettings are an organisation's AI choices.
type AssistSettings struct {
	Provider              string  `json:"provider" enum:"builtin,openai,anthropic,ollama" doc:"Who answers: builtin (offline rules; nothing leaves MaintainUK) or an external model."`
	Model                 string  `json:"model" maxLength:"100" doc:"The provider's model; empty for the deployment's default."`
	AutoApply             bool    `json:"autoApply" doc:"Apply a classification to a new ticket without waiting for a person, when its confidence reaches autoApplyConfidence. It only ever raises a priority and never lowers an EMERGENCY."`
	AutoApplyConfidence   float64 `json:"autoApplyConfidence" minimum:"0" maximum:"1" doc:"The confidence (0 to 1) a classification needs to be applied automatically."`
	MonthlyTokenAllowance int64   `json:"monthlyTokenAllowance" minimum:"0" doc:"Tokens external providers may use per calendar month (UTC); beyond it the builtin engine answers."`
	// ProviderAvailable says whether this deployment can reach the chosen provider (an
	// external one needs its key configured); when not, builtin answers.
	ProviderAvailable bool `json:"providerAvailable" readOnly:"true" doc:"Whether this deployment has the chosen provider configured; when it has not, the builtin engine answers."`
}

// AssistSettingsPatch changes the fields that are set.
type AssistSettingsPatch struct {
	Provider              *string  `json:"provider,omitempty" enum:"builtin,openai,anthropic,ollama"`
	Model                 *string  `json:"model,omitempty" maxLength:"100"`
	AutoApply             *bool    `json:"autoApply,omitempty"`
	AutoApplyConfidence   *float64 `json:"autoApplyConfidence,omitempty" minimum:"0" maximum:"1"`
	MonthlyTokenAllowance *int64   `json:"monthlyTokenAllowance,omitempty" minimum:"0" maximum:"1000000000"`
}

// Check applies the rules on the patch alone.
func (p AssistSettingsPatch) Check() error {
	var f apperr.Fields
	if p.Provider != nil {
		f.OneOf("provider", *p.Provider, Providers)
	}
	if p.Model != nil && (len(*p.Model) > 100 || strings.ContainsFunc(*p.Model, func(r rune) bool { return r < ' ' || r == 0x7f })) {
		f.Add("model", "must be at most 100 characters, without control characters")
	}
	if p.AutoApplyConfidence != nil && (*p.AutoApplyConfidence < 0 || *p.AutoApplyConfidence > 1) {
		f.Add("autoApplyConfidence", "must be from 0 to 1")
	}
	if p.MonthlyTokenAllowance != nil && *p.MonthlyTokenAllowance < 0 {
		f.Add("monthlyTokenAllowance", "must be 0 or more")
	}
	return f.Err()
}

func (s *Service) settings(ctx context.Context, q database.Querier, orgID uuid.UUID) (AssistSettings, error) {
	d := s.engine.defaults
	// An empty model is the provider's configured one (AI_MODEL for the deployment's
	// provider, each SDK's default for the others).
	out := AssistSettings{Provider: d.Provider, AutoApplyConfidence: 0.85, MonthlyTokenAllowance: d.MonthlyTokenAllowance}
	row, err := s.q.GetSettings(ctx, q, orgID)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
	case err != nil:
		return AssistSettings{}, fmt.Errorf("ai: settings: %w", err)
	default:
		if row.Provider != "" {
			out.Provider = row.Provider
		}
		out.Model = row.Model
		out.AutoApply = row.AutoApply
		out.AutoApplyConfidence = row.AutoApplyConfidence
		if row.MonthlyTokenAllowance != nil {
			out.MonthlyTokenAllowance = *row.MonthlyTokenAllowance
		}
	}
	_, reachable := s.engine.external[out.Provider]
	out.ProviderAvailable = out.Provider == "builtin" || reachable
	return out, nil
}

// GetSettings returns the organisation's AI settings (staff).
func (s *Service) GetSettings(ctx context.Context, actor access.Actor) (AssistSettings, error) {
	if err := actor.RequireStaff(); err != nil {
		return AssistSettings{}, err
	}
	return s.settings(ctx, s.db.Reader(actor.OrgID, actor.UserID), actor.OrgID)
}

// UpdateSettings changes the organisation's AI settings (ADMIN).
func (s *Service) UpdateSettings(ctx context.Context, actor access.Actor, p AssistSettingsPatch) (AssistSettings, error) {
	if err := actor.Require(access.Admin); err != nil {
		return AssistSettings{}, err
	}
	if err := p.Check(); err != nil {
		return AssistSettings{}, err
	}
	var out AssistSettings
	err := s.db.InOrg(ctx, actor.OrgID, actor.UserID, func(tx pgx.Tx) error {
		// The row is locked so that two changes to different fields both stay.
		if err := s.q.EnsureSettings(ctx, tx, actor.OrgID); err != nil {
			return err
		}
		row, err := s.q.LockSettings(ctx, tx, actor.OrgID)
		if err != nil {
			return err
		}
		upd := aidb.UpdateSettingsParams{OrgID: actor.OrgID, Provider: row.Provider, Model: row.Model, AutoApply: row.AutoApply,
			AutoApplyConfidence: row.AutoApplyConfidence, MonthlyTokenAllowance: row.MonthlyTokenAllowance}
		if p.Provider != nil && *p.Provider != row.Provider {
			upd.Provider = *p.Provider
			upd.Model = "" // a model names one provider's: the new one starts from its default
		}
		if p.Model != nil {
			upd.Model = strings.TrimSpace(*p.Model)
		}
		if p.AutoApply != nil {
			upd.AutoApply = *p.AutoApply
		}
		if p.AutoApplyConfidence != nil {
			upd.AutoApplyConfidence = *p.AutoApplyConfidence
		}
		if p.MonthlyTokenAllowance != nil {
			upd.MonthlyTokenAllowance = p.MonthlyTokenAllowance
		}
		if err := s.q.UpdateSettings(ctx, tx, upd); err != nil {
			return err
		}
		out, err = s.settings(ctx, tx, actor.OrgID)
		return err
	})
	return out, err
}

// metered reports whether a provider's tokens are billed to the organisation and count
// against its allowance: the hosted models. Builtin and a local Ollama cost nothing.
func metered(provider string) bool { return provider == "openai" || provider == "anthropic" }

// prepare resolves what a call for the organisation needs besides its input: provider,
// model, prompt template and whether the month's allowance is spent; and the settings it
// read them from.
func (s *Service) prepare(ctx context.Context, q database.Querier, orgID uuid.UUID, c llm.Capability) (call, AssistSettings, error) {
	set, err := s.settings(ctx, q, orgID)
	if err != nil {
		return call{}, set, err
	}
	tmpl, err := s.template(ctx, q, orgID, c)
	if err != nil {
		return call{}, set, err
	}
	out := call{capability: c, provider: set.Provider, model: set.Model, template: tmpl}
	if metered(set.Provider) {
		// Paid models are billed: while the organisation's payment is overdue the builtin
		// engine answers, as when the allowance is spent.
		good, err := plans.InGoodStanding(ctx, q, orgID)
		if err != nil {
			return call{}, set, err
		}
		if !good {
			out.overAllowance = true
			return out, set, nil
		}
		used, err := s.q.MeterQuantity(ctx, q, aidb.MeterQuantityParams{OrgID: orgID, Metric: MetricTokens, PeriodStart: plans.PeriodStart(s.now())})
		if err != nil {
			return call{}, set, err
		}
		plan, err := plans.Of(ctx, q, orgID)
		if err != nil {
			return call{}, set, err
		}
		out.overAllowance = used >= plans.TokenLimit(plan, set.MonthlyTokenAllowance)
	}
	return out, set, nil
}

// record writes the audit row and adds the tokens to the month's meter, in tx.
func (s *Service) record(ctx context.Context, tx pgx.Tx, orgID uuid.UUID, ticketID, by *uuid.UUID, c llm.Capability, o outcome) (uuid.UUID, time.Time, error) {
	id, at := uuid.New(), s.now().UTC().Truncate(time.Microsecond)
	err := s.q.InsertDecision(ctx, tx, aidb.InsertDecisionParams{ID: id, OrgID: orgID, TicketID: ticketID, Capability: string(c),
		RequestedProvider: o.requestedProvider, Provider: o.provider, Model: o.model, PromptVersion: o.promptVersion,
		InputHash: o.inputHash, TokensIn: int32(o.tokensIn), TokensOut: int32(o.tokensOut), CostMicropence: o.costMicropence,
		LatencyMs: int32(o.latency.Milliseconds()), Attempts: int32(o.attempts), Fallback: o.fallback, FallbackReason: o.fallbackReason,
		Result: o.result, RequestedBy: by, CreatedAt: at})
	if err != nil {
		return uuid.Nil, at, fmt.Errorf("ai: audit: %w", err)
	}
	if s.Observe != nil {
		s.Observe(string(c), o.requestedProvider, o.provider, o.tokensIn, o.tokensOut, o.latency)
	}
	if n := int64(o.tokensIn + o.tokensOut); n > 0 && metered(o.requestedProvider) {
		err = s.q.AddToMeter(ctx, tx, aidb.AddToMeterParams{OrgID: orgID, Metric: MetricTokens, PeriodStart: plans.PeriodStart(at), Quantity: n})
	}
	return id, at, err
}
