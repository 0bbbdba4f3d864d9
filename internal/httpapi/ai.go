package httpapi

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/maintainuk/maintainuk/internal/ai"
)

type ticketIDIn struct {
	ID uuid.UUID `path:"id"`
}

type overrideIn struct {
	ID   uuid.UUID `path:"id"`
	Body ai.OverrideInput
}

func (in *overrideIn) Resolve(huma.Context) []error { return domainDetails(in.Body.Check()) }

type draftIn struct {
	ID   uuid.UUID `path:"id"`
	Body ai.DraftInput
}

func (in *draftIn) Resolve(huma.Context) []error { return domainDetails(in.Body.Check()) }

type estimateIn struct {
	ID   uuid.UUID         `path:"id"`
	Body *ai.EstimateInput `required:"false"`
}

type aiSettingsIn struct {
	Body ai.AssistSettingsPatch
}

func (in *aiSettingsIn) Resolve(huma.Context) []error { return domainDetails(in.Body.Check()) }

type promptPathIn struct {
	Capability string `path:"capability" enum:"classify,draft,summarise,estimate"`
}

type putPromptIn struct {
	Capability string `path:"capability" enum:"classify,draft,summarise,estimate"`
	Body       ai.PromptInput
}

type monthIn struct {
	Month string `query:"month" pattern:"^[0-9]{4}-(0[1-9]|1[0-2])$" doc:"A calendar month (UTC) as YYYY-MM; defaults to this month."`
}

type listDecisionsIn struct {
	PageQuery
	TicketID   uuid.UUID `query:"ticketId"`
	Capability string    `query:"capability" enum:"classify,draft,summarise,estimate,"`
}

type triageIn struct {
	Slug string `path:"orgSlug" maxLength:"60" doc:"The organisation's slug, as in its public form's address."`
	Body ai.TriageInput
}

func (in *triageIn) Resolve(huma.Context) []error { return domainDetails(in.Body.Check()) }

type triageOutcomeIn struct {
	Slug     string    `path:"orgSlug" maxLength:"60"`
	TriageID uuid.UUID `path:"triageId"`
	Body     ai.SelfHelpOutcome
}

type publicTriageKey struct{}

// admitTriage runs before the body of a public self-help request is read: a client over
// its hourly limit gets 429 and an unknown organisation 404, as on the public form.
func (s *Server) admitTriage(hctx huma.Context, next func(huma.Context)) {
	org, err := s.deps.AI.AdmitPublic(hctx.Context(), hctx.Param("orgSlug"), infoFrom(hctx.Context()).clientIP)
	if err != nil {
		_ = huma.WriteErr(s.api, hctx, http.StatusInternalServerError, "", err)
		return
	}
	next(huma.WithValue(hctx, publicTriageKey{}, org))
}

