package stripe

import (
	"errors"
	"strconv"
	"strings"
	"time"

	stripego "github.com/stripe/stripe-go/v84"
	"github.com/stripe/stripe-go/v84/webhook"
)

// ErrOutsideTolerance is a correctly signed webhook whose timestamp is further from now than
// the tolerance allows, before or after: a replay, or a clock far out.
var ErrOutsideTolerance = errors.New("stripe: webhook timestamp outside the tolerance")

// VerifyWebhook checks the Stripe-Signature header of a webhook against the endpoint's
// signing secret and returns the event. Any of the header's v1 signatures may match, as
// while a secret is being rolled. The timestamp must be within tolerance of now
// (webhook.DefaultTolerance, 5 minutes, when tolerance is not positive).
//
// The SDK checks the signature; the timestamp is checked here, after it (only a signed
// timestamp is worth reading), because the SDK measures age against the real clock and never
// refuses one from the future. The event's API version may differ from the SDK's: handlers
// re-read the object they are told about rather than decode it from the event.
func VerifyWebhook(payload []byte, header, secret string, tolerance time.Duration, now time.Time) (stripego.Event, error) {
	ev, err := webhook.ConstructEventWithOptions(payload, header, secret, webhook.ConstructEventOptions{
		IgnoreTolerance:          true,
		IgnoreAPIVersionMismatch: true,
	})
	if err != nil {
		return stripego.Event{}, err
	}
	if tolerance <= 0 {
		tolerance = webhook.DefaultTolerance
	}
	signed, err := signedAt(header)
	if err != nil {
		return stripego.Event{}, err
	}
	if d := now.Sub(signed); d > tolerance || d < -tolerance {
		return stripego.Event{}, ErrOutsideTolerance
	}
	return ev, nil
}

// signedAt is the header's t=, which the SDK has already parsed to verify the signature.
func signedAt(header string) (time.Time, error) {
	for part := range strings.SplitSeq(header, ",") {
		if v, ok := strings.CutPrefix(part, "t="); ok {
			unix, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return time.Time{}, webhook.ErrInvalidHeader
			}
			return time.Unix(unix, 0), nil
		}
	}
	return time.Time{}, webhook.ErrInvalidHeader
}
