package twilio

import (
	"context"
	"crypto/rand"
	"encoding/hex"

	"github.com/maintainuk/maintainuk/internal/messaging/carrier"
)

// DevSender is the development provider: nothing leaves the machine, and the message's
// own row in the database is the record of what would have been sent.
type DevSender struct{}

var _ carrier.Sender = DevSender{}

// Name is the provider's name as stored on each message.
func (DevSender) Name() string { return "dev" }

// Send accepts every message with a fresh "SMdev…" SID and status "sent", for SMS and
// WhatsApp alike; a done ctx is refused as Twilio's call would be.
func (DevSender) Send(ctx context.Context, _ carrier.Message) (carrier.Result, error) {
	if err := ctx.Err(); err != nil {
		return carrier.Result{}, &carrier.Error{Message: err.Error(), Temporary: true}
	}
	b := make([]byte, 16)
	// crypto/rand.Read never fails.
	_, _ = rand.Read(b)
	return carrier.Result{SID: "SMdev" + hex.EncodeToString(b), Status: "sent"}, nil
}
