package ai

import (
	"context"
	"errors"
	"time"

	"github.com/riverqueue/river"

	"github.com/maintainuk/maintainuk/internal/apperr"
	"github.com/maintainuk/maintainuk/internal/outbox"
)

// ClassifyWorker classifies a new ticket (the ai.classify job its creation queued).
type ClassifyWorker struct {
	river.WorkerDefaults[outbox.ClassifyArgs]
	Service *Service
}

// Timeout leaves room for every attempt the engine may make and its backoff.
func (w *ClassifyWorker) Timeout(*river.Job[outbox.ClassifyArgs]) time.Duration {
	d := w.Service.engine.defaults
	return time.Duration(d.Retries+1)*d.Timeout + time.Duration(d.Retries)*10*time.Second + 30*time.Second
}

// Work classifies the ticket. A ticket gone or no longer open is not an error: there is
// nothing left to classify.
func (w *ClassifyWorker) Work(ctx context.Context, job *river.Job[outbox.ClassifyArgs]) error {
	_, err := w.Service.ClassifyNew(ctx, job.Args.OrgID, job.Args.TicketID)
	if ae, ok := errors.AsType[*apperr.Error](err); ok && (ae.Code == apperr.NotFound || ae.Code == apperr.Conflict) {
		return river.JobCancel(err)
	}
	return err
}
