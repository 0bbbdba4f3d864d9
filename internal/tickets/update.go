package tickets

import (
	"context"
	"errors"
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/maintainuk/maintainuk/internal/access"
	"github.com/maintainuk/maintainuk/internal/apperr"
	"github.com/maintainuk/maintainuk/internal/clocks"
	"github.com/maintainuk/maintainuk/internal/database"
	"github.com/maintainuk/maintainuk/internal/events"
	"github.com/maintainuk/maintainuk/internal/orgsettings"
	"github.com/maintainuk/maintainuk/internal/tickets/ticketsdb"
	"github.com/maintainuk/maintainuk/internal/timeline"
	"github.com/maintainuk/maintainuk/internal/validate"
)

// Patch changes the fields that are set. Unassign clears the assignee; UnitID links a
// public report to the unit it concerns.
type Patch struct {
	Category       *string
	Priority       *string
	Title          *string
	Description    *string
	AssigneeUserID *uuid.UUID
	Unassign       bool
	UnitID         *uuid.UUID
}

// Check applies the rules on the patch alone (enums, the title and description), naming
// every field that breaks one; the API runs it beside schema validation.
func (p Patch) Check() error {
	var f apperr.Fields
	if p.Category != nil {
		f.OneOf("category", strings.ToUpper(*p.Category), Categories)
	}
	if p.Priority != nil {
		f.OneOf("priority", strings.ToUpper(*p.Priority), Priorities)
	}
	if p.Title != nil {
		if _, err := validate.Text(*p.Title, 1, 200); err != nil {
			f.Add("title", err.Error())
		}
	}
	if p.Description != nil {
		if _, err := validate.LongText(*p.Description, 0, 2000); err != nil {
			f.Add("description", err.Error())
		}
	}
	if p.Unassign && p.AssigneeUserID != nil {
		f.Add("unassign", "cannot be combined with assigneeUserId")
	}
	return f.Err()
}

// Update applies a patch (staff only). A priority change recomputes the SLA due time from
// when the ticket was reported.
func (s *Service) Update(ctx context.Context, actor access.Actor, id uuid.UUID, p Patch) (*Ticket, error) {
	if err := actor.RequireStaff(); err != nil {
		return nil, err
	}
	var out Ticket
	err := s.db.InOrg(ctx, actor.OrgID, actor.UserID, func(tx pgx.Tx) error {
		row, err := s.q.GetTicketForUpdate(ctx, tx, ticketsdb.GetTicketForUpdateParams{OrgID: actor.OrgID, ID: id})
		if err != nil {
			return notFound(err)
		}
		before := fromRow(ticketRow(row), s.now())
		if !before.Status.Open() && before.Status != Resolved {
			return apperr.New(apperr.Conflict, "%s ticket cannot be changed", apperr.A(string(before.Status)))
		}
		if err := p.Check(); err != nil {
			return err
		}
		upd := ticketsdb.UpdateTicketParams{OrgID: actor.OrgID, ID: id, Category: row.Category, Priority: row.Priority,
			Title: row.Title, Description: row.Description, AssigneeUserID: row.AssigneeUserID,
			UnitID: row.UnitID, PropertyID: row.PropertyID, SlaDueAt: row.SlaDueAt}
		if p.Category != nil {
			upd.Category = strings.ToUpper(*p.Category)
		}
		if p.Priority != nil {
			upd.Priority = strings.ToUpper(*p.Priority)
		}
		if p.Title != nil {
			upd.Title, _ = validate.Text(*p.Title, 1, 200)
		}
		if p.Description != nil {
			upd.Description, _ = validate.LongText(*p.Description, 0, 2000)
		}
		if p.AssigneeUserID != nil {
			if err := s.checkAssignee(ctx, tx, actor.OrgID, p.AssigneeUserID); err != nil {
				return err
			}
			upd.AssigneeUserID = p.AssigneeUserID
		}
		if p.Unassign {
			upd.AssigneeUserID = nil
		}
		if p.UnitID != nil {
			propertyID, err := s.q.GetUnitProperty(ctx, tx, ticketsdb.GetUnitPropertyParams{OrgID: actor.OrgID, ID: *p.UnitID})
			if errors.Is(err, pgx.ErrNoRows) {
				var f apperr.Fields
				f.Add("unitId", "no such unit in this organisation")
				return f.Err()
			}
			if err != nil {
				return err
			}
			upd.UnitID, upd.PropertyID = p.UnitID, &propertyID
		}
		if upd.Category == row.Category && upd.Priority == row.Priority && upd.Title == row.Title && upd.Description == row.Description &&
			sameUUID(upd.AssigneeUserID, row.AssigneeUserID) && sameUUID(upd.UnitID, row.UnitID) {
			out = before // nothing changed: no write, no audit noise
			return nil
		}
		var settings *orgsettings.Settings
		if upd.Priority != row.Priority {
			st, err := orgsettings.Load(ctx, tx, actor.OrgID)
			if err != nil {
				return err
			}
			settings = &st
			upd.SlaDueAt = settings.DueAt(upd.Priority, row.CreatedAt, s.calendar)
		}
		updated, err := s.q.UpdateTicket(ctx, tx, upd)
		if err != nil {
			return err
		}
		out = fromRow(ticketRow(updated), s.now())
		if settings != nil { // a priority raised to EMERGENCY starts Awaab's clock
			if err := s.clocks.Reported(ctx, tx, actor, id, s.clockContext(*settings), out.Priority, nil, s.now().UTC()); err != nil {
				return err
			}
		}
		action := "updated"
		if !sameUUID(row.AssigneeUserID, updated.AssigneeUserID) && row.Category == updated.Category &&
			row.Priority == updated.Priority && row.Title == updated.Title && row.Description == updated.Description &&
			sameUUID(row.UnitID, updated.UnitID) {
			action = "assigned"
		}
		return timeline.Record(ctx, tx, actor, timeline.Change{EntityType: timeline.EntityTicket, EntityID: id, TicketID: &id, Action: action, Before: before, After: out})
	})
	return &out, err
}

