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
	"github.com/maintainuk/maintainuk/internal/tickets/ticketsdb"
	"github.com/maintainuk/maintainuk/internal/validate"
)

// PublicReport is a repair report from a resident without an account, sent through the
// organisation's public form. They give a unit reference (as on their tenancy paperwork)
// or an address, and an email address, a phone number, or both. Photos is how many photos
// come with it (attach stores them).
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
	Photos        int
}

// Receipt is what the resident is told: their ticket number to quote. It does not say
// whether the unit reference matched a home (that would let anyone probe references).
type Receipt struct {
	TicketID     uuid.UUID `json:"ticketId"`
	TicketNumber string    `json:"ticketNumber" example:"MT-000042"`
}

// PublicOrg is an organisation whose public form has admitted a request (AdmitPublic):
// only AdmitPublic makes one, so a report cannot skip the admission checks.
type PublicOrg struct {
	id uuid.UUID
	// photosFull is set when the organisation's public uploads for today are used up.
	photosFull bool
}

// PhotosFull reports whether the organisation's public form takes no more photos today.
func (o PublicOrg) PhotosFull() bool { return o.photosFull }

// MetricPublicUploads is the usage meter of photos stored through the public form, per
// organisation and UTC day.
const MetricPublicUploads = "public_uploads"

// AdmitPublic is checked before any of a public report's body is read: clientIP is within
// its hourly limit (429 with Retry-After) and slug names an organisation (404). It also
// tells whether the organisation's photo cap for the day is used up.
func (s *Service) AdmitPublic(ctx context.Context, slug, clientIP string) (PublicOrg, error) {
	slug = strings.ToLower(strings.TrimSpace(slug)) // slugs are lower case; a printed address may not be
	if ok, retry := s.publicByIP.Allow(clientIP); !ok {
		return PublicOrg{}, &apperr.Error{Code: apperr.RateLimited, Message: "too many reports from your connection; try again later or phone us", RetryAfter: retry}
	}
	if !SlugShape(slug) {
		return PublicOrg{}, apperr.NotFoundf("organisation") // no organisation has it: no need to ask the database
	}
	var out PublicOrg
	err := s.db.InTx(ctx, database.Scope{OrgSlug: slug}, func(tx pgx.Tx) error {
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
		used, err := s.q.PublicUploadsOn(ctx, tx, ticketsdb.PublicUploadsOnParams{OrgID: orgID, Day: s.uploadDay()})
		if err != nil {
			return err
		}
		out = PublicOrg{id: orgID, photosFull: used >= int64(s.publicUploadsPerDay)}
		return nil
	})
	return out, err
}

// SlugShape reports whether slug could be an organisation's: lower-case letters, digits
// and hyphens (identity.Slugify), at most 60 characters. This runs before the request's
// own validation, so odd input (a NUL byte, say) must never reach the database.
func SlugShape(slug string) bool {
	if slug == "" || len(slug) > 60 {
		return false
	}
	for _, r := range slug {
		if (r < 'a' || r > 'z') && (r < '0' || r > '9') && r != '-' {
			return false
		}
	}
	return true
}

// uploadDay is the UTC day public uploads count against.
func (s *Service) uploadDay() time.Time {
	return s.now().UTC().Truncate(24 * time.Hour)
}

// PhotosRefused is the answer once the organisation's public uploads for the day are used
// up: 429 until the next UTC day.
func (s *Service) PhotosRefused() error {
	day := s.uploadDay()
	return &apperr.Error{Code: apperr.RateLimited, RetryAfter: day.Add(24 * time.Hour).Sub(s.now()),
		Message: "this form cannot take more photos today; send your report without photos, or try again tomorrow"}
}

// ReportPublic creates a NEW ticket in the organisation the form admitted, matched to a
// unit when the reference matches one, otherwise unmatched for a coordinator to link.
// attach runs inside the same transaction (to record photos), after the photos have been
// counted against the organisation's daily cap (PUBLIC_UPLOADS_PER_ORG_PER_DAY).
func (s *Service) ReportPublic(ctx context.Context, org PublicOrg, in PublicReport,
	attach func(ctx context.Context, tx pgx.Tx, actor access.Actor, ticketID uuid.UUID) error) (*Receipt, error) {
	if org.id == uuid.Nil {
		return nil, errors.New("tickets: public report without admission")
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
	err = s.db.InTx(ctx, database.Scope{OrgID: org.id}, func(tx pgx.Tx) error {
		orgID := org.id
		if in.Photos > 0 {
			total, err := s.q.AddPublicUploads(ctx, tx, ticketsdb.AddPublicUploadsParams{OrgID: orgID, Day: s.uploadDay(), Photos: int64(in.Photos)})
			if err != nil {
				return err
			}
			if total > int64(s.publicUploadsPerDay) {
				return s.PhotosRefused()
			}
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
		t, err := s.insert(ctx, tx, actor, v, SourcePublicForm, unitID, propertyID, nil, nil, true)
		if err != nil {
			return err
		}
		out = Receipt{TicketID: t.ID, TicketNumber: t.Number}
		if attach != nil {
			return attach(ctx, tx, actor, t.ID)
		}
		return nil
	})
	return &out, err
}
