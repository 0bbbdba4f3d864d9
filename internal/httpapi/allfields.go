package httpapi

import (
	"errors"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/maintainuk/maintainuk/internal/apperr"
	"github.com/maintainuk/maintainuk/internal/contractors"
	"github.com/maintainuk/maintainuk/internal/estate"
	"github.com/maintainuk/maintainuk/internal/identity"
	"github.com/maintainuk/maintainuk/internal/invoices"
	"github.com/maintainuk/maintainuk/internal/orgsettings"
	"github.com/maintainuk/maintainuk/internal/quotes"
	"github.com/maintainuk/maintainuk/internal/tickets"
	"github.com/maintainuk/maintainuk/internal/webhooks"
	"github.com/maintainuk/maintainuk/internal/workorders"
)

// Every field error in one answer. huma checks a request body against the schema before
// the handler runs; the domain checks its own rules on the input (a trimmed title, the
// shape of a postcode or a phone number) in the service. Left alone, a body breaking
// both would be answered twice: the schema's errors first, the domain's only after those
// were mended. So the create operations below also run the domain's input checks (each
// input's Check, the same code the service runs first) as huma resolvers, which huma
// calls after schema validation whether or not it failed, and newErrorEnvelope merges
// the two lists, keeping the schema's message where both name a field. Quote and invoice
// submissions do the same. Rules that need the database (does the unit exist, is the
// reference free) still answer afterwards.

// domainDetail is a field error found by a domain Check during request validation.
type domainDetail struct{ *huma.ErrorDetail }

func (d *domainDetail) Unwrap() error { return d.ErrorDetail }

func (in *createTicketIn) Resolve(huma.Context) []error {
	b := in.Body
	return domainDetails(tickets.CreateInput{Category: b.Category, Priority: b.Priority, Title: b.Title, Description: b.Description,
		ReportedByName: b.ReportedByName, ReportedByPhone: b.ReportedByPhone, ReportedByEmail: b.ReportedByEmail}.Check())
}

func (in *createPropertyIn) Resolve(huma.Context) []error {
	b := in.Body
	return domainDetails(estate.PropertyInput{Name: b.Name, AddressLine1: b.AddressLine1, AddressLine2: b.AddressLine2, Town: b.Town, Postcode: b.Postcode}.Check())
}

func (in *createUnitIn) Resolve(huma.Context) []error {
	return domainDetails(estate.UnitInput{Label: in.Body.Label, Reference: in.Body.Reference, Bedrooms: in.Body.Bedrooms}.Check())
}

func (in *createContractorIn) Resolve(huma.Context) []error {
	b := in.Body
	return domainDetails(contractors.Input{CompanyName: b.CompanyName, Trades: b.Trades, Email: b.Email, Phone: b.Phone,
		InsuranceExpiresOn: b.InsuranceExpiresOn, Notes: b.Notes, GasSafeNumber: b.GasSafeNumber, GasSafeExpiresOn: b.GasSafeExpiresOn, NiceicNumber: b.NiceicNumber}.Check())
}

func (in *raiseWorkOrderIn) Resolve(huma.Context) []error {
	return domainDetails(workorders.RaiseInput{Description: in.Body.Description, Override: in.Body.Override, OverrideReason: in.Body.OverrideReason}.Check())
}

// domainDetails turns a Check's answer into huma errors located in the body.
func domainDetails(err error) []error {
	var ae *apperr.Error
	if !errors.As(err, &ae) {
		return nil
	}
	out := make([]error, 0, len(ae.Fields))
	for _, f := range ae.Fields {
		out = append(out, &domainDetail{&huma.ErrorDetail{Location: "body." + f.Field, Message: f.Message}})
	}
	return out
}

// mergeFieldErrors lists huma's field errors, then the domain's for fields huma did not
// name. Domain errors are dropped unless the answer is a 422: a body that is not JSON
// was read as empty, and "title must not be empty" would be wrong about it.
func mergeFieldErrors(status int, errs []error) []apperr.FieldError {
	var out, fromDomain []apperr.FieldError
	named := map[string]bool{}
	for _, err := range errs {
		var dd *domainDetail
		if errors.As(err, &dd) {
			if status == http.StatusUnprocessableEntity {
				fromDomain = append(fromDomain, apperr.FieldError{Field: detailField(dd.ErrorDetail), Message: dd.Message})
			}
			continue
		}
		var d *huma.ErrorDetail
		if errors.As(err, &d) {
			fe := apperr.FieldError{Field: detailField(d), Message: d.Message}
			named[fe.Field] = true
			out = append(out, fe)
		}
	}
	for _, fe := range fromDomain {
		if !named[fe.Field] {
			out = append(out, fe)
		}
	}
	return out
}

