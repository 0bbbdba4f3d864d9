package timeline

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/maintainuk/maintainuk/internal/access"
	"github.com/maintainuk/maintainuk/internal/apperr"
	"github.com/maintainuk/maintainuk/internal/database"
	"github.com/maintainuk/maintainuk/internal/page"
	"github.com/maintainuk/maintainuk/internal/timeline/timelinedb"
)

// List returns the events of one entity, oldest first, after the given sequence number.
// Entity-level visibility (may this actor see this ticket?) is the caller's to check.
func List(ctx context.Context, tx database.Querier, actor access.Actor, entityType string, entityID uuid.UUID, afterSeq int64, limit int) ([]Event, error) {
	rows, err := timelinedb.New().ListEvents(ctx, tx, timelinedb.ListEventsParams{
		OrgID: actor.OrgID, EntityType: entityType, EntityID: entityID, AfterSeq: afterSeq, RowLimit: int32(limit),
	})
	if err != nil && err != pgx.ErrNoRows {
		return nil, fmt.Errorf("timeline: list: %w", err)
	}
	events := make([]Event, len(rows))
	for i, r := range rows {
		events[i] = Event{
			ID: r.ID, EntityType: r.EntityType, EntityID: r.EntityID, Action: r.Action,
			ActorID: r.ActorID, ActorRole: deref(r.ActorRole), Before: r.Before, After: r.After,
			OccurredAt: r.OccurredAt, Seq: r.Seq,
		}
	}
	return events, nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// Service answers timeline queries with the visibility rules of each entity type.
type Service struct {
	db *database.DB
}

// NewService returns the timeline service.
func NewService(db *database.DB) *Service { return &Service{db: db} }

// List returns one page of an entity's trail. Staff see every entity; a CONTRACTOR sees
// their own company's; other entities answer 404 so their existence does not leak.
func (s *Service) List(ctx context.Context, actor access.Actor, entityType string, entityID uuid.UUID, req page.Request) (page.Result[Event], error) {
	var res page.Result[Event]
	if !actor.Role.IsStaff() && !(actor.Role == access.Contractor && entityType == EntityContractor && entityID == actor.ContractorID) {
		return res, apperr.NotFoundf(entityType)
	}
	limit, err := page.Limit(req)
	if err != nil {
		return res, err
	}
	afterSeq, err := page.After(req, int64(0))
	if err != nil {
		return res, err
	}
	err = s.db.InOrg(ctx, actor.OrgID, actor.UserID, func(tx pgx.Tx) error {
		events, err := List(ctx, tx, actor, entityType, entityID, afterSeq, limit+1)
		res = page.Build(events, limit, func(e Event) int64 { return e.Seq })
		return err
	})
	return res, err
}
