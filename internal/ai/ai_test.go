package ai_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/maintainuk/maintainuk/internal/ai"
	"github.com/maintainuk/maintainuk/internal/ai/schema"
	"github.com/maintainuk/maintainuk/internal/apperr"
	"github.com/maintainuk/maintainuk/internal/outbox"
	"github.com/maintainuk/maintainuk/internal/testsupport"
	"github.com/maintainuk/maintainuk/internal/tickets"
)

func newTicket(t *testing.T, e *testsupport.Estate, title, description string, extra map[string]any) tickets.Ticket {
	t.Helper()
	body := map[string]any{"unitId": e.UnitID, "title": title, "description": description}
	for k, v := range extra {
		body[k] = v
	}
	return testsupport.CreateTicket(t, e.Coordinator, body)
}

func classify(t *testing.T, c *testsupport.Client, id uuid.UUID) ai.Suggestion {
	t.Helper()
	var sg ai.Suggestion
	c.With(t).Post(testsupport.Path("/api/v1/tickets/%s/ai/classify", id), nil).Expect(http.StatusOK).Data(&sg)
	return sg
}

func actions(t *testing.T, c *testsupport.Client, id uuid.UUID) []string {
	t.Helper()
	var out []string
	for _, e := range testsupport.GetTicket(t, c, id).Timeline {
		out = append(out, e.Action)
	}
	return out
}

// A new ticket's creation queues its classification; the real queue works it and the
// suggestion appears, with ids alone in the job's arguments.
func TestClassification_newTicketIsClassifiedByTheQueue(t *testing.T) {
	app := testsupport.NewApp(t, nil)
	e := app.NewEstate(t, "Queue", testsupport.EstateOptions{})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- app.Work(ctx) }()
	t.Cleanup(func() { cancel(); <-done })

	var tk tickets.Ticket
	e.Tenant.With(t).Post("/api/v1/tickets", map[string]any{"unitId": e.UnitID, "title": "help",
		"description": "Strong smell of gas in the kitchen since this morning, I've opened the windows"}).Expect(http.StatusCreated).Data(&tk)

	var sg ai.Suggestion
	deadline := time.Now().Add(20 * time.Second)
	for {
		r := e.Coordinator.With(t).Get(testsupport.Path("/api/v1/tickets/%s/ai-suggestion", tk.ID))
		if r.Status == http.StatusOK {
			r.Data(&sg)
			break
		}
		r.ExpectFailure(http.StatusNotFound, apperr.NotFound)
		if time.Now().After(deadline) {
			t.Fatal("no suggestion 20 s after the ticket was created")
		}
		time.Sleep(50 * time.Millisecond)
	}
	if sg.Category != "HVAC" || sg.Priority != "EMERGENCY" || !slices.Contains(sg.Hazards, "GAS") || sg.Provider != "builtin" || sg.Outcome != nil {
		t.Fatalf("suggestion = %+v, want HVAC EMERGENCY with GAS from builtin, waiting for a person", sg)
	}
	var args []byte
	if err := app.DB.Pool.QueryRow(ctx, `SELECT args FROM river_job WHERE kind = 'ai.classify'`).Scan(&args); err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(args, &m); err != nil || len(m) != 2 || m["ticketId"] != tk.ID.String() || m["orgId"] != e.OrgID.String() {
		t.Fatalf("job args = %s, want the org and ticket ids only", args)
	}
}

// runClassifyJob works the ai.classify job of a ticket, as the queue would.
func runClassifyJob(t *testing.T, app *testsupport.App, orgID, ticketID uuid.UUID) error {
	t.Helper()
	w := &ai.ClassifyWorker{Service: app.AI}
	return w.Work(context.Background(), &river.Job[outbox.ClassifyArgs]{JobRow: &rivertype.JobRow{}, Args: outbox.ClassifyArgs{OrgID: orgID, TicketID: ticketID}})
}

