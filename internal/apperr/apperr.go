// Package apperr is the small set of error codes the domain speaks in. The HTTP layer maps
// each code to a status and the API envelope in one place (internal/httpapi/errors.go);
// nothing else decides how an error looks to a client.
package apperr

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Code classifies an error. The strings are the `error.code` values clients see.
type Code string

const (
	Invalid         Code = "VALIDATION_FAILED"   // 422: input breaks a rule
	BadRequest      Code = "BAD_REQUEST"         // 400: malformed request
	Unauthenticated Code = "UNAUTHENTICATED"     // 401: no, bad or expired credentials
	Forbidden       Code = "FORBIDDEN"           // 403: authenticated, wrong role in own org
	NotFound        Code = "NOT_FOUND"           // 404: missing or another org's
	Conflict        Code = "CONFLICT"            // 409: state conflict or illegal transition
	TooLarge        Code = "PAYLOAD_TOO_LARGE"   // 413
	UnsupportedType Code = "UNSUPPORTED_MEDIA"   // 415
	PaymentRequired Code = "PAYMENT_REQUIRED"    // 402: the organisation's payment is overdue
	RateLimited     Code = "RATE_LIMITED"        // 429
	Internal        Code = "INTERNAL"            // 500: never shows internals
	Unavailable     Code = "SERVICE_UNAVAILABLE" // 503
)

// FieldError names one input field and what is wrong with it.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// Error is a domain error with a code, a message safe to show a client, and optional
// field-level details.
type Error struct {
	Code       Code
	Message    string
	Fields     []FieldError
	RetryAfter time.Duration // for RateLimited
	cause      error
}

func (e *Error) Error() string {
	if e.cause != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.cause)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

func (e *Error) Unwrap() error { return e.cause }

// New returns an error with a code and message.
func New(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Wrap returns an error with a code and message that keeps cause for logs (never shown).
func Wrap(cause error, code Code, message string) *Error {
	return &Error{Code: code, Message: message, cause: cause}
}

// NotFoundf is the answer for a missing row and for another organisation's row alike.
func NotFoundf(what string) *Error { return New(NotFound, "%s not found", what) }

// ForbiddenRole is the answer for a role that may not do something in its own org.
func ForbiddenRole() *Error { return New(Forbidden, "your role does not allow this") }

// IllegalTransition is the answer for a state change the state machine does not allow.
func IllegalTransition(entity, from, to string) *Error {
	return New(Conflict, "%s cannot go from %s to %s", A(entity), from, to)
}

// A puts the indefinite article before a phrase: "an ASSIGNED work order", "an invoice",
// "a SUBMITTED quote". It goes by the first letter, which is right for the statuses and
// entity names used in messages.
func A(phrase string) string {
	if phrase != "" && strings.ContainsRune("AEIOUaeiou", rune(phrase[0])) {
		return "an " + phrase
	}
	return "a " + phrase
}

// CodeOf returns err's code, or Internal for errors that carry none.
func CodeOf(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return Internal
}

// Is reports whether err carries code.
func Is(err error, code Code) bool { return err != nil && CodeOf(err) == code }
