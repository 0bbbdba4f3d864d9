package tickets

import (
	"context"

	"github.com/maintainuk/maintainuk/internal/access"
	"github.com/maintainuk/maintainuk/internal/page"
	"github.com/maintainuk/maintainuk/internal/tickets/ticketsdb"
)

// Dashboard is the coordinator's view of the organisation's open work.
type Dashboard struct {
	// ByStatus and ByPriority count open tickets (NEW, TRIAGED, IN_PROGRESS).
	ByStatus   map[string]int64
	ByPriority map[string]int64
	Open       int64
	// Overdue are open tickets past their response time, newest first;
	// AtRisk have used three quarters of their window.
	Overdue []Ticket
	AtRisk  []Ticket
}

// dashboardListLength is how many tickets each dashboard list shows.
const dashboardListLength = 10

// Dashboard answers the organisation's open tickets by status and priority, the overdue
// ones and those at risk of breaching (staff).
func (s *Service) Dashboard(ctx context.Context, actor access.Actor) (*Dashboard, error) {
	if err := actor.RequireStaff(); err != nil {
		return nil, err
	}
	q := s.db.Reader(actor.OrgID, actor.UserID)
	counts, err := s.q.CountOpenTickets(ctx, q, actor.OrgID)
	if err != nil {
		return nil, err
	}
	out := &Dashboard{ByStatus: map[string]int64{}, ByPriority: map[string]int64{}}
	for _, c := range counts {
		out.ByStatus[c.Status] += c.N
		out.ByPriority[c.Priority] += c.N
		out.Open += c.N
	}
	overdue, err := s.List(ctx, actor, Filter{Overdue: true}, page.Request{Limit: dashboardListLength})
	if err != nil {
		return nil, err
	}
	out.Overdue = overdue.Items
	now := s.now()
	risky, err := s.q.ListTicketsAtRisk(ctx, q, ticketsdb.ListTicketsAtRiskParams{OrgID: actor.OrgID, Now: now, Lim: dashboardListLength})
	if err != nil {
		return nil, err
	}
	for _, r := range risky {
		out.AtRisk = append(out.AtRisk, fromRow(ticketRow(r), now))
	}
	return out, nil
}
