package httpapi

import (
	"context"
	"io"
	"net/http"
	"strings"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/maintainuk/maintainuk/internal/attachments"
	"github.com/maintainuk/maintainuk/internal/certificates"
)

type createCertificateIn struct {
	ID   uuid.UUID `path:"id" doc:"The property."`
	Body struct {
		Kind             string  `json:"kind" enum:"GAS_SAFETY,EICR,EPC,SMOKE_CO_ALARMS" doc:"GAS_SAFETY (the annual gas safety record, CP12), EICR (5-yearly electrical report), EPC (energy performance certificate, 10 years) or SMOKE_CO_ALARMS (the alarm check at the start of a tenancy)."`
		IssuedOn         string  `json:"issuedOn" maxLength:"10" pattern:"^[0-9]{4}-[0-9]{2}-[0-9]{2}$" patternDescription:"a date like 2026-03-31" example:"2026-03-31" doc:"The date of the check or inspection; not in the future."`
		ExpiresOn        *string `json:"expiresOn,omitempty" maxLength:"10" pattern:"^([0-9]{4}-[0-9]{2}-[0-9]{2})?$" patternDescription:"a date like 2036-03-30" doc:"The expiry printed on the certificate (an EPC's, say); without it the kind's rule sets it. Not for SMOKE_CO_ALARMS."`
		Reference        string  `json:"reference,omitempty" maxLength:"100" doc:"The certificate's number."`
		ContractorName   string  `json:"contractorName,omitempty" maxLength:"200" doc:"The engineer, electrician or assessor (a Gas Safe engineer's name and number, say)."`
		Rating           *string `json:"rating,omitempty" maxLength:"1" doc:"EPC only, and required for it: the energy rating, A to G."`
		TenantCopySentOn *string `json:"tenantCopySentOn,omitempty" maxLength:"10" pattern:"^([0-9]{4}-[0-9]{2}-[0-9]{2})?$" patternDescription:"a date like 2026-04-02" doc:"When the tenant was given a copy."`
	}
}

type patchCertificateIn struct {
	ID   uuid.UUID `path:"id"`
	Body struct {
		Reference        *string `json:"reference,omitempty" maxLength:"100"`
		ContractorName   *string `json:"contractorName,omitempty" maxLength:"200"`
		TenantCopySentOn *string `json:"tenantCopySentOn,omitempty" maxLength:"10" pattern:"^([0-9]{4}-[0-9]{2}-[0-9]{2})?$" patternDescription:"a date like 2026-04-02" doc:"YYYY-MM-DD, or empty to clear."`
	}
}

type listCertificatesIn struct {
	ID uuid.UUID `path:"id" doc:"The property."`
	PageQuery
}

type complianceIn struct {
	PageQuery
	State string `query:"state" enum:"VALID,EXPIRING,EXPIRED,MISSING," doc:"Only properties with a required kind in this state, and of each only those kinds."`
}

type certificateDocumentIn struct {
	ID      uuid.UUID `path:"id" doc:"The certificate."`
	RawBody huma.MultipartFormFiles[struct {
		File huma.FormFile `form:"file" required:"true" doc:"The certificate as a PDF, or a JPEG, PNG or HEIC photo of it, at most 10 MB. The type is read from the content."`
	}]
}