func sameUUID(a, b *uuid.UUID) bool {
	return (a == nil && b == nil) || (a != nil && b != nil && *a == *b)
}

// Transition changes a ticket's status by hand (staff only). Illegal changes answer 409
// and change nothing, as does resolving or cancelling while a work order is live;
// cancelling and reopening need a reason.
func (s *Service) Transition(ctx context.Context, actor access.Actor, id uuid.UUID, to Status, reason string) (*Ticket, error) {
	if err := actor.RequireStaff(); err != nil {
		return nil, err
	}
	reason = strings.TrimSpace(reason)
	if utf8.RuneCountInString(reason) > 1000 {
		var f apperr.Fields
		f.Add("reason", "must be at most 1000 characters")
		return nil, f.Err()
	}
	var out Ticket
	err := s.db.InOrg(ctx, actor.OrgID, actor.UserID, func(tx pgx.Tx) error {
		row, err := s.q.GetTicketForUpdate(ctx, tx, ticketsdb.GetTicketForUpdateParams{OrgID: actor.OrgID, ID: id})
		if err != nil {
			return notFound(err)
		}
		from := Status(row.Status)
		if !CanTransition(from, to) {
			return apperr.IllegalTransition("ticket", string(from), string(to))
		}
		if needsReason(from, to) && reason == "" {
			var f apperr.Fields
			f.Add("reason", "is required to cancel or reopen a ticket")
			return f.Err()
		}
		// Resolving or cancelling a ticket with a contractor still on the job would leave
		// a live work order under a finished ticket (which FollowWorkOrders then ignores).
		if to == Resolved || to == Cancelled {
			counts, err := s.q.CountWorkOrdersByState(ctx, tx, ticketsdb.CountWorkOrdersByStateParams{OrgID: actor.OrgID, TicketID: id})
			if err != nil {
				return err
			}
			if counts.Live > 0 {
				return apperr.New(apperr.Conflict, "the ticket has work orders still open: complete or cancel them first")
			}
		}
		out, err = s.setStatus(ctx, tx, actor, row, to, reason)
		return err
	})
	return &out, err
}

// setStatus writes the new status and its timestamps and records the change.
func (s *Service) setStatus(ctx context.Context, tx pgx.Tx, actor access.Actor, row ticketsdb.GetTicketForUpdateRow, to Status, reason string) (Ticket, error) {
	now := s.now().UTC()
	resolvedAt, closedAt := row.ResolvedAt, row.ClosedAt
	switch to {
	case Resolved:
		resolvedAt = &now
	case Closed, Cancelled:
		closedAt = &now
	case InProgress:
		resolvedAt = nil // reopened
	}
	updated, err := s.q.SetTicketStatus(ctx, tx, ticketsdb.SetTicketStatusParams{OrgID: actor.OrgID, ID: row.ID, Status: string(to), ResolvedAt: resolvedAt, ClosedAt: closedAt})
	if err != nil {
		return Ticket{}, err
	}
	t := fromRow(ticketRow(updated), now)
	if to == Resolved || to == Closed || to == Cancelled {
		if err := s.clocksMilestone(ctx, tx, actor, row.ID, clocks.Resolved); err != nil {
			return t, err
		}
	}
	if err := timeline.Record(ctx, tx, actor, timeline.Change{EntityType: timeline.EntityTicket, EntityID: row.ID, TicketID: &row.ID, Action: "status_changed",
		Before: map[string]any{"status": row.Status},
		After:  map[string]any{"status": to, "reason": reason}}); err != nil {
		return t, err
	}
	ev := &events.TicketStatusChanged{TicketID: t.ID, Number: t.Number, From: row.Status, To: string(to), Reason: reason}
	return t, events.EmailAndWebhooks(ctx, s.pub, tx, actor.OrgID, ev, false)
}

