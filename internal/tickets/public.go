package tickets

import (
	"context"
	"errors"
	"strings"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/maintainuk/maintainuk/internal/access"
	"github.com/maintainuk/maintainuk/internal/apperr"
	"github.com/maintainuk/maintainuk/internal/database"
	"github.com/maintainuk/maintainuk/internal/tickets/ticketsdb"
	"github.com/maintainuk/maintainuk/internal/validate"
)

// PublicReport is a repair report from a resident without an account, sent through the
// organisation's public form. They give a unit reference (as on their tenancy paperwork)
// or an address, and an email address, a phone number, or both.
type PublicReport struct {
	Name          string
	Email         string
	Phone         string
	UnitReference string
	Address       string
	Title         string
	Description   string
	Category      string
	Priority      string
}

// Receipt is what the resident is told: their ticket number to quote.
type Receipt struct {
	TicketID     uuid.UUID `json:"ticketId"`
	TicketNumber string    `json:"ticketNumber" example:"MT-000042"`
	Matched      bool      `json:"matchedUnit" doc:"Whether the unit reference matched a home we manage."`
}

// ReportPublic creates a NEW ticket in the organisation named by slug, matched to a unit
// when the reference matches one, otherwise unmatched for a coordinator to link. attach
// runs inside the same transaction (to record photos). clientIP is rate-limited.
func (s *Service) ReportPublic(ctx context.Context, slug, clientIP string, in PublicReport,
	attach func(ctx context.Context, tx pgx.Tx, actor access.Actor, ticketID uuid.UUID) error) (*Receipt, error) {
	slug = strings.ToLower(strings.TrimSpace(slug)) // slugs are lower case; a printed address may not be
	if ok, retry := s.publicByIP.Allow(clientIP); !ok {
		return nil, &apperr.Error{Code: apperr.RateLimited, Message: "too many reports from your connection; try again later or phone us", RetryAfter: retry}
	}
	var f apperr.Fields
	v := validateContent(&f, in.Category, in.Priority, in.Title, in.Description)
	var contact apperr.Fields
	validateContact(&contact, &v, in.Name, in.Phone, in.Email)
	// Errors name the form's fields (name, phone, email), not the ticket's reportedBy… ones.
	for _, e := range contact {
		f.Add(strings.ToLower(strings.TrimPrefix(e.Field, "reportedBy")), e.Message)
	}
	if strings.TrimSpace(in.Name) == "" {
		f.Add("name", "is required")
	}
	if strings.TrimSpace(in.Email) == "" && strings.TrimSpace(in.Phone) == "" {
		f.Add("email", "give an email address or a phone number so we can reach you")
	}
	ref := strings.ToUpper(strings.TrimSpace(in.UnitReference))
	address, err := validate.LongText(in.Address, 0, 500)
	if err != nil {
		f.Add("address", err.Error())
	}
	if ref == "" && address == "" {
		f.Add("unitReference", "give your unit reference or your address")
	}
	if len(ref) > 31 {
		f.Add("unitReference", "must be at most 31 characters")
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	v.address = address

	var out Receipt
	err = s.db.InTx(ctx, database.Scope{OrgSlug: slug}, func(tx pgx.Tx) error {
		orgID, err := s.q.OrgIDBySlug(ctx, tx, slug)
		if errors.Is(err, pgx.ErrNoRows) {
			return apperr.NotFoundf("organisation")
		}
		if err != nil {
			return err
		}
		if err := database.Rescope(ctx, tx, database.Scope{OrgID: orgID}); err != nil {
			return err
		}
		actor := access.Actor{OrgID: orgID} // a system actor: no user
		var unitID, propertyID *uuid.UUID
		if ref != "" {
			unit, err := s.q.UnitByReference(ctx, tx, ticketsdb.UnitByReferenceParams{OrgID: orgID, Reference: ref})
			switch {
			case err == nil:
				unitID, propertyID = &unit.ID, &unit.PropertyID
			case !errors.Is(err, pgx.ErrNoRows):
				return err
			}
		}
		if unitID == nil && v.address == "" {
			v.address = "Unit reference given: " + ref
		}
		t, err := s.insert(ctx, tx, actor, v, SourcePublicForm, unitID, propertyID, nil, nil)
		if err != nil {
			return err
		}
		out = Receipt{TicketID: t.ID, TicketNumber: t.Number, Matched: unitID != nil}
		if attach != nil {
			return attach(ctx, tx, actor, t.ID)
		}
		return nil
	})
	return &out, err
}
