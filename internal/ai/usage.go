package ai

import (
	"bytes"
	"context"
	"encoding/json"
	"time"

	"github.com/google/uuid"

	"github.com/maintainuk/maintainuk/internal/access"
	"github.com/maintainuk/maintainuk/internal/ai/aidb"
	"github.com/maintainuk/maintainuk/internal/page"
	"github.com/maintainuk/maintainuk/internal/plans"
)

// Usage is an organisation's AI use in one calendar month (UTC).
type Usage struct {
	Month          string      `json:"month" example:"2026-12"`
	Calls          int64       `json:"calls"`
	Fallbacks      int64       `json:"fallbacks" doc:"Calls the builtin engine answered because the chosen provider failed, was not configured or the allowance was used up."`
	TokensIn       int64       `json:"tokensIn"`
	TokensOut      int64       `json:"tokensOut"`
	CostMicropence int64       `json:"costMicropence" doc:"What the external providers charged, in millionths of a penny (one call costs a fraction of a penny)."`
	CostPence      int64       `json:"costPence" doc:"costMicropence rounded up to whole pence."`
	MeteredTokens  int64       `json:"meteredTokens" doc:"Tokens on the organisation's ai_tokens usage meter (what billing reads)."`
	TokenAllowance int64       `json:"tokenAllowance" doc:"The month's limit of external tokens: the organisation's own cap, and on the free plan no more than the plan includes; beyond it the builtin engine answers."`
	ByCapability   []UsageLine `json:"byCapability"`
}

// UsageLine is one capability and provider's share.
type UsageLine struct {
	Capability     string `json:"capability"`
	Provider       string `json:"provider"`
	Calls          int64  `json:"calls"`
	Fallbacks      int64  `json:"fallbacks"`
	TokensIn       int64  `json:"tokensIn"`
	TokensOut      int64  `json:"tokensOut"`
	CostMicropence int64  `json:"costMicropence"`
}

// Usage sums the organisation's AI calls in month ("2026-12"; empty: this month) (ADMIN).
func (s *Service) Usage(ctx context.Context, actor access.Actor, month string) (Usage, error) {
	if err := actor.Require(access.Admin); err != nil {
		return Usage{}, err
	}
	start, err := plans.ParseMonth(month, s.now())
	if err != nil {
		return Usage{}, err
	}
	q := s.db.Reader(actor.OrgID, actor.UserID)
	rows, err := s.q.MonthUsage(ctx, q, aidb.MonthUsageParams{OrgID: actor.OrgID, Since: start, Until: start.AddDate(0, 1, 0)})
	if err != nil {
		return Usage{}, err
	}
	out := Usage{Month: start.Format("2006-01"), ByCapability: make([]UsageLine, len(rows))}
	for i, r := range rows {
		out.ByCapability[i] = UsageLine{Capability: r.Capability, Provider: r.Provider, Calls: r.Calls, Fallbacks: r.Fallbacks,
			TokensIn: r.TokensIn, TokensOut: r.TokensOut, CostMicropence: r.CostMicropence}
		out.Calls += r.Calls
		out.Fallbacks += r.Fallbacks
		out.TokensIn += r.TokensIn
		out.TokensOut += r.TokensOut
		out.CostMicropence += r.CostMicropence
	}
	out.CostPence = (out.CostMicropence + 999_999) / 1_000_000
	if out.MeteredTokens, err = s.q.MeterQuantity(ctx, q, aidb.MeterQuantityParams{OrgID: actor.OrgID, Metric: MetricTokens, PeriodStart: start}); err != nil {
		return Usage{}, err
	}
	set, err := s.settings(ctx, q, actor.OrgID)
	if err != nil {
		return Usage{}, err
	}
	plan, err := plans.Of(ctx, q, actor.OrgID)
	if err != nil {
		return Usage{}, err
	}
	out.TokenAllowance = plans.TokenLimit(plan, set.MonthlyTokenAllowance)
	return out, nil
}

