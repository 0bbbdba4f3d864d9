package workorders

import (
	"context"
	"errors"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/maintainuk/maintainuk/internal/access"
	"github.com/maintainuk/maintainuk/internal/apperr"
	"github.com/maintainuk/maintainuk/internal/workorders/workordersdb"
)

// Quotable reports whether a quote may be submitted or approved while the work order is
// in s: while the job is live, before it is completed.
func (s Status) Quotable() bool { return s.Live() }

// Locked is a work order held FOR UPDATE by the caller's transaction.
type Locked struct {
	ID           uuid.UUID
	TicketID     uuid.UUID
	ContractorID uuid.UUID
	Status       Status
}

// Lock locks a work order the actor may act on (staff: any; a CONTRACTOR: their
// company's; others answer 404) in tx. Quote and invoice submissions and decisions take
// this lock first, so two people deciding on one work order's quotes or invoices at once
// are serialised and the second sees the first's decision.
func Lock(ctx context.Context, tx pgx.Tx, actor access.Actor, id uuid.UUID) (Locked, error) {
	wo, err := workordersdb.New().GetWorkOrderForUpdate(ctx, tx, workordersdb.GetWorkOrderForUpdateParams{OrgID: actor.OrgID, ID: id})
	if errors.Is(err, pgx.ErrNoRows) || (err == nil && actor.Role == access.Contractor && wo.ContractorID != actor.ContractorID) {
		return Locked{}, apperr.NotFoundf("work order")
	}
	if err != nil {
		return Locked{}, err
	}
	return Locked{ID: wo.ID, TicketID: wo.TicketID, ContractorID: wo.ContractorID, Status: Status(wo.Status)}, nil
}
