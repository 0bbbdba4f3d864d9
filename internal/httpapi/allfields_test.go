package httpapi_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/maintainuk/maintainuk/internal/apperr"
	"github.com/maintainuk/maintainuk/internal/testsupport"
	"github.com/maintainuk/maintainuk/internal/workorders"
)

// TestValidation_everyFieldErrorInOneAnswer sends each main create operation a body that
// breaks a schema rule (checked by huma) and a domain rule (checked by the service) at
// once: one answer names both fields, each once.
func TestValidation_everyFieldErrorInOneAnswer(t *testing.T) {
	t.Parallel()
	app := testsupport.NewApp(t, nil)
	e := testsupport.NewWorkflow(t, app, "All Fields Lettings")
	ticket := e.Ticket(t)
	long := strings.Repeat("x", 300)
	tooLongNotes := strings.Repeat("n", 2001)
	quoted := e.WorkOrder(t, workorders.Accepted)
	completed := e.WorkOrder(t, workorders.Completed)
	for _, tc := range []struct {
		name, path string
		body       map[string]any
		fields     []string // schema's, then domain's
		patch      bool
	}{
		{"ticket", "/api/v1/tickets", map[string]any{"unitId": e.UnitID, "title": long, "reportedByPhone": "12"},
			[]string{"title", "reportedByPhone"}, false},
		{"property", "/api/v1/properties", map[string]any{"addressLine1": long, "town": "Leeds", "postcode": "12345"},
			[]string{"addressLine1", "postcode"}, false},
		{"unit", "/api/v1/properties/" + e.PropertyID.String() + "/units", map[string]any{"label": long, "reference": "a b"},
			[]string{"label", "reference"}, false},
		{"contractor", "/api/v1/contractors", map[string]any{"companyName": long, "email": "not-an-email"},
			[]string{"companyName", "email"}, false},
		{"work order", "/api/v1/work-orders", map[string]any{"ticketId": ticket, "contractorId": "not-a-uuid", "description": "  "},
			[]string{"contractorId", "description"}, false},
		{"quote", "/api/v1/work-orders/" + quoted.ID.String() + "/quotes", map[string]any{"validUntil": "2020-01-01", "notes": tooLongNotes,
			"lines": []any{testsupport.Line("Labour", 1, 5000, nil)}}, []string{"notes", "validUntil"}, false},
		{"invoice", "/api/v1/work-orders/" + completed.ID.String() + "/invoices", map[string]any{"reference": "INV-1", "notes": tooLongNotes,
			"lines": []any{testsupport.Line("Labour", 1.2345, 5000, nil)}}, []string{"notes", "lines[0].quantity"}, false},
		{"registration", "/api/v1/auth/register", map[string]any{"orgName": "   ", "name": "Ada", "email": "not-an-email", "password": "short"},
			[]string{"email", "password", "orgName"}, false},
		{"work-order transition", "/api/v1/work-orders/" + quoted.ID.String() + "/transition", map[string]any{"action": "schedule", "reason": strings.Repeat("r", 1001)},
			[]string{"reason", "scheduledFor"}, false},
		{"invitation", "/api/v1/members", map[string]any{"email": "not-an-email", "role": "CONTRACTOR"},
			[]string{"email", "contractorId"}, false},
		{"comment", "/api/v1/tickets/" + ticket.String() + "/comments", map[string]any{"body": "   ", "visibility": "PUBLIC"},
			[]string{"visibility", "body"}, false},
		{"settings change", "/api/v1/settings", map[string]any{"holidayRegion": "WALES", "sla": map[string]any{"URGENT": map[string]any{"hours": 4, "workingDays": 2}}},
			[]string{"holidayRegion", "sla.URGENT"}, true},
		{"webhook", "/api/v1/webhooks", map[string]any{"url": "ftp://hooks.example.com/in", "eventTypes": []string{"ticket.nonsense"}, "description": strings.Repeat("d", 501)},
			[]string{"description", "url", "eventTypes"}, false},
		{"ticket change", "/api/v1/tickets/" + ticket.String(), map[string]any{"title": "   ", "priority": "SOON"},
			[]string{"priority", "title"}, true},
		{"property change", "/api/v1/properties/" + e.PropertyID.String(), map[string]any{"town": "", "postcode": "12345"},
			[]string{"town", "postcode"}, true},
		{"contractor change", "/api/v1/contractors/" + e.OtherContractorID.String(), map[string]any{"companyName": "", "phone": "12"},
			[]string{"companyName", "phone"}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			method := http.MethodPost
			if tc.patch {
				method = http.MethodPatch
			}
			f := e.Admin.With(t).Do(method, tc.path, tc.body).ExpectFailure(http.StatusUnprocessableEntity, apperr.Invalid, tc.fields...)
			seen := map[string]int{}
			for _, fe := range f.Fields {
				seen[fe.Field]++
				if seen[fe.Field] > 1 {
					t.Errorf("field %s is named twice: %+v", fe.Field, f.Fields)
				}
			}
		})
	}

	// A body that is not JSON is a 400 without made-up field errors.
	f := e.Admin.With(t).Post("/api/v1/tickets", "{not json").ExpectFailure(http.StatusBadRequest, apperr.BadRequest)
	for _, fe := range f.Fields {
		if fe.Field == "title" {
			t.Errorf("a malformed body got domain field errors: %+v", f.Fields)
		}
	}
}

// TestMessagesReadWell: enum lists without quotes round them, and "an" before a vowel.
func TestMessagesReadWell(t *testing.T) {
	t.Parallel()
	app := testsupport.NewApp(t, nil)
	e := testsupport.NewWorkflow(t, app, "Wording Lettings")

	f := e.Admin.With(t).Post("/api/v1/tickets", map[string]any{"unitId": e.UnitID, "title": "Tap", "category": "NOPE"}).
		ExpectFailure(http.StatusUnprocessableEntity, apperr.Invalid, "category")
	for _, fe := range f.Fields {
		if fe.Field == "category" && fe.Message != "must be one of PLUMBING, ELECTRICAL, HVAC, APPLIANCE, STRUCTURAL, PEST_CONTROL, OTHER" {
			t.Errorf("category: %q", fe.Message)
		}
	}

	wo := testsupport.RaiseWorkOrder(t, e.Admin, e.Ticket(t), e.ContractorID)
	f = testsupport.ActOnWorkOrder(t, e.Admin, wo.ID, "start").ExpectFailure(http.StatusConflict, apperr.Conflict)
	if f.Message != "an ASSIGNED work order cannot be started" {
		t.Errorf("message %q", f.Message)
	}
}
