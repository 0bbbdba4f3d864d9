package httpapi

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/validation"

	"github.com/maintainuk/maintainuk/internal/apperr"
	"github.com/maintainuk/maintainuk/internal/database"
)

func init() {
	// huma's enum message quotes the whole list ("expected value to be one of \"A, B\"");
	// say it the way the domain's messages do. Set before any schema precomputes it.
	validation.MsgExpectedOneOf = "must be one of %s"
}

// Failure is the `error` member of a failed response.
type Failure struct {
	Code    apperr.Code         `json:"code" example:"VALIDATION_FAILED"`
	Message string              `json:"message"`
	Fields  []apperr.FieldError `json:"fields,omitempty"`
}

// ErrorEnvelope is the body of every failed response: {"data": null, "error": {…}, "traceId": …}.
type ErrorEnvelope struct {
	status     int
	retryAfter int
	Data       *Null   `json:"data" doc:"Always null on failure."`
	Err        Failure `json:"error"`
	TraceID    string  `json:"traceId"`
}

func (e *ErrorEnvelope) Error() string  { return string(e.Err.Code) + ": " + e.Err.Message }
func (e *ErrorEnvelope) GetStatus() int { return e.status }

// GetHeaders adds Retry-After to 429 answers.
func (e *ErrorEnvelope) GetHeaders() http.Header {
	if e.retryAfter > 0 {
		return http.Header{"Retry-After": {strconv.Itoa(e.retryAfter)}}
	}
	return nil
}

// statusOf is the one table from domain error code to HTTP status.
var statusOf = map[apperr.Code]int{
	apperr.Invalid:         http.StatusUnprocessableEntity,
	apperr.BadRequest:      http.StatusBadRequest,
	apperr.Unauthenticated: http.StatusUnauthorized,
	apperr.Forbidden:       http.StatusForbidden,
	apperr.NotFound:        http.StatusNotFound,
	apperr.Conflict:        http.StatusConflict,
	apperr.TooLarge:        http.StatusRequestEntityTooLarge,
	apperr.UnsupportedType: http.StatusUnsupportedMediaType,
	apperr.RateLimited:     http.StatusTooManyRequests,
	apperr.PaymentRequired: http.StatusPaymentRequired,
	apperr.Internal:        http.StatusInternalServerError,
	apperr.Unavailable:     http.StatusServiceUnavailable,
}

// codeOf is the reverse, for errors huma itself raises (malformed JSON, validation, size).
func codeOf(status int) apperr.Code {
	switch status {
	case http.StatusBadRequest:
		return apperr.BadRequest
	case http.StatusUnauthorized:
		return apperr.Unauthenticated
	case http.StatusForbidden:
		return apperr.Forbidden
	case http.StatusNotFound:
		return apperr.NotFound
	case http.StatusConflict:
		return apperr.Conflict
	case http.StatusRequestEntityTooLarge:
		return apperr.TooLarge
	case http.StatusUnsupportedMediaType:
		return apperr.UnsupportedType
	case http.StatusUnprocessableEntity:
		return apperr.Invalid
	case http.StatusTooManyRequests:
		return apperr.RateLimited
	case http.StatusPaymentRequired:
		return apperr.PaymentRequired
	case http.StatusServiceUnavailable:
		return apperr.Unavailable
	}
	if status >= 500 {
		return apperr.Internal
	}
	return apperr.BadRequest
}

// unavailableMessage and unavailableRetryAfter (seconds) answer a request the database
// could not serve because it is unreachable.
const (
	unavailableMessage    = "the service is briefly unavailable; try again in a few seconds"
	unavailableRetryAfter = 5
)

const internalMessage = "something went wrong on our side; quote the trace id if you contact support"

// newErrorEnvelope turns any error into the API's failure envelope. Domain errors keep
// their code and message; anything else becomes a 500 whose details go to the log only.
func newErrorEnvelope(ctx context.Context, logger *slog.Logger, status int, msg string, errs ...error) *ErrorEnvelope {
	env := &ErrorEnvelope{TraceID: traceID(ctx)}
	for _, err := range errs {
		var ae *apperr.Error
		if errors.As(err, &ae) {
			env.status = statusOf[ae.Code]
			env.Err = Failure{Code: ae.Code, Message: ae.Message, Fields: ae.Fields}
			if env.status == 0 { // a code missing from statusOf: never WriteHeader(0), never its message
				env.status = http.StatusInternalServerError
				env.Err = Failure{Code: apperr.Internal, Message: internalMessage}
			}
			if ae.RetryAfter > 0 {
				env.retryAfter = int(math.Ceil(ae.RetryAfter.Seconds()))
			}
			if env.status >= 500 && ae.Code != apperr.Unavailable { // busy is not a fault
				logger.ErrorContext(ctx, "request failed", "error", err)
			}
			return env
		}
	}
	if status >= 500 && slices.ContainsFunc(errs, database.Unreachable) {
		// The database is down or restarting: the request may succeed in a moment, so
		// 503 with Retry-After rather than a 500 that reads as a bug (docs/faults.md).
		logger.WarnContext(ctx, "database unreachable", "trace_id", env.TraceID, "error", errors.Join(errs...))
		env.status, env.retryAfter = http.StatusServiceUnavailable, unavailableRetryAfter
		env.Err = Failure{Code: apperr.Unavailable, Message: unavailableMessage}
		return env
	}
	env.status = status
	env.Err = Failure{Code: codeOf(status), Message: msg}
	if status >= 500 {
		logger.ErrorContext(ctx, "request failed", "error", errors.Join(errs...))
		env.Err.Message = internalMessage
		return env
	}
	env.Err.Fields = mergeFieldErrors(status, errs)
	if status == http.StatusUnprocessableEntity {
		env.Err.Message = "some fields are not valid"
	}
	if n := infoFrom(ctx).maxBodyBytes; status == http.StatusRequestEntityTooLarge && n > 0 {
		// huma's own message states its internal limit, one more than the configured one
		// (operation sets it so that a body of exactly MAX_BODY_BYTES is accepted).
		env.Err.Message = fmt.Sprintf("request body is larger than the limit of %d bytes", n)
	}
	return env
}

// detailField names the field a huma validation error is about. huma reports a missing
// required property at its parent ("body"), naming it only in the message, so the name
// is taken from there: {"field": "addressLine1"}, not {"field": ""}.
func detailField(d *huma.ErrorDetail) string {
	field := fieldName(d.Location)
	prefix, suffix, _ := strings.Cut(validation.MsgExpectedRequiredProperty, "%s")
	if rest, ok := strings.CutPrefix(d.Message, prefix); ok {
		if name, ok := strings.CutSuffix(rest, suffix); ok && name != "" && !strings.Contains(name, " ") {
			if field == "" {
				return name
			}
			return field + "." + name
		}
	}
	return field
}

// fieldName turns huma's "body.address.postcode" into "address.postcode" and
// "query.limit" into "limit".
func fieldName(location string) string {
	for _, prefix := range []string{"body.", "query.", "path.", "header.", "form."} {
		if rest, ok := strings.CutPrefix(location, prefix); ok {
			return rest
		}
	}
	if location == "body" {
		return ""
	}
	return location
}
