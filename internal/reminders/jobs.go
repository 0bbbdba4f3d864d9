package reminders

import (
	"context"
	"errors"
	"time"

	"github.com/riverqueue/river"

	"github.com/maintainuk/maintainuk/internal/jobs"
	"github.com/maintainuk/maintainuk/internal/ukcalendar"
)

// How often each scan runs. River runs periodic jobs on the elected leader only, each
// args type is unique per period, and notices_sent makes overlapping runs harmless anyway.
const (
	SLAScanInterval     = 5 * time.Minute
	QuoteChaserInterval = time.Hour
	InsuranceInterval   = 24 * time.Hour
	UsageInterval       = 15 * time.Minute
	CertificateInterval = 24 * time.Hour
)

// InsuranceHour is the London hour at which the daily insurance reminders run.
const InsuranceHour = 7

// SLAScanArgs is the SLA warning and breach scan of every organisation.
type SLAScanArgs struct{}

// Kind is the job's stable name.
func (SLAScanArgs) Kind() string { return "maintenance.sla_scan.v1" }

// InsertOpts puts it on the maintenance queue, once per interval.
func (SLAScanArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: jobs.QueueMaintenance, UniqueOpts: river.UniqueOpts{ByPeriod: SLAScanInterval}}
}

// QuoteChaserArgs is the quote chaser scan of every organisation.
type QuoteChaserArgs struct{}

// Kind is the job's stable name.
func (QuoteChaserArgs) Kind() string { return "maintenance.quote_chaser.v1" }

// InsertOpts puts it on the maintenance queue, once per interval.
func (QuoteChaserArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: jobs.QueueMaintenance, UniqueOpts: river.UniqueOpts{ByPeriod: QuoteChaserInterval}}
}

// InsuranceRemindersArgs is the insurance expiry scan of every organisation.
type InsuranceRemindersArgs struct{}

// Kind is the job's stable name.
func (InsuranceRemindersArgs) Kind() string { return "maintenance.insurance_reminders.v1" }

// InsertOpts puts it on the maintenance queue, once per interval.
func (InsuranceRemindersArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: jobs.QueueMaintenance, UniqueOpts: river.UniqueOpts{ByPeriod: InsuranceInterval}}
}

// CertificateRemindersArgs is the certificate expiry scan of every organisation.
type CertificateRemindersArgs struct{}

// Kind is the job's stable name.
func (CertificateRemindersArgs) Kind() string { return "maintenance.certificate_reminders.v1" }

// InsertOpts puts it on the maintenance queue, once per interval.
func (CertificateRemindersArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: jobs.QueueMaintenance, UniqueOpts: river.UniqueOpts{ByPeriod: CertificateInterval}}
}

// CertificateRemindersWorker works CertificateRemindersArgs.
type CertificateRemindersWorker struct {
	river.WorkerDefaults[CertificateRemindersArgs]
	Reminders *Reminders
}

// Work reminds every organisation's staff of certificates expiring.
func (w *CertificateRemindersWorker) Work(ctx context.Context, _ *river.Job[CertificateRemindersArgs]) error {
	_, err := w.Reminders.RemindCertificates(ctx)
	return err
}

// Timeout lets a scan of many organisations run longer than the client's default.
func (w *CertificateRemindersWorker) Timeout(*river.Job[CertificateRemindersArgs]) time.Duration {
	return 30 * time.Minute
}

// UsageNoticesArgs is the usage threshold scan of every organisation.
type UsageNoticesArgs struct{}

// Kind is the job's stable name.
func (UsageNoticesArgs) Kind() string { return "maintenance.usage_notices.v1" }

// InsertOpts puts it on the maintenance queue, once per interval.
func (UsageNoticesArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: jobs.QueueMaintenance, UniqueOpts: river.UniqueOpts{ByPeriod: UsageInterval}}
}

// UsageNoticesWorker works UsageNoticesArgs.
type UsageNoticesWorker struct {
	river.WorkerDefaults[UsageNoticesArgs]
	Reminders *Reminders
}

// Work tells every organisation's ADMINs of allowances 80% and 100% used.
func (w *UsageNoticesWorker) Work(ctx context.Context, _ *river.Job[UsageNoticesArgs]) error {
	_, err := w.Reminders.RemindUsage(ctx)
	return err
}

// Timeout lets a scan of many organisations run longer than the client's default.
func (w *UsageNoticesWorker) Timeout(*river.Job[UsageNoticesArgs]) time.Duration {
	return UsageInterval - 30*time.Second
}

// SLAScanWorker works SLAScanArgs.
type SLAScanWorker struct {
	river.WorkerDefaults[SLAScanArgs]
	Reminders *Reminders
}

