package events

import (
	"time"

	"github.com/google/uuid"
)

func init() {
	register[TicketCreated]()
	register[WorkOrderAssigned]()
	register[QuoteSubmitted]()
	register[QuoteApproved]()
	register[InvoiceSubmitted]()
	register[InvoiceApproved]()
	register[InvoicePaid]()
	register[SLAWarning]()
	register[SLABreached]()
	register[ClockWarning]()
	register[ClockBreached]()
	register[QuoteChaser]()
	register[InsuranceExpiring]()
	register[CertificateExpiring]()
	register[MemberInvited]()
}

// TicketCreated: a repair was reported. The reporter gets an acknowledgement.
type TicketCreated struct {
	TicketID uuid.UUID `json:"ticketId"`
	Number   string    `json:"number"`
	Title    string    `json:"title"`
	Priority string    `json:"priority"`
	SLADueAt time.Time `json:"slaDueAt"`
	Reporter Recipient `json:"reporter"`
}

func (TicketCreated) Name() string { return "ticket.created" }
func (TicketCreated) Version() int { return 1 }

// WorkOrderAssigned: a contractor company was sent to a ticket.
type WorkOrderAssigned struct {
	WorkOrderID  uuid.UUID `json:"workOrderId"`
	TicketID     uuid.UUID `json:"ticketId"`
	TicketNumber string    `json:"ticketNumber"`
	TicketTitle  string    `json:"ticketTitle"`
	Address      string    `json:"address"`
	Description  string    `json:"description"`
	Contractor   Recipient `json:"contractor"`
}

func (WorkOrderAssigned) Name() string { return "work_order.assigned" }
func (WorkOrderAssigned) Version() int { return 1 }

// QuoteSubmitted: a contractor priced a work order; staff decide.
type QuoteSubmitted struct {
	QuoteID      uuid.UUID   `json:"quoteId"`
	WorkOrderID  uuid.UUID   `json:"workOrderId"`
	TicketNumber string      `json:"ticketNumber"`
	Contractor   string      `json:"contractor"`
	TotalPence   int64       `json:"totalPence"`
	ValidUntil   string      `json:"validUntil"`
	Staff        []Recipient `json:"staff"`
}

func (QuoteSubmitted) Name() string { return "quote.submitted" }
func (QuoteSubmitted) Version() int { return 1 }

// QuoteApproved: staff accepted a quote; the contractor may go ahead.
type QuoteApproved struct {
	QuoteID      uuid.UUID `json:"quoteId"`
	WorkOrderID  uuid.UUID `json:"workOrderId"`
	TicketNumber string    `json:"ticketNumber"`
	TotalPence   int64     `json:"totalPence"`
	Contractor   Recipient `json:"contractor"`
}

func (QuoteApproved) Name() string { return "quote.approved" }
func (QuoteApproved) Version() int { return 1 }

// InvoiceSubmitted: a contractor billed a completed work order; staff approve.
type InvoiceSubmitted struct {
	InvoiceID    uuid.UUID   `json:"invoiceId"`
	Reference    string      `json:"reference"`
	TicketNumber string      `json:"ticketNumber"`
	Contractor   string      `json:"contractor"`
	TotalPence   int64       `json:"totalPence"`
	Staff        []Recipient `json:"staff"`
}

func (InvoiceSubmitted) Name() string { return "invoice.submitted" }
func (InvoiceSubmitted) Version() int { return 1 }

// InvoiceApproved: staff approved an invoice for payment.
type InvoiceApproved struct {
	InvoiceID  uuid.UUID `json:"invoiceId"`
	Reference  string    `json:"reference"`
	TotalPence int64     `json:"totalPence"`
	Contractor Recipient `json:"contractor"`
}

func (InvoiceApproved) Name() string { return "invoice.approved" }
func (InvoiceApproved) Version() int { return 1 }

// InvoicePaid: an invoice was paid.
type InvoicePaid struct {
	InvoiceID        uuid.UUID `json:"invoiceId"`
	Reference        string    `json:"reference"`
	TotalPence       int64     `json:"totalPence"`
	PaymentReference string    `json:"paymentReference"`
	Contractor       Recipient `json:"contractor"`
}

func (InvoicePaid) Name() string { return "invoice.paid" }
func (InvoicePaid) Version() int { return 1 }

// SLAWarning: an open ticket has used 75% of its response window.
type SLAWarning struct {
	TicketID uuid.UUID   `json:"ticketId"`
	Number   string      `json:"number"`
	Title    string      `json:"title"`
	Priority string      `json:"priority"`
	SLADueAt time.Time   `json:"slaDueAt"`
	To       []Recipient `json:"to"`
}

