package billing

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/maintainuk/maintainuk/internal/billing/payments"
	"github.com/maintainuk/maintainuk/internal/database"
	"github.com/maintainuk/maintainuk/internal/jobs"
	"github.com/maintainuk/maintainuk/internal/outbox"
	"github.com/maintainuk/maintainuk/internal/plans"
)

// Register adds the billing workers.
func (s *Service) Register(w *river.Workers) {
	river.AddWorker(w, &customerWorker{s: s})
	river.AddWorker(w, &reportWorker{s: s})
	river.AddWorker(w, &meterEventWorker{s: s})
}

// Periodic is the billing queue's periodic job: usage reported to the provider.
func Periodic() []*river.PeriodicJob {
	return []*river.PeriodicJob{river.NewPeriodicJob(river.PeriodicInterval(ReportInterval),
		func() (river.JobArgs, *river.InsertOpts) { return ReportUsageArgs{}, nil },
		&river.PeriodicJobOpts{ID: ReportUsageArgs{}.Kind(), RunOnStart: true})}
}

// customerWorker creates a new organisation's customer (outbox.CustomerArgs, queued by
// registration).
type customerWorker struct {
	river.WorkerDefaults[outbox.CustomerArgs]
	s *Service
}

func (w *customerWorker) Work(ctx context.Context, job *river.Job[outbox.CustomerArgs]) error {
	_, err := w.s.EnsureCustomer(ctx, job.Args.OrgID)
	return err
}

// ReportInterval is how often usage beyond the allowances is reported to the provider's
// meters.
const ReportInterval = 30 * time.Minute

// ReportUsageArgs is the scan that reports every paying organisation's overage.
type ReportUsageArgs struct{}

// Kind is the job's stable name.
func (ReportUsageArgs) Kind() string { return "billing.report_usage.v1" }

// InsertOpts puts it on the billing queue, once per interval.
func (ReportUsageArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: jobs.QueueBilling, UniqueOpts: river.UniqueOpts{ByPeriod: ReportInterval}}
}

type reportWorker struct {
	river.WorkerDefaults[ReportUsageArgs]
	s *Service
}

func (w *reportWorker) Work(ctx context.Context, _ *river.Job[ReportUsageArgs]) error {
	_, err := w.s.ReportUsage(ctx)
	return err
}

func (w *reportWorker) Timeout(*river.Job[ReportUsageArgs]) time.Duration {
	return ReportInterval - time.Minute
}

// MeterEventArgs is one report of usage to the provider. Seq numbers the organisation's
// reports of the metric in the period: the report's identifier, so a retried job is
// counted once by the provider.
type MeterEventArgs struct {
	OrgID       uuid.UUID `json:"orgId"`
	Metric      string    `json:"metric"`
	PeriodStart time.Time `json:"periodStart"`
	Value       int64     `json:"value"`
	Seq         int32     `json:"seq"`
}

// Kind is the job kind.
func (MeterEventArgs) Kind() string { return "billing.meter_event" }

// InsertOpts puts it on the billing queue.
func (MeterEventArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: jobs.QueueBilling}
}

// Identifier is the report's idempotency key at the provider.
func (a MeterEventArgs) Identifier() string {
	return fmt.Sprintf("%s:%s:%s:%d", a.OrgID, a.Metric, a.PeriodStart.Format("2006-01"), a.Seq)
}

// MeterEventName is the provider's meter a metric is reported to (docs/billing.md).
func MeterEventName(metric string) string { return "maintainuk_" + metric }

type meterEventWorker struct {
	river.WorkerDefaults[MeterEventArgs]
	s *Service
}

func (w *meterEventWorker) Work(ctx context.Context, job *river.Job[MeterEventArgs]) error {
	return w.s.sendMeterEvent(ctx, job.Args)
}