// Work scans every organisation's response windows, then its legal clocks (both are
// minutes-sensitive, so they share the five-minute scan). The clocks are scanned even when
// the SLA scan failed somewhere; a retry sends only what is still unsent.
func (w *SLAScanWorker) Work(ctx context.Context, _ *river.Job[SLAScanArgs]) error {
	_, slaErr := w.Reminders.ScanSLA(ctx)
	_, clockErr := w.Reminders.ScanClocks(ctx)
	return errors.Join(slaErr, clockErr)
}

// Timeout lets a scan of many organisations finish before the next one is due.
func (w *SLAScanWorker) Timeout(*river.Job[SLAScanArgs]) time.Duration {
	return SLAScanInterval - 30*time.Second
}

// QuoteChaserWorker works QuoteChaserArgs.
type QuoteChaserWorker struct {
	river.WorkerDefaults[QuoteChaserArgs]
	Reminders *Reminders
}

// Work chases every organisation's work orders.
func (w *QuoteChaserWorker) Work(ctx context.Context, _ *river.Job[QuoteChaserArgs]) error {
	_, err := w.Reminders.ChaseQuotes(ctx)
	return err
}

// Timeout lets a scan of many organisations run longer than the client's default.
func (w *QuoteChaserWorker) Timeout(*river.Job[QuoteChaserArgs]) time.Duration {
	return 30 * time.Minute
}

// InsuranceRemindersWorker works InsuranceRemindersArgs.
type InsuranceRemindersWorker struct {
	river.WorkerDefaults[InsuranceRemindersArgs]
	Reminders *Reminders
}

// Work reminds every organisation's contractors.
func (w *InsuranceRemindersWorker) Work(ctx context.Context, _ *river.Job[InsuranceRemindersArgs]) error {
	_, err := w.Reminders.RemindInsurance(ctx)
	return err
}

// Timeout lets a scan of many organisations run longer than the client's default.
func (w *InsuranceRemindersWorker) Timeout(*river.Job[InsuranceRemindersArgs]) time.Duration {
	return 30 * time.Minute
}

// Register adds the five workers, sharing one Reminders on deps.
func Register(w *river.Workers, deps Deps) {
	r := New(deps)
	river.AddWorker(w, &SLAScanWorker{Reminders: r})
	river.AddWorker(w, &QuoteChaserWorker{Reminders: r})
	river.AddWorker(w, &InsuranceRemindersWorker{Reminders: r})
	river.AddWorker(w, &UsageNoticesWorker{Reminders: r})
	river.AddWorker(w, &CertificateRemindersWorker{Reminders: r})
}

// Periodic schedules the scans: SLA every 5 minutes, usage every 15, quote chasers
// hourly, insurance and certificates daily at InsuranceHour London time; each also runs when a leader
// starts, so a deploy or a leadership change never skips a day.
func Periodic() []*river.PeriodicJob {
	return []*river.PeriodicJob{
		river.NewPeriodicJob(river.PeriodicInterval(SLAScanInterval),
			func() (river.JobArgs, *river.InsertOpts) { return SLAScanArgs{}, nil },
			&river.PeriodicJobOpts{ID: SLAScanArgs{}.Kind(), RunOnStart: true}),
		river.NewPeriodicJob(river.PeriodicInterval(QuoteChaserInterval),
			func() (river.JobArgs, *river.InsertOpts) { return QuoteChaserArgs{}, nil },
			&river.PeriodicJobOpts{ID: QuoteChaserArgs{}.Kind(), RunOnStart: true}),
		river.NewPeriodicJob(DailyAt(InsuranceHour),
			func() (river.JobArgs, *river.InsertOpts) { return InsuranceRemindersArgs{}, nil },
			&river.PeriodicJobOpts{ID: InsuranceRemindersArgs{}.Kind(), RunOnStart: true}),
		river.NewPeriodicJob(river.PeriodicInterval(UsageInterval),
			func() (river.JobArgs, *river.InsertOpts) { return UsageNoticesArgs{}, nil },
			&river.PeriodicJobOpts{ID: UsageNoticesArgs{}.Kind(), RunOnStart: true}),
		river.NewPeriodicJob(DailyAt(InsuranceHour),
			func() (river.JobArgs, *river.InsertOpts) { return CertificateRemindersArgs{}, nil },
			&river.PeriodicJobOpts{ID: CertificateRemindersArgs{}.Kind(), RunOnStart: true}),
	}
}

// DailyAt is a schedule that runs every day at hour:00 London time.
func DailyAt(hour int) river.PeriodicSchedule { return dailyAt{hour: hour} }

type dailyAt struct{ hour int }

// Next is the first hour:00 London time strictly after t, in UTC.
func (d dailyAt) Next(t time.Time) time.Time {
	l := t.In(ukcalendar.London)
	next := time.Date(l.Year(), l.Month(), l.Day(), d.hour, 0, 0, 0, ukcalendar.London)
	if !next.After(t) {
		next = time.Date(l.Year(), l.Month(), l.Day()+1, d.hour, 0, 0, 0, ukcalendar.London)
	}
	return next.UTC()
}