func (s *Server) certificateRoutes() {
	huma.Register(s.api, creates(s.operation(http.MethodPost, "/api/v1/properties/{id}/certificates", "createCertificate", "Certificates", "Record a property's certificate", true)),
		func(ctx context.Context, in *createCertificateIn) (*Created[certificates.Certificate], error) {
			b := in.Body
			c, err := s.deps.Certificates.Create(ctx, actorOf(ctx), in.ID, certificates.Input{
				Kind: b.Kind, IssuedOn: b.IssuedOn, ExpiresOn: b.ExpiresOn, Reference: b.Reference, ContractorName: b.ContractorName,
				Rating: b.Rating, TenantCopySentOn: b.TenantCopySentOn,
			})
			if err != nil {
				return nil, err
			}
			return created(ctx, *c), nil
		})

	huma.Register(s.api, s.operation(http.MethodGet, "/api/v1/properties/{id}/certificates", "listCertificates", "Certificates", "List a property's certificates", true),
		func(ctx context.Context, in *listCertificatesIn) (*ListOut[certificates.Certificate], error) {
			res, err := s.deps.Certificates.ListForProperty(ctx, actorOf(ctx), in.ID, in.request())
			if err != nil {
				return nil, err
			}
			return list(ctx, res), nil
		})

	huma.Register(s.api, s.operation(http.MethodGet, "/api/v1/certificates/{id}", "getCertificate", "Certificates", "Get a certificate", true),
		func(ctx context.Context, in *idIn) (*Out[certificates.Certificate], error) {
			c, err := s.deps.Certificates.Get(ctx, actorOf(ctx), in.ID)
			if err != nil {
				return nil, err
			}
			return ok(ctx, *c), nil
		})

	huma.Register(s.api, s.operation(http.MethodPatch, "/api/v1/certificates/{id}", "updateCertificate", "Certificates", "Change a certificate", true),
		func(ctx context.Context, in *patchCertificateIn) (*Out[certificates.Certificate], error) {
			b := in.Body
			c, err := s.deps.Certificates.Update(ctx, actorOf(ctx), in.ID, certificates.Patch{
				Reference: b.Reference, ContractorName: b.ContractorName, TenantCopySentOn: b.TenantCopySentOn,
			})
			if err != nil {
				return nil, err
			}
			return ok(ctx, *c), nil
		})

	put := s.operation(http.MethodPut, "/api/v1/certificates/{id}/document", "putCertificateDocument", "Certificates", "Upload a certificate's document", true)
	put.MaxBodyBytes = uploadBodyBytes
	put.Middlewares = append(put.Middlewares, s.limitMultipart(uploadBodyBytes))
	put.Middlewares = append(put.Middlewares, s.checkMultipartText)
	put.Errors = append(put.Errors, http.StatusRequestEntityTooLarge, http.StatusUnsupportedMediaType)
	huma.Register(s.api, put, func(ctx context.Context, in *certificateDocumentIn) (*Out[certificates.Certificate], error) {
		file := in.RawBody.Data().File
		defer file.Close()
		c, err := s.deps.Certificates.UploadDocument(ctx, actorOf(ctx), in.ID, file.Filename, file)
		if err != nil {
			return nil, err
		}
		return ok(ctx, *c), nil
	})

	get := s.operation(http.MethodGet, "/api/v1/certificates/{id}/document", "getCertificateDocument", "Certificates", "Download a certificate's document", true)
	get.Responses = map[string]*huma.Response{"200": {Description: "The file, with its sniffed content type", Content: map[string]*huma.MediaType{
		"image/jpeg": {}, "image/png": {}, "image/heic": {}, "application/pdf": {},
	}}}
	huma.Register(s.api, get, func(ctx context.Context, in *idIn) (*attachmentOut, error) {
		d, rc, err := s.deps.Certificates.OpenDocument(ctx, actorOf(ctx), in.ID)
		if err != nil {
			return nil, err
		}
		defer rc.Close()
		body, err := io.ReadAll(io.LimitReader(rc, attachments.MaxBytes+1))
		if err != nil {
			return nil, err
		}
		disposition := "attachment"
		if strings.HasPrefix(d.ContentType, "image/") {
			disposition = "inline"
		}
		return &attachmentOut{
			ContentType: d.ContentType, ContentDisposition: disposition + `; filename="` + d.Filename + `"`,
			ContentSecurityPolicy: "sandbox; default-src 'none'; frame-ancestors 'none'", CacheControl: "private, max-age=300", Body: body,
		}, nil
	})

	huma.Register(s.api, s.operation(http.MethodGet, "/api/v1/compliance/certificates", "listCertificateCompliance", "Certificates", "The portfolio's certificate compliance", true),
		func(ctx context.Context, in *complianceIn) (*ListOut[certificates.PropertyCompliance], error) {
			res, err := s.deps.Certificates.Compliance(ctx, actorOf(ctx), in.State, in.request())
			if err != nil {
				return nil, err
			}
			return list(ctx, res), nil
		})
}