// ReportUsage queues, for every organisation on a paid plan with the provider, a meter
// event for each metric whose overage grew since it was last reported (SMS, WhatsApp and
// AI tokens: the growth; storage, a gauge: the gigabytes over the allowance now). The
// previous month is reported too during the first days of a month, so use counted just
// before it ended is not lost. The report and the record of it commit together. It
// answers how many events it queued. The local provider bills nothing: nothing is queued.
func (s *Service) ReportUsage(ctx context.Context) (int, error) {
	if s.provider.Name() == "local" {
		return 0, nil
	}
	var orgIDs []uuid.UUID
	err := s.db.InTx(ctx, database.Scope{System: true}, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, "SELECT id FROM organisations WHERE stripe_customer_id IS NOT NULL AND plan <> $1 ORDER BY id", plans.Free.Code)
		if err != nil {
			return err
		}
		orgIDs, err = pgx.CollectRows(rows, pgx.RowTo[uuid.UUID])
		return err
	})
	if err != nil {
		return 0, err
	}
	now := s.now().UTC()
	periods := []time.Time{plans.PeriodStart(now)}
	if now.Day() <= 3 {
		periods = append(periods, plans.PeriodStart(now).AddDate(0, -1, 0))
	}
	queued := 0
	var errs []error
	for _, orgID := range orgIDs {
		n, err := s.reportOrg(ctx, orgID, periods)
		queued += n
		if err != nil {
			errs = append(errs, fmt.Errorf("org %s: %w", orgID, err))
		}
	}
	return queued, errors.Join(errs...)
}

func (s *Service) reportOrg(ctx context.Context, orgID uuid.UUID, periods []time.Time) (int, error) {
	queued := 0
	err := s.db.InOrg(ctx, orgID, uuid.Nil, func(tx pgx.Tx) error {
		queued = 0
		for i, period := range periods {
			usage, err := Measure(ctx, tx, orgID, period)
			if err != nil {
				return err
			}
			for _, m := range usage.Metrics {
				gauge := m.Metric == string(plans.Storage)
				if gauge && i > 0 {
					continue // storage is measured as it stands now, not as it stood last month
				}
				var reported int64
				var seq int32
				err := tx.QueryRow(ctx, `INSERT INTO usage_reports (org_id, metric, period_start) VALUES ($1, $2, $3)
					ON CONFLICT (org_id, metric, period_start) DO UPDATE SET updated_at = usage_reports.updated_at
					RETURNING reported, reports`, orgID, m.Metric, period).Scan(&reported, &seq)
				if err != nil {
					return err
				}
				value := m.Overage - reported // a counter reports its growth
				if gauge {
					value = m.Overage // a gauge reports where it stands (the meter keeps the last)
				}
				if (!gauge && value <= 0) || (gauge && m.Overage == reported) {
					continue
				}
				seq++
				if _, err := tx.Exec(ctx, `UPDATE usage_reports SET reported = $4, reports = $5, updated_at = now()
					WHERE org_id = $1 AND metric = $2 AND period_start = $3`, orgID, m.Metric, period, m.Overage, seq); err != nil {
					return err
				}
				if _, err := s.jobs.InsertTx(ctx, tx, MeterEventArgs{OrgID: orgID, Metric: m.Metric, PeriodStart: period, Value: value, Seq: seq}, nil); err != nil {
					return fmt.Errorf("queue meter event: %w", err)
				}
				queued++
			}
		}
		return nil
	})
	return queued, err
}

// sendMeterEvent reports one queued event, stamped inside its period (the provider bills
// usage to the period its timestamp falls in).
func (s *Service) sendMeterEvent(ctx context.Context, a MeterEventArgs) error {
	var customer *string
	if err := s.db.InOrg(ctx, a.OrgID, uuid.Nil, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, "SELECT stripe_customer_id FROM organisations WHERE id = $1", a.OrgID).Scan(&customer)
	}); err != nil {
		return err
	}
	if customer == nil {
		return errors.New("billing: meter event for an organisation without a customer")
	}
	at := s.now().UTC()
	if end := a.PeriodStart.AddDate(0, 1, 0).Add(-time.Second); at.After(end) {
		at = end
	}
	return s.provider.ReportUsage(ctx, paymentsMeterEvent(a, *customer, at))
}

func paymentsMeterEvent(a MeterEventArgs, customer string, at time.Time) payments.MeterEvent {
	return payments.MeterEvent{EventName: MeterEventName(a.Metric), CustomerID: customer, Value: a.Value, Timestamp: at, Identifier: a.Identifier()}
}
