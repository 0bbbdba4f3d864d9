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
	"github.com/maintainuk/maintainuk/internal/outbox"
	"github.com/maintainuk/maintainuk/internal/tickets"
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

// notification is what one event says, and to whom.
type notification struct {
	// key names the notification for its WhatsApp template (WHATSAPP_TEMPLATES).
	key      string
	ticketID uuid.UUID
	resident bool // to the ticket's resident
	// workOrderID: or to the people of the contractor company the work order went to.
	workOrderID uuid.UUID
	body        func(org, number string) string
	variables   func(org, number string) map[string]string
}

func describe(ev events.Event) (notification, bool) {
	london := func(t *time.Time) string {
		if t == nil {
			return "a date to be confirmed"
		}
		loc, _ := time.LoadLocation("Europe/London")
		return t.In(loc).Format("Monday 2 January at 15:04")
	}
	switch e := ev.(type) {
	case *events.TicketStatusChanged:
		if e.To != string(tickets.Resolved) {
			return notification{}, false
		}
		return notification{key: "ticket.resolved", ticketID: e.TicketID, resident: true,
			body: func(org, number string) string {
				return fmt.Sprintf("%s: your repair %s has been marked as resolved. If it is not fixed, reply to this text with %s.", org, number, number)
			},
			variables: func(org, number string) map[string]string { return map[string]string{"1": org, "2": number} }}, true
	case *events.WorkOrderStatusChanged:
		if e.To != "SCHEDULED" {
			return notification{}, false
		}
		when := london(e.ScheduledFor)
		return notification{key: "work_order.scheduled", ticketID: e.TicketID, resident: true,
			body: func(org, number string) string {
				return fmt.Sprintf("%s: a contractor is booked for your repair %s on %s. Reply to this text if that does not suit you.", org, number, when)
			},
			variables: func(org, number string) map[string]string { return map[string]string{"1": org, "2": number, "3": when} }}, true
	case *events.WorkOrderAssigned:
		title := e.TicketTitle
		return notification{key: "work_order.assigned", ticketID: e.TicketID, workOrderID: e.WorkOrderID,
			body: func(org, number string) string {
				return fmt.Sprintf("%s: new job %s: %s. Open the job in MaintainUK to accept or decline.", org, number, title)
			},
			variables: func(org, number string) map[string]string {
				return map[string]string{"1": org, "2": number, "3": title}
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
		t, err := s.q.TicketForText(ctx, tx, messagingdb.TicketForTextParams{OrgID: env.OrgID, ID: n.ticketID})
		if errors.Is(err, pgx.ErrNoRows) {
			return nil // the ticket is gone
		}
		if err != nil {
			return err
		}
		org, err := s.q.OrgTexting(ctx, tx, env.OrgID)
		if err != nil {
			return err
		}
		var points []messagingdb.ContactPoint
		if n.resident {
			points, err = s.residentPoints(ctx, tx, env.OrgID, t)
		} else {
			points, err = s.q.ContractorTextRecipients(ctx, tx, messagingdb.ContractorTextRecipientsParams{OrgID: env.OrgID, WorkOrderID: n.workOrderID})
		}
		if err != nil {
			return err
		}
		number := tickets.FormatNumber(t.Number)
		for _, person := range byPerson(points) {
			cp, contentSID, why := s.choose(person, n.key)
			o := outgoing{orgID: env.OrgID, channel: carrier.Channel(cp.Channel), contact: cp, ticketID: &t.ID,
				emergency: t.Priority == "EMERGENCY", event: env.Key(), dedupeKey: fmt.Sprintf("event:%s:%s", env.ID, cp.Address),
				blocked: why}
			if contentSID != "" {
				o.contentSID, o.variables = contentSID, n.variables(org.Name, number)
			} else {
				o.body = n.body(org.Name, number)
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
