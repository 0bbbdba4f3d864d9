package twilio

import (
	"errors"
	"net/http"

	twclient "github.com/twilio/twilio-go/client"

	"github.com/maintainuk/maintainuk/internal/messaging/carrier"
)

// toCarrierError is err from the SDK as a *carrier.Error; status is the HTTP status of
// Twilio's answer, 0 when none came.
func toCarrierError(err error, status int) *carrier.Error {
	var rest *twclient.TwilioRestError
	if errors.As(err, &rest) {
		// The SDK's own refusals (illegal characters in the credentials) carry a status
		// but no answer came; otherwise the body's status is the answer's.
		st := rest.Status
		if st == 0 {
			st = status
		}
		return &carrier.Error{Code: rest.Code, HTTPStatus: st, Message: rest.Message, Temporary: temporary(st)}
	}
	switch {
	case status >= http.StatusBadRequest:
		// An error page that is not Twilio's JSON, such as a proxy's 502.
		return &carrier.Error{HTTPStatus: status, Message: err.Error(), Temporary: temporary(status)}
	case status != 0:
		// Twilio accepted the request but its answer could not be read: sending again
		// could send the text twice, so this is not worth retrying.
		return &carrier.Error{HTTPStatus: status, Message: "unreadable answer: " + err.Error()}
	default:
		// No answer: a network failure, a timeout or the caller's cancellation.
		return &carrier.Error{Message: err.Error(), Temporary: true}
	}
}

// temporary says whether an answer with this HTTP status may go differently later.
func temporary(status int) bool {
	return status == http.StatusTooManyRequests || status >= http.StatusInternalServerError
}
