package ai

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/maintainuk/maintainuk/internal/access"
	"github.com/maintainuk/maintainuk/internal/ai/aidb"
	"github.com/maintainuk/maintainuk/internal/ai/llm"
	"github.com/maintainuk/maintainuk/internal/ai/schema"
	"github.com/maintainuk/maintainuk/internal/apperr"
	"github.com/maintainuk/maintainuk/internal/hhsrs"
	"github.com/maintainuk/maintainuk/internal/tickets"
	"github.com/maintainuk/maintainuk/internal/validate"
)

// Outcomes of a classification.
const (
	OutcomeAutoApplied = "AUTO_APPLIED"
	OutcomeAccepted    = "ACCEPTED"
	OutcomeOverridden  = "OVERRIDDEN"
)

// Suggestion is the assistant's classification of a ticket and what became of it.
type Suggestion struct {
	ID         uuid.UUID `json:"id"`
	TicketID   uuid.UUID `json:"ticketId"`
	Category   string    `json:"category" enum:"PLUMBING,ELECTRICAL,HVAC,APPLIANCE,STRUCTURAL,PEST_CONTROL,OTHER"`
	Priority   string    `json:"priority" enum:"ROUTINE,URGENT,EMERGENCY"`
	Confidence float64   `json:"confidence" minimum:"0" maximum:"1"`
	Reasoning  string    `json:"reasoning"`
	Hazards    []string  `json:"hazards" doc:"Hazards spotted: GAS, ELECTRICS, WATER_NEAR_ELECTRICS, DAMP_MOULD_HEALTH, VULNERABLE_OCCUPANT, INSECURE_HOME."`
	// HHSRSHazards are the HHSRS hazards Hazards propose (internal/hhsrs).
	HHSRSHazards []string `json:"hhsrsHazards" doc:"The HHSRS hazards (Schedule 1 to SI 2005/3208) its hazards propose; accepting the suggestion tags the ticket with them."`
	Call
	Outcome   *string    `json:"outcome" doc:"What became of it: AUTO_APPLIED, ACCEPTED or OVERRIDDEN; null while it waits for a person."`
	OutcomeBy *uuid.UUID `json:"outcomeBy" doc:"Who accepted or overrode it; null for the auto-apply rule."`
	OutcomeAt *time.Time `json:"outcomeAt"`
	CreatedAt time.Time  `json:"createdAt"`
}

// Call says who answered an AI request, for the person reading the answer.
type Call struct {
	DecisionID     uuid.UUID `json:"decisionId" doc:"The audit row of this call (GET /ai/decisions)."`
	Provider       string    `json:"provider" doc:"Who answered: builtin, openai, anthropic or ollama."`
	Model          string    `json:"model"`
	Fallback       bool      `json:"fallback" doc:"True when the chosen provider failed or was unavailable and the builtin engine answered."`
	FallbackReason string    `json:"fallbackReason,omitempty"`
}

func suggestionFrom(d aidb.AiDecision) (Suggestion, error) {
	var c schema.Classification
	if err := json.Unmarshal(d.Result, &c); err != nil {
		return Suggestion{}, fmt.Errorf("ai: stored classification: %w", err)
	}
	out := Suggestion{ID: d.ID, Category: c.Category, Priority: c.Priority, Confidence: c.Confidence,
		Reasoning: c.Reasoning, Hazards: c.Hazards, Call: callFrom(d), Outcome: d.Outcome, OutcomeBy: d.OutcomeBy,
		OutcomeAt: d.OutcomeAt, CreatedAt: d.CreatedAt}
	if d.TicketID != nil {
		out.TicketID = *d.TicketID
	}
	if out.Hazards == nil {
		out.Hazards = []string{}
	}
	out.HHSRSHazards = hhsrs.FromAssistant(out.Hazards)
	if out.HHSRSHazards == nil {
		out.HHSRSHazards = []string{}
	}
	return out, nil
}

func callFrom(d aidb.AiDecision) Call {
	return Call{DecisionID: d.ID, Provider: d.Provider, Model: d.Model, Fallback: d.Fallback, FallbackReason: d.FallbackReason}
}

