package tickets

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/maintainuk/maintainuk/internal/access"
	"github.com/maintainuk/maintainuk/internal/apperr"
	"github.com/maintainuk/maintainuk/internal/database"
	"github.com/maintainuk/maintainuk/internal/events"
	"github.com/maintainuk/maintainuk/internal/orgsettings"
	"github.com/maintainuk/maintainuk/internal/tickets/ticketsdb"
	"github.com/maintainuk/maintainuk/internal/timeline"
	"github.com/maintainuk/maintainuk/internal/validate"
)

// CreateInput reports a repair. Category defaults to OTHER and priority to ROUTINE, for
// triage to set. The reporter's details default to the acting user's.
type CreateInput struct {
	UnitID          uuid.UUID
	Category        string
	Priority        string
	Title           string
	Description     string
	ReportedByName  string
	ReportedByPhone string
	ReportedByEmail string
	AssigneeUserID  *uuid.UUID
}

// fields holds validated ticket content shared by every way of creating a ticket.
type fields struct {
	category, priority, title, description string
	name, phone, email, address            string
}

func validateContent(f *apperr.Fields, category, priority, title, description string) fields {
	var v fields
	v.category, v.priority = orDefault(category, "OTHER"), orDefault(priority, "ROUTINE")
	f.OneOf("category", v.category, Categories)
	f.OneOf("priority", v.priority, Priorities)
	var err error
	if v.title, err = validate.Text(title, 1, 200); err != nil {
		f.Add("title", err.Error())
	}
	if v.description, err = validate.LongText(description, 0, 2000); err != nil {
		f.Add("description", err.Error())
	}
	return v
}

func validateContact(f *apperr.Fields, v *fields, name, phone, email string) {
	var err error
	if v.name, err = validate.Text(name, 0, 200); err != nil {
		f.Add("reportedByName", err.Error())
	}
	if strings.TrimSpace(phone) != "" {
		if v.phone, err = validate.Phone(phone); err != nil {
			f.Add("reportedByPhone", err.Error())
		}
	}
	if strings.TrimSpace(email) != "" {
		if v.email, err = validate.Email(email); err != nil {
			f.Add("reportedByEmail", err.Error())
		}
	}
}

// Check applies the rules on the input alone (lengths, enums, phone and email shapes),
// which Create applies first; the API runs it beside schema validation so that one answer
// lists every field error.
func (in CreateInput) Check() error {
	var f apperr.Fields
	v := validateContent(&f, in.Category, in.Priority, in.Title, in.Description)
	validateContact(&f, &v, in.ReportedByName, in.ReportedByPhone, in.ReportedByEmail)
	return f.Err()
}

func orDefault(v, def string) string {
	if v = strings.ToUpper(strings.TrimSpace(v)); v == "" {
		return def
	}
	return v
}

