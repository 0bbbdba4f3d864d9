package tickets

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/maintainuk/maintainuk/internal/access"
	"github.com/maintainuk/maintainuk/internal/apperr"
	"github.com/maintainuk/maintainuk/internal/database"
	"github.com/maintainuk/maintainuk/internal/page"
	"github.com/maintainuk/maintainuk/internal/tickets/ticketsdb"
	"github.com/maintainuk/maintainuk/internal/timeline"
)

// Visible reports whether actor may see the ticket: staff see every ticket, a TENANT the
// ones they reported and their unit's tickets raised during their current occupancy, a
// CONTRACTOR the ones their company has a live (not declined or cancelled) work order for. Callers answer 404 when it is false, so a ticket's
// existence never leaks.
func (s *Service) Visible(ctx context.Context, tx database.Querier, actor access.Actor, ticketID uuid.UUID) (bool, error) {
	switch actor.Role {
	case access.Admin, access.Coordinator:
		return s.q.TicketExists(ctx, tx, ticketsdb.TicketExistsParams{OrgID: actor.OrgID, ID: ticketID})
	case access.Tenant:
		return s.q.TenantCanSee(ctx, tx, ticketsdb.TenantCanSeeParams{OrgID: actor.OrgID, TicketID: ticketID, UserID: actor.UserID})
	case access.Contractor:
		return s.q.ContractorCanSee(ctx, tx, ticketsdb.ContractorCanSeeParams{OrgID: actor.OrgID, TicketID: ticketID, ContractorID: actor.ContractorID})
	}
	return false, nil
}

// Comment is a note on a ticket.
type Comment struct {
	ID         uuid.UUID  `json:"id"`
	AuthorID   *uuid.UUID `json:"authorId"`
	AuthorName string     `json:"authorName"`
	Body       string     `json:"body"`
	Visibility string     `json:"visibility" enum:"INTERNAL,RESIDENT" doc:"INTERNAL: staff only (and contractors as below); RESIDENT: the resident sees it too."`
	// ContractorID is the company of a CONTRACTOR author; SharedWithContractorID the one
	// company staff shared the comment with. A contractor sees only comments with either
	// set to its own company.
	ContractorID           *uuid.UUID `json:"contractorId" doc:"The contractor company of a CONTRACTOR author; null for staff and residents."`
	SharedWithContractorID *uuid.UUID `json:"sharedWithContractorId" doc:"The contractor company staff shared this comment with; null if not shared. Contractors see only their own company's comments and those shared with them."`
	CreatedAt              time.Time  `json:"createdAt"`
}

// Detail is a ticket with what happened to it.
type Detail struct {
	Ticket
	// Hazards are the HHSRS hazards the ticket is tagged with (internal/hhsrs codes).
	Hazards  []string         `json:"hazards" doc:"HHSRS hazards the defect presents (Schedule 1 to SI 2005/3208), in the Schedule's order."`
	Comments []Comment        `json:"comments"`
	Timeline []timeline.Event `json:"timeline"`
}

// Get returns a ticket with its comments and timeline, as far as actor may see them.
func (s *Service) Get(ctx context.Context, actor access.Actor, id uuid.UUID) (*Detail, error) {
	var out Detail
	q := s.db.Reader(actor.OrgID, actor.UserID)
	if !actor.Role.IsStaff() { // staff see every ticket of their organisation: GetTicket is the check
		if ok, err := s.Visible(ctx, q, actor, id); err != nil || !ok {
			return nil, orNotFound(err)
		}
	}
	row, err := s.q.GetTicket(ctx, q, ticketsdb.GetTicketParams{OrgID: actor.OrgID, ID: id})
	if err != nil {
		return nil, notFound(err)
	}
	out.Ticket = ForViewer(fromRow(row, s.now()), actor)
	p := ticketsdb.ListCommentsParams{OrgID: actor.OrgID, TicketID: id, ResidentOnly: actor.Role == access.Tenant}
	if actor.Role == access.Contractor {
		p.ContractorID = &actor.ContractorID
	}
	comments, err := s.q.ListComments(ctx, q, p)
	if err != nil {
		return nil, err
	}
	out.Comments = make([]Comment, len(comments))
	for i, c := range comments {
		author := c.AuthorName
		if actor.Role == access.Tenant && access.Role(c.AuthorRole) == access.Tenant && (c.TicketComment.AuthorID == nil || *c.TicketComment.AuthorID != actor.UserID) {
			author = "" // another resident's name is theirs to give
		}
		out.Comments[i] = commentFromRow(c.TicketComment, author)
	}
	if out.Hazards, err = s.hazards(ctx, q, actor.OrgID, id); err != nil {
		return nil, err
	}
	events, err := timeline.ListForTicket(ctx, q, actor, id, 0, 1000, false)
	if err != nil {
		return nil, err
	}
	out.Timeline = timeline.ForViewer(events, actor)
	return &out, nil
}