// Classify classifies a ticket now, for staff, and records the suggestion for them to
// accept or override. A ticket no longer open is not classified (409).
func (s *Service) Classify(ctx context.Context, actor access.Actor, ticketID uuid.UUID) (Suggestion, error) {
	if err := actor.RequireStaff(); err != nil {
		return Suggestion{}, err
	}
	return s.classify(ctx, actor.OrgID, ticketID, &actor.UserID)
}

// ClassifyNew classifies a new ticket (the ai.classify job its creation queued); the
// auto-apply rule then applies the suggestion when the organisation allows and nobody has
// changed the ticket yet.
func (s *Service) ClassifyNew(ctx context.Context, orgID, ticketID uuid.UUID) (Suggestion, error) {
	return s.classify(ctx, orgID, ticketID, nil)
}

// classify classifies a ticket and records the suggestion; by is the person who asked
// (nil for the job).
func (s *Service) classify(ctx context.Context, orgID, ticketID uuid.UUID, by *uuid.UUID) (Suggestion, error) {
	var userID uuid.UUID
	if by != nil {
		userID = *by
	}
	q := s.db.Reader(orgID, userID)
	t, err := s.q.GetTicketFacts(ctx, q, aidb.GetTicketFactsParams{OrgID: orgID, ID: ticketID})
	if errors.Is(err, pgx.ErrNoRows) {
		return Suggestion{}, apperr.New(apperr.NotFound, "ticket not found")
	}
	if err != nil {
		return Suggestion{}, err
	}
	if !tickets.Status(t.Status).Open() {
		return Suggestion{}, apperr.New(apperr.Conflict, "%s ticket is not classified", apperr.A(t.Status))
	}
	c, set, err := s.prepare(ctx, q, orgID, llm.Classify)
	if err != nil {
		return Suggestion{}, err
	}
	c.input, c.names, c.orgName = schema.ClassifyInput{Title: t.Title, Description: t.Description}, []string{t.ReportedByName}, t.OrgName
	callCtx, cancel := s.budget(ctx, by)
	o, err := s.engine.run(callCtx, c)
	cancel()
	if err != nil {
		return Suggestion{}, err
	}
	var out Suggestion
	// What was spent is recorded even when the caller has gone.
	ctx = context.WithoutCancel(ctx)
	err = s.db.InOrg(ctx, orgID, userID, func(tx pgx.Tx) error {
		// The ticket row first, as accept and override take it, so that two
		// classifications of one ticket cannot deadlock on the audit row's foreign key.
		if _, err := s.tickets.Lock(ctx, tx, access.Actor{OrgID: orgID, UserID: userID}, ticketID); err != nil {
			return err
		}
		id, at, err := s.record(ctx, tx, orgID, &ticketID, by, llm.Classify, o)
		if err != nil {
			return err
		}
		cl := o.value.(schema.Classification)
		d := aidb.AiDecision{ID: id, TicketID: &ticketID, Provider: o.provider, Model: o.model, Fallback: o.fallback,
			FallbackReason: o.fallbackReason, Result: o.result, CreatedAt: at}
		if out, err = suggestionFrom(d); err != nil {
			return err
		}
		// The rule acts for the job a new ticket queues, never over a person: once anyone
		// has changed the ticket (a priority set after a phone call, an accepted or
		// overridden suggestion), a later classification only suggests.
		if by != nil || !set.AutoApply || cl.Confidence < set.AutoApplyConfidence {
			return nil
		}
		touched, err := s.q.TicketTouched(ctx, tx, aidb.TicketTouchedParams{OrgID: orgID, TicketID: &ticketID})
		if err != nil || touched {
			return err
		}
		return s.autoApply(ctx, tx, orgID, &out, t.Source)
	})
	return out, err
}