func (SLAWarning) Name() string { return "sla.warning" }
func (SLAWarning) Version() int { return 1 }

// SLABreached: an open ticket passed its due time.
type SLABreached struct {
	TicketID uuid.UUID   `json:"ticketId"`
	Number   string      `json:"number"`
	Title    string      `json:"title"`
	Priority string      `json:"priority"`
	SLADueAt time.Time   `json:"slaDueAt"`
	To       []Recipient `json:"to"`
}

func (SLABreached) Name() string { return "sla.breached" }
func (SLABreached) Version() int { return 1 }

// ClockWarning: a legal clock on a ticket (Awaab's Law, the Right to Repair) has used 75%
// of its time without being met or paused.
type ClockWarning struct {
	TicketID uuid.UUID   `json:"ticketId"`
	Number   string      `json:"number"`
	Title    string      `json:"title"`
	Rule     string      `json:"rule"`
	RuleName string      `json:"ruleName"`
	Source   string      `json:"source"`
	DueAt    time.Time   `json:"dueAt"`
	To       []Recipient `json:"to"`
}

func (ClockWarning) Name() string { return "clock.warning" }
func (ClockWarning) Version() int { return 1 }

// ClockBreached: a legal clock on a ticket passed its due time without being met.
type ClockBreached struct {
	TicketID uuid.UUID   `json:"ticketId"`
	Number   string      `json:"number"`
	Title    string      `json:"title"`
	Rule     string      `json:"rule"`
	RuleName string      `json:"ruleName"`
	Source   string      `json:"source"`
	DueAt    time.Time   `json:"dueAt"`
	To       []Recipient `json:"to"`
}

func (ClockBreached) Name() string { return "clock.breached" }
func (ClockBreached) Version() int { return 1 }

// QuoteChaser: a contractor has not quoted for a work order 3 working days after it was
// assigned.
type QuoteChaser struct {
	WorkOrderID  uuid.UUID `json:"workOrderId"`
	TicketNumber string    `json:"ticketNumber"`
	Description  string    `json:"description"`
	AssignedAt   time.Time `json:"assignedAt"`
	Contractor   Recipient `json:"contractor"`
}

func (QuoteChaser) Name() string { return "quote.chaser" }
func (QuoteChaser) Version() int { return 1 }

// InsuranceExpiring: a contractor's insurance expires in DaysLeft days (30 or 7).
type InsuranceExpiring struct {
	ContractorID uuid.UUID   `json:"contractorId"`
	Company      string      `json:"company"`
	ExpiresOn    string      `json:"expiresOn"`
	DaysLeft     int         `json:"daysLeft"`
	Contractor   Recipient   `json:"contractor"`
	Staff        []Recipient `json:"staff"`
}

func (InsuranceExpiring) Name() string { return "contractor.insurance_expiring" }
func (InsuranceExpiring) Version() int { return 1 }

// CertificateExpiring: a property's statutory certificate (gas safety, EICR, EPC) expires
// in DaysLeft days (60, 30, 7), or has expired (0 or less). The staff get it.
type CertificateExpiring struct {
	CertificateID uuid.UUID   `json:"certificateId"`
	PropertyID    uuid.UUID   `json:"propertyId"`
	Property      string      `json:"property" doc:"The property's name, else its first address line, and postcode."`
	Kind          string      `json:"kind"`
	KindName      string      `json:"kindName" doc:"The kind in words: gas safety record, electrical installation condition report, energy performance certificate."`
	ExpiresOn     string      `json:"expiresOn"`
	DaysLeft      int         `json:"daysLeft"`
	Staff         []Recipient `json:"staff"`
}

func (CertificateExpiring) Name() string { return "certificate.expiring" }
func (CertificateExpiring) Version() int { return 1 }

// MemberInvited: someone was invited to join an organisation. The invitation token
// travels sealed (internal/secretbox, a key derived from APP_SECRET): the job table, the
// dashboard and the stored email never hold it readable. AcceptURL is filled in by the
// email worker when it opens the seal, and never serialised.
type MemberInvited struct {
	InvitationID uuid.UUID `json:"invitationId"`
	Role         string    `json:"role"`
	InvitedBy    string    `json:"invitedBy"`
	SealedToken  string    `json:"sealedToken"`
	AcceptURL    string    `json:"-"`
	ExpiresAt    time.Time `json:"expiresAt"`
	Invitee      Recipient `json:"invitee"`
}

