// Package email sends the emails events call for: templates (HTML and plain text, British
// English, the organisation's name) rendered per recipient, a row per message with its
// status, and providers behind one interface — the development mailbox, any SMTP relay
// (go-mail) and Resend's HTTP API.
package email

import (
	"context"
	"errors"
	"fmt"
)

// Message is one email to one recipient.
type Message struct {
	// ID is the message row's id: the Message-ID and the provider's idempotency key, so a
	// provider that has seen it already does not send it again.
	ID       string
	FromName string
	From     string
	ToName   string
	To       string
	Subject  string
	Text     string
	HTML     string
}

// Sender delivers a message and returns the provider's id for it.
type Sender interface {
	Name() string
	Send(ctx context.Context, m Message) (providerID string, err error)
}

// PermanentError is a refusal that retrying cannot fix (an invalid address, a hard
// bounce): the message ends FAILED with the reason.
type PermanentError struct{ Reason string }

func (e *PermanentError) Error() string { return "permanent: " + e.Reason }

// Permanent wraps a reason as a PermanentError.
func Permanent(format string, args ...any) error {
	return &PermanentError{Reason: fmt.Sprintf(format, args...)}
}

// IsPermanent reports whether err is a permanent refusal.
func IsPermanent(err error) bool {
	var p *PermanentError
	return errors.As(err, &p)
}

// DevSender is the development provider: it sends nothing anywhere. The messages are in
// the messages table like any other, readable at /dev/mailbox.
type DevSender struct{}

// Name is "dev".
func (DevSender) Name() string { return "dev" }

// Send accepts every message.
func (DevSender) Send(_ context.Context, m Message) (string, error) { return "dev-" + m.ID, nil }
