package httpapi

import (
	"maps"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/maintainuk/maintainuk/internal/access"
	"github.com/maintainuk/maintainuk/internal/apperr"
	"github.com/maintainuk/maintainuk/internal/clocks"
	"github.com/maintainuk/maintainuk/internal/invoices"
	"github.com/maintainuk/maintainuk/internal/quotes"
	"github.com/maintainuk/maintainuk/internal/tickets"
	"github.com/maintainuk/maintainuk/internal/timeline"
	"github.com/maintainuk/maintainuk/internal/workorders"
)

// This file keeps the OpenAPI document true to what the server answers; the
// schema-conformance check in main_test.go holds every answer the API tests see to it.

// extraAnswers are the failures an operation answers beyond those operation() gives
// every operation of its kind, by operationId.
var extraAnswers = map[string][]int{
	"register":         {http.StatusConflict},                                               // the email has an account
	"login":            {http.StatusUnauthorized, http.StatusForbidden},                     // wrong password; member of no organisation
	"refresh":          {http.StatusUnauthorized},                                           // unknown, expired or reused token
	"acceptInvitation": {http.StatusUnauthorized, http.StatusNotFound, http.StatusConflict}, // wrong password of an existing account; unknown token; accepted already
	"changePassword":   {http.StatusServiceUnavailable},                                     // every password-hashing turn taken
	"resetPassword":    {http.StatusServiceUnavailable},
	"changeMemberRole": {http.StatusConflict}, // the last ADMIN
	"removeMember":     {http.StatusConflict},
	"updateTicket":     {http.StatusConflict},  // a closed or cancelled ticket
	"putAiPrompt":      {http.StatusConflict},  // two saves at the same moment
	"twilioStatus":     {http.StatusForbidden}, // not signed by Twilio
	// Billable actions while the organisation's payment is overdue.
	"sendTicketMessage": {http.StatusPaymentRequired},
	"uploadAttachment":  {http.StatusPaymentRequired},
	"twilioInbound":     {http.StatusForbidden},
	// Body-less POSTs: an Idempotency-Key over 255 characters is their only 422.
	"cancelSubscription": {http.StatusUnprocessableEntity},
	"resumeSubscription": {http.StatusUnprocessableEntity},
	"openBillingPortal":  {http.StatusUnprocessableEntity},
	"resumeTicketClocks": {http.StatusUnprocessableEntity},
	// Not a council, or a closed ticket.
	"setRightToRepairDefect": {http.StatusConflict},
}

// enumsByType are the values of the named string types answers carry; the domain
// packages own the lists.
var enumsByType = map[reflect.Type][]string{
	reflect.TypeFor[access.Role]():       strs(access.Roles),
	reflect.TypeFor[tickets.Status]():    strs(tickets.Statuses),
	reflect.TypeFor[workorders.Status](): strs(workorders.Statuses),
	reflect.TypeFor[quotes.Status]():     strs(quotes.Statuses),
	reflect.TypeFor[invoices.Status]():   strs(invoices.Statuses),
	reflect.TypeFor[clocks.Landlord]():   strs(clocks.Landlords),
	reflect.TypeFor[apperr.Code]():       slices.Sorted(maps.Keys(statusByCode())), // every code errors.go can answer
}

func statusByCode() map[string]int {
	out := map[string]int{}
	for code, status := range statusOf {
		out[string(code)] = status
	}
	return out
}

// fieldOf names a plain string field whose values are one of a list.
type fieldOf struct {
	owner reflect.Type
	field string
}

var enumsByField = map[fieldOf][]string{
	{reflect.TypeFor[tickets.Ticket](), "Category"}:   tickets.Categories,
	{reflect.TypeFor[tickets.Ticket](), "Priority"}:   tickets.Priorities,
	{reflect.TypeFor[tickets.Ticket](), "Source"}:     tickets.Sources,
	{reflect.TypeFor[timeline.Event](), "EntityType"}: timeline.EntityTypes,
	{reflect.TypeFor[timeline.Event](), "ActorRole"}:  strs(access.Roles),
}

func strs[T ~string](values []T) []string {
	out := make([]string, len(values))
	for i, v := range values {
		out[i] = string(v)
	}
	return out
}

