package ai

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/maintainuk/maintainuk/internal/access"
	"github.com/maintainuk/maintainuk/internal/ai/aidb"
	"github.com/maintainuk/maintainuk/internal/ai/builtin"
	"github.com/maintainuk/maintainuk/internal/ai/llm"
	"github.com/maintainuk/maintainuk/internal/ai/schema"
	"github.com/maintainuk/maintainuk/internal/apperr"
	"github.com/maintainuk/maintainuk/internal/timeline"
	"github.com/maintainuk/maintainuk/internal/validate"
)

// DraftInput asks for a message about a ticket.
type DraftInput struct {
	Recipient string `json:"recipient" enum:"RESIDENT,CONTRACTOR,LANDLORD" doc:"Who the message is for."`
	Tone      string `json:"tone,omitempty" enum:"FORMAL,FRIENDLY,EMPATHETIC,FIRM" doc:"Defaults to FRIENDLY."`
	Purpose   string `json:"purpose,omitempty" maxLength:"500" doc:"What the message is for, in your words (\"ask for access on Tuesday morning\")."`
}

// Check applies the rules on the input alone.
func (in DraftInput) Check() error {
	var f apperr.Fields
	f.OneOf("recipient", in.Recipient, schema.Recipients)
	if in.Tone != "" {
		f.OneOf("tone", in.Tone, schema.Tones)
	}
	if _, err := validate.LongText(in.Purpose, 0, 500); err != nil {
		f.Add("purpose", err.Error())
	}
	return f.Err()
}

// DraftResult is a message for a person to read, change and send themselves: the
// assistant never sends anything.
type DraftResult struct {
	Subject string `json:"subject"`
	Body    string `json:"body"`
	Call
}

// SummaryResult is a ticket's story, for reports.
type SummaryResult struct {
	Summary   string   `json:"summary"`
	KeyPoints []string `json:"keyPoints"`
	Call
}

// EstimateInput asks what a ticket's repair is likely to cost.
type EstimateInput struct {
	Region string `json:"region,omitempty" enum:"LONDON,SOUTH_EAST,SOUTH_WEST,EAST_OF_ENGLAND,EAST_MIDLANDS,WEST_MIDLANDS,NORTH_WEST,NORTH_EAST,YORKSHIRE,WALES,SCOTLAND,NORTHERN_IRELAND" doc:"Defaults to the region of the property's postcode, else the UK average."`
}

// Check applies the rules on the input alone.
func (in EstimateInput) Check() error {
	var f apperr.Fields
	if in.Region != "" {
		f.OneOf("region", in.Region, schema.Regions)
	}
	return f.Err()
}

// EstimateResult is a likely cost range, VAT included.
type EstimateResult struct {
	LowPence    int64  `json:"lowPence"`
	HighPence   int64  `json:"highPence"`
	LikelyPence int64  `json:"likelyPence"`
	Reasoning   string `json:"reasoning"`
	Region      string `json:"region" doc:"The region the prices are for; empty for the UK average."`
	Call
}

// facts reads what drafting and summaries need of a ticket. recipient narrows it to what
// the message's reader may know: a RESIDENT's draft is written from the comments shared
// with residents, a CONTRACTOR's from none, and neither from prices; "" (a summary, a
// landlord's draft) reads it as staff see it.
func (s *Service) facts(ctx context.Context, actor access.Actor, ticketID uuid.UUID, recipient string) (f schema.TicketFacts, orgName string, names []string, err error) {
	if err := actor.RequireStaff(); err != nil {
		return f, "", nil, err
	}
	d, err := s.tickets.Get(ctx, actor, ticketID)
	if err != nil {
		return f, "", nil, err
	}
	if orgName, err = s.q.GetOrgName(ctx, s.db.Reader(actor.OrgID, actor.UserID), actor.OrgID); err != nil {
		return f, "", nil, err
	}
	f = schema.TicketFacts{Number: d.Number, Title: d.Title, Description: d.Description, Category: d.Category,
		Priority: d.Priority, Status: string(d.Status), Address: d.ReportedAddress, Resident: d.ReportedByName,
		SLADueAt: d.SLADueAt.UTC().Format(time.RFC3339)}
	names = []string{d.ReportedByName}
	private := recipient == "RESIDENT" || recipient == "CONTRACTOR"
	for _, e := range d.Timeline {
		f.Timeline = append(f.Timeline, timelineItem(e, private))
	}
	for _, c := range d.Comments {
		if recipient == "CONTRACTOR" || (recipient == "RESIDENT" && c.Visibility != "RESIDENT") {
			continue
		}
		f.Timeline = append(f.Timeline, schema.TimelineItem{At: c.CreatedAt.UTC().Format(time.RFC3339), Actor: c.AuthorName,
			Action: "comment", Detail: clip(c.Body, 300)})
		names = append(names, c.AuthorName)
	}
	slices.SortStableFunc(f.Timeline, func(a, b schema.TimelineItem) int {
		switch {
		case a.At < b.At:
			return -1
		case a.At > b.At:
			return 1
		}
		return 0
	})
	if len(f.Timeline) > 60 { // the story's start and its latest turns
		f.Timeline = append(f.Timeline[:20:20], f.Timeline[len(f.Timeline)-40:]...)
	}
	return f, orgName, names, nil
}

