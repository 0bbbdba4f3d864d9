package reminders

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/maintainuk/maintainuk/internal/events"
	"github.com/maintainuk/maintainuk/internal/reminders/remindersdb"
	"github.com/maintainuk/maintainuk/internal/ukcalendar"
)

// RemindInsurance sends, in every organisation, contractor.insurance_expiring to each
// active contractor and the organisation's staff once when the contractor's insurance is
// 30 days or less from expiry and once more at 7 days or less (London dates). A missed run
// still sends at the next one: the notice says how many days are actually left. A
// contractor first seen within 7 days gets the 7-day notice only. It returns how many
// notices it sent; running it more often than daily sends nothing extra.
func (r *Reminders) RemindInsurance(ctx context.Context) (int, error) {
	return r.everyOrg(ctx, "insurance", r.remindInsurance)
}

// RemindInsuranceOrg is RemindInsurance for one organisation.
func (r *Reminders) RemindInsuranceOrg(ctx context.Context, orgID uuid.UUID) (int, error) {
	return r.orgOnly(ctx, orgID, r.remindInsurance)
}

// londonDate is the London calendar date of t, as midnight UTC (how a date column reads).
func londonDate(t time.Time) time.Time {
	y, m, d := t.In(ukcalendar.London).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

func (r *Reminders) remindInsurance(ctx context.Context, tx pgx.Tx, pub Publisher, orgID uuid.UUID, now time.Time) (int, error) {
	rows, err := r.q.ListInsuranceDue(ctx, tx, remindersdb.ListInsuranceDueParams{OrgID: orgID, Today: londonDate(now), MaxRows: BatchSize})
	if err != nil {
		return 0, fmt.Errorf("list insurance expiring: %w", err)
	}
	if len(rows) == 0 {
		return 0, nil
	}
	staff, err := r.staff(ctx, tx, orgID)
	if err != nil {
		return 0, err
	}
	sent := 0
	for _, c := range rows {
		ev := &events.InsuranceExpiring{
			ContractorID: c.ID, Company: c.CompanyName, ExpiresOn: c.ExpiresOn.Format(time.DateOnly), DaysLeft: int(c.DaysLeft),
			Contractor: events.Recipient{Name: c.CompanyName, Email: c.Email}, Staff: staff,
		}
		ok, err := r.notify(ctx, tx, pub, orgID, c.ID, c.NoticeKey, now, ev)
		if err != nil {
			return 0, err
		}
		if ok {
			sent++
		}
	}
	return sent, nil
}
