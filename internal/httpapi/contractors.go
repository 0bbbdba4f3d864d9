package httpapi

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/maintainuk/maintainuk/internal/contractors"
)

type createContractorIn struct {
	Body struct {
		CompanyName        string   `json:"companyName" maxLength:"200"`
		Trades             []string `json:"trades,omitempty" maxItems:"10" doc:"PLUMBING, ELECTRICAL, HVAC, APPLIANCE, STRUCTURAL, PEST_CONTROL, GENERAL."`
		Email              string   `json:"email" maxLength:"254"`
		Phone              string   `json:"phone,omitempty" maxLength:"32" doc:"UK numbers may omit +44."`
		InsuranceExpiresOn *string  `json:"insuranceExpiresOn,omitempty" maxLength:"10" doc:"YYYY-MM-DD."`
		Notes              string   `json:"notes,omitempty" maxLength:"2000"`
	}
}

type patchContractorIn struct {
	ID   uuid.UUID `path:"id"`
	Body struct {
		CompanyName        *string   `json:"companyName,omitempty" maxLength:"200"`
		Trades             *[]string `json:"trades,omitempty" maxItems:"10"`
		Email              *string   `json:"email,omitempty" maxLength:"254"`
		Phone              *string   `json:"phone,omitempty" maxLength:"32"`
		InsuranceExpiresOn *string   `json:"insuranceExpiresOn,omitempty" maxLength:"10" doc:"YYYY-MM-DD, or empty to clear."`
		Notes              *string   `json:"notes,omitempty" maxLength:"2000"`
		Active             *bool     `json:"active,omitempty"`
	}
}

type listContractorsIn struct {
	PageQuery
	Trade  string `query:"trade" maxLength:"20"`
	Active string `query:"active" enum:"true,false," doc:"Only active (true) or inactive (false) contractors."`
}

func (s *Server) contractorRoutes() {
	huma.Register(s.api, s.operation(http.MethodGet, "/api/v1/contractors", "listContractors", "Contractors", "List contractor companies", true),
		func(ctx context.Context, in *listContractorsIn) (*ListOut[contractors.Contractor], error) {
			filter := contractors.ListFilter{Trade: in.Trade}
			if in.Active != "" {
				active := in.Active == "true"
				filter.Active = &active
			}
			res, err := s.deps.Contractors.List(ctx, actorOf(ctx), filter, in.request())
			if err != nil {
				return nil, err
			}
			return list(ctx, res), nil
		})

	huma.Register(s.api, creates(s.operation(http.MethodPost, "/api/v1/contractors", "createContractor", "Contractors", "Add a contractor company", true)),
		func(ctx context.Context, in *createContractorIn) (*Created[contractors.Contractor], error) {
			b := in.Body
			c, err := s.deps.Contractors.Create(ctx, actorOf(ctx), contractors.Input{
				CompanyName: b.CompanyName, Trades: b.Trades, Email: b.Email, Phone: b.Phone, InsuranceExpiresOn: b.InsuranceExpiresOn, Notes: b.Notes,
			})
			if err != nil {
				return nil, err
			}
			return created(ctx, *c), nil
		})

	huma.Register(s.api, s.operation(http.MethodGet, "/api/v1/contractors/{id}", "getContractor", "Contractors", "Get a contractor company", true),
		func(ctx context.Context, in *idIn) (*Out[contractors.Contractor], error) {
			c, err := s.deps.Contractors.Get(ctx, actorOf(ctx), in.ID)
			if err != nil {
				return nil, err
			}
			return ok(ctx, *c), nil
		})

	huma.Register(s.api, s.operation(http.MethodPatch, "/api/v1/contractors/{id}", "updateContractor", "Contractors", "Change a contractor company", true),
		func(ctx context.Context, in *patchContractorIn) (*Out[contractors.Contractor], error) {
			b := in.Body
			c, err := s.deps.Contractors.Update(ctx, actorOf(ctx), in.ID, contractors.Patch{
				CompanyName: b.CompanyName, Trades: b.Trades, Email: b.Email, Phone: b.Phone, InsuranceExpiresOn: b.InsuranceExpiresOn, Notes: b.Notes, Active: b.Active,
			})
			if err != nil {
				return nil, err
			}
			return ok(ctx, *c), nil
		})
}
