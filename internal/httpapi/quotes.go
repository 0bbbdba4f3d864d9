package httpapi

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/maintainuk/maintainuk/internal/money"
	"github.com/maintainuk/maintainuk/internal/quotes"
)

// lineIn is a quote or invoice line as submitted.
type lineIn struct {
	Description    string  `json:"description" minLength:"1" maxLength:"500" example:"Replace kitchen tap cartridge"`
	Quantity       float64 `json:"quantity" exclusiveMinimum:"0" maximum:"100000" doc:"Up to three decimal places, e.g. 2.5 (hours)."`
	UnitPricePence int64   `json:"unitPricePence" minimum:"0" maximum:"1000000000" doc:"Price per unit before VAT, in pence."`
	VATRatePercent *int    `json:"vatRatePercent,omitempty" enum:"0,5,20" doc:"Defaults to 20."`
}

func lineInputs(in []lineIn) []money.LineInput {
	out := make([]money.LineInput, len(in))
	for i, l := range in {
		out[i] = money.LineInput{Description: l.Description, Quantity: l.Quantity, UnitPricePence: l.UnitPricePence, VATRatePercent: l.VATRatePercent}
	}
	return out
}

type submitQuoteIn struct {
	ID   uuid.UUID `path:"id" doc:"The work order."`
	Body struct {
		Lines      []lineIn `json:"lines" minItems:"1" maxItems:"100"`
		ValidUntil string   `json:"validUntil" format:"date" doc:"Last day the price holds (YYYY-MM-DD)."`
		Notes      string   `json:"notes,omitempty" maxLength:"2000"`
	}
}

type listQuotesIn struct {
	PageQuery
	Status       string    `query:"status" enum:"SUBMITTED,APPROVED,REJECTED,WITHDRAWN,"`
	WorkOrderID  uuid.UUID `query:"workOrderId"`
	ContractorID uuid.UUID `query:"contractorId"`
}

type reasonIn struct {
	ID   uuid.UUID `path:"id"`
	Body struct {
		Reason string `json:"reason" minLength:"1" maxLength:"1000" doc:"Why; shown to the contractor."`
	}
}

func (s *Server) quoteRoutes() {
	huma.Register(s.api, creates(s.operation(http.MethodPost, "/api/v1/work-orders/{id}/quotes", "submitQuote", "Quotes", "Submit a quote for a work order", true)),
		func(ctx context.Context, in *submitQuoteIn) (*Created[quotes.Quote], error) {
			q, err := s.deps.Quotes.Submit(ctx, actorOf(ctx), in.ID, quotes.SubmitInput{Lines: lineInputs(in.Body.Lines), ValidUntil: in.Body.ValidUntil, Notes: in.Body.Notes})
			if err != nil {
				return nil, err
			}
			return created(ctx, *q), nil
		})

	huma.Register(s.api, s.operation(http.MethodGet, "/api/v1/quotes", "listQuotes", "Quotes", "List quotes, newest first (a contractor sees their own)", true),
		func(ctx context.Context, in *listQuotesIn) (*ListOut[quotes.Quote], error) {
			res, err := s.deps.Quotes.List(ctx, actorOf(ctx), quotes.Filter{Status: in.Status, WorkOrderID: optionalID(in.WorkOrderID), ContractorID: optionalID(in.ContractorID)}, in.request())
			if err != nil {
				return nil, err
			}
			return list(ctx, res), nil
		})

	huma.Register(s.api, s.operation(http.MethodGet, "/api/v1/quotes/{id}", "getQuote", "Quotes", "Get a quote with its lines", true),
		func(ctx context.Context, in *idIn) (*Out[quotes.Quote], error) {
			q, err := s.deps.Quotes.Get(ctx, actorOf(ctx), in.ID)
			if err != nil {
				return nil, err
			}
			return ok(ctx, *q), nil
		})

	huma.Register(s.api, s.operation(http.MethodPost, "/api/v1/quotes/{id}/approve", "approveQuote", "Quotes", "Approve a quote (rejects the work order's other quotes)", true),
		func(ctx context.Context, in *idIn) (*Out[quotes.Quote], error) {
			q, err := s.deps.Quotes.Approve(ctx, actorOf(ctx), in.ID)
			if err != nil {
				return nil, err
			}
			return ok(ctx, *q), nil
		})

	huma.Register(s.api, s.operation(http.MethodPost, "/api/v1/quotes/{id}/reject", "rejectQuote", "Quotes", "Reject a quote with a reason", true),
		func(ctx context.Context, in *reasonIn) (*Out[quotes.Quote], error) {
			q, err := s.deps.Quotes.Reject(ctx, actorOf(ctx), in.ID, in.Body.Reason)
			if err != nil {
				return nil, err
			}
			return ok(ctx, *q), nil
		})

	huma.Register(s.api, s.operation(http.MethodPost, "/api/v1/quotes/{id}/withdraw", "withdrawQuote", "Quotes", "Withdraw a submitted quote", true),
		func(ctx context.Context, in *idIn) (*Out[quotes.Quote], error) {
			q, err := s.deps.Quotes.Withdraw(ctx, actorOf(ctx), in.ID)
			if err != nil {
				return nil, err
			}
			return ok(ctx, *q), nil
		})
}
