package stripe

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/maintainuk/maintainuk/internal/billing/payments"
)

// ParseEvent verifies a webhook (VerifyWebhook) and reduces its event to what billing acts
// on: the customer, subscription and organisation its object names.
func ParseEvent(payload []byte, header, secret string, tolerance time.Duration, now time.Time) (payments.Event, error) {
	ev, err := VerifyWebhook(payload, header, secret, tolerance, now)
	if err != nil {
		return payments.Event{}, err
	}
	if ev.ID == "" || ev.Type == "" {
		return payments.Event{}, errors.New("stripe: webhook event without id or type")
	}
	out := payments.Event{ID: ev.ID, Type: string(ev.Type), Created: time.Unix(ev.Created, 0).UTC()}
	if ev.Data == nil || len(ev.Data.Raw) == 0 {
		return out, nil
	}
	var obj eventObject
	if err := json.Unmarshal(ev.Data.Raw, &obj); err != nil {
		return payments.Event{}, fmt.Errorf("stripe: webhook event object: %w", err)
	}
	out.CustomerID = obj.Customer.ID
	out.OrgID = obj.Metadata["org_id"]
	switch obj.Object {
	case "subscription":
		out.SubscriptionID = obj.ID
	case "checkout.session":
		out.SubscriptionID = obj.Subscription.ID
		if obj.ClientReferenceID != "" {
			out.OrgID = obj.ClientReferenceID
		}
	case "invoice":
		// Since API version 2025-03-31 an invoice names its subscription under
		// parent.subscription_details; before, at the top level.
		out.SubscriptionID = obj.Subscription.ID
		if obj.Parent != nil && obj.Parent.SubscriptionDetails != nil && obj.Parent.SubscriptionDetails.Subscription.ID != "" {
			out.SubscriptionID = obj.Parent.SubscriptionDetails.Subscription.ID
		}
	}
	return out, nil
}

// eventObject is the part of an event's object billing reads, in any of the shapes the API
// versions send.
type eventObject struct {
	ID                string            `json:"id"`
	Object            string            `json:"object"`
	Customer          ref               `json:"customer"`
	Subscription      ref               `json:"subscription"`
	ClientReferenceID string            `json:"client_reference_id"`
	Metadata          map[string]string `json:"metadata"`
	Parent            *struct {
		SubscriptionDetails *struct {
			Subscription ref `json:"subscription"`
		} `json:"subscription_details"`
	} `json:"parent"`
}

// ref is a reference to another object: its id, or the object itself when expanded.
type ref struct{ ID string }

func (r *ref) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '{' {
		var o struct {
			ID string `json:"id"`
		}
		err := json.Unmarshal(b, &o)
		r.ID = o.ID
		return err
	}
	var id *string
	if err := json.Unmarshal(b, &id); err != nil {
		return err
	}
	if id != nil {
		r.ID = *id
	}
	return nil
}