// The auto-apply rule: off by default; on, the job a new ticket queues applies a
// confident suggestion, raising a priority and never lowering one, and never over a
// person: not when someone has already changed the ticket, nor when staff ask for a
// classification themselves.
func TestClassification_autoApply(t *testing.T) {
	app := testsupport.NewApp(t, nil)
	e := app.NewEstate(t, "Auto", testsupport.EstateOptions{})
	admin := e.Admin.With(t)
	const burst = "Water pouring through the kitchen ceiling from the flat above"

	off := newTicket(t, e, "Burst pipe", burst, nil)
	if err := runClassifyJob(t, app, e.OrgID, off.ID); err != nil {
		t.Fatal(err)
	}
	if got := testsupport.GetTicket(t, e.Coordinator, off.ID); got.Priority != "ROUTINE" {
		t.Fatalf("priority %s changed with auto-apply off", got.Priority)
	}

	var st ai.AssistSettings
	admin.Patch("/api/v1/ai/settings", map[string]any{"autoApply": true}).Expect(http.StatusOK).Data(&st)
	if !st.AutoApply || st.AutoApplyConfidence != 0.85 || st.Provider != "builtin" || !st.ProviderAvailable {
		t.Fatalf("settings = %+v, want auto-apply at exactly 0.85", st)
	}
	admin.Patch("/api/v1/ai/settings", map[string]any{"autoApplyConfidence": 0.5}).Expect(http.StatusOK).Data(&st)
	if !st.AutoApply || st.AutoApplyConfidence != 0.5 {
		t.Fatalf("a second change lost the first: %+v", st)
	}

	raise := newTicket(t, e, "Burst pipe", burst, nil)
	if err := runClassifyJob(t, app, e.OrgID, raise.ID); err != nil {
		t.Fatal(err)
	}
	var sg ai.Suggestion
	e.Coordinator.With(t).Get(testsupport.Path("/api/v1/tickets/%s/ai-suggestion", raise.ID)).Expect(http.StatusOK).Data(&sg)
	if sg.Outcome == nil || *sg.Outcome != ai.OutcomeAutoApplied || sg.OutcomeBy != nil {
		t.Fatalf("confident suggestion not auto-applied: %+v", sg)
	}
	got := testsupport.GetTicket(t, e.Coordinator, raise.ID)
	if got.Priority != "EMERGENCY" || got.Category != "PLUMBING" || !got.SLADueAt.Before(raise.SLADueAt) {
		t.Fatalf("after auto-apply: %s %s due %s (was %s)", got.Category, got.Priority, got.SLADueAt, raise.SLADueAt)
	}
	if !slices.Contains(actions(t, e.Coordinator, raise.ID), "ai_auto_applied") {
		t.Fatal("auto-apply is not on the timeline")
	}

	// Staff said EMERGENCY and PLUMBING; the suggestion (a dripping tap: ROUTINE) lowers nothing.
	keep := newTicket(t, e, "Dripping tap", "The bathroom tap drips a little", map[string]any{"priority": "EMERGENCY", "category": "PLUMBING"})
	if err := runClassifyJob(t, app, e.OrgID, keep.ID); err != nil {
		t.Fatal(err)
	}
	if got := testsupport.GetTicket(t, e.Coordinator, keep.ID); got.Priority != "EMERGENCY" {
		t.Fatalf("auto-apply lowered an EMERGENCY to %s", got.Priority)
	}

	// A coordinator set the priority before the job ran: the job only suggests.
	touched := newTicket(t, e, "Burst pipe", burst, nil)
	e.Coordinator.With(t).Patch(testsupport.Path("/api/v1/tickets/%s", touched.ID), map[string]any{"priority": "URGENT"}).Expect(http.StatusOK)
	if err := runClassifyJob(t, app, e.OrgID, touched.ID); err != nil {
		t.Fatal(err)
	}
	if got := testsupport.GetTicket(t, e.Coordinator, touched.ID); got.Priority != "URGENT" {
		t.Fatalf("the job overrode a person: priority %s", got.Priority)
	}
	// Staff asking for a classification get a suggestion to decide on.
	manual := newTicket(t, e, "Burst pipe", burst, nil)
	if sg := classify(t, e.Coordinator, manual.ID); sg.Outcome != nil {
		t.Fatalf("a classification staff asked for was applied: %+v", sg)
	}

	// A closed ticket's job ends without retrying.
	e.Coordinator.With(t).Post(testsupport.Path("/api/v1/tickets/%s/transition", manual.ID), map[string]any{"to": "CANCELLED", "reason": "Duplicate"}).Expect(http.StatusOK)
	var cancel *river.JobCancelError
	if err := runClassifyJob(t, app, e.OrgID, manual.ID); !errors.As(err, &cancel) {
		t.Fatalf("job for a cancelled ticket: %v, want JobCancel", err)
	}
}

