package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/maintainuk/maintainuk/internal/access"
	"github.com/maintainuk/maintainuk/internal/apperr"
	"github.com/maintainuk/maintainuk/internal/invoices"
	"github.com/maintainuk/maintainuk/internal/messaging"
	"github.com/maintainuk/maintainuk/internal/money"
	"github.com/maintainuk/maintainuk/internal/page"
	"github.com/maintainuk/maintainuk/internal/quotes"
	"github.com/maintainuk/maintainuk/internal/tickets"
	"github.com/maintainuk/maintainuk/internal/workorders"
)

// demoActors are the demo users as the services see them once logged in.
type demoActors struct {
	admin, coordinator, contractor, tenant access.Actor
}

// seedActivity gives the demo organisation something to look at: a ticket in every
// status, work orders in several states, two quotes awaiting approval, an invoice
// awaiting approval and a paid one, and comments; each step goes through the services,
// so the timeline and the mailbox fill as they would in real use. It does nothing when
// the organisation already has tickets, and reports whether it created any.
func seedActivity(ctx context.Context, s Services) (bool, error) {
	if s.Tickets == nil || s.WorkOrders == nil || s.Quotes == nil || s.Invoices == nil {
		return false, nil // a caller that seeds only the organisation
	}
	a, err := logInAll(ctx, s)
	if err != nil {
		return false, err
	}
	existing, err := s.Tickets.List(ctx, a.admin, tickets.Filter{}, page.Request{Limit: 1})
	if err != nil {
		return false, fmt.Errorf("demo: listing tickets: %w", err)
	}
	if len(existing.Items) > 0 {
		return false, nil
	}
	units, err := unitsByReference(ctx, s, a.admin)
	if err != nil {
		return false, err
	}
	d := &activity{ctx: ctx, s: s, a: a, units: units, today: time.Now().UTC()}
	d.run()
	return true, d.err
}

func logInAll(ctx context.Context, s Services) (demoActors, error) {
	var out demoActors
	targets := map[access.Role]*access.Actor{access.Admin: &out.admin, access.Coordinator: &out.coordinator,
		access.Contractor: &out.contractor, access.Tenant: &out.tenant}
	for _, l := range Logins {
		sess, err := s.Identity.Login(ctx, l.Email, Password, "seed-demo")
		if err != nil {
			return out, fmt.Errorf("demo: log in %s: %w", l.Email, err)
		}
		actor, err := s.Identity.Authenticate(ctx, sess.AccessToken)
		if err != nil {
			return out, fmt.Errorf("demo: authenticate %s: %w", l.Email, err)
		}
		*targets[l.Role] = actor
	}
	return out, nil
}

func unitsByReference(ctx context.Context, s Services, admin access.Actor) (map[string]uuid.UUID, error) {
	out := map[string]uuid.UUID{}
	props, err := s.Estate.ListProperties(ctx, admin, "", page.Request{Limit: 100})
	if err != nil {
		return nil, fmt.Errorf("demo: listing properties: %w", err)
	}
	for _, p := range props.Items {
		units, err := s.Estate.ListUnits(ctx, admin, p.ID, page.Request{Limit: 100})
		if err != nil {
			return nil, fmt.Errorf("demo: listing units: %w", err)
		}
		for _, u := range units.Items {
			out[u.Reference] = u.ID
		}
	}
	return out, nil
}

// activity runs the demo's steps, stopping at the first error (kept in err).
type activity struct {
	s     Services
	a     demoActors
	ctx   context.Context
	units map[string]uuid.UUID
	today time.Time
	err   error
}

func (d *activity) step(what string, f func() error) {
	if d.err != nil {
		return
	}
	if err := f(); err != nil {
		var details []apperr.FieldError
		if e, ok := err.(*apperr.Error); ok {
			details = e.Fields
		}
		d.err = fmt.Errorf("demo: %s: %w %v", what, err, details)
	}
}

func (d *activity) ticket(actor access.Actor, unitRef string, in tickets.CreateInput) uuid.UUID {
	var id uuid.UUID
	d.step("ticket "+in.Title, func() error {
		unit, ok := d.units[unitRef]
		if !ok {
			return fmt.Errorf("no unit %s", unitRef)
		}
		in.UnitID = unit
		t, err := d.s.Tickets.Create(d.ctx, actor, in)
		if err == nil {
			id = t.ID
		}
		return err
	})
	return id
}