// timelineItem turns a trail entry into a line the assistant reads: the action and the
// few fields of its after-state that tell the story (status, priority, amounts, reasons);
// private leaves out amounts and contractors' names.
func timelineItem(e timeline.Event, private bool) schema.TimelineItem {
	it := schema.TimelineItem{At: e.OccurredAt.UTC().Format(time.RFC3339), Actor: e.ActorRole, Action: e.EntityType + " " + e.Action}
	var after map[string]any
	if json.Unmarshal(e.After, &after) == nil {
		var parts []byte
		for _, k := range []string{"status", "category", "priority", "totalPence", "reason", "scheduledFor", "contractorName"} {
			if private && (k == "totalPence" || k == "contractorName" || k == "reason") {
				continue
			}
			if v, ok := after[k]; ok && v != nil && v != "" {
				b, _ := json.Marshal(v)
				parts = append(parts, k+"="...)
				parts = append(parts, b...)
				parts = append(parts, ' ')
			}
		}
		it.Detail = clip(string(parts), 300)
	}
	if it.Actor == "" {
		it.Actor = "system"
	}
	return it
}

func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// Draft writes a message about a ticket for a person to send (staff).
func (s *Service) Draft(ctx context.Context, actor access.Actor, ticketID uuid.UUID, in DraftInput) (DraftResult, error) {
	if err := in.Check(); err != nil {
		return DraftResult{}, err
	}
	f, orgName, names, err := s.facts(ctx, actor, ticketID, in.Recipient)
	if err != nil {
		return DraftResult{}, err
	}
	if in.Recipient == "CONTRACTOR" { // a contractor's message carries no one's contact details
		f.Address = ""
	}
	purpose, _ := validate.LongText(in.Purpose, 0, 500)
	tone := cmpOr(in.Tone, "FRIENDLY")
	c, _, err := s.prepare(ctx, s.db.Reader(actor.OrgID, actor.UserID), actor.OrgID, llm.Draft)
	if err != nil {
		return DraftResult{}, err
	}
	c.input = schema.DraftInput{Ticket: f, Tone: tone, Recipient: in.Recipient, Purpose: purpose, Sender: orgName}
	c.names, c.orgName, c.tone, c.recip = names, orgName, tone, in.Recipient
	o, id, err := s.complete(ctx, actor, &ticketID, c)
	if err != nil {
		return DraftResult{}, err
	}
	d := o.value.(schema.Draft)
	return DraftResult{Subject: d.Subject, Body: d.Body, Call: o.call(id)}, nil
}

// Summarise tells a ticket's story from its timeline (staff).
func (s *Service) Summarise(ctx context.Context, actor access.Actor, ticketID uuid.UUID) (SummaryResult, error) {
	f, orgName, names, err := s.facts(ctx, actor, ticketID, "")
	if err != nil {
		return SummaryResult{}, err
	}
	c, _, err := s.prepare(ctx, s.db.Reader(actor.OrgID, actor.UserID), actor.OrgID, llm.Summarise)
	if err != nil {
		return SummaryResult{}, err
	}
	c.input, c.names, c.orgName = schema.SummaryInput{Ticket: f}, names, orgName
	o, id, err := s.complete(ctx, actor, &ticketID, c)
	if err != nil {
		return SummaryResult{}, err
	}
	sm := o.value.(schema.Summary)
	if sm.KeyPoints == nil {
		sm.KeyPoints = []string{}
	}
	return SummaryResult{Summary: sm.Summary, KeyPoints: sm.KeyPoints, Call: o.call(id)}, nil
}

