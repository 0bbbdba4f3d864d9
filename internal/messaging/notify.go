package messaging

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/maintainuk/maintainuk/internal/access"
	"github.com/maintainuk/maintainuk/internal/database"
	"github.com/maintainuk/maintainuk/internal/events"
	"github.com/maintainuk/maintainuk/internal/messaging/carrier"
	"github.com/maintainuk/maintainuk/internal/messaging/messagingdb"
	"github.com/maintainuk/maintainuk/internal/money"
	"github.com/maintainuk/maintainuk/internal/outbox"
	"github.com/maintainuk/maintainuk/internal/tickets"
	"github.com/maintainuk/maintainuk/internal/ukcalendar"
)

// NotifyWorker turns events into texts (outbox.TextsArgs): a ticket resolved and a work
// order scheduled reach the resident, a work order assigned reaches the contractor's
// people, each on their preferred channel among those they consented to.
type NotifyWorker struct {
	river.WorkerDefaults[outbox.TextsArgs]
	Service *Service
}

// Work writes and queues the texts one event calls for.
func (w *NotifyWorker) Work(ctx context.Context, job *river.Job[outbox.TextsArgs]) error {
	env, ev, err := outbox.LoadEvent(ctx, w.Service.db, job.Args.Event)
	if err != nil {
		return err
	}
	return w.Service.notify(ctx, env, ev)
}

// notification is what one event says, and to whom: a ticket's resident, or the people
// of a contractor company (named directly, or through a work order or an invoice).
type notification struct {
	// key names the notification for its WhatsApp template (WHATSAPP_TEMPLATES).
	key          string
	resident     bool
	ticketID     uuid.UUID
	workOrderID  uuid.UUID
	invoiceID    uuid.UUID
	contractorID uuid.UUID
	// detail is the third template variable (a time, a title, an amount); the text is
	// written from the organisation's name and the ticket's number (or a reference).
	detail string
	text   func(org, ref string) string
}

func (n notification) variables(org, ref string) map[string]string {
	v := map[string]string{"1": org, "2": ref}
	if n.detail != "" {
		v["3"] = n.detail
	}
	return v
}

// london is a moment as UK residents read it.
func london(t *time.Time) string {
	if t == nil {
		return "a date to be confirmed"
	}
	return t.In(ukcalendar.London).Format("Monday 2 January at 15:04")
}

// describe is the text an event calls for (events.Texted lists them), or false.
func describe(ev events.Event) (notification, bool) {
	switch e := ev.(type) {
	case *events.TicketStatusChanged:
		return notification{key: "ticket.resolved", resident: true, ticketID: e.TicketID, text: func(org, ref string) string {
			return fmt.Sprintf("%s: your repair %s has been marked as resolved. If it is not fixed, reply to this text with %s.", org, ref, ref)
		}}, e.To == string(tickets.Resolved)
	case *events.WorkOrderStatusChanged:
		when := london(e.ScheduledFor)
		return notification{key: "work_order.scheduled", resident: true, ticketID: e.TicketID, detail: when, text: func(org, ref string) string {
			return fmt.Sprintf("%s: a contractor is booked for your repair %s on %s. Reply to this text if that does not suit you.", org, ref, when)
		}}, e.To == "SCHEDULED"
	case *events.WorkOrderAssigned:
		return notification{key: "work_order.assigned", workOrderID: e.WorkOrderID, detail: e.TicketTitle, text: func(org, ref string) string {
			return fmt.Sprintf("%s: new job %s: %s. Open the job in MaintainUK to accept or decline.", org, ref, e.TicketTitle)
		}}, true
	case *events.QuoteApproved:
		total := money.Format(e.TotalPence)
		return notification{key: "quote.approved", workOrderID: e.WorkOrderID, detail: total, text: func(org, ref string) string {
			return fmt.Sprintf("%s: your quote of %s for %s is approved. Please go ahead and book the work.", org, total, ref)
		}}, true
	case *events.QuoteChaser:
		return notification{key: "quote.chaser", workOrderID: e.WorkOrderID, text: func(org, ref string) string {
			return fmt.Sprintf("%s: we are still waiting for your quote for %s. Please send it through MaintainUK.", org, ref)
		}}, true
	case *events.InvoiceApproved:
		total := money.Format(e.TotalPence)
		return notification{key: "invoice.approved", invoiceID: e.InvoiceID, detail: total, text: func(org, ref string) string {
			return fmt.Sprintf("%s: your invoice %s of %s for %s is approved for payment.", org, e.Reference, total, ref)
		}}, true
	case *events.InvoicePaid:
		total := money.Format(e.TotalPence)
		return notification{key: "invoice.paid", invoiceID: e.InvoiceID, detail: total, text: func(org, ref string) string {
			return fmt.Sprintf("%s: your invoice %s of %s for %s has been paid (payment reference %s).", org, e.Reference, total, ref, e.PaymentReference)
		}}, true
	case *events.InsuranceExpiring:
		return notification{key: "contractor.insurance_expiring", contractorID: e.ContractorID, detail: e.ExpiresOn, text: func(org, _ string) string {
			return fmt.Sprintf("%s: the insurance we hold for %s expires on %s. Please send us the renewed certificate.", org, e.Company, e.ExpiresOn)
		}}, true
	}
	return notification{}, false
}