// AuditEntry is one AI call as the audit keeps it.
type AuditEntry struct {
	ID                uuid.UUID       `json:"id"`
	TicketID          *uuid.UUID      `json:"ticketId"`
	Capability        string          `json:"capability" enum:"classify,draft,summarise,estimate"`
	RequestedProvider string          `json:"requestedProvider"`
	Provider          string          `json:"provider"`
	Model             string          `json:"model"`
	PromptVersion     string          `json:"promptVersion"`
	InputHash         string          `json:"inputHash" doc:"SHA-256 of the prompt and input as sent (the input itself is not kept)."`
	TokensIn          int32           `json:"tokensIn"`
	TokensOut         int32           `json:"tokensOut"`
	CostMicropence    int64           `json:"costMicropence"`
	LatencyMs         int32           `json:"latencyMs"`
	Attempts          int32           `json:"attempts"`
	Fallback          bool            `json:"fallback"`
	FallbackReason    string          `json:"fallbackReason"`
	Result            json.RawMessage `json:"result"`
	RequestedBy       *uuid.UUID      `json:"requestedBy" doc:"Who asked; null for the classification a new ticket queues."`
	Outcome           *string         `json:"outcome" doc:"AUTO_APPLIED, ACCEPTED or OVERRIDDEN (classifications only); null otherwise."`
	OutcomeBy         *uuid.UUID      `json:"outcomeBy"`
	OutcomeAt         *time.Time      `json:"outcomeAt"`
	OutcomeDetail     json.RawMessage `json:"outcomeDetail"`
	CreatedAt         time.Time       `json:"createdAt"`
}

// AuditFilter narrows the audit list.
type AuditFilter struct {
	TicketID   *uuid.UUID
	Capability string
}

// Decisions lists AI calls newest first (ADMIN).
func (s *Service) Decisions(ctx context.Context, actor access.Actor, f AuditFilter, req page.Request) (page.Result[AuditEntry], error) {
	if err := actor.Require(access.Admin); err != nil {
		return page.Result[AuditEntry]{}, err
	}
	limit, before, err := req.ParseNewest()
	if err != nil {
		return page.Result[AuditEntry]{}, err
	}
	p := aidb.ListDecisionsParams{OrgID: actor.OrgID, TicketID: f.TicketID, BeforeAt: before.CreatedAt, BeforeID: before.ID, Lim: int32(limit + 1)}
	if f.Capability != "" {
		if _, err := capabilityOf(f.Capability); err != nil {
			return page.Result[AuditEntry]{}, err
		}
		p.Capability = &f.Capability
	}
	rows, err := s.q.ListDecisions(ctx, s.db.Reader(actor.OrgID, actor.UserID), p)
	if err != nil {
		return page.Result[AuditEntry]{}, err
	}
	out := make([]AuditEntry, len(rows))
	for i, d := range rows {
		out[i] = AuditEntry{ID: d.ID, TicketID: d.TicketID, Capability: d.Capability, RequestedProvider: d.RequestedProvider,
			Provider: d.Provider, Model: d.Model, PromptVersion: d.PromptVersion, InputHash: d.InputHash, TokensIn: d.TokensIn,
			TokensOut: d.TokensOut, CostMicropence: d.CostMicropence, LatencyMs: d.LatencyMs, Attempts: d.Attempts,
			Fallback: d.Fallback, FallbackReason: d.FallbackReason, Result: compact(d.Result), RequestedBy: d.RequestedBy,
			Outcome: d.Outcome, OutcomeBy: d.OutcomeBy, OutcomeAt: d.OutcomeAt, OutcomeDetail: compact(d.OutcomeDetail), CreatedAt: d.CreatedAt}
	}
	return page.Build(out, limit, func(e AuditEntry) page.Key { return page.Key{CreatedAt: e.CreatedAt, ID: e.ID} }), nil
}

// compact drops the spaces jsonb's text puts after ':' and ',', so answers are
// byte-stable.
func compact(raw []byte) json.RawMessage {
	if len(raw) == 0 {
		return nil
	}
	var b bytes.Buffer
	if err := json.Compact(&b, raw); err != nil {
		return raw
	}
	return b.Bytes()
}