func TestSuggestion_acceptAndOverride(t *testing.T) {
	app := testsupport.NewApp(t, nil)
	e := app.NewEstate(t, "Decide", testsupport.EstateOptions{})
	coord := e.Coordinator.With(t)

	tk := newTicket(t, e, "Mice", "Mice in the kitchen cupboards, droppings everywhere", nil)
	coord.Post(testsupport.Path("/api/v1/tickets/%s/ai-suggestion/accept", tk.ID), nil).ExpectFailure(http.StatusNotFound, apperr.NotFound)
	sg := classify(t, e.Coordinator, tk.ID)
	var d ai.Decision
	coord.Post(testsupport.Path("/api/v1/tickets/%s/ai-suggestion/accept", tk.ID), nil).Expect(http.StatusOK).Data(&d)
	if d.Ticket.Category != sg.Category || d.Ticket.Priority != sg.Priority || d.Suggestion.Outcome == nil ||
		*d.Suggestion.Outcome != ai.OutcomeAccepted || *d.Suggestion.OutcomeBy != e.Coordinator.UserID {
		t.Fatalf("accept: %+v", d)
	}
	coord.Post(testsupport.Path("/api/v1/tickets/%s/ai-suggestion/accept", tk.ID), nil).ExpectFailure(http.StatusConflict, apperr.Conflict)
	coord.Post(testsupport.Path("/api/v1/tickets/%s/ai-suggestion/override", tk.ID), map[string]any{"priority": "URGENT"}).ExpectFailure(http.StatusConflict, apperr.Conflict)

	// Accepting never lowers an EMERGENCY; overriding may.
	em := newTicket(t, e, "Dripping tap", "Kitchen tap drips", map[string]any{"priority": "EMERGENCY"})
	classify(t, e.Coordinator, em.ID)
	coord.Post(testsupport.Path("/api/v1/tickets/%s/ai-suggestion/accept", em.ID), nil).Expect(http.StatusOK).Data(&d)
	if d.Ticket.Priority != "EMERGENCY" || d.Ticket.Category != "PLUMBING" {
		t.Fatalf("accept of a ROUTINE suggestion: %s %s, want PLUMBING kept EMERGENCY", d.Ticket.Category, d.Ticket.Priority)
	}
	em2 := newTicket(t, e, "Dripping tap", "Kitchen tap drips", map[string]any{"priority": "EMERGENCY"})
	classify(t, e.Coordinator, em2.ID)
	coord.Post(testsupport.Path("/api/v1/tickets/%s/ai-suggestion/override", em2.ID), map[string]any{"category": "NOPE", "priority": "SOON", "reason": strings.Repeat("x", 501)}).
		ExpectFailure(http.StatusUnprocessableEntity, apperr.Invalid, "category", "priority", "reason")
	coord.Post(testsupport.Path("/api/v1/tickets/%s/ai-suggestion/override", em2.ID), map[string]any{"priority": "ROUTINE", "reason": "Only a drip"}).Expect(http.StatusOK).Data(&d)
	if d.Ticket.Priority != "ROUTINE" || *d.Suggestion.Outcome != ai.OutcomeOverridden {
		t.Fatalf("override: %+v", d)
	}
	acts := actions(t, e.Coordinator, em2.ID)
	if !slices.Contains(acts, "ai_overridden") || !slices.Contains(actions(t, e.Coordinator, em.ID), "ai_accepted") {
		t.Fatalf("timeline actions %v: want ai_overridden (and ai_accepted on the other)", acts)
	}
	audit := testsupport.All[ai.AuditEntry](t, e.Admin, testsupport.Path("/api/v1/ai/decisions?ticketId=%s", em2.ID))
	if len(audit) != 1 || audit[0].Outcome == nil || *audit[0].Outcome != ai.OutcomeOverridden || !strings.Contains(string(audit[0].OutcomeDetail), "Only a drip") {
		t.Fatalf("audit of the override: %+v", audit)
	}

	// Staff only.
	for _, c := range []*testsupport.Client{e.Tenant, e.Contractor} {
		c.With(t).Get(testsupport.Path("/api/v1/tickets/%s/ai-suggestion", tk.ID)).ExpectFailure(http.StatusForbidden, apperr.Forbidden)
		c.With(t).Post(testsupport.Path("/api/v1/tickets/%s/ai/classify", tk.ID), nil).ExpectFailure(http.StatusForbidden, apperr.Forbidden)
	}
}