// FollowWorkOrders moves a ticket along with its work orders, inside the caller's
// transaction: the first live work order puts it IN_PROGRESS (from NEW, TRIAGED, or
// RESOLVED, which reopens it); when none is live it is RESOLVED if one was completed, and
// back to TRIAGED (needing another contractor) if every one was declined or cancelled.
// reason is recorded on the timeline.
func (s *Service) FollowWorkOrders(ctx context.Context, tx pgx.Tx, actor access.Actor, ticketID uuid.UUID, reason string) error {
	row, err := s.q.GetTicketForUpdate(ctx, tx, ticketsdb.GetTicketForUpdateParams{OrgID: actor.OrgID, ID: ticketID})
	if err != nil {
		return notFound(err)
	}
	counts, err := s.q.CountWorkOrdersByState(ctx, tx, ticketsdb.CountWorkOrdersByStateParams{OrgID: actor.OrgID, TicketID: ticketID})
	if err != nil {
		return err
	}
	from := Status(row.Status)
	switch {
	case counts.Live > 0 && (from == New || from == Triaged || from == Resolved):
		_, err = s.setStatus(ctx, tx, actor, row, InProgress, reason)
	case counts.Live == 0 && counts.Completed > 0 && from == InProgress:
		_, err = s.setStatus(ctx, tx, actor, row, Resolved, reason)
	case counts.Live == 0 && counts.Completed == 0 && from == InProgress:
		_, err = s.setStatus(ctx, tx, actor, row, Triaged, reason)
	}
	return err
}

// CommentInput adds a comment. Visibility defaults to INTERNAL for staff and contractors
// and is always RESIDENT for residents. Staff may share a comment with one contractor
// company that has a live work order on the ticket; a contractor's comment belongs to its
// company.
type CommentInput struct {
	Body                   string
	Visibility             string
	SharedWithContractorID *uuid.UUID
	// EmailResident also emails the comment to the resident (staff, RESIDENT comments):
	// the reporter's address, or the reporting resident's account's.
	EmailResident bool
}

// Check applies the rule on the input alone (a body of 1 to 5000 characters); who may set
// the visibility or share the comment depends on the actor and answers after. The API
// runs it beside schema validation.
func (in CommentInput) Check() error {
	var f apperr.Fields
	if _, err := validate.LongText(in.Body, 1, 5000); err != nil {
		f.Add("body", err.Error())
	}
	return f.Err()
}

