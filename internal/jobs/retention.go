package jobs

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"
)

// RetentionArgs is the periodic clean-up of expired tokens, invitations and idempotency
// keys in every organisation, and of ended shared rate-limit windows.
type RetentionArgs struct{}

// Kind is the job's stable name.
func (RetentionArgs) Kind() string { return "maintenance.retention.v1" }

// InsertOpts puts it on the maintenance queue, once per period.
func (RetentionArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueueMaintenance, UniqueOpts: river.UniqueOpts{ByPeriod: time.Hour}}
}

// Purger deletes one organisation's expired rows and says how many.
type Purger interface {
	PurgeExpired(ctx context.Context, orgID uuid.UUID) (int64, error)
}

// Sweeper deletes expired rows that belong to no organisation (the shared rate-limit
// counters) and says how many.
type Sweeper interface {
	Sweep(ctx context.Context) (int64, error)
}

// RetentionWorker runs each sweeper once and each purger in each organisation's own scope.
type RetentionWorker struct {
	river.WorkerDefaults[RetentionArgs]
	OrgIDs   func(context.Context) ([]uuid.UUID, error)
	Purgers  []Purger
	Sweepers []Sweeper
}

// Work sweeps, then purges every organisation.
func (w *RetentionWorker) Work(ctx context.Context, _ *river.Job[RetentionArgs]) error {
	for _, s := range w.Sweepers {
		if _, err := s.Sweep(ctx); err != nil {
			return err
		}
	}
	ids, err := w.OrgIDs(ctx)
	if err != nil {
		return err
	}
	for _, id := range ids {
		for _, p := range w.Purgers {
			if _, err := p.PurgeExpired(ctx, id); err != nil {
				return err
			}
		}
	}
	return nil
}

// RetentionPeriodic schedules the clean-up hourly and at start.
func RetentionPeriodic() *river.PeriodicJob {
	return river.NewPeriodicJob(river.PeriodicInterval(time.Hour),
		func() (river.JobArgs, *river.InsertOpts) { return RetentionArgs{}, nil },
		&river.PeriodicJobOpts{RunOnStart: true})
}