func TestAssist_draftSummaryEstimate(t *testing.T) {
	app := testsupport.NewApp(t, nil)
	e := app.NewEstate(t, "Assist", testsupport.EstateOptions{Postcode: "SW1A 1AA"})
	coord := e.Coordinator.With(t)
	tk := newTicket(t, e, "Boiler not working", "No heating or hot water since Friday", map[string]any{"reportedByName": "Priya Shah"})
	testsupport.Comment(t, e.Coordinator, tk.ID, "Engineer booked for Tuesday", "RESIDENT")

	var d ai.DraftResult
	coord.Post(testsupport.Path("/api/v1/tickets/%s/ai/draft", tk.ID), map[string]any{"recipient": "RESIDENT", "tone": "EMPATHETIC", "purpose": "Confirm Tuesday's visit"}).
		Expect(http.StatusOK).Data(&d)
	if d.Subject == "" || !strings.Contains(d.Body, tk.Number) && !strings.Contains(d.Subject, tk.Number) || d.Provider != "builtin" {
		t.Fatalf("draft: %+v", d)
	}
	coord.Post(testsupport.Path("/api/v1/tickets/%s/ai/draft", tk.ID), map[string]any{"recipient": "NEIGHBOUR", "tone": "SHOUTY"}).
		ExpectFailure(http.StatusUnprocessableEntity, apperr.Invalid, "recipient", "tone")

	var sm ai.SummaryResult
	coord.Post(testsupport.Path("/api/v1/tickets/%s/ai/summary", tk.ID), nil).Expect(http.StatusOK).Data(&sm)
	if sm.Summary == "" {
		t.Fatal("empty summary")
	}
	// Untriaged (OTHER), the ticket is priced as a general call-out; once classified, in the
	// trade the suggestion names.
	var est ai.EstimateResult
	coord.Post(testsupport.Path("/api/v1/tickets/%s/ai/estimate", tk.ID), nil).Expect(http.StatusOK).Data(&est)
	if !strings.Contains(est.Reasoning, "OTHER") {
		t.Fatalf("untriaged estimate: %s", est.Reasoning)
	}
	classify(t, e.Coordinator, tk.ID)
	coord.Post(testsupport.Path("/api/v1/tickets/%s/ai/estimate", tk.ID), nil).Expect(http.StatusOK).Data(&est)
	if strings.Contains(est.Reasoning, "OTHER") || !strings.Contains(strings.ToLower(est.Reasoning), "boiler") {
		t.Fatalf("estimate after classification: %s", est.Reasoning)
	}
	if est.Region != "LONDON" || est.LowPence <= 0 || est.LowPence > est.LikelyPence || est.LikelyPence > est.HighPence {
		t.Fatalf("estimate: %+v", est)
	}
	var north ai.EstimateResult
	coord.Post(testsupport.Path("/api/v1/tickets/%s/ai/estimate", tk.ID), map[string]any{"region": "NORTH_EAST"}).Expect(http.StatusOK).Data(&north)
	if north.LikelyPence >= est.LikelyPence {
		t.Fatalf("North East (%d) not cheaper than London (%d)", north.LikelyPence, est.LikelyPence)
	}
	e.Tenant.With(t).Post(testsupport.Path("/api/v1/tickets/%s/ai/draft", tk.ID), map[string]any{"recipient": "RESIDENT"}).ExpectFailure(http.StatusForbidden, apperr.Forbidden)

	audit := testsupport.All[ai.AuditEntry](t, e.Admin, "/api/v1/ai/decisions")
	caps := map[string]int{}
	for _, a := range audit {
		caps[a.Capability]++
		if a.InputHash == "" || a.Provider != "builtin" || a.RequestedBy == nil || len(a.Result) == 0 {
			t.Fatalf("audit row %+v", a)
		}
	}
	if caps["draft"] != 1 || caps["summarise"] != 1 || caps["estimate"] != 3 || caps["classify"] != 1 {
		t.Fatalf("audited calls %v", caps)
	}
}