// autoApply applies a confident suggestion without a person: the category (unless staff
// chose one other than OTHER when they entered the ticket) and the priority only when it
// is higher than the ticket's, so the rule never lowers a priority, an EMERGENCY least of
// all.
func (s *Service) autoApply(ctx context.Context, tx pgx.Tx, orgID uuid.UUID, sg *Suggestion, source string) error {
	system := access.Actor{OrgID: orgID}
	cur, err := s.tickets.Lock(ctx, tx, system, sg.TicketID)
	if err != nil {
		return err
	}
	if !cur.Status.Open() {
		return nil
	}
	category, priority := cur.Category, cur.Priority
	if source != tickets.SourceStaff || cur.Category == "OTHER" {
		category = sg.Category
	}
	if tickets.PriorityRank(sg.Priority) > tickets.PriorityRank(cur.Priority) {
		priority = sg.Priority
	}
	if _, err := s.tickets.Reclassify(ctx, tx, system, sg.TicketID, tickets.Reclassification{Category: category, Priority: priority,
		Action: "ai_auto_applied", Note: map[string]any{"decisionId": sg.ID, "confidence": sg.Confidence, "hazards": sg.Hazards}}); err != nil {
		return err
	}
	if _, err := s.tickets.AddHazards(ctx, tx, system, sg.TicketID, hhsrs.FromAssistant(sg.Hazards)); err != nil {
		return err
	}
	return s.setOutcome(ctx, tx, orgID, sg, OutcomeAutoApplied, nil, map[string]any{"category": category, "priority": priority})
}

func (s *Service) setOutcome(ctx context.Context, tx pgx.Tx, orgID uuid.UUID, sg *Suggestion, outcome string, by *uuid.UUID, detail any) error {
	at := s.now().UTC().Truncate(time.Microsecond)
	raw, err := json.Marshal(detail)
	if err != nil {
		return err
	}
	if err := s.q.SetOutcome(ctx, tx, aidb.SetOutcomeParams{OrgID: orgID, ID: sg.ID, Outcome: &outcome, OutcomeBy: by, OutcomeAt: &at, OutcomeDetail: raw}); err != nil {
		return err
	}
	sg.Outcome, sg.OutcomeBy, sg.OutcomeAt = &outcome, by, &at
	return nil
}

// LatestSuggestion returns the newest classification of a ticket (staff).
func (s *Service) LatestSuggestion(ctx context.Context, actor access.Actor, ticketID uuid.UUID) (Suggestion, error) {
	if err := actor.RequireStaff(); err != nil {
		return Suggestion{}, err
	}
	d, err := s.q.LatestDecision(ctx, s.db.Reader(actor.OrgID, actor.UserID),
		aidb.LatestDecisionParams{OrgID: actor.OrgID, TicketID: &ticketID, Capability: string(llm.Classify)})
	if errors.Is(err, pgx.ErrNoRows) {
		return Suggestion{}, apperr.New(apperr.NotFound, "this ticket has no AI suggestion yet")
	}
	if err != nil {
		return Suggestion{}, err
	}
	return suggestionFrom(d)
}

// Decision is a person's answer to a suggestion, with the ticket as it now is.
type Decision struct {
	Suggestion Suggestion     `json:"suggestion"`
	Ticket     tickets.Ticket `json:"ticket"`
}

// Accept applies the newest suggestion to the ticket (staff). It never lowers an
// EMERGENCY: a person who means to does so by override. A suggestion already accepted or
// overridden answers 409.
func (s *Service) Accept(ctx context.Context, actor access.Actor, ticketID uuid.UUID) (Decision, error) {
	return s.decide(ctx, actor, ticketID, func(sg Suggestion, cur tickets.Ticket) (string, string, string, map[string]any) {
		priority := sg.Priority
		note := map[string]any{"decisionId": sg.ID, "confidence": sg.Confidence}
		if cur.Priority == "EMERGENCY" && priority != "EMERGENCY" {
			priority = "EMERGENCY"
			note["keptEmergency"] = true
		}
		return OutcomeAccepted, sg.Category, priority, note
	})
}

// OverrideInput is a person's own classification in place of the suggestion's.
type OverrideInput struct {
	Category string `json:"category,omitempty" enum:"PLUMBING,ELECTRICAL,HVAC,APPLIANCE,STRUCTURAL,PEST_CONTROL,OTHER" doc:"Defaults to the ticket's current category."`
	Priority string `json:"priority,omitempty" enum:"ROUTINE,URGENT,EMERGENCY" doc:"Defaults to the ticket's current priority."`
	Reason   string `json:"reason,omitempty" maxLength:"500" doc:"Why the suggestion was wrong; kept in the audit and on the timeline."`
}