func (d *activity) workOrder(ticketID uuid.UUID, description string) uuid.UUID {
	var id uuid.UUID
	d.step("work order "+description, func() error {
		wo, err := d.s.WorkOrders.Raise(d.ctx, d.a.coordinator, workorders.RaiseInput{TicketID: ticketID, ContractorID: d.a.contractor.ContractorID, Description: description})
		if err == nil {
			id = wo.ID
		}
		return err
	})
	return id
}

func (d *activity) act(actor access.Actor, workOrderID uuid.UUID, in workorders.TransitionInput) {
	d.step("work order "+string(in.Action), func() error {
		_, err := d.s.WorkOrders.Transition(d.ctx, actor, workOrderID, in)
		return err
	})
}

func (d *activity) comment(actor access.Actor, ticketID uuid.UUID, visibility, body string) {
	d.step("comment", func() error {
		_, err := d.s.Tickets.AddComment(d.ctx, actor, ticketID, tickets.CommentInput{Body: body, Visibility: visibility})
		return err
	})
}

func (d *activity) status(ticketID uuid.UUID, to tickets.Status, reason string) {
	d.step("ticket "+string(to), func() error {
		_, err := d.s.Tickets.Transition(d.ctx, d.a.coordinator, ticketID, to, reason)
		return err
	})
}

