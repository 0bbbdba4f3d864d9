package httpapi

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/maintainuk/maintainuk/internal/access"
	"github.com/maintainuk/maintainuk/internal/apperr"
	"github.com/maintainuk/maintainuk/internal/attachments"
	"github.com/maintainuk/maintainuk/internal/tickets"
)

// maxPublicPhotos is how many photos one public report may carry.
const maxPublicPhotos = 5

type publicReportIn struct {
	Slug    string `path:"orgSlug" maxLength:"60" doc:"The organisation's slug, as in its public form's address."`
	RawBody huma.MultipartFormFiles[struct {
		Name          string          `form:"name" maxLength:"200" doc:"Your name."`
		Email         string          `form:"email" required:"false" maxLength:"254" doc:"Email and/or phone is required."`
		Phone         string          `form:"phone" required:"false" maxLength:"32"`
		UnitReference string          `form:"unitReference" required:"false" maxLength:"31" doc:"The reference on your tenancy paperwork, e.g. RH-2. Unit reference and/or address is required."`
		Address       string          `form:"address" required:"false" maxLength:"500"`
		Title         string          `form:"title" maxLength:"200" doc:"What is wrong, in a few words."`
		Description   string          `form:"description" required:"false" maxLength:"2000"`
		Category      string          `form:"category" required:"false" enum:"PLUMBING,ELECTRICAL,HVAC,APPLIANCE,STRUCTURAL,PEST_CONTROL,OTHER,"`
		Priority      string          `form:"priority" required:"false" enum:"ROUTINE,URGENT,EMERGENCY,"`
		Photos        []huma.FormFile `form:"photos" required:"false" doc:"Up to 5 photos (JPEG, PNG, HEIC) or PDFs, 10 MB each."`
	}]
}

func (s *Server) publicRoutes() {
	op := s.operation(http.MethodPost, "/api/v1/public/{orgSlug}/reports", "publicReport", "Public", "Report a repair without an account", false)
	op.MaxBodyBytes = maxPublicPhotos*attachments.MaxBytes + 256<<10
	op.Middlewares = append(op.Middlewares, s.limitMultipart(op.MaxBodyBytes))
	op.Middlewares = append(op.Middlewares, s.checkMultipartText)
	op.Errors = append(op.Errors, http.StatusNotFound, http.StatusRequestEntityTooLarge, http.StatusUnsupportedMediaType)
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
			Address: form.Address, Title: form.Title, Description: form.Description, Category: form.Category, Priority: form.Priority}
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
		receipt, err := s.deps.Tickets.ReportPublic(ctx, in.Slug, infoFrom(ctx).clientIP, report, attach)
		if err != nil {
			return nil, err
		}
		return created(ctx, *receipt), nil
	})
}