func (in *submitQuoteIn) Resolve(huma.Context) []error {
	b := in.Body
	return domainDetails(quotes.SubmitInput{Lines: lineInputs(b.Lines), ValidUntil: b.ValidUntil, Notes: b.Notes}.Check(quotes.Today(time.Now())))
}

func (in *submitInvoiceIn) Resolve(huma.Context) []error {
	b := in.Body
	return domainDetails(invoices.SubmitInput{Reference: b.Reference, Lines: lineInputs(b.Lines), Notes: b.Notes}.Check())
}

func (in *patchPropertyIn) Resolve(huma.Context) []error {
	b := in.Body
	return domainDetails(estate.PropertyPatch{Name: b.Name, AddressLine1: b.AddressLine1, AddressLine2: b.AddressLine2, Town: b.Town, Postcode: b.Postcode}.Check())
}

func (in *patchContractorIn) Resolve(huma.Context) []error {
	b := in.Body
	return domainDetails(contractors.Patch{CompanyName: b.CompanyName, Trades: b.Trades, Email: b.Email, Phone: b.Phone,
		InsuranceExpiresOn: b.InsuranceExpiresOn, Notes: b.Notes, Active: b.Active, GasSafeNumber: b.GasSafeNumber, GasSafeExpiresOn: b.GasSafeExpiresOn, NiceicNumber: b.NiceicNumber}.Check())
}

func (in *patchTicketIn) Resolve(huma.Context) []error {
	b := in.Body
	return domainDetails(tickets.Patch{Category: b.Category, Priority: b.Priority, Title: b.Title, Description: b.Description,
		AssigneeUserID: b.AssigneeUserID, Unassign: b.Unassign, UnitID: b.UnitID}.Check())
}

func (in *registerIn) Resolve(huma.Context) []error {
	b := in.Body
	return domainDetails(identity.RegisterInput{OrgName: b.OrgName, Name: b.Name, Email: b.Email, Password: b.Password}.Check())
}

func (in *transitionWorkOrderIn) Resolve(huma.Context) []error {
	b := in.Body
	return domainDetails(workorders.TransitionInput{Action: b.Action, Reason: b.Reason, ScheduledFor: b.ScheduledFor, Notes: b.Notes}.Check(time.Now()))
}

func (in *inviteIn) Resolve(huma.Context) []error {
	return domainDetails(identity.InviteInput{Email: in.Body.Email, Role: in.Body.Role, ContractorID: in.Body.ContractorID}.Check())
}

func (in *commentIn) Resolve(huma.Context) []error {
	return domainDetails(tickets.CommentInput{Body: in.Body.Body}.Check())
}

func (in *patchSettingsIn) Resolve(huma.Context) []error {
	b := in.Body
	return domainDetails(orgsettings.Patch{ApprovalThresholdPence: b.ApprovalThresholdPence, SLA: slaWindows(b.SLA),
		HolidayRegion: b.HolidayRegion, SeparationOfDuties: b.SeparationOfDuties, QuietHours: b.QuietHours, ContactLine: b.ContactLine}.Check())
}

// Webhook URLs are checked against the deployment's settings (plain http only where
// private targets are allowed), which the resolvers find through the request.
func (in *createWebhookIn) Resolve(hctx huma.Context) []error {
	srv := infoFrom(hctx.Context()).server
	if srv == nil || srv.deps.Webhooks == nil {
		return nil
	}
	b := in.Body
	return domainDetails(srv.deps.Webhooks.CheckInput(webhooks.Input{URL: b.URL, EventTypes: b.EventTypes, Description: b.Description}))
}

func (in *patchWebhookIn) Resolve(hctx huma.Context) []error {
	srv := infoFrom(hctx.Context()).server
	if srv == nil || srv.deps.Webhooks == nil {
		return nil
	}
	b := in.Body
	return domainDetails(srv.deps.Webhooks.CheckPatch(webhooks.Patch{URL: b.URL, EventTypes: b.EventTypes, Description: b.Description}))
}