// Estimate gives a likely cost range for a ticket's repair (staff).
func (s *Service) Estimate(ctx context.Context, actor access.Actor, ticketID uuid.UUID, in EstimateInput) (EstimateResult, error) {
	if err := in.Check(); err != nil {
		return EstimateResult{}, err
	}
	if err := actor.RequireStaff(); err != nil {
		return EstimateResult{}, err
	}
	q := s.db.Reader(actor.OrgID, actor.UserID)
	row, err := s.q.GetTicketFacts(ctx, q, aidb.GetTicketFactsParams{OrgID: actor.OrgID, ID: ticketID})
	if errors.Is(err, pgx.ErrNoRows) {
		return EstimateResult{}, apperr.New(apperr.NotFound, "ticket not found")
	}
	if err != nil {
		return EstimateResult{}, err
	}
	region := in.Region
	if region == "" {
		region = builtin.RegionForPostcode(row.Postcode)
	}
	c, _, err := s.prepare(ctx, q, actor.OrgID, llm.Estimate)
	if err != nil {
		return EstimateResult{}, err
	}
	category := row.Category
	if category == "OTHER" { // not yet triaged: the trade the assistant suggested prices it better
		d, err := s.q.LatestDecision(ctx, q, aidb.LatestDecisionParams{OrgID: actor.OrgID, TicketID: &ticketID, Capability: string(llm.Classify)})
		switch {
		case err == nil:
			sg, err := suggestionFrom(d)
			if err != nil {
				return EstimateResult{}, err
			}
			category = sg.Category
		case !errors.Is(err, pgx.ErrNoRows):
			return EstimateResult{}, err
		}
	}
	c.input = schema.EstimateInput{Category: category, Title: row.Title, Description: row.Description, Region: region}
	c.names, c.orgName = []string{row.ReportedByName}, row.OrgName
	o, id, err := s.complete(ctx, actor, &ticketID, c)
	if err != nil {
		return EstimateResult{}, err
	}
	e := o.value.(schema.Estimate)
	return EstimateResult{LowPence: e.LowPence, HighPence: e.HighPence, LikelyPence: e.LikelyPence, Reasoning: e.Reasoning,
		Region: region, Call: o.call(id)}, nil
}

// complete runs a call outside any transaction (a model may take seconds) and then
// audits it.
func (s *Service) complete(ctx context.Context, actor access.Actor, ticketID *uuid.UUID, c call) (outcome, uuid.UUID, error) {
	callCtx, cancel := s.budget(ctx, &actor.UserID)
	o, err := s.engine.run(callCtx, c)
	cancel()
	if err != nil {
		return outcome{}, uuid.Nil, err
	}
	var id uuid.UUID
	ctx = context.WithoutCancel(ctx) // what was spent is recorded even when the caller has gone
	err = s.db.InOrg(ctx, actor.OrgID, actor.UserID, func(tx pgx.Tx) error {
		id, _, err = s.record(ctx, tx, actor.OrgID, ticketID, &actor.UserID, c.capability, o)
		return err
	})
	return o, id, err
}

// RequestBudget is how long an AI call made for an HTTP request may take, retries
// included, before builtin answers instead: within the server's 60-second write timeout
// whatever AI_TIMEOUT and AI_RETRIES say. The classification job has its own timeout.
const RequestBudget = 45 * time.Second

// budget bounds a call made for a person (by set); the job's call has its job timeout.
func (s *Service) budget(ctx context.Context, by *uuid.UUID) (context.Context, context.CancelFunc) {
	if by == nil {
		return ctx, func() {}
	}
	return context.WithTimeout(ctx, RequestBudget)
}

func (o outcome) call(id uuid.UUID) Call {
	return Call{DecisionID: id, Provider: o.provider, Model: o.model, Fallback: o.fallback, FallbackReason: o.fallbackReason}
}