// AddComment adds a comment to a ticket the actor can see.
func (s *Service) AddComment(ctx context.Context, actor access.Actor, ticketID uuid.UUID, in CommentInput) (*Comment, error) {
	var f apperr.Fields
	if err := in.Check(); err != nil {
		f = append(f, err.(*apperr.Error).Fields...)
	}
	body, _ := validate.LongText(in.Body, 1, 5000)
	visibility := strings.ToUpper(strings.TrimSpace(in.Visibility))
	switch {
	case actor.Role == access.Tenant && visibility == "INTERNAL":
		f.Add("visibility", "residents' comments are always visible to them")
	case actor.Role == access.Tenant || visibility == "RESIDENT":
		visibility = "RESIDENT"
	case visibility == "" || visibility == "INTERNAL":
		visibility = "INTERNAL"
	default:
		f.Add("visibility", "must be INTERNAL or RESIDENT")
	}
	if in.SharedWithContractorID != nil && !actor.Role.IsStaff() {
		f.Add("sharedWithContractorId", "only staff share comments with a contractor")
	}
	if in.EmailResident && (!actor.Role.IsStaff() || visibility != "RESIDENT") {
		f.Add("emailResident", "only staff email a comment, and only one the resident may see (visibility RESIDENT)")
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	var company *uuid.UUID
	if actor.Role == access.Contractor {
		company = &actor.ContractorID
	}
	var out Comment
	err := s.db.InOrg(ctx, actor.OrgID, actor.UserID, func(tx pgx.Tx) error {
		if ok, err := s.Visible(ctx, tx, actor, ticketID); err != nil || !ok {
			return orNotFound(err)
		}
		if err := s.CheckShare(ctx, tx, actor, ticketID, in.SharedWithContractorID); err != nil {
			return err
		}
		c, err := s.q.InsertComment(ctx, tx, ticketsdb.InsertCommentParams{OrgID: actor.OrgID, TicketID: ticketID, AuthorID: &actor.UserID, Body: body,
			Visibility: visibility, ContractorID: company, SharedWithContractorID: in.SharedWithContractorID})
		if err != nil {
			return err
		}
		me, err := s.q.GetReporter(ctx, tx, actor.UserID)
		if err != nil {
			return err
		}
		out = commentFromRow(c, me.Name)
		if in.EmailResident {
			if err := s.emailResident(ctx, tx, actor, ticketID, out); err != nil {
				return err
			}
		}
		return timeline.Record(ctx, tx, actor, timeline.Change{EntityType: timeline.EntityTicket, EntityID: ticketID, TicketID: &ticketID, Action: "comment_added",
			After: map[string]any{"commentId": c.ID, "visibility": visibility, "contractorId": c.ContractorID, "sharedWithContractorId": c.SharedWithContractorID,
				"emailedResident": in.EmailResident}})
	})
	return &out, err
}

// emailResident queues the comment's email to the ticket's resident: the address given with
// the report, else the reporting member's when a resident reported it (never the staff
// member who logged a phoned-in report). A ticket with neither refuses (422).
func (s *Service) emailResident(ctx context.Context, tx pgx.Tx, actor access.Actor, ticketID uuid.UUID, c Comment) error {
	row, err := s.q.GetTicket(ctx, tx, ticketsdb.GetTicketParams{OrgID: actor.OrgID, ID: ticketID})
	if err != nil {
		return notFound(err)
	}
	to := events.Recipient{Name: row.ReportedByName, Email: row.ReportedByEmail}
	if row.Source == SourceStaff && row.ReportedByUserID != nil {
		// A report staff took keeps their own address when they typed in none: not the
		// resident's.
		me, err := s.q.GetReporter(ctx, tx, *row.ReportedByUserID)
		if err != nil {
			return err
		}
		if strings.EqualFold(me.Email, to.Email) {
			to.Email = ""
		}
	}
	if to.Email == "" && row.ReportedByUserID != nil {
		u, err := s.q.GetResidentReporter(ctx, tx, ticketsdb.GetResidentReporterParams{OrgID: actor.OrgID, UserID: *row.ReportedByUserID})
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		to = events.Recipient{Name: u.Name, Email: u.Email}
	}
	if to.Email == "" {
		var f apperr.Fields
		f.Add("emailResident", "this ticket has no email address for its resident; text them instead")
		return f.Err()
	}
	ev := &events.ResidentMessaged{TicketID: ticketID, Number: FormatNumber(row.Number), Title: row.Title, Body: c.Body, From: c.AuthorName, Resident: to}
	return s.pub.PublishEmail(ctx, tx, actor.OrgID, ev)
}

// CheckShare refuses (422) sharing with a contractor company that has no live work order
// on the ticket; nil shares with nobody.
func (s *Service) CheckShare(ctx context.Context, tx database.Querier, actor access.Actor, ticketID uuid.UUID, contractorID *uuid.UUID) error {
	if contractorID == nil {
		return nil
	}
	ok, err := s.q.ContractorCanSee(ctx, tx, ticketsdb.ContractorCanSeeParams{OrgID: actor.OrgID, TicketID: ticketID, ContractorID: *contractorID})
	if err != nil {
		return err
	}
	if !ok {
		var f apperr.Fields
		f.Add("sharedWithContractorId", "must be a contractor with a live work order on this ticket")
		return f.Err()
	}
	return nil
}

// Lock reads a ticket FOR UPDATE in the caller's transaction, for work that changes
// things under it (raising a work order).
func (s *Service) Lock(ctx context.Context, tx pgx.Tx, actor access.Actor, id uuid.UUID) (Ticket, error) {
	row, err := s.q.GetTicketForUpdate(ctx, tx, ticketsdb.GetTicketForUpdateParams{OrgID: actor.OrgID, ID: id})
	if err != nil {
		return Ticket{}, notFound(err)
	}
	return fromRow(ticketRow(row), s.now()), nil
}