func commentFromRow(c ticketsdb.TicketComment, author string) Comment {
	return Comment{ID: c.ID, AuthorID: c.AuthorID, AuthorName: author, Body: c.Body, Visibility: c.Visibility,
		ContractorID: c.ContractorID, SharedWithContractorID: c.SharedWithContractorID, CreatedAt: c.CreatedAt}
}

// ForViewer hides from a resident the contact details of whoever reported a ticket they
// did not report themselves (a co-resident, a previous tenant, a caller on the public form).
func ForViewer(t Ticket, actor access.Actor) Ticket {
	if actor.Role == access.Tenant && (t.ReportedByUserID == nil || *t.ReportedByUserID != actor.UserID) {
		t.ReportedByName, t.ReportedByPhone, t.ReportedByEmail = "", "", ""
	}
	return t
}

func orNotFound(err error) error {
	if err != nil {
		return err
	}
	return apperr.NotFoundf("ticket")
}

// Filter narrows a ticket list; empty fields do not filter.
type Filter struct {
	Status, Priority, Category string
	UnitID, PropertyID         *uuid.UUID
	AssigneeUserID             *uuid.UUID
	Overdue                    bool
	Query                      string
}

// List pages through the tickets actor may see, newest first.
func (s *Service) List(ctx context.Context, actor access.Actor, filter Filter, req page.Request) (page.Result[Ticket], error) {
	var res page.Result[Ticket]
	var f apperr.Fields
	p := ticketsdb.ListTicketsParams{OrgID: actor.OrgID, Overdue: filter.Overdue, Now: s.now(),
		UnitID: filter.UnitID, PropertyID: filter.PropertyID, AssigneeUserID: filter.AssigneeUserID}
	optionalEnum := func(field, v string, allowed []string) *string {
		if v == "" {
			return nil
		}
		f.OneOf(field, v, allowed)
		return &v
	}
	p.Status = optionalEnum("status", filter.Status, statusStrings())
	p.Priority = optionalEnum("priority", filter.Priority, Priorities)
	p.Category = optionalEnum("category", filter.Category, Categories)
	if q := strings.TrimSpace(filter.Query); q != "" {
		if utf8.RuneCountInString(q) > 200 {
			f.Add("q", "must be at most 200 characters")
		}
		p.Query = &q
	}
	limit, err := page.Limit(req)
	if err != nil {
		return res, err
	}
	after, err := page.After(req, page.EndOfTime)
	if err != nil {
		return res, err
	}
	if err := f.Err(); err != nil {
		return res, err
	}
	p.BeforeCreatedAt, p.BeforeID, p.RowLimit = after.CreatedAt, after.ID, int32(limit+1)
	switch actor.Role {
	case access.Tenant:
		p.TenantUserID = &actor.UserID
	case access.Contractor:
		p.ContractorID = &actor.ContractorID
	}
	rows, err := s.q.ListTickets(ctx, s.db.Reader(actor.OrgID, actor.UserID), p)
	if err != nil {
		return res, err
	}
	now := s.now()
	items := make([]Ticket, len(rows))
	for i, r := range rows {
		items[i] = ForViewer(fromRow(ticketRow(r), now), actor)
	}
	return page.Build(items, limit, func(t Ticket) page.Key { return page.Key{CreatedAt: t.CreatedAt, ID: t.ID} }), nil
}

func statusStrings() []string {
	out := make([]string, len(Statuses))
	for i, s := range Statuses {
		out[i] = string(s)
	}
	return out
}