// notify writes the texts ev calls for and queues them, in one transaction; a retried job
// finds them by their dedupe keys and writes nothing twice.
func (s *Service) notify(ctx context.Context, env events.Envelope, ev events.Event) error {
	n, ok := describe(ev)
	if !ok {
		return nil
	}
	var refused []string // channels of the texts kept BLOCKED, counted once committed
	err := s.db.InTx(ctx, database.Scope{OrgID: env.OrgID}, func(tx pgx.Tx) error {
		refused = refused[:0]
		points, t, err := s.recipients(ctx, tx, env.OrgID, n)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil // the ticket, work order or invoice is gone
		}
		if err != nil {
			return err
		}
		org, err := s.q.OrgTexting(ctx, tx, env.OrgID)
		if err != nil {
			return err
		}
		var ref string
		var ticketID *uuid.UUID
		if t != nil {
			ref, ticketID = tickets.FormatNumber(t.Number), &t.ID
		}
		for _, person := range byPerson(points) {
			cp, contentSID, why := s.choose(person, n.key)
			o := outgoing{orgID: env.OrgID, channel: carrier.Channel(cp.Channel), contact: cp, ticketID: ticketID,
				emergency: t != nil && t.Priority == "EMERGENCY", event: env.Key(), dedupeKey: fmt.Sprintf("event:%s:%s", env.ID, cp.Address),
				blocked: why}
			if contentSID != "" {
				o.contentSID, o.variables = contentSID, n.variables(org.Name, ref)
			} else {
				o.body = n.text(org.Name, ref)
			}
			msg, err := s.queue(ctx, tx, o)
			if err != nil {
				return err
			}
			if msg.Status == "BLOCKED" {
				refused = append(refused, msg.Channel)
			}
		}
		return nil
	})
	if err == nil {
		for _, c := range refused {
			s.observe(c, "BLOCKED")
		}
	}
	return err
}

// recipients are the numbers a notification goes to, and the ticket it is about (nil for
// a contractor's insurance).
func (s *Service) recipients(ctx context.Context, tx pgx.Tx, orgID uuid.UUID, n notification) ([]messagingdb.ContactPoint, *messagingdb.TicketForTextRow, error) {
	ticketID, contractorID, workOrderID := n.ticketID, n.contractorID, n.workOrderID
	if n.invoiceID != uuid.Nil {
		var err error
		if workOrderID, err = s.q.InvoiceWorkOrder(ctx, tx, messagingdb.InvoiceWorkOrderParams{OrgID: orgID, ID: n.invoiceID}); err != nil {
			return nil, nil, err
		}
	}
	if workOrderID != uuid.Nil {
		wo, err := s.q.WorkOrderRefs(ctx, tx, messagingdb.WorkOrderRefsParams{OrgID: orgID, ID: workOrderID})
		if err != nil {
			return nil, nil, err
		}
		ticketID, contractorID = wo.TicketID, wo.ContractorID
	}
	var t *messagingdb.TicketForTextRow
	if ticketID != uuid.Nil {
		row, err := s.q.TicketForText(ctx, tx, messagingdb.TicketForTextParams{OrgID: orgID, ID: ticketID})
		if err != nil {
			return nil, nil, err
		}
		t = &row
	}
	if n.resident {
		points, err := s.residentPoints(ctx, tx, orgID, *t)
		return points, t, err
	}
	points, err := s.q.ContractorTextRecipients(ctx, tx, messagingdb.ContractorTextRecipientsParams{OrgID: orgID, ContractorID: &contractorID})
	return points, t, err
}