func (d *activity) run() {
	c := d.ctx
	a := d.a
	at := func(days, hour int) *time.Time {
		t := time.Date(d.today.Year(), d.today.Month(), d.today.Day()+days, hour, 0, 0, 0, time.UTC)
		return &t
	}
	validUntil := d.today.AddDate(0, 1, 0).Format(time.DateOnly)

	// NEW: the tenant's own report, waiting for triage.
	tap := d.ticket(a.tenant, "RH-1", tickets.CreateInput{Category: "PLUMBING", Title: "Kitchen tap drips constantly",
		Description: "The cold tap in the kitchen drips even when turned off hard. Started last week."})
	d.comment(a.tenant, tap, "RESIDENT", "I'm in most afternoons if someone needs to look at it.")
	if d.s.Messaging != nil {
		// The resident agreed to texts; the coordinator texts them about their report (with
		// the dev provider it stays in the database: /dev/mailbox and the ticket's messages).
		d.step("consent to texts", func() error {
			_, _, err := d.s.Messaging.Grant(c, a.tenant, messaging.ConsentChange{Channel: "SMS", Phone: "07400 100200", Preferred: true, Source: messaging.SourceWeb},
				messaging.RequestMeta{IP: "127.0.0.1", UserAgent: "maintainuk seed-demo"})
			return err
		})
		d.step("text the resident", func() error {
			_, err := d.s.Messaging.Send(c, a.coordinator, tap, messaging.SendInput{Channel: "SMS",
				Body: "Hello Taylor, thanks for reporting the dripping tap. A plumber will be in touch this week to arrange a visit."})
			return err
		})
	}

	// TRIAGED: phoned in, categorised, waiting for a contractor.
	light := d.ticket(a.coordinator, "AC-2", tickets.CreateInput{Category: "ELECTRICAL", Title: "Hallway light flickers",
		Description: "Communal hallway light on the first floor flickers at night.", ReportedByName: "Jordan Reid", ReportedByPhone: "0113 496 0321"})
	d.status(light, tickets.Triaged, "")

	// IN_PROGRESS, work order ACCEPTED, quote awaiting approval.
	boiler := d.ticket(a.coordinator, "RH-3", tickets.CreateInput{Category: "HVAC", Priority: "URGENT", Title: "Boiler shows fault code F28",
		Description: "No heating or hot water since this morning; the boiler shows F28.", ReportedByName: "Priya Shah", ReportedByPhone: "0161 496 0789"})
	boilerWO := d.workOrder(boiler, "Diagnose F28 fault and restore heating and hot water.")
	d.act(a.contractor, boilerWO, workorders.TransitionInput{Action: workorders.Accept})
	d.submitQuote(boilerWO, validUntil, "Gas valve likely faulty; price includes part and fitting.",
		money.LineInput{Description: "Replacement gas valve", Quantity: 1, UnitPricePence: 18500},
		money.LineInput{Description: "Labour (hours)", Quantity: 2, UnitPricePence: 6500})

	// IN_PROGRESS, work order SCHEDULED, quote awaiting approval.
	leak := d.ticket(a.coordinator, "AC-4", tickets.CreateInput{Category: "PLUMBING", Title: "Leak under bathroom sink",
		Description: "Water pooling in the cabinet under the bathroom sink.", ReportedByName: "Sam Green"})
	leakWO := d.workOrder(leak, "Find and fix the leak under the bathroom sink.")
	d.act(a.contractor, leakWO, workorders.TransitionInput{Action: workorders.Accept})
	d.act(a.contractor, leakWO, workorders.TransitionInput{Action: workorders.Schedule, ScheduledFor: at(2, 9)})
	d.submitQuote(leakWO, validUntil, "Replace the waste trap and reseal.",
		money.LineInput{Description: "Waste trap and seals", Quantity: 1, UnitPricePence: 2400},
		money.LineInput{Description: "Labour (hours)", Quantity: 1, UnitPricePence: 6500})

	// IN_PROGRESS, work order ASSIGNED: waiting for the contractor to accept.
	radiator := d.ticket(a.coordinator, "IC-1", tickets.CreateInput{Category: "HVAC", Title: "Radiator in lounge stays cold",
		Description: "The lounge radiator is cold at the top while the others are hot."})
	d.workOrder(radiator, "Bleed or balance the lounge radiator.")

	// RESOLVED: work completed, invoice awaiting approval.
	drain := d.ticket(a.coordinator, "RH-2", tickets.CreateInput{Category: "PLUMBING", Title: "Shower drains slowly",
		Description: "Shower tray takes ten minutes to drain."})
	drainWO := d.workOrder(drain, "Clear the shower drain.")
	d.act(a.contractor, drainWO, workorders.TransitionInput{Action: workorders.Accept})
	d.act(a.contractor, drainWO, workorders.TransitionInput{Action: workorders.Schedule, ScheduledFor: at(0, 23)})
	d.act(a.contractor, drainWO, workorders.TransitionInput{Action: workorders.Start})
	d.act(a.contractor, drainWO, workorders.TransitionInput{Action: workorders.Complete, Notes: "Hair blockage cleared; drain runs freely."})
	d.submitInvoice(drainWO, "SP-1041", money.LineInput{Description: "Drain clearance", Quantity: 1, UnitPricePence: 8500})

	// CLOSED: completed, invoiced, approved, paid.
	toilet := d.ticket(a.coordinator, "AC-1", tickets.CreateInput{Category: "PLUMBING", Title: "Toilet cistern keeps running",
		Description: "Cistern refills constantly."})
	toiletWO := d.workOrder(toilet, "Replace the cistern fill valve.")
	d.act(a.contractor, toiletWO, workorders.TransitionInput{Action: workorders.Accept})
	d.act(a.contractor, toiletWO, workorders.TransitionInput{Action: workorders.Schedule, ScheduledFor: at(0, 23)})
	d.act(a.contractor, toiletWO, workorders.TransitionInput{Action: workorders.Start})
	d.act(a.contractor, toiletWO, workorders.TransitionInput{Action: workorders.Complete, Notes: "Fill valve replaced."})
	invoice := d.submitInvoice(toiletWO, "SP-1038", money.LineInput{Description: "Fill valve, supplied and fitted", Quantity: 1, UnitPricePence: 9500})
	d.step("approve invoice", func() error {
		_, err := d.s.Invoices.Approve(c, a.admin, invoice)
		return err
	})
	d.step("pay invoice", func() error {
		_, err := d.s.Invoices.MarkPaid(c, a.coordinator, invoice, "BACS 2026-0412")
		return err
	})
	d.status(toilet, tickets.Closed, "")

	// CANCELLED: a duplicate report.
	dup := d.ticket(a.coordinator, "RH-1", tickets.CreateInput{Category: "PLUMBING", Title: "Dripping tap in flat 1",
		Description: "Reported again by phone."})
	d.status(dup, tickets.Cancelled, "Duplicate of the resident's own report.")
}

func (d *activity) submitQuote(workOrderID uuid.UUID, validUntil, notes string, lines ...money.LineInput) {
	d.step("quote", func() error {
		_, err := d.s.Quotes.Submit(d.ctx, d.a.contractor, workOrderID, quotes.SubmitInput{Lines: lines, ValidUntil: validUntil, Notes: notes})
		return err
	})
}

func (d *activity) submitInvoice(workOrderID uuid.UUID, reference string, lines ...money.LineInput) uuid.UUID {
	var id uuid.UUID
	d.step("invoice "+reference, func() error {
		inv, err := d.s.Invoices.Submit(d.ctx, d.a.contractor, workOrderID, invoices.SubmitInput{Reference: reference, Lines: lines})
		if err == nil {
			id = inv.ID
		}
		return err
	})
	return id
}
