package stripe

import (
	"errors"
	"fmt"
	"net/http"

	stripego "github.com/stripe/stripe-go/v84"
)

// Error is a Stripe call that failed: what Stripe said, and whether the same call, with the
// same idempotency key, may yet succeed, so that a job knows to retry or to give up.
type Error struct {
	Op      string // what we asked: "create customer", "change price"…
	Status  int    // Stripe's HTTP status; 0 when Stripe was not reached
	Type    string // Stripe's error type: invalid_request_error, api_error…
	Code    string // Stripe's error code, when it gives one: resource_missing…
	Message string
	// Retryable is true for 429 (rate limited or locked), 5xx and a failed network: Stripe
	// replays a completed request with the same idempotency key, so trying again is safe.
	Retryable bool
	err       error
}

func (e *Error) Error() string {
	if e.Status == 0 {
		return fmt.Sprintf("stripe: %s: %v", e.Op, e.err)
	}
	s := fmt.Sprintf("stripe: %s: %d %s", e.Op, e.Status, e.Type)
	if e.Code != "" {
		s += " (" + e.Code + ")"
	}
	return s + ": " + e.Message
}

// Unwrap is the SDK's error (a *stripe.Error of stripe-go) or the network's.
func (e *Error) Unwrap() error { return e.err }

func wrap(op string, err error) error {
	var se *stripego.Error
	if !errors.As(err, &se) {
		// The SDK gives Stripe's answers as *stripe.Error; anything else is the request not
		// getting there or back (after the SDK's own retries), which may work another time.
		return &Error{Op: op, Retryable: true, err: err}
	}
	return &Error{
		Op:        op,
		Status:    se.HTTPStatusCode,
		Type:      string(se.Type),
		Code:      string(se.Code),
		Message:   se.Msg,
		Retryable: se.HTTPStatusCode == http.StatusTooManyRequests || se.HTTPStatusCode >= 500,
		err:       err,
	}
}