func (MemberInvited) Name() string { return "member.invited" }
func (MemberInvited) Version() int { return 1 }

func init() {
	register[TicketStatusChanged]()
	register[WorkOrderStatusChanged]()
	register[QuoteDecided]()
	register[InvoiceRejected]()
}

// TicketStatusChanged: a ticket moved between statuses (by hand or following its work
// orders). Webhooks only.
type TicketStatusChanged struct {
	TicketID uuid.UUID `json:"ticketId"`
	Number   string    `json:"number"`
	From     string    `json:"from"`
	To       string    `json:"to"`
	Reason   string    `json:"reason"`
}

func (TicketStatusChanged) Name() string { return "ticket.status_changed" }
func (TicketStatusChanged) Version() int { return 1 }

// WorkOrderStatusChanged: a work order was accepted, declined, scheduled, started,
// completed or cancelled. Webhooks only.
type WorkOrderStatusChanged struct {
	WorkOrderID  uuid.UUID  `json:"workOrderId"`
	TicketID     uuid.UUID  `json:"ticketId"`
	ContractorID uuid.UUID  `json:"contractorId"`
	From         string     `json:"from"`
	To           string     `json:"to"`
	Reason       string     `json:"reason"`
	ScheduledFor *time.Time `json:"scheduledFor"`
}

func (WorkOrderStatusChanged) Name() string { return "work_order.status_changed" }
func (WorkOrderStatusChanged) Version() int { return 1 }

// QuoteDecided: a quote was rejected or withdrawn (approval has quote.approved).
// Webhooks only.
type QuoteDecided struct {
	QuoteID      uuid.UUID `json:"quoteId"`
	WorkOrderID  uuid.UUID `json:"workOrderId"`
	ContractorID uuid.UUID `json:"contractorId"`
	Status       string    `json:"status"`
	Reason       string    `json:"reason"`
}

func (QuoteDecided) Name() string { return "quote.decided" }
func (QuoteDecided) Version() int { return 1 }

// InvoiceRejected: staff rejected an invoice with a reason. Webhooks only.
type InvoiceRejected struct {
	InvoiceID    uuid.UUID `json:"invoiceId"`
	Reference    string    `json:"reference"`
	ContractorID uuid.UUID `json:"contractorId"`
	Reason       string    `json:"reason"`
}

func (InvoiceRejected) Name() string { return "invoice.rejected" }
func (InvoiceRejected) Version() int { return 1 }

func init() { register[UsageThresholdReached]() }

// UsageThresholdReached: an organisation has used 80% or 100% of a monthly allowance of
// its plan (periodic scan). Its ADMINs are told, once per metric, threshold and month.
type UsageThresholdReached struct {
	Metric       string      `json:"metric"`
	Threshold    int         `json:"threshold"`
	Used         int64       `json:"used"`
	Included     int64       `json:"included"`
	Period       string      `json:"period"`
	Plan         string      `json:"plan"`
	AllowOverage bool        `json:"allowOverage"`
	Admins       []Recipient `json:"admins"`
}

func (UsageThresholdReached) Name() string { return "usage.threshold_reached" }
func (UsageThresholdReached) Version() int { return 1 }

func init() { register[PaymentFailed]() }

// PaymentFailed: a payment of the organisation's subscription failed (Stripe's
// invoice.payment_failed webhook). Its ADMINs are told; while the subscription is
// PAST_DUE or UNPAID billable actions pause.
type PaymentFailed struct {
	Plan string `json:"plan"`
	// Status is the subscription's after the failure: PAST_DUE or UNPAID pause billable
	// actions; ACTIVE while the provider still retries without marking it overdue.
	Status string      `json:"status"`
	Admins []Recipient `json:"admins"`
}

func (PaymentFailed) Name() string { return "billing.payment_failed" }
func (PaymentFailed) Version() int { return 1 }

func init() { register[ResidentMessaged]() }

// ResidentMessaged: staff wrote to a ticket's resident (a comment the resident sees, sent
// by email too). Email only: it carries the resident's address and the message, which
// webhooks do not.
type ResidentMessaged struct {
	TicketID uuid.UUID `json:"ticketId"`
	Number   string    `json:"number"`
	Title    string    `json:"title"`
	Body     string    `json:"body"`
	// From is the staff member who wrote it.
	From     string    `json:"from"`
	Resident Recipient `json:"resident"`
}

func (ResidentMessaged) Name() string { return "ticket.resident_messaged" }
func (ResidentMessaged) Version() int { return 1 }