// Create reports a repair for a unit: staff for any unit, a TENANT only for a unit they
// occupy (without choosing an assignee, and with no reportedByEmail but their own: 422).
func (s *Service) Create(ctx context.Context, actor access.Actor, in CreateInput) (*Ticket, error) {
	if err := actor.Require(access.Admin, access.Coordinator, access.Tenant); err != nil {
		return nil, err
	}
	var f apperr.Fields
	v := validateContent(&f, in.Category, in.Priority, in.Title, in.Description)
	validateContact(&f, &v, in.ReportedByName, in.ReportedByPhone, in.ReportedByEmail)
	if actor.Role == access.Tenant && in.AssigneeUserID != nil {
		f.Add("assigneeUserId", "is set by the team handling your report")
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	source := SourceStaff
	if actor.Role == access.Tenant {
		source = SourceResident
	}
	var out Ticket
	err := s.db.InOrg(ctx, actor.OrgID, actor.UserID, func(tx pgx.Tx) error {
		propertyID, err := s.q.GetUnitProperty(ctx, tx, ticketsdb.GetUnitPropertyParams{OrgID: actor.OrgID, ID: in.UnitID})
		if errors.Is(err, pgx.ErrNoRows) {
			var f apperr.Fields
			f.Add("unitId", "no such unit in this organisation")
			return f.Err()
		}
		if err != nil {
			return err
		}
		if actor.Role == access.Tenant {
			ok, err := s.q.IsOccupant(ctx, tx, ticketsdb.IsOccupantParams{OrgID: actor.OrgID, UnitID: in.UnitID, UserID: actor.UserID})
			if err != nil {
				return err
			}
			if !ok {
				return apperr.New(apperr.Forbidden, "you can only report repairs for the home you live in")
			}
		}
		if err := s.checkAssignee(ctx, tx, actor.OrgID, in.AssigneeUserID); err != nil {
			return err
		}
		me, err := s.q.GetReporter(ctx, tx, actor.UserID)
		if err != nil {
			return err
		}
		// A resident's report is acknowledged to them: they cannot have the
		// acknowledgement sent to someone else's address.
		if actor.Role == access.Tenant && v.email != "" && !strings.EqualFold(v.email, me.Email) {
			var f apperr.Fields
			f.Add("reportedByEmail", "must be your own email address (or leave it out)")
			return f.Err()
		}
		// "We've received your repair report" goes to whoever reported the repair: the
		// resident reporting their own, or the person whose address staff typed in while
		// taking the report on the phone; never to the staff member entering it.
		acknowledge := actor.Role == access.Tenant || (v.email != "" && !strings.EqualFold(v.email, me.Email))
		v.name, v.email = orKeep(v.name, me.Name), orKeep(v.email, me.Email)
		reporter := actor.UserID
		out, err = s.insert(ctx, tx, actor, v, source, &in.UnitID, &propertyID, &reporter, in.AssigneeUserID, acknowledge)
		return err
	})
	return &out, err
}

func orKeep(v, fallback string) string {
	if v == "" {
		return fallback
	}
	return v
}

// insert allocates the next number, computes the SLA due time and records the creation;
// acknowledge emails the reporter that the report was received.
//
// Numbers are gapless, so the organisation's counter row stays locked from the number's
// allocation until the transaction ends, and every other create of the organisation
// waits for it: in a storm that wait is what limits how fast reports are taken. So all
// that can be is done before the number is taken, and what needs the number (the ticket,
// its timeline entry, its events and their jobs, its AI classification job) is sent in one pipelined round trip
// after it, then COMMIT.
func (s *Service) insert(ctx context.Context, tx pgx.Tx, actor access.Actor, v fields, source string,
	unitID, propertyID, reporter, assignee *uuid.UUID, acknowledge bool) (Ticket, error) {
	settings, err := orgsettings.Load(ctx, tx, actor.OrgID)
	if err != nil {
		return Ticket{}, err
	}
	now := s.now().UTC().Truncate(time.Microsecond) // what PostgreSQL keeps
	row := ticketsdb.InsertTicketParams{
		ID: uuid.New(), OrgID: actor.OrgID, UnitID: unitID, PropertyID: propertyID,
		Category: v.category, Priority: v.priority, Title: v.title, Description: v.description, Source: source,
		ReportedByUserID: reporter, ReportedByName: v.name, ReportedByPhone: v.phone, ReportedByEmail: v.email,
		ReportedAddress: v.address, AssigneeUserID: assignee,
		SlaDueAt: settings.DueAt(v.priority, now, s.calendar).Truncate(time.Microsecond), CreatedAt: now,
	}
	if row.Number, err = s.q.NextTicketNumber(ctx, tx, actor.OrgID); err != nil {
		return Ticket{}, err
	}
	t := fromRow(ticketRow{ID: row.ID, OrgID: row.OrgID, Number: row.Number, UnitID: row.UnitID, PropertyID: row.PropertyID,
		Category: row.Category, Priority: row.Priority, Status: string(New), Title: row.Title, Description: row.Description,
		Source: row.Source, ReportedByUserID: row.ReportedByUserID, ReportedByName: row.ReportedByName, ReportedByPhone: row.ReportedByPhone,
		ReportedByEmail: row.ReportedByEmail, ReportedAddress: row.ReportedAddress, AssigneeUserID: row.AssigneeUserID,
		SlaDueAt: row.SlaDueAt, CreatedAt: now, UpdatedAt: now}, now)
	err = database.Pipeline(ctx, tx, func(tx pgx.Tx) error {
		if err := s.q.InsertTicket(ctx, tx, row); err != nil {
			return err
		}
		if err := timeline.Record(ctx, tx, actor, timeline.Change{EntityType: timeline.EntityTicket, EntityID: t.ID, TicketID: &t.ID, Action: "created", After: t}); err != nil {
			return err
		}
		ev := &events.TicketCreated{TicketID: t.ID, Number: t.Number, Title: t.Title, Priority: t.Priority, SLADueAt: t.SLADueAt,
			Reporter: events.Recipient{Name: t.ReportedByName, Email: t.ReportedByEmail}}
		if err := events.EmailAndWebhooks(ctx, s.pub, tx, actor.OrgID, ev, acknowledge && t.ReportedByEmail != ""); err != nil {
			return err
		}
		return s.pub.PublishClassification(ctx, tx, actor.OrgID, t.ID)
	})
	if err != nil {
		return t, err
	}
	// The legal clocks start after the pipelined writes: a clock that starts records it on
	// the timeline, which needs its insert's answer (and most reports start none).
	return t, s.clocks.Reported(ctx, tx, actor, t.ID, s.clockContext(settings), t.Priority, nil, now)
}

// checkAssignee accepts no assignee or a staff member of the organisation.
func (s *Service) checkAssignee(ctx context.Context, tx pgx.Tx, orgID uuid.UUID, assignee *uuid.UUID) error {
	if assignee == nil {
		return nil
	}
	role, err := s.q.GetMemberRole(ctx, tx, ticketsdb.GetMemberRoleParams{OrgID: orgID, UserID: *assignee})
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return err
	}
	if err != nil || !access.Role(role).IsStaff() {
		var f apperr.Fields
		f.Add("assigneeUserId", "must be an ADMIN or COORDINATOR of this organisation")
		return f.Err()
	}
	return nil
}
