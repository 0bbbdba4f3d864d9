package stripe

import (
	"fmt"
	"testing"
	"time"

	"github.com/maintainuk/maintainuk/internal/billing/payments"
)

// Each handled event type, in the shapes Stripe's API versions send, names the customer,
// subscription and organisation billing needs.
func TestParseEvent(t *testing.T) {
	t.Parallel()
	const secret = "whsec_parse"
	now := time.Date(2026, 12, 3, 4, 0, 0, 0, time.UTC)
	cases := []struct {
		name, object string
		want         payments.Event
	}{
		{"checkout session", `{"id":"cs_1","object":"checkout.session","customer":"cus_1","subscription":"sub_1","client_reference_id":"org-1"}`,
			payments.Event{Type: payments.EventCheckoutCompleted, CustomerID: "cus_1", SubscriptionID: "sub_1", OrgID: "org-1"}},
		{"subscription", `{"id":"sub_2","object":"subscription","customer":"cus_2","metadata":{}}`,
			payments.Event{Type: payments.EventSubscriptionUpdated, CustomerID: "cus_2", SubscriptionID: "sub_2"}},
		{"subscription, customer expanded", `{"id":"sub_3","object":"subscription","customer":{"id":"cus_3","object":"customer"}}`,
			payments.Event{Type: payments.EventSubscriptionDeleted, CustomerID: "cus_3", SubscriptionID: "sub_3"}},
		{"invoice, API 2025-03-31 and later", `{"id":"in_1","object":"invoice","customer":"cus_4","parent":{"type":"subscription_details","subscription_details":{"subscription":"sub_4"}}}`,
			payments.Event{Type: payments.EventInvoicePaid, CustomerID: "cus_4", SubscriptionID: "sub_4"}},
		{"invoice, older API", `{"id":"in_2","object":"invoice","customer":"cus_5","subscription":"sub_5"}`,
			payments.Event{Type: payments.EventInvoicePaymentFailed, CustomerID: "cus_5", SubscriptionID: "sub_5"}},
		{"invoice of no subscription", `{"id":"in_3","object":"invoice","customer":"cus_6","subscription":null,"parent":null}`,
			payments.Event{Type: payments.EventInvoicePaid, CustomerID: "cus_6"}},
		{"customer with its organisation", `{"id":"cus_7","object":"customer","metadata":{"org_id":"org-7"}}`,
			payments.Event{Type: "customer.updated", OrgID: "org-7"}},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			id := fmt.Sprintf("evt_%d", i)
			payload := fmt.Appendf(nil, `{"id":%q,"object":"event","type":%q,"created":%d,"data":{"object":%s}}`, id, c.want.Type, now.Unix()-60, c.object)
			got, err := ParseEvent(payload, fmt.Sprintf("t=%d,v1=%s", now.Unix(), sign(payload, secret, now)), secret, 0, now)
			if err != nil {
				t.Fatal(err)
			}
			want := c.want
			want.ID, want.Created = id, now.Add(-time.Minute)
			if got != want {
				t.Fatalf("got %+v\nwant %+v", got, want)
			}
		})
	}
	if _, err := ParseEvent([]byte(`{"id":"evt_x"}`), "t=1,v1=00", secret, 0, now); err == nil {
		t.Fatal("an unsigned event was parsed")
	}
}