// residentPoints are the numbers of a ticket's resident: a resident reporter's own, else
// the number given with the report, else those of the people living in the unit now (a
// report staff logged without a number).
func (s *Service) residentPoints(ctx context.Context, tx pgx.Tx, orgID uuid.UUID, t messagingdb.TicketForTextRow) ([]messagingdb.ContactPoint, error) {
	if t.ReportedByUserID != nil {
		// Only a resident's own report: staff who logged a report are not its resident.
		role, err := s.q.MemberRole(ctx, tx, messagingdb.MemberRoleParams{OrgID: orgID, UserID: *t.ReportedByUserID})
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return nil, err
		}
		if role == string(access.Tenant) {
			points, err := s.q.ContactPointsForUser(ctx, tx, messagingdb.ContactPointsForUserParams{OrgID: orgID, UserID: t.ReportedByUserID})
			if err != nil || len(points) > 0 {
				return points, err
			}
		}
	}
	if t.ReportedByPhone != "" {
		// Whoever gave their number with the report is the one to hear, even with no
		// consent on record yet (then nobody is texted), not the unit's other residents.
		return s.q.ContactPointsForAddress(ctx, tx, messagingdb.ContactPointsForAddressParams{OrgID: orgID, Address: t.ReportedByPhone})
	}
	if t.UnitID == nil {
		return nil, nil
	}
	return s.q.OccupantContactPoints(ctx, tx, messagingdb.OccupantContactPointsParams{OrgID: orgID, UnitID: *t.UnitID})
}

// byPerson groups contact points by their owner (or, without one, their number), keeping
// the order (preferred first).
func byPerson(points []messagingdb.ContactPoint) [][]messagingdb.ContactPoint {
	var keys []string
	groups := map[string][]messagingdb.ContactPoint{}
	for _, p := range points {
		k := p.Address
		if p.UserID != nil {
			k = p.UserID.String()
		}
		if _, seen := groups[k]; !seen {
			keys = append(keys, k)
		}
		groups[k] = append(groups[k], p)
	}
	out := make([][]messagingdb.ContactPoint, len(keys))
	for i, k := range keys {
		out[i] = groups[k]
	}
	return out
}

// choose picks one person's channel: their preferred one with consent first, then any
// with consent; WhatsApp outside its window only when a template is configured for the
// notification. When none may be used it returns the point to record the blocked attempt
// on and why (points is never empty: byPerson makes no empty groups).
func (s *Service) choose(points []messagingdb.ContactPoint, notification string) (cp messagingdb.ContactPoint, contentSID, blocked string) {
	var closedWindow *messagingdb.ContactPoint
	for i, p := range points {
		if !p.Granted {
			continue
		}
		if p.Channel == string(carrier.WhatsApp) && !inWindow(p, s.now()) {
			if sid := s.cfg.Templates[notification]; sid != "" {
				return p, sid, ""
			}
			closedWindow = &points[i]
			continue
		}
		return p, "", ""
	}
	if closedWindow != nil {
		return *closedWindow, "", "outside WhatsApp's 24-hour window, and no approved template is configured for " + notification +
			" (WHATSAPP_TEMPLATES); the resident has no other channel they agreed to"
	}
	return points[0], "", noConsentReason(points[0])
}
