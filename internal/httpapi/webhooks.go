package httpapi

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/maintainuk/maintainuk/internal/webhooks"
)

type createWebhookIn struct {
	Body struct {
		URL         string   `json:"url" maxLength:"2000" example:"https://example.co.uk/hooks/maintainuk" doc:"HTTPS URL the events are POSTed to; it must not point to an internal address."`
		EventTypes  []string `json:"eventTypes" minItems:"1" maxItems:"50" doc:"Event names such as \"ticket.created\", \"quote.submitted\" or \"invoice.paid\" (without a version), or \"*\" for every event."`
		Description string   `json:"description,omitempty" maxLength:"500"`
		// Data minimisation (docs/webhooks.md): off unless asked for.
		IncludePersonalData bool `json:"includePersonalData,omitempty" doc:"Send people's names, email addresses and phone numbers in payloads. Default false: they are left out."`
	}
}

type patchWebhookIn struct {
	ID   uuid.UUID `path:"id"`
	Body struct {
		URL         *string   `json:"url,omitempty" maxLength:"2000" doc:"HTTPS URL the events are POSTed to."`
		EventTypes  *[]string `json:"eventTypes,omitempty" minItems:"1" maxItems:"50" doc:"Event names such as \"ticket.created\" (without a version), or \"*\" for every event."`
		Description *string   `json:"description,omitempty" maxLength:"500"`
		Enabled     *bool     `json:"enabled,omitempty" doc:"Re-enabling clears the failure record."`
		// Data minimisation (docs/webhooks.md).
		IncludePersonalData *bool `json:"includePersonalData,omitempty" doc:"Send people's names, email addresses and phone numbers in payloads."`
	}
}

type listWebhookDeliveriesIn struct {
	ID uuid.UUID `path:"id"`
	PageQuery
	Status string `query:"status" enum:"PENDING,DELIVERED,FAILED," doc:"Only deliveries in this status."`
}

type webhookDeleted struct {
	Deleted bool `json:"deleted"`
}

func (s *Server) webhookRoutes() {
	const tag = "Webhooks"

	huma.Register(s.api, s.operation(http.MethodGet, "/api/v1/webhooks", "listWebhooks", tag, "List webhook endpoints (ADMIN)", true),
		func(ctx context.Context, in *PageQuery) (*ListOut[webhooks.WebhookEndpoint], error) {
			res, err := s.deps.Webhooks.List(ctx, actorOf(ctx), in.request())
			if err != nil {
				return nil, err
			}
			return list(ctx, res), nil
		})

	huma.Register(s.api, creates(s.operation(http.MethodPost, "/api/v1/webhooks", "createWebhook", tag,
		"Register a webhook endpoint (ADMIN); the answer holds its signing secret, shown only once", true)),
		func(ctx context.Context, in *createWebhookIn) (*Created[webhooks.CreatedWebhookEndpoint], error) {
			b := in.Body
			e, err := s.deps.Webhooks.Create(ctx, actorOf(ctx), webhooks.Input{URL: b.URL, EventTypes: b.EventTypes, Description: b.Description,
				IncludePersonalData: b.IncludePersonalData})
			if err != nil {
				return nil, err
			}
			return created(ctx, *e), nil
		})

	huma.Register(s.api, s.operation(http.MethodGet, "/api/v1/webhooks/{id}", "getWebhook", tag, "Get a webhook endpoint (ADMIN)", true),
		func(ctx context.Context, in *idIn) (*Out[webhooks.WebhookEndpoint], error) {
			e, err := s.deps.Webhooks.Get(ctx, actorOf(ctx), in.ID)
			if err != nil {
				return nil, err
			}
			return ok(ctx, *e), nil
		})

	huma.Register(s.api, s.operation(http.MethodPatch, "/api/v1/webhooks/{id}", "updateWebhook", tag, "Change, disable or re-enable a webhook endpoint (ADMIN)", true),
		func(ctx context.Context, in *patchWebhookIn) (*Out[webhooks.WebhookEndpoint], error) {
			b := in.Body
			e, err := s.deps.Webhooks.Update(ctx, actorOf(ctx), in.ID, webhooks.Patch{
				URL: b.URL, EventTypes: b.EventTypes, Description: b.Description, Enabled: b.Enabled,
				IncludePersonalData: b.IncludePersonalData,
			})
			if err != nil {
				return nil, err
			}
			return ok(ctx, *e), nil
		})

	huma.Register(s.api, s.operation(http.MethodDelete, "/api/v1/webhooks/{id}", "deleteWebhook", tag, "Delete a webhook endpoint and its delivery log (ADMIN)", true),
		func(ctx context.Context, in *idIn) (*Out[webhookDeleted], error) {
			if err := s.deps.Webhooks.Delete(ctx, actorOf(ctx), in.ID); err != nil {
				return nil, err
			}
			return ok(ctx, webhookDeleted{Deleted: true}), nil
		})

	huma.Register(s.api, s.operation(http.MethodGet, "/api/v1/webhooks/{id}/deliveries", "listWebhookDeliveries", tag, "A webhook endpoint's delivery log, newest first (ADMIN)", true),
		func(ctx context.Context, in *listWebhookDeliveriesIn) (*ListOut[webhooks.WebhookDelivery], error) {
			res, err := s.deps.Webhooks.Deliveries(ctx, actorOf(ctx), in.ID, in.Status, in.request())
			if err != nil {
				return nil, err
			}
			return list(ctx, res), nil
		})

	testOp := creates(s.operation(http.MethodPost, "/api/v1/webhooks/{id}/test", "testWebhook", tag,
		"Queue a \"webhook.test\" message to a webhook endpoint now (ADMIN); answers its delivery", true))
	testOp.Errors = append(testOp.Errors, http.StatusTooManyRequests) // WEBHOOK_TESTS_PER_MINUTE
	huma.Register(s.api, testOp,
		func(ctx context.Context, in *idIn) (*Created[webhooks.WebhookDelivery], error) {
			d, err := s.deps.Webhooks.SendTest(ctx, actorOf(ctx), in.ID)
			if err != nil {
				return nil, err
			}
			return created(ctx, *d), nil
		})
}