func (s *Server) aiRoutes() {
	huma.Register(s.api, s.operation(http.MethodPost, "/api/v1/tickets/{id}/ai/classify", "classifyTicket", "AI", "Classify a ticket now (staff)", true),
		func(ctx context.Context, in *ticketIDIn) (*Out[ai.Suggestion], error) {
			sg, err := s.deps.AI.Classify(ctx, actorOf(ctx), in.ID)
			if err != nil {
				return nil, err
			}
			return ok(ctx, sg), nil
		})
	huma.Register(s.api, s.operation(http.MethodGet, "/api/v1/tickets/{id}/ai-suggestion", "getAiSuggestion", "AI", "A ticket's newest AI classification (staff)", true),
		func(ctx context.Context, in *ticketIDIn) (*Out[ai.Suggestion], error) {
			sg, err := s.deps.AI.LatestSuggestion(ctx, actorOf(ctx), in.ID)
			if err != nil {
				return nil, err
			}
			return ok(ctx, sg), nil
		})
	huma.Register(s.api, s.operation(http.MethodPost, "/api/v1/tickets/{id}/ai-suggestion/accept", "acceptAiSuggestion", "AI", "Accept the AI classification (staff)", true),
		func(ctx context.Context, in *ticketIDIn) (*Out[ai.Decision], error) {
			d, err := s.deps.AI.Accept(ctx, actorOf(ctx), in.ID)
			if err != nil {
				return nil, err
			}
			return ok(ctx, d), nil
		})
	huma.Register(s.api, s.operation(http.MethodPost, "/api/v1/tickets/{id}/ai-suggestion/override", "overrideAiSuggestion", "AI", "Override the AI classification with your own (staff)", true),
		func(ctx context.Context, in *overrideIn) (*Out[ai.Decision], error) {
			d, err := s.deps.AI.Override(ctx, actorOf(ctx), in.ID, in.Body)
			if err != nil {
				return nil, err
			}
			return ok(ctx, d), nil
		})
	huma.Register(s.api, s.operation(http.MethodPost, "/api/v1/tickets/{id}/ai/draft", "draftTicketMessage", "AI", "Draft a message about a ticket, for you to send (staff)", true),
		func(ctx context.Context, in *draftIn) (*Out[ai.DraftResult], error) {
			d, err := s.deps.AI.Draft(ctx, actorOf(ctx), in.ID, in.Body)
			if err != nil {
				return nil, err
			}
			return ok(ctx, d), nil
		})
	huma.Register(s.api, s.operation(http.MethodPost, "/api/v1/tickets/{id}/ai/summary", "summariseTicket", "AI", "Summarise a ticket's story for a report (staff)", true),
		func(ctx context.Context, in *ticketIDIn) (*Out[ai.SummaryResult], error) {
			sm, err := s.deps.AI.Summarise(ctx, actorOf(ctx), in.ID)
			if err != nil {
				return nil, err
			}
			return ok(ctx, sm), nil
		})
	huma.Register(s.api, s.operation(http.MethodPost, "/api/v1/tickets/{id}/ai/estimate", "estimateTicketCost", "AI", "Estimate what a ticket's repair will cost (staff)", true),
		func(ctx context.Context, in *estimateIn) (*Out[ai.EstimateResult], error) {
			var body ai.EstimateInput
			if in.Body != nil {
				body = *in.Body
			}
			e, err := s.deps.AI.Estimate(ctx, actorOf(ctx), in.ID, body)
			if err != nil {
				return nil, err
			}
			return ok(ctx, e), nil
		})

	huma.Register(s.api, s.operation(http.MethodGet, "/api/v1/ai/settings", "getAiSettings", "AI", "The organisation's AI provider, auto-apply rule and allowance (staff)", true),
		func(ctx context.Context, _ *struct{}) (*Out[ai.AssistSettings], error) {
			st, err := s.deps.AI.GetSettings(ctx, actorOf(ctx))
			if err != nil {
				return nil, err
			}
			return ok(ctx, st), nil
		})
	huma.Register(s.api, s.operation(http.MethodPatch, "/api/v1/ai/settings", "updateAiSettings", "AI", "Change the AI settings (ADMIN)", true),
		func(ctx context.Context, in *aiSettingsIn) (*Out[ai.AssistSettings], error) {
			st, err := s.deps.AI.UpdateSettings(ctx, actorOf(ctx), in.Body)
			if err != nil {
				return nil, err
			}
			return ok(ctx, st), nil
		})
	huma.Register(s.api, s.operation(http.MethodGet, "/api/v1/ai/prompts/{capability}", "getAiPrompt", "AI", "A capability's prompt template and its history (ADMIN)", true),
		func(ctx context.Context, in *promptPathIn) (*Out[ai.Prompt], error) {
			p, err := s.deps.AI.GetPrompt(ctx, actorOf(ctx), in.Capability)
			if err != nil {
				return nil, err
			}
			return ok(ctx, p), nil
		})
	huma.Register(s.api, s.operation(http.MethodPut, "/api/v1/ai/prompts/{capability}", "putAiPrompt", "AI", "Save the organisation's own prompt template (ADMIN)", true),
		func(ctx context.Context, in *putPromptIn) (*Out[ai.Prompt], error) {
			p, err := s.deps.AI.SavePrompt(ctx, actorOf(ctx), in.Capability, in.Body)
			if err != nil {
				return nil, err
			}
			return ok(ctx, p), nil
		})
	huma.Register(s.api, s.operation(http.MethodGet, "/api/v1/ai/usage", "getAiUsage", "AI", "AI calls, tokens and cost in a month (ADMIN)", true),
		func(ctx context.Context, in *monthIn) (*Out[ai.Usage], error) {
			u, err := s.deps.AI.Usage(ctx, actorOf(ctx), in.Month)
			if err != nil {
				return nil, err
			}
			return ok(ctx, u), nil
		})
	huma.Register(s.api, s.operation(http.MethodGet, "/api/v1/ai/decisions", "listAiDecisions", "AI", "The audit of AI calls, newest first (ADMIN)", true),
		func(ctx context.Context, in *listDecisionsIn) (*ListOut[ai.AuditEntry], error) {
			res, err := s.deps.AI.Decisions(ctx, actorOf(ctx), ai.AuditFilter{TicketID: optionalID(in.TicketID), Capability: in.Capability}, in.request())
			if err != nil {
				return nil, err
			}
			return list(ctx, res), nil
		})
	huma.Register(s.api, s.operation(http.MethodGet, "/api/v1/ai/self-help", "getSelfHelpStats", "AI", "Residents' self-help in a month, with avoided call-outs (staff)", true),
		func(ctx context.Context, in *monthIn) (*Out[ai.SelfHelpStats], error) {
			st, err := s.deps.AI.SelfHelpStats(ctx, actorOf(ctx), in.Month)
			if err != nil {
				return nil, err
			}
			return ok(ctx, st), nil
		})

	triage := s.operation(http.MethodPost, "/api/v1/public/{orgSlug}/triage", "publicTriage", "Public", "Safety advice and self-help before reporting", false)
	triage.Errors = append(triage.Errors, http.StatusNotFound)
	triage.Middlewares = append(triage.Middlewares, s.admitTriage)
	huma.Register(s.api, triage, func(ctx context.Context, in *triageIn) (*Out[ai.TriageResult], error) {
		r, err := s.deps.AI.Triage(ctx, ctx.Value(publicTriageKey{}).(ai.PublicOrg), in.Body)
		if err != nil {
			return nil, err
		}
		return ok(ctx, r), nil
	})
	outcome := s.operation(http.MethodPost, "/api/v1/public/{orgSlug}/triage/{triageId}/outcome", "publicTriageOutcome", "Public", "Say whether the self-help fixed it", false)
	outcome.Errors = append(outcome.Errors, http.StatusNotFound, http.StatusConflict)
	outcome.Middlewares = append(outcome.Middlewares, s.admitTriage)
	huma.Register(s.api, outcome, func(ctx context.Context, in *triageOutcomeIn) (*Out[ai.SelfHelpRecorded], error) {
		r, err := s.deps.AI.RecordSelfHelp(ctx, ctx.Value(publicTriageKey{}).(ai.PublicOrg), in.TriageID, in.Body)
		if err != nil {
			return nil, err
		}
		return ok(ctx, r), nil
	})
}