// documentAnswers completes the generated document once every operation is registered:
// the headers of rate-limited, busy, unauthenticated and replayed answers, and, in every schema an
// answer uses, the nullability huma misses and the enums of the fields above.
func (s *Server) documentAnswers() {
	doc := s.api.OpenAPI()
	reg := doc.Components.Schemas
	var roots []*huma.Schema
	count := &huma.Schema{Type: huma.TypeInteger, Minimum: new(0.0)}
	for path, item := range doc.Paths {
		for _, op := range []*huma.Operation{item.Get, item.Put, item.Post, item.Delete, item.Patch} {
			if op == nil {
				continue
			}
			keyed := slices.ContainsFunc(op.Parameters, func(p *huma.Param) bool { return p.Name == idempotencyHeader })
			for code, resp := range op.Responses {
				if limited(path) {
					// What limitRate sets on every answer it counts, success or failure.
					addHeader(resp, headerLimit, "When the deployment limits the API: the requests allowed per window, of the tighter of this client's and this organisation's limits.", count)
					addHeader(resp, headerRemaining, "When the deployment limits the API: the requests left in the current window.", count)
					addHeader(resp, headerReset, "When the deployment limits the API: seconds until the current window ends.", count)
				}
				if status, _ := strconv.Atoi(code); keyed && status < 500 && status != http.StatusConflict && status != http.StatusTooManyRequests {
					// What the idempotent middleware stores, and replays to a repeated key.
					addHeader(resp, "Idempotent-Replayed", "Present, true, when this is the stored answer to an earlier request with the same Idempotency-Key.",
						&huma.Schema{Type: huma.TypeString, Enum: []any{"true"}})
				}
				switch code {
				case "429", "503":
					addHeader(resp, "Retry-After", "Seconds to wait before trying again.", &huma.Schema{Type: huma.TypeInteger, Minimum: new(0.0)})
				case "401":
					addHeader(resp, "WWW-Authenticate", `The bearer challenge: Bearer realm="maintainuk".`, &huma.Schema{Type: huma.TypeString})
				}
				for _, mt := range resp.Content {
					roots = append(roots, mt.Schema)
				}
			}
		}
	}
	seen := map[string]bool{}
	var walk func(*huma.Schema)
	walk = func(sc *huma.Schema) {
		if sc == nil {
			return
		}
		if sc.Ref != "" {
			if seen[sc.Ref] {
				return
			}
			seen[sc.Ref] = true
			target := reg.SchemaFromRef(sc.Ref)
			if t := reg.TypeFromRef(sc.Ref); t != nil && target != nil {
				annotate(target, t)
			}
			walk(target)
			return
		}
		for _, p := range sc.Properties {
			walk(p)
		}
		walk(sc.Items)
		if ap, ok := sc.AdditionalProperties.(*huma.Schema); ok {
			walk(ap)
		}
		for _, list := range [][]*huma.Schema{sc.AllOf, sc.AnyOf, sc.OneOf} {
			for _, sub := range list {
				walk(sub)
			}
		}
	}
	for _, root := range roots {
		walk(root)
	}
}

func addHeader(resp *huma.Response, name, description string, schema *huma.Schema) {
	if resp.Headers == nil {
		resp.Headers = map[string]*huma.Param{}
	}
	if resp.Headers[name] == nil {
		resp.Headers[name] = &huma.Param{Description: description, Schema: schema}
	}
}

var uuidType = reflect.TypeFor[uuid.UUID]()

// annotate sets, on the schema of struct type t, what huma cannot infer: a *uuid.UUID
// (an array type, which huma treats as its element) answers null, ids are uuids, and
// enum values.
func annotate(sc *huma.Schema, t reflect.Type) {
	if t.Kind() != reflect.Struct {
		return
	}
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		name, opts, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" {
			if ft := deref(f.Type); ft.Kind() == reflect.Struct {
				annotate(sc, ft)
			}
			continue
		}
		if !f.IsExported() || name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		prop := sc.Properties[name]
		if prop == nil {
			continue
		}
		omitted := strings.Contains(opts, "omitempty") || strings.Contains(opts, "omitzero")
		if f.Type.Kind() == reflect.Pointer && f.Type.Elem() == uuidType && !omitted {
			prop.Nullable = true
		}
		if deref(f.Type) == uuidType && prop.Type == huma.TypeString && prop.Format == "" {
			prop.Format = "uuid"
		}
		values := enumsByType[deref(f.Type)]
		if v, ok := enumsByField[fieldOf{t, f.Name}]; ok {
			values = v
		}
		if values != nil && prop.Type == huma.TypeString && prop.Enum == nil {
			for _, v := range values {
				prop.Enum = append(prop.Enum, v)
			}
			if prop.Nullable {
				prop.Enum = append(prop.Enum, nil)
			}
		}
	}
}

func deref(t reflect.Type) reflect.Type {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t
}
