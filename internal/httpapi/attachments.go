package httpapi

import (
	"context"
	"errors"
	"io"
	"net/http"
	"slices"
	"strings"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"
	"github.com/google/uuid"

	"github.com/maintainuk/maintainuk/internal/apperr"
	"github.com/maintainuk/maintainuk/internal/attachments"
)

// uploadBodyBytes allows one 10 MB file plus the multipart framing.
const uploadBodyBytes = attachments.MaxBytes + 64<<10

type uploadIn struct {
	ID      uuid.UUID `path:"id" doc:"The ticket."`
	RawBody huma.MultipartFormFiles[struct {
		File                   huma.FormFile `form:"file" required:"true" doc:"A JPEG, PNG or HEIC photo or a PDF, at most 10 MB. The type is read from the content."`
		SharedWithContractorID string        `form:"sharedWithContractorId" required:"false" format:"uuid" doc:"Staff only: share the file with this contractor company, which must have a live work order on the ticket. Contractors see only their own company's files and those shared with them."`
	}]
}

type attachmentOut struct {
	ContentType           string `header:"Content-Type"`
	ContentDisposition    string `header:"Content-Disposition"`
	ContentSecurityPolicy string `header:"Content-Security-Policy"`
	CacheControl          string `header:"Cache-Control"`
	Body                  []byte
}

type listAttachmentsIn struct {
	ID   uuid.UUID `path:"id"`
	Sort string    `query:"sort" enum:"newest,oldest" default:"newest" doc:"newest first (the default, like every list) or oldest first."`
}

func (s *Server) attachmentRoutes() {
	op := creates(s.operation(http.MethodPost, "/api/v1/tickets/{id}/attachments", "uploadAttachment", "Attachments", "Attach a photo or PDF to a ticket", true))
	op.MaxBodyBytes = uploadBodyBytes
	op.Middlewares = append(op.Middlewares, s.limitMultipart(uploadBodyBytes))
	op.Middlewares = append(op.Middlewares, s.checkMultipartText)
	op.Errors = append(op.Errors, http.StatusRequestEntityTooLarge, http.StatusUnsupportedMediaType)
	huma.Register(s.api, op, func(ctx context.Context, in *uploadIn) (*Created[attachments.Attachment], error) {
		form := in.RawBody.Data()
		file := form.File
		defer file.Close()
		var sharedWith *uuid.UUID
		if v := form.SharedWithContractorID; v != "" {
			id, err := uuid.Parse(v)
			if err != nil {
				var f apperr.Fields
				f.Add("sharedWithContractorId", "must be a contractor id")
				return nil, f.Err()
			}
			sharedWith = &id
		}
		a, err := s.deps.Attachments.Upload(ctx, actorOf(ctx), in.ID, file.Filename, file, sharedWith)
		if err != nil {
			return nil, err
		}
		return created(ctx, *a), nil
	})

	huma.Register(s.api, s.operation(http.MethodGet, "/api/v1/tickets/{id}/attachments", "listAttachments", "Attachments", "List a ticket's attachments", true),
		func(ctx context.Context, in *listAttachmentsIn) (*Out[[]attachments.Attachment], error) {
			list, err := s.deps.Attachments.ListForTicket(ctx, actorOf(ctx), in.ID)
			if err != nil {
				return nil, err
			}
			if in.Sort != "oldest" {
				slices.Reverse(list) // the service lists them as they were added
			}
			return ok(ctx, list), nil
		})

	get := s.operation(http.MethodGet, "/api/v1/attachments/{id}", "downloadAttachment", "Attachments", "Download an attachment", true)
	get.Responses = map[string]*huma.Response{"200": {Description: "The file, with its sniffed content type", Content: map[string]*huma.MediaType{
		"image/jpeg": {}, "image/png": {}, "image/heic": {}, "application/pdf": {},
	}}}
	huma.Register(s.api, get, func(ctx context.Context, in *idIn) (*attachmentOut, error) {
		a, rc, err := s.deps.Attachments.Open(ctx, actorOf(ctx), in.ID)
		if err != nil {
			return nil, err
		}
		defer rc.Close()
		body, err := io.ReadAll(io.LimitReader(rc, attachments.MaxBytes+1))
		if err != nil {
			return nil, err
		}
		// Photos may show inline; PDFs always download. The sandbox CSP stops any active
		// content from running with this site's origin.
		disposition := "attachment"
		if strings.HasPrefix(a.ContentType, "image/") {
			disposition = "inline"
		}
		return &attachmentOut{
			ContentType: a.ContentType, ContentDisposition: disposition + `; filename="` + a.Filename + `"`,
			ContentSecurityPolicy: "sandbox; default-src 'none'; frame-ancestors 'none'", CacheControl: "private, max-age=300", Body: body,
		}, nil
	})
}

// limitMultipart refuses a multipart body over limit bytes with 413 before huma parses it:
// huma applies MaxBodyBytes only to bodies it reads itself, and parses a multipart form
// (spooling its files to disk) without any limit.
func (s *Server) limitMultipart(limit int64) func(huma.Context, func(huma.Context)) {
	return func(hctx huma.Context, next func(huma.Context)) {
		tooLarge := func() {
			_ = huma.WriteErr(s.api, hctx, http.StatusRequestEntityTooLarge, "",
				apperr.New(apperr.TooLarge, "the upload is larger than the limit of %d bytes", limit))
		}
		r, w := humago.Unwrap(hctx)
		if r.ContentLength > limit {
			tooLarge()
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, limit)
		// Parse here, where the limit can be told apart; huma then uses the parsed form.
		// The files spill to temporary files, which net/http removes only for the request
		// it created (not this copy): remove them when the operation is done.
		defer func() {
			if r.MultipartForm != nil {
				_ = r.MultipartForm.RemoveAll()
			}
		}()
		if err := r.ParseMultipartForm(humago.MultipartMaxMemory); err != nil {
			if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
				tooLarge()
				return
			}
		}
		next(hctx)
	}
}
