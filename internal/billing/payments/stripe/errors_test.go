package stripe

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"testing"

	stripego "github.com/stripe/stripe-go/v84"

	"github.com/maintainuk/maintainuk/internal/billing/payments"
	"github.com/maintainuk/maintainuk/internal/testsupport/stripemock"
)

// Stripe's refusals arrive as *Error with its status and type, and are not worth retrying.
func TestProvider_errorsFromStripeMock(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	base := stripemock.Start(t)
	good := New(Config{SecretKey: "sk_test_123", BaseURL: base})
	badKey := New(Config{SecretKey: "not-a-key", BaseURL: base})
	cases := []struct {
		name   string
		call   func() error
		op     string
		status int
	}{
		// The id's slash is escaped by the SDK and unescaped by stripe-mock: an unknown URL.
		{"unknown subscription", func() error { _, err := good.GetSubscription(ctx, "sub_1/none"); return err }, "get subscription", http.StatusNotFound},
		{"change price of an unknown subscription", func() error { _, err := good.ChangePrice(ctx, "sub_1/none", "price_1", "k"); return err }, "change price", http.StatusNotFound},
		{"key stripe-mock does not accept", func() error { _, err := badKey.CreateCustomer(ctx, payments.Customer{OrgID: "org-1"}, "k"); return err }, "create customer", http.StatusUnauthorized},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			var se *Error
			if err := c.call(); !errors.As(err, &se) {
				t.Fatalf("err = %v (%T), want *Error", err, err)
			}
			if se.Op != c.op || se.Status != c.status || se.Type != "invalid_request_error" || se.Message == "" || se.Retryable {
				t.Fatalf("error %+v", se)
			}
			var sdk *stripego.Error
			if !errors.As(se, &sdk) {
				t.Fatal("the SDK's error is not wrapped")
			}
		})
	}
}

func TestWrap(t *testing.T) {
	t.Parallel()
	netErr := &url.Error{Op: "Post", URL: "https://api.stripe.com/v1/customers", Err: errors.New("connection reset by peer")}
	cases := []struct {
		name      string
		err       error
		status    int
		code      string
		retryable bool
		text      string
	}{
		{"bad request", &stripego.Error{HTTPStatusCode: 400, Type: stripego.ErrorTypeInvalidRequest, Code: stripego.ErrorCodeParameterMissing, Msg: "Missing required param: customer."},
			400, "parameter_missing", false, "stripe: op: 400 invalid_request_error (parameter_missing): Missing required param: customer."},
		{"no such resource", &stripego.Error{HTTPStatusCode: 404, Type: stripego.ErrorTypeInvalidRequest, Code: stripego.ErrorCodeResourceMissing, Msg: "No such subscription"},
			404, "resource_missing", false, "stripe: op: 404 invalid_request_error (resource_missing): No such subscription"},
		{"idempotency key reused with other parameters", &stripego.Error{HTTPStatusCode: 409, Type: stripego.ErrorTypeIdempotency, Msg: "Keys for idempotent requests can only be used with the same parameters"},
			409, "", false, "stripe: op: 409 idempotency_error: Keys for idempotent requests can only be used with the same parameters"},
		{"rate limited", &stripego.Error{HTTPStatusCode: 429, Type: stripego.ErrorTypeInvalidRequest, Code: stripego.ErrorCodeRateLimit, Msg: "Too many requests"},
			429, "rate_limit", true, "stripe: op: 429 invalid_request_error (rate_limit): Too many requests"},
		{"Stripe's fault", &stripego.Error{HTTPStatusCode: 500, Type: stripego.ErrorTypeAPI, Msg: "Something went wrong"},
			500, "", true, "stripe: op: 500 api_error: Something went wrong"},
		{"unavailable", &stripego.Error{HTTPStatusCode: 503, Type: stripego.ErrorTypeAPI, Msg: "Unavailable"},
			503, "", true, "stripe: op: 503 api_error: Unavailable"},
		{"network", netErr, 0, "", true, "stripe: op: " + netErr.Error()},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			var e *Error
			if !errors.As(wrap("op", c.err), &e) {
				t.Fatal("not an *Error")
			}
			if e.Status != c.status || e.Code != c.code || e.Retryable != c.retryable || e.Error() != c.text || !errors.Is(e, c.err) {
				t.Fatalf("wrap = %+v, %q", e, e.Error())
			}
		})
	}
}
