package reminders

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/maintainuk/maintainuk/internal/access"
	"github.com/maintainuk/maintainuk/internal/billing"
	"github.com/maintainuk/maintainuk/internal/events"
	"github.com/maintainuk/maintainuk/internal/plans"
	"github.com/maintainuk/maintainuk/internal/reminders/remindersdb"
)

// UsageThresholds are the shares of an allowance (per cent) at which ADMINs are told,
// highest first.
var UsageThresholds = []int{100, 80}

// RemindUsage tells, in every organisation, its ADMINs once per metric, threshold and
// month when this month's usage reaches 80% and then 100% of the plan's allowance. A
// usage that jumps past both at once is told 100% only. It returns how many notices it
// sent.
func (r *Reminders) RemindUsage(ctx context.Context) (int, error) {
	return r.everyOrg(ctx, "usage", r.remindUsage)
}

// RemindUsageOrg is RemindUsage for one organisation.
func (r *Reminders) RemindUsageOrg(ctx context.Context, orgID uuid.UUID) (int, error) {
	return r.orgOnly(ctx, orgID, r.remindUsage)
}

func (r *Reminders) remindUsage(ctx context.Context, tx pgx.Tx, pub Publisher, orgID uuid.UUID, now time.Time) (int, error) {
	period := plans.PeriodStart(now)
	usage, err := billing.Measure(ctx, tx, orgID, period)
	if err != nil {
		return 0, fmt.Errorf("measure usage: %w", err)
	}
	var admins []events.Recipient
	sent := 0
	for _, m := range usage.Metrics {
		reached := 0
		for _, th := range UsageThresholds {
			if m.Included > 0 && m.Used*100 >= m.Included*int64(th) {
				reached = th
				break
			}
		}
		if reached == 0 {
			continue
		}
		if admins == nil {
			if admins, err = r.admins(ctx, tx, orgID); err != nil {
				return 0, err
			}
		}
		ev := &events.UsageThresholdReached{Metric: m.Metric, Threshold: reached, Used: m.Used, Included: m.Included,
			Period: usage.PeriodStart, Plan: usage.Plan, AllowOverage: usage.AllowOverage, Admins: admins}
		ok, err := r.notify(ctx, tx, pub, orgID, orgID, usageKey(usage.PeriodStart, m.Metric, reached), now, ev)
		if err != nil {
			return 0, err
		}
		if ok {
			sent++
		}
		// The lower thresholds are passed too: recorded, never sent late.
		for _, th := range UsageThresholds {
			if th < reached {
				if _, err := r.q.InsertNotice(ctx, tx, remindersdb.InsertNoticeParams{OrgID: orgID, Kind: ev.Name(), SubjectID: orgID,
					Key: usageKey(usage.PeriodStart, m.Metric, th), SentAt: now}); err != nil {
					return 0, fmt.Errorf("record usage notice: %w", err)
				}
			}
		}
	}
	return sent, nil
}

func usageKey(period, metric string, threshold int) string {
	return fmt.Sprintf("%s:%s:%d", period, metric, threshold)
}

// admins are the organisation's ADMIN members, who look after its plan.
func (r *Reminders) admins(ctx context.Context, tx pgx.Tx, orgID uuid.UUID) ([]events.Recipient, error) {
	rows, err := r.q.ListStaff(ctx, tx, remindersdb.ListStaffParams{OrgID: orgID, StaffRoles: []string{string(access.Admin)}})
	if err != nil {
		return nil, fmt.Errorf("list admins: %w", err)
	}
	out := make([]events.Recipient, 0, len(rows))
	for _, row := range rows {
		out = append(out, events.Recipient{Name: row.Name, Email: row.Email})
	}
	return out, nil
}
