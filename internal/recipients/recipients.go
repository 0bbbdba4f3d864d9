// Package recipients looks up, inside a publishing transaction, who an event's messages go
// to and what they need to know (staff of the organisation, a contractor company, a
// ticket's reference and address).
package recipients

import (
	"context"
	"strings"

	"github.com/google/uuid"

	"github.com/maintainuk/maintainuk/internal/access"
	"github.com/maintainuk/maintainuk/internal/database"
	"github.com/maintainuk/maintainuk/internal/events"
	"github.com/maintainuk/maintainuk/internal/recipients/recipientsdb"
	"github.com/maintainuk/maintainuk/internal/tickets"
)

var q = recipientsdb.New()

// Staff are the organisation's ADMIN and COORDINATOR members.
func Staff(ctx context.Context, tx database.Querier, orgID uuid.UUID) ([]events.Recipient, error) {
	rows, err := q.Staff(ctx, tx, recipientsdb.StaffParams{OrgID: orgID, StaffRoles: access.StaffRoleNames()})
	out := make([]events.Recipient, len(rows))
	for i, r := range rows {
		out[i] = events.Recipient{Name: r.Name, Email: r.Email}
	}
	return out, err
}

// Contractor is a contractor company's address and name.
func Contractor(ctx context.Context, tx database.Querier, orgID, id uuid.UUID) (events.Recipient, error) {
	r, err := q.Contractor(ctx, tx, recipientsdb.ContractorParams{OrgID: orgID, ID: id})
	return events.Recipient{Name: r.CompanyName, Email: r.Email}, err
}

// User is a user's name and address.
func User(ctx context.Context, tx database.Querier, id uuid.UUID) (events.Recipient, error) {
	r, err := q.User(ctx, tx, id)
	return events.Recipient{Name: r.Name, Email: r.Email}, err
}

// TicketRef is how messages name a ticket.
type TicketRef struct {
	Number  string
	Title   string
	Address string
}

// Ticket returns a ticket's number, title and address.
func Ticket(ctx context.Context, tx database.Querier, orgID, id uuid.UUID) (TicketRef, error) {
	r, err := q.Ticket(ctx, tx, recipientsdb.TicketParams{OrgID: orgID, ID: id})
	if err != nil {
		return TicketRef{}, err
	}
	var parts []string
	for _, p := range []string{r.UnitLabel, r.AddressLine1, r.Town, r.Postcode} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	address := strings.Join(parts, ", ")
	if address == "" {
		address = r.ReportedAddress
	}
	return TicketRef{Number: tickets.FormatNumber(r.Number), Title: r.Title, Address: address}, nil
}
