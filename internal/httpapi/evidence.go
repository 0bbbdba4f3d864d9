package httpapi

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"
)

// evidenceRoutes registers the ticket's evidence export (docs/compliance.md).
func (s *Server) evidenceRoutes() {
	op := s.operation(http.MethodGet, "/api/v1/tickets/{id}/evidence", "exportTicketEvidence", "Compliance", "Download a ticket's evidence as PDF (staff)", true)
	op.Responses = map[string]*huma.Response{"200": {Description: "The ticket's evidence as a PDF", Content: map[string]*huma.MediaType{"application/pdf": {}}}}
	huma.Register(s.api, op, func(ctx context.Context, in *idIn) (*pdfOut, error) {
		name, content, err := s.deps.Evidence.Export(ctx, actorOf(ctx), in.ID)
		if err != nil {
			return nil, err
		}
		return &pdfOut{ContentType: "application/pdf", ContentDisposition: `attachment; filename="` + name + `"`, Body: content}, nil
	})
}
