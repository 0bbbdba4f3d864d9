// Package carrier is what the messaging service needs of a provider that sends SMS and
// WhatsApp messages: one Send, and errors that say whether trying again could help. The
// Twilio adapter and the development provider (internal/messaging/twilio) implement it.
package carrier

import (
	"context"
	"fmt"
)

// Channel is how a text travels.
type Channel string

const (
	// SMS is a text message.
	SMS Channel = "SMS"
	// WhatsApp is a WhatsApp message.
	WhatsApp Channel = "WHATSAPP"
)

// Message is one text to send.
type Message struct {
	// ID is MaintainUK's id of the message, for logs and the development provider.
	ID      string
	Channel Channel
	// To and From are E.164 numbers ("+447400123456"), without any "whatsapp:" prefix:
	// the provider adds what its API wants for the channel.
	To   string
	From string
	// Body is the free text; empty when ContentSID names an approved template.
	Body string
	// ContentSID is an approved WhatsApp template ("HX…"), needed outside the 24-hour
	// window after the recipient's last message; ContentVariables fill its placeholders
	// ({"1": "MT-000042"}).
	ContentSID       string
	ContentVariables map[string]string
	// StatusCallback is the absolute URL the provider reports delivery status to; empty
	// asks for none.
	StatusCallback string
}

// Result is the provider's acceptance of a message.
type Result struct {
	// SID is the provider's id of the message ("SM…"); status callbacks name it.
	SID string
	// Status is the provider's first status, lower case as Twilio spells it ("queued",
	// "accepted", "sent").
	Status string
}

// Error is a provider's refusal or failure.
type Error struct {
	// Code is the provider's error code (Twilio's: 21211 invalid number, 21610
	// unsubscribed, 63016 outside the WhatsApp window); 0 when there is none (a network
	// failure).
	Code int
	// HTTPStatus is the status of the provider's answer; 0 when none came.
	HTTPStatus int
	Message    string
	// Temporary is true when trying again later may succeed (a network failure, 429, 5xx).
	Temporary bool
}

func (e *Error) Error() string {
	if e.Code != 0 {
		return fmt.Sprintf("provider error %d: %s", e.Code, e.Message)
	}
	return "provider error: " + e.Message
}

// Well-known Twilio error codes the service acts on.
const (
	// CodeInvalidNumber: the To number is not a valid phone number.
	CodeInvalidNumber = 21211
	// CodeUnsubscribed: the recipient replied STOP to this sender; sending needs START.
	CodeUnsubscribed = 21610
	// CodeOutsideWindow: free-form WhatsApp outside the 24-hour session window.
	CodeOutsideWindow = 63016
)

// Sender sends texts.
type Sender interface {
	// Name is the provider's name as stored on each message ("dev", "twilio").
	Name() string
	// Send hands one message to the provider. Errors are *Error.
	Send(ctx context.Context, m Message) (Result, error)
}