// Check applies the rules on the input alone.
func (in OverrideInput) Check() error {
	var f apperr.Fields
	if in.Category != "" {
		f.OneOf("category", in.Category, schema.Categories)
	}
	if in.Priority != "" {
		f.OneOf("priority", in.Priority, schema.Priorities)
	}
	if _, err := validate.LongText(in.Reason, 0, 500); err != nil {
		f.Add("reason", err.Error())
	}
	return f.Err()
}

// Override records a person's classification in place of the newest suggestion and
// applies it (staff). An auto-applied suggestion may be overridden; one already accepted
// or overridden answers 409.
func (s *Service) Override(ctx context.Context, actor access.Actor, ticketID uuid.UUID, in OverrideInput) (Decision, error) {
	if err := in.Check(); err != nil {
		return Decision{}, err
	}
	reason, _ := validate.LongText(in.Reason, 0, 500)
	return s.decide(ctx, actor, ticketID, func(sg Suggestion, cur tickets.Ticket) (string, string, string, map[string]any) {
		category, priority := cmpOr(in.Category, cur.Category), cmpOr(in.Priority, cur.Priority)
		note := map[string]any{"decisionId": sg.ID, "suggestedCategory": sg.Category, "suggestedPriority": sg.Priority}
		if reason != "" {
			note["reason"] = reason
		}
		return OutcomeOverridden, category, priority, note
	})
}

func (s *Service) decide(ctx context.Context, actor access.Actor, ticketID uuid.UUID,
	choose func(Suggestion, tickets.Ticket) (outcome, category, priority string, note map[string]any)) (Decision, error) {
	if err := actor.RequireStaff(); err != nil {
		return Decision{}, err
	}
	var out Decision
	err := s.db.InOrg(ctx, actor.OrgID, actor.UserID, func(tx pgx.Tx) error {
		cur, err := s.tickets.Lock(ctx, tx, actor, ticketID)
		if err != nil {
			return err
		}
		d, err := s.q.LockLatestDecision(ctx, tx, aidb.LockLatestDecisionParams{OrgID: actor.OrgID, TicketID: &ticketID, Capability: string(llm.Classify)})
		if errors.Is(err, pgx.ErrNoRows) {
			return apperr.New(apperr.NotFound, "this ticket has no AI suggestion yet")
		}
		if err != nil {
			return err
		}
		sg, err := suggestionFrom(d)
		if err != nil {
			return err
		}
		outcome, category, priority, note := choose(sg, cur)
		if sg.Outcome != nil && (*sg.Outcome == OutcomeAccepted || *sg.Outcome == OutcomeOverridden ||
			(*sg.Outcome == OutcomeAutoApplied && outcome == OutcomeAccepted)) {
			return apperr.New(apperr.Conflict, "this suggestion was already %s", strings.ToLower(strings.ReplaceAll(*sg.Outcome, "_", "-")))
		}
		action := "ai_accepted"
		if outcome == OutcomeOverridden {
			action = "ai_overridden"
		}
		if out.Ticket, err = s.tickets.Reclassify(ctx, tx, actor, ticketID, tickets.Reclassification{Category: category, Priority: priority, Action: action, Note: note}); err != nil {
			return err
		}
		if outcome == OutcomeAccepted { // accepting the suggestion accepts its hazards too
			if _, err := s.tickets.AddHazards(ctx, tx, actor, ticketID, hhsrs.FromAssistant(sg.Hazards)); err != nil {
				return err
			}
		}
		detail := map[string]any{"category": category, "priority": priority}
		if r, ok := note["reason"]; ok {
			detail["reason"] = r
		}
		if err := s.setOutcome(ctx, tx, actor.OrgID, &sg, outcome, &actor.UserID, detail); err != nil {
			return err
		}
		out.Suggestion = sg
		return nil
	})
	return out, err
}
