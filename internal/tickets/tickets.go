// Package tickets is the heart of the product: repair reports, their triage, status,
// SLA clock, comments and full-text search. Work orders, quotes and invoices hang off a
// ticket; the ticket's status follows its work orders (FollowWorkOrders).
package tickets

import (
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/maintainuk/maintainuk/internal/apperr"
	"github.com/maintainuk/maintainuk/internal/clocks"
	"github.com/maintainuk/maintainuk/internal/database"
	"github.com/maintainuk/maintainuk/internal/events"
	"github.com/maintainuk/maintainuk/internal/ratelimit"
	"github.com/maintainuk/maintainuk/internal/tickets/ticketsdb"
	"github.com/maintainuk/maintainuk/internal/ukcalendar"
)

// Status is where a ticket is in its life.
type Status string

const (
	New        Status = "NEW"
	Triaged    Status = "TRIAGED"
	InProgress Status = "IN_PROGRESS"
	Resolved   Status = "RESOLVED"
	Closed     Status = "CLOSED"
	Cancelled  Status = "CANCELLED"
)

// Open reports whether the SLA clock still runs.
func (s Status) Open() bool { return s == New || s == Triaged || s == InProgress }

// Categories, priorities and statuses: the values the API accepts and the database
// constrains (migration 00004_workflow.sql).
var (
	Categories = []string{"PLUMBING", "ELECTRICAL", "HVAC", "APPLIANCE", "STRUCTURAL", "PEST_CONTROL", "OTHER"}
	Priorities = []string{"ROUTINE", "URGENT", "EMERGENCY"}
	Statuses   = []Status{New, Triaged, InProgress, Resolved, Closed, Cancelled}
)

// Sources of a ticket.
const (
	SourceStaff      = "STAFF"
	SourceResident   = "RESIDENT"
	SourcePublicForm = "PUBLIC_FORM"
)

// Sources lists every source, for documentation.
var Sources = []string{SourceStaff, SourceResident, SourcePublicForm}

// Ticket is a repair report.
type Ticket struct {
	ID               uuid.UUID  `json:"id"`
	Number           string     `json:"number" example:"MT-000042"`
	UnitID           *uuid.UUID `json:"unitId"`
	PropertyID       *uuid.UUID `json:"propertyId"`
	Category         string     `json:"category"`
	Priority         string     `json:"priority"`
	Status           Status     `json:"status"`
	Title            string     `json:"title"`
	Description      string     `json:"description"`
	Source           string     `json:"source"`
	ReportedByUserID *uuid.UUID `json:"reportedByUserId"`
	ReportedByName   string     `json:"reportedByName"`
	ReportedByPhone  string     `json:"reportedByPhone"`
	ReportedByEmail  string     `json:"reportedByEmail"`
	ReportedAddress  string     `json:"reportedAddress"`
	AssigneeUserID   *uuid.UUID `json:"assigneeUserId"`
	SLADueAt         time.Time  `json:"slaDueAt"`
	Overdue          bool       `json:"overdue"`
	ResolvedAt       *time.Time `json:"resolvedAt"`
	ClosedAt         *time.Time `json:"closedAt"`
	CreatedAt        time.Time  `json:"createdAt"`
	UpdatedAt        time.Time  `json:"updatedAt"`
}

// FormatNumber renders a ticket number the way people quote it.
func FormatNumber(n int64) string { return fmt.Sprintf("MT-%06d", n) }

// ticketRow is a ticket as the queries answer it; every query that returns a ticket has a
// row type of the same fields, converted to this one.
type ticketRow = ticketsdb.GetTicketRow

func fromRow(r ticketRow, now time.Time) Ticket {
	return Ticket{
		ID: r.ID, Number: FormatNumber(r.Number), UnitID: r.UnitID, PropertyID: r.PropertyID,
		Category: r.Category, Priority: r.Priority, Status: Status(r.Status), Title: r.Title, Description: r.Description,
		Source: r.Source, ReportedByUserID: r.ReportedByUserID, ReportedByName: r.ReportedByName,
		ReportedByPhone: r.ReportedByPhone, ReportedByEmail: r.ReportedByEmail, ReportedAddress: r.ReportedAddress,
		AssigneeUserID: r.AssigneeUserID, SLADueAt: r.SlaDueAt, Overdue: Status(r.Status).Open() && now.After(r.SlaDueAt),
		ResolvedAt: r.ResolvedAt, ClosedAt: r.ClosedAt, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt,
	}
}

// Service manages tickets.
type Service struct {
	db        *database.DB
	q         *ticketsdb.Queries
	now       func() time.Time
	calendars map[ukcalendar.Region]*ukcalendar.Calendar
	// publicByIP limits public repair reports per client IP and hour.
	publicByIP *ratelimit.Limiter
	// publicUploadsPerDay caps the photos the public form stores per organisation and UTC
	// day (zero takes none).
	publicUploadsPerDay int
	// pub receives ticket.created (acknowledgement email, webhooks).
	pub events.Publisher
	// clocks runs the legal clocks (internal/clocks) in the ticket's transactions.
	clocks *clocks.Engine
}

// PublicLimits bound the public repair form.
type PublicLimits struct {
	// ReportsPerHour is how many public reports one client may send an hour.
	ReportsPerHour int
	// UploadsPerDay caps the photos stored for one organisation per UTC day.
	UploadsPerDay int
}

// NewService returns the tickets service publishing through pub; now is time.Now outside
// tests.
func NewService(db *database.DB, pub events.Publisher, now func() time.Time, limits PublicLimits) *Service {
	return &Service{db: db, q: ticketsdb.New(), pub: pub, now: now, publicUploadsPerDay: limits.UploadsPerDay, clocks: clocks.NewEngine(),
		publicByIP: ratelimit.New(limits.ReportsPerHour, time.Hour, now), calendars: map[ukcalendar.Region]*ukcalendar.Calendar{
			ukcalendar.EnglandWales:    ukcalendar.New(ukcalendar.EnglandWales),
			ukcalendar.Scotland:        ukcalendar.New(ukcalendar.Scotland),
			ukcalendar.NorthernIreland: ukcalendar.New(ukcalendar.NorthernIreland),
		}}
}

func (s *Service) calendar(r ukcalendar.Region) *ukcalendar.Calendar { return s.calendars[r] }

func notFound(err error) error {
	if errors.Is(err, pgx.ErrNoRows) {
		return apperr.NotFoundf("ticket")
	}
	return err
}
