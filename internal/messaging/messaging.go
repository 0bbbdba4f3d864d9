// Package messaging texts residents and contractors by SMS and WhatsApp, and hears back
// from them (docs/messaging.md). Every text is a row in messages, beside the emails:
//
//   - Nothing is sent without a current grant of consent for the number and channel
//     (contact_points, consent_records); a refused attempt is kept as BLOCKED with why.
//   - Sending is a job (queues sms and whatsapp) whose arguments are two ids; the worker
//     checks consent, the WhatsApp window and the plan's allowance (one atomic step with
//     the usage increment) at the moment of sending, then hands the text to the carrier.
//   - Texts about anything but an emergency that would go out in the organisation's quiet
//     hours are scheduled for when they end.
//   - Twilio's webhooks report delivery (status) and bring texts in (inbound): keywords
//     change consent, a known resident's text opens or comments on a ticket.
package messaging

import (
	"context"
	"log/slog"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/maintainuk/maintainuk/internal/database"
	"github.com/maintainuk/maintainuk/internal/messaging/carrier"
	"github.com/maintainuk/maintainuk/internal/messaging/messagingdb"
	"github.com/maintainuk/maintainuk/internal/messaging/textrules"
	"github.com/maintainuk/maintainuk/internal/tickets"
)

// Config is the deployment's texting settings.
type Config struct {
	// SMSFrom and WhatsAppFrom are the numbers texts come from (E.164).
	SMSFrom      string
	WhatsAppFrom string
	// BaseURL is the public address of the service: links in texts and the URL Twilio
	// signs its webhooks against.
	BaseURL string
	// AuthToken verifies Twilio's webhook signatures; empty (development with the dev
	// provider) refuses every webhook.
	AuthToken string
	// MaxSegments is the most SMS segments one text may use; longer ones are cut with a
	// link to the ticket.
	MaxSegments int
	// SMSPrices (pence per segment) and WhatsAppPrices (pence per message) by destination.
	SMSPrices      textrules.PriceTable
	WhatsAppPrices textrules.PriceTable
	// Templates maps a notification ("ticket.resolved", "work_order.scheduled",
	// "work_order.assigned") to an approved WhatsApp template (ContentSid), used outside
	// the 24-hour window.
	Templates map[string]string
}

// Inserter inserts jobs in the caller's transaction (the River client).
type Inserter interface {
	InsertTx(ctx context.Context, tx pgx.Tx, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error)
}

// Service is the messaging service.
type Service struct {
	db      *database.DB
	jobs    Inserter
	sender  carrier.Sender
	tickets *tickets.Service
	cfg     Config
	now     func() time.Time
	q       *messagingdb.Queries
	logger  *slog.Logger
	// Observe, when set, is told of every text reaching a status (the Prometheus metrics).
	Observe func(channel, status string)
}

func (s *Service) observe(channel, status string) {
	if s.Observe != nil {
		s.Observe(channel, status)
	}
}

// NewService returns the messaging service. jobs may be set later with SetInserter (the
// River client is built with the workers that need this service).
func NewService(db *database.DB, sender carrier.Sender, t *tickets.Service, cfg Config, now func() time.Time, logger *slog.Logger) *Service {
	if cfg.MaxSegments <= 0 {
		cfg.MaxSegments = 3
	}
	return &Service{db: db, sender: sender, tickets: t, cfg: cfg, now: now, q: messagingdb.New(), logger: logger}
}

// SetInserter gives the service the client that queues its jobs.
func (s *Service) SetInserter(j Inserter) { s.jobs = j }

// Window is how long WhatsApp allows free text after the resident's last message.
const Window = 24 * time.Hour

// ThreadWindow is how recent a resident's open ticket must be (reported, or texted
// about) for a new text to join it rather than open another.
const ThreadWindow = 48 * time.Hour

// Channel values as the API spells them.
var Channels = []string{string(carrier.SMS), string(carrier.WhatsApp)}

// Text is one SMS or WhatsApp message, as the API shows it.
type Text struct {
	ID               uuid.UUID         `json:"id"`
	TicketID         *uuid.UUID        `json:"ticketId"`
	Channel          string            `json:"channel" enum:"SMS,WHATSAPP"`
	Direction        string            `json:"direction" enum:"OUTBOUND,INBOUND"`
	To               string            `json:"to" doc:"E.164 number of the recipient (for an inbound text, the organisation's number)."`
	From             string            `json:"from" doc:"E.164 number it came from."`
	Body             string            `json:"body" doc:"The text as sent (after any shortening); empty for a template."`
	ContentSID       string            `json:"contentSid" doc:"The approved WhatsApp template, when one was used."`
	ContentVariables map[string]string `json:"contentVariables" doc:"The template's variables."`
	Status           string            `json:"status" enum:"PENDING,SENDING,QUEUED,SENT,DELIVERED,UNDELIVERED,FAILED,READ,BLOCKED,RECEIVED"`
	StatusReason     string            `json:"statusReason" doc:"Why it was blocked or failed."`
	ErrorCode        string            `json:"errorCode" doc:"The provider's error code (e.g. 21211 invalid number, 63016 outside the WhatsApp window)."`
	ProviderSID      string            `json:"providerSid"`
	Segments         int               `json:"segments" doc:"SMS segments it takes (1 for WhatsApp)."`
	Encoding         string            `json:"encoding" doc:"GSM-7 or UCS-2 for SMS."`
	CostPence        int64             `json:"costPence" doc:"What the provider charges for it, from the deployment's price table."`
	Emergency        bool              `json:"emergency" doc:"About an emergency: sent even in quiet hours."`
	HoldUntil        *time.Time        `json:"holdUntil" doc:"Held for the organisation's quiet hours until this time."`
	CreatedBy        *uuid.UUID        `json:"createdBy"`
	CreatedAt        time.Time         `json:"createdAt"`
	SentAt           *time.Time        `json:"sentAt"`
	DeliveredAt      *time.Time        `json:"deliveredAt"`
	ReadAt           *time.Time        `json:"readAt"`
}

func textFromRow(m messagingdb.Message) Text {
	t := Text{ID: m.ID, TicketID: m.TicketID, Channel: m.Channel, Direction: m.Direction, To: m.Recipient, From: m.Sender,
		Body: m.BodyText, ContentSID: m.ContentSid, Status: m.Status, StatusReason: m.FailureReason, ErrorCode: m.ErrorCode,
		ProviderSID: m.ProviderMessageID, Segments: int(m.Segments), Encoding: m.Encoding, CostPence: m.CostPence,
		Emergency: m.Emergency, HoldUntil: m.HoldUntil, CreatedBy: m.CreatedBy, CreatedAt: m.CreatedAt.UTC(),
		SentAt: m.SentAt, DeliveredAt: m.DeliveredAt, ReadAt: m.ReadAt}
	t.ContentVariables = decodeVariables(m.ContentVariables)
	return t
}