// Settings and prompts are the ADMIN's; usage sums the month.
func TestSettingsPromptsUsage(t *testing.T) {
	app := testsupport.NewApp(t, nil)
	e := app.NewEstate(t, "Prompts", testsupport.EstateOptions{})
	admin := e.Admin.With(t)

	e.Coordinator.With(t).Patch("/api/v1/ai/settings", map[string]any{"autoApply": true}).ExpectFailure(http.StatusForbidden, apperr.Forbidden)
	admin.Patch("/api/v1/ai/settings", map[string]any{"provider": "skynet", "autoApplyConfidence": 2}).
		ExpectFailure(http.StatusUnprocessableEntity, apperr.Invalid, "provider", "autoApplyConfidence")

	var p ai.Prompt
	admin.Get("/api/v1/ai/prompts/classify").Expect(http.StatusOK).Data(&p)
	if p.Custom || p.Version != "v1" || p.Text == "" || p.Text != p.Default || len(p.History) != 0 {
		t.Fatalf("default prompt: %+v", p)
	}
	admin.Get("/api/v1/ai/prompts/astrology").ExpectFailure(http.StatusUnprocessableEntity, apperr.Invalid, "capability")
	e.Coordinator.With(t).Get("/api/v1/ai/prompts/classify").ExpectFailure(http.StatusForbidden, apperr.Forbidden)
	admin.Do(http.MethodPut, "/api/v1/ai/prompts/classify", map[string]any{"text": "Hello {{.Secret}}"}).
		ExpectFailure(http.StatusUnprocessableEntity, apperr.Invalid, "text")
	admin.Do(http.MethodPut, "/api/v1/ai/prompts/classify", map[string]any{"text": "You sort repairs for {{.OrgName}}."}).Expect(http.StatusOK).Data(&p)
	if !p.Custom || p.Version != "org-1" || p.Text != "You sort repairs for {{.OrgName}}." || len(p.History) != 1 {
		t.Fatalf("saved prompt: %+v", p)
	}
	admin.Do(http.MethodPut, "/api/v1/ai/prompts/classify", map[string]any{"text": nil}).Expect(http.StatusOK).Data(&p)
	if p.Custom || p.Version != "v1" || len(p.History) != 2 || p.History[0].Text != nil {
		t.Fatalf("back to the default: %+v", p)
	}

	tk := newTicket(t, e, "Fleas", "Fleas in the carpets", nil)
	classify(t, e.Coordinator, tk.ID)
	classify(t, e.Coordinator, tk.ID)
	var u ai.Usage
	admin.Get("/api/v1/ai/usage").Expect(http.StatusOK).Data(&u)
	if u.Calls != 2 || u.TokensIn != 0 || u.CostPence != 0 || u.Month != time.Now().UTC().Format("2006-01") || len(u.ByCapability) != 1 {
		t.Fatalf("usage: %+v", u)
	}
	admin.Get("/api/v1/ai/usage?month=2026-13").ExpectFailure(http.StatusUnprocessableEntity, apperr.Invalid, "month")
	admin.Get("/api/v1/ai/usage?month=2020-01").Expect(http.StatusOK).Data(&u)
	if u.Calls != 0 {
		t.Fatalf("January 2020 usage: %+v", u)
	}
}

// The assistant's labels are the tickets': a category or priority one knows and the
// other refuses would be a suggestion nobody can accept.
func TestLabelsMatchTickets(t *testing.T) {
	if !slices.Equal(schema.Categories, tickets.Categories) || !slices.Equal(schema.Priorities, tickets.Priorities) {
		t.Fatalf("schema %v %v, tickets %v %v", schema.Categories, schema.Priorities, tickets.Categories, tickets.Priorities)
	}
}
