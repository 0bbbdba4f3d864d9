package httpapi

import (
	"context"
	"errors"
	"math"
	"net/http"
	"strconv"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/maintainuk/maintainuk/internal/access"
	"github.com/maintainuk/maintainuk/internal/apperr"
	"github.com/maintainuk/maintainuk/internal/attachments"
	"github.com/maintainuk/maintainuk/internal/tickets"
)

// maxPublicPhotos is how many photos one public report may carry.
const maxPublicPhotos = 5

// publicTextBytes is the room a public report's text fields take in the body: all a
// report without photos may send.
const publicTextBytes = 256 << 10

type publicOrgKey struct{}

// admitPublic runs before any of a public report's body is read: a client over its hourly
// limit gets 429 and an unknown organisation 404 without the body being parsed or stored.
// Once the organisation's photos for the day are used up, a body too large to be text
// alone answers 429 at once, and the body is held to that size.
func (s *Server) admitPublic(hctx huma.Context, next func(huma.Context)) {
	ctx := hctx.Context()
	org, err := s.deps.Tickets.AdmitPublic(ctx, hctx.Param("orgSlug"), infoFrom(ctx).clientIP)
	if err == nil && org.PhotosFull() {
		r, w := humago.Unwrap(hctx)
		if r.ContentLength > publicTextBytes {
			err = s.deps.Tickets.PhotosRefused()
		} else {
			r.Body = http.MaxBytesReader(w, r.Body, publicTextBytes)
		}
	}
	if err != nil {
		if ae, ok := errors.AsType[*apperr.Error](err); ok && ae.RetryAfter > 0 {
			hctx.SetHeader("Retry-After", strconv.Itoa(int(math.Ceil(ae.RetryAfter.Seconds()))))
		}
		_ = huma.WriteErr(s.api, hctx, http.StatusInternalServerError, "", err)
		return
	}
	next(huma.WithValue(hctx, publicOrgKey{}, org))
}

type publicReportIn struct {
	Slug    string `path:"orgSlug" maxLength:"60" doc:"The organisation's slug, as in its public form's address."`
	RawBody huma.MultipartFormFiles[struct {
		Name          string          `form:"name" minLength:"1" maxLength:"200" doc:"Your name."`
		Email         string          `form:"email" required:"false" maxLength:"254" example:"sam@example.co.uk" doc:"An email address like name@example.co.uk. Email and/or phone is required."`
		Phone         string          `form:"phone" required:"false" maxLength:"32" example:"07911 123456" doc:"A UK number in national form (07911 123456, 020 7946 0000) or any number with its country code (+44 7911 123456); answered in E.164 (+447911123456)."`
		UnitReference string          `form:"unitReference" required:"false" maxLength:"31" doc:"The reference on your tenancy paperwork, e.g. RH-2. Unit reference and/or address is required."`
		Address       string          `form:"address" required:"false" maxLength:"500"`
		Title         string          `form:"title" minLength:"1" maxLength:"200" doc:"What is wrong, in a few words."`
		Description   string          `form:"description" required:"false" maxLength:"2000"`
		Category      string          `form:"category" required:"false" enum:"PLUMBING,ELECTRICAL,HVAC,APPLIANCE,STRUCTURAL,PEST_CONTROL,OTHER,"`
		Priority      string          `form:"priority" required:"false" enum:"ROUTINE,URGENT,EMERGENCY,"`
		Photos        []huma.FormFile `form:"photos" required:"false" doc:"Up to 5 photos (JPEG, PNG, HEIC) or PDFs, 10 MB each."`
	}]
}

func (s *Server) publicRoutes() {
	op := s.operation(http.MethodPost, "/api/v1/public/{orgSlug}/reports", "publicReport", "Public", "Report a repair without an account", false)
	op.MaxBodyBytes = maxPublicPhotos*attachments.MaxBytes + publicTextBytes
	// Admission (client limit, organisation, photo cap) comes before anything reads the body.
	op.Middlewares = append(op.Middlewares, s.admitPublic, s.limitMultipart(op.MaxBodyBytes))
	op.Middlewares = append(op.Middlewares, s.checkMultipartText)
	op.Errors = append(op.Errors, http.StatusNotFound, http.StatusRequestEntityTooLarge, http.StatusUnsupportedMediaType)
	op.Description = "Creates a NEW ticket. The answer does not say whether the unit reference matched a home. " +
		"429 with Retry-After: too many reports from this client (PUBLIC_REPORTS_PER_HOUR), checked before the body is read, " +
		"or the organisation's public photos for the day are used up (PUBLIC_UPLOADS_PER_ORG_PER_DAY; a report without photos is still accepted)."
	op.DefaultStatus = http.StatusCreated
	huma.Register(s.api, op, func(ctx context.Context, in *publicReportIn) (*Created[tickets.Receipt], error) {
		form := in.RawBody.Data()
		for _, p := range form.Photos {
			defer p.Close()
		}
		if len(form.Photos) > maxPublicPhotos {
			var f apperr.Fields
			f.Add("photos", "at most 5 photos")
			return nil, f.Err()
		}
		report := tickets.PublicReport{Name: form.Name, Email: form.Email, Phone: form.Phone, UnitReference: form.UnitReference,
			Address: form.Address, Title: form.Title, Description: form.Description, Category: form.Category, Priority: form.Priority,
			Photos: len(form.Photos)}
		// Photos are checked, stored and recorded inside the ticket's transaction: one
		// refused photo (type or size) fails the report and nothing is created.
		var staged []attachments.Staged
		attach := func(ctx context.Context, tx pgx.Tx, actor access.Actor, ticketID uuid.UUID) error {
			// Check every photo before storing any: staging stores the file, and a later
			// refusal would leave the earlier photos on disk with no row to account for them.
			for _, p := range form.Photos {
				if err := attachments.Check("photos", p, p.Size); err != nil {
					return err
				}
			}
			for _, p := range form.Photos {
				st, err := s.deps.Attachments.Stage(ctx, actor.OrgID, p.Filename, p)
				if err != nil {
					return err
				}
				staged = append(staged, st)
			}
			_, err := s.deps.Attachments.Attach(ctx, tx, actor, ticketID, staged)
			return err
		}
		org, ok := ctx.Value(publicOrgKey{}).(tickets.PublicOrg)
		if !ok {
			return nil, errors.New("httpapi: public report not admitted")
		}
		receipt, err := s.deps.Tickets.ReportPublic(ctx, org, report, attach)
		if err != nil {
			return nil, err
		}
		return created(ctx, *receipt), nil
	})
}
