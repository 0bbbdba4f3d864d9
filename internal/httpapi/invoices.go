package httpapi

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/maintainuk/maintainuk/internal/invoices"
)

type submitInvoiceIn struct {
	ID   uuid.UUID `path:"id" doc:"The completed work order."`
	Body struct {
		Reference string   `json:"reference" minLength:"1" maxLength:"50" example:"INV-1042" doc:"Your invoice number."`
		Lines     []lineIn `json:"lines" minItems:"1" maxItems:"100"`
		Notes     string   `json:"notes,omitempty" maxLength:"2000"`
	}
}

type listInvoicesIn struct {
	PageQuery
	Status       string    `query:"status" enum:"SUBMITTED,APPROVED,REJECTED,PAID,"`
	WorkOrderID  uuid.UUID `query:"workOrderId"`
	ContractorID uuid.UUID `query:"contractorId"`
}

type markPaidIn struct {
	ID   uuid.UUID `path:"id"`
	Body struct {
		PaymentReference string `json:"paymentReference,omitempty" maxLength:"100" doc:"e.g. the BACS reference."`
	}
}

type pdfOut struct {
	ContentType        string `header:"Content-Type"`
	ContentDisposition string `header:"Content-Disposition"`
	Body               []byte
}

func (s *Server) invoiceRoutes() {
	huma.Register(s.api, creates(s.operation(http.MethodPost, "/api/v1/work-orders/{id}/invoices", "submitInvoice", "Invoices", "Submit an invoice for a completed work order", true)),
		func(ctx context.Context, in *submitInvoiceIn) (*Created[invoices.Invoice], error) {
			inv, err := s.deps.Invoices.Submit(ctx, actorOf(ctx), in.ID, invoices.SubmitInput{Reference: in.Body.Reference, Lines: lineInputs(in.Body.Lines), Notes: in.Body.Notes})
			if err != nil {
				return nil, err
			}
			return created(ctx, *inv), nil
		})

	huma.Register(s.api, s.operation(http.MethodGet, "/api/v1/invoices", "listInvoices", "Invoices", "List invoices, newest first (a contractor sees their own)", true),
		func(ctx context.Context, in *listInvoicesIn) (*ListOut[invoices.Invoice], error) {
			res, err := s.deps.Invoices.List(ctx, actorOf(ctx), invoices.Filter{Status: in.Status, WorkOrderID: optionalID(in.WorkOrderID), ContractorID: optionalID(in.ContractorID)}, in.request())
			if err != nil {
				return nil, err
			}
			return list(ctx, res), nil
		})

	huma.Register(s.api, s.operation(http.MethodGet, "/api/v1/invoices/{id}", "getInvoice", "Invoices", "Get an invoice with its lines", true),
		func(ctx context.Context, in *idIn) (*Out[invoices.Invoice], error) {
			inv, err := s.deps.Invoices.Get(ctx, actorOf(ctx), in.ID)
			if err != nil {
				return nil, err
			}
			return ok(ctx, *inv), nil
		})

	huma.Register(s.api, s.operation(http.MethodPost, "/api/v1/invoices/{id}/approve", "approveInvoice", "Invoices", "Approve an invoice", true),
		func(ctx context.Context, in *idIn) (*Out[invoices.Invoice], error) {
			inv, err := s.deps.Invoices.Approve(ctx, actorOf(ctx), in.ID)
			if err != nil {
				return nil, err
			}
			return ok(ctx, *inv), nil
		})

	huma.Register(s.api, s.operation(http.MethodPost, "/api/v1/invoices/{id}/reject", "rejectInvoice", "Invoices", "Reject an invoice with a reason", true),
		func(ctx context.Context, in *reasonIn) (*Out[invoices.Invoice], error) {
			inv, err := s.deps.Invoices.Reject(ctx, actorOf(ctx), in.ID, in.Body.Reason)
			if err != nil {
				return nil, err
			}
			return ok(ctx, *inv), nil
		})

	huma.Register(s.api, s.operation(http.MethodPost, "/api/v1/invoices/{id}/mark-paid", "markInvoicePaid", "Invoices", "Record payment of an approved invoice", true),
		func(ctx context.Context, in *markPaidIn) (*Out[invoices.Invoice], error) {
			inv, err := s.deps.Invoices.MarkPaid(ctx, actorOf(ctx), in.ID, in.Body.PaymentReference)
			if err != nil {
				return nil, err
			}
			return ok(ctx, *inv), nil
		})

	op := s.operation(http.MethodGet, "/api/v1/invoices/{id}/pdf", "invoicePDF", "Invoices", "Download an invoice as PDF", true)
	op.Responses = map[string]*huma.Response{"200": {Description: "The invoice as a PDF", Content: map[string]*huma.MediaType{"application/pdf": {}}}}
	huma.Register(s.api, op, func(ctx context.Context, in *idIn) (*pdfOut, error) {
		name, content, err := s.deps.Invoices.PDF(ctx, actorOf(ctx), in.ID)
		if err != nil {
			return nil, err
		}
		return &pdfOut{ContentType: "application/pdf", ContentDisposition: `attachment; filename="` + name + `"`, Body: content}, nil
	})
}
