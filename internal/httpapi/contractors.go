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
		CompanyName        string   `json:"companyName" minLength:"1" maxLength:"200"`
		Trades             []string `json:"trades,omitempty" maxItems:"10" doc:"What the company does, each one of PLUMBING, ELECTRICAL, HVAC, APPLIANCE, STRUCTURAL, PEST_CONTROL, GENERAL (any case)."`
		Email              string   `json:"email" maxLength:"254" format:"email" example:"sam@example.co.uk"`
		Phone              string   `json:"phone,omitempty" maxLength:"32" example:"07911 123456" doc:"A UK number in national form (07911 123456, 020 7946 0000) or any number with its country code (+44 7911 123456); answered in E.164 (+447911123456)."`
		InsuranceExpiresOn *string  `json:"insuranceExpiresOn,omitempty" maxLength:"10" pattern:"^([0-9]{4}-[0-9]{2}-[0-9]{2})?$" patternDescription:"a date like 2027-03-31" example:"2027-03-31" doc:"The date the company's insurance runs out (YYYY-MM-DD)."`
		Notes              string   `json:"notes,omitempty" maxLength:"2000"`
		GasSafeNumber      string   `json:"gasSafeNumber,omitempty" maxLength:"20" example:"123456" doc:"Gas Safe Register number: 6 digits (business registration) or 7 (engineer licence); spaces are dropped. Needed, with a current gasSafeExpiresOn, to be sent gas work."`
		GasSafeExpiresOn   *string  `json:"gasSafeExpiresOn,omitempty" maxLength:"10" pattern:"^([0-9]{4}-[0-9]{2}-[0-9]{2})?$" patternDescription:"a date like 2027-03-31" example:"2027-03-31" doc:"The date the Gas Safe registration runs out (YYYY-MM-DD)."`
		NiceicNumber       string   `json:"niceicNumber,omitempty" maxLength:"30" example:"D123456" doc:"NICEIC enrolment number: 4 to 20 letters and digits; spaces and hyphens are dropped, letters upper-cased."`
	}
}

type patchContractorIn struct {
	ID   uuid.UUID `path:"id"`
	Body struct {
		CompanyName        *string   `json:"companyName,omitempty" minLength:"1" maxLength:"200"`
		Trades             *[]string `json:"trades,omitempty" maxItems:"10" doc:"Replaces the list; values as when adding."`
		Email              *string   `json:"email,omitempty" maxLength:"254" format:"email" example:"sam@example.co.uk"`
		Phone              *string   `json:"phone,omitempty" maxLength:"32" example:"07911 123456" doc:"A UK number in national form (07911 123456, 020 7946 0000) or any number with its country code (+44 7911 123456); answered in E.164 (+447911123456). Empty to clear."`
		InsuranceExpiresOn *string   `json:"insuranceExpiresOn,omitempty" maxLength:"10" pattern:"^([0-9]{4}-[0-9]{2}-[0-9]{2})?$" patternDescription:"a date like 2027-03-31" doc:"YYYY-MM-DD, or empty to clear."`
		Notes              *string   `json:"notes,omitempty" maxLength:"2000"`
		Active             *bool     `json:"active,omitempty"`
		GasSafeNumber      *string   `json:"gasSafeNumber,omitempty" maxLength:"20" doc:"Gas Safe Register number (6 or 7 digits), or empty to clear."`
		GasSafeExpiresOn   *string   `json:"gasSafeExpiresOn,omitempty" maxLength:"10" pattern:"^([0-9]{4}-[0-9]{2}-[0-9]{2})?$" patternDescription:"a date like 2027-03-31" doc:"YYYY-MM-DD, or empty to clear."`
		NiceicNumber       *string   `json:"niceicNumber,omitempty" maxLength:"30" doc:"NICEIC enrolment number, or empty to clear."`
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
				GasSafeNumber: b.GasSafeNumber, GasSafeExpiresOn: b.GasSafeExpiresOn, NiceicNumber: b.NiceicNumber,
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
				GasSafeNumber: b.GasSafeNumber, GasSafeExpiresOn: b.GasSafeExpiresOn, NiceicNumber: b.NiceicNumber,
			})
			if err != nil {
				return nil, err
			}
			return ok(ctx, *c), nil
		})
}
