package billing

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/maintainuk/maintainuk/internal/access"
	"github.com/maintainuk/maintainuk/internal/attachments"
	"github.com/maintainuk/maintainuk/internal/plans"
)

// bytesPerGB is a gigabyte as storage is sold: 10^9 bytes.
const bytesPerGB = 1_000_000_000

// MetricUsage is one metered kind of usage in a billing period.
type MetricUsage struct {
	Metric   string `json:"metric" enum:"sms,whatsapp,ai_tokens,storage_gb"`
	Included int64  `json:"included" doc:"The plan's monthly allowance."`
	Used     int64  `json:"used" doc:"SMS segments, WhatsApp messages, AI tokens, or gigabytes stored now (a started gigabyte counts)."`
	Overage  int64  `json:"overage" doc:"Used beyond the allowance."`
	// UsedPercent is used against the allowance, for the 80% and 100% notices.
	UsedPercent      int64 `json:"usedPercent" doc:"Used as a whole percentage of the allowance (100 with no allowance and any use)."`
	OverageCostPence int64 `json:"overageCostPence" doc:"What the overage costs at the plan's prices."`
}

// BillingUsage is an organisation's usage in one billing period (a calendar month, UTC).
// (Not "Usage": the API's schema names are unique across packages, and the AI has one.)
type BillingUsage struct {
	Plan             string        `json:"plan" enum:"FREE,STARTER,PROFESSIONAL,ENTERPRISE"`
	PeriodStart      string        `json:"periodStart" format:"date" doc:"The first day of the month."`
	PeriodEnd        string        `json:"periodEnd" format:"date" doc:"The last day of the month."`
	AllowOverage     bool          `json:"allowOverage" doc:"Whether the plan allows (and bills) usage beyond its allowances; the free plan blocks it."`
	Metrics          []MetricUsage `json:"metrics"`
	StoredBytes      int64         `json:"storedBytes" doc:"Bytes of attachments stored now (storage is measured as it stands, whichever month is asked for)."`
	OverageCostPence int64         `json:"overageCostPence" doc:"The month's overage, all metrics."`
}

// Usage is the organisation's usage in month (YYYY-MM, UTC; "" is this month), against
// its plan (staff).
func (s *Service) Usage(ctx context.Context, actor access.Actor, month string) (BillingUsage, error) {
	if err := actor.RequireStaff(); err != nil {
		return BillingUsage{}, err
	}
	start, err := plans.ParseMonth(month, s.now())
	if err != nil {
		return BillingUsage{}, err
	}
	var out BillingUsage
	err = s.db.InOrg(ctx, actor.OrgID, actor.UserID, func(tx pgx.Tx) error {
		out, err = Measure(ctx, tx, actor.OrgID, start)
		return err
	})
	return out, err
}

// Measure reads an organisation's usage in the period starting at start, in tx (in the
// organisation's scope), against its plan.
func Measure(ctx context.Context, tx pgx.Tx, orgID uuid.UUID, start time.Time) (BillingUsage, error) {
	plan, err := plans.Of(ctx, tx, orgID)
	if err != nil {
		return BillingUsage{}, err
	}
	out := BillingUsage{Plan: plan.Code, AllowOverage: plan.AllowOverage, PeriodStart: start.Format(time.DateOnly),
		PeriodEnd: start.AddDate(0, 1, -1).Format(time.DateOnly)}
	for _, m := range []plans.Metric{plans.SMS, plans.WhatsApp, plans.AITokens} {
		used, err := meter(ctx, tx, orgID, string(m), start)
		if err != nil {
			return out, err
		}
		out.Metrics = append(out.Metrics, metricUsage(plan, m, used))
	}
	if out.StoredBytes, err = meter(ctx, tx, orgID, attachments.MetricStorageBytes, attachments.GaugePeriod); err != nil {
		return out, err
	}
	out.Metrics = append(out.Metrics, metricUsage(plan, plans.Storage, (out.StoredBytes+bytesPerGB-1)/bytesPerGB))
	for _, m := range out.Metrics {
		out.OverageCostPence += m.OverageCostPence
	}
	return out, nil
}

func meter(ctx context.Context, tx pgx.Tx, orgID uuid.UUID, metric string, period time.Time) (int64, error) {
	var n int64
	err := tx.QueryRow(ctx, "SELECT quantity FROM usage_meters WHERE org_id = $1 AND metric = $2 AND period_start = $3", orgID, metric, period).Scan(&n)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, nil
	}
	return n, err
}

// metricUsage sets used against the plan's allowance for one metric.
func metricUsage(plan plans.Plan, m plans.Metric, used int64) MetricUsage {
	included := plan.Included[m]
	u := MetricUsage{Metric: string(m), Included: included, Used: used, Overage: max(used-included, 0)}
	switch {
	case included > 0:
		u.UsedPercent = used * 100 / included
	case used > 0:
		u.UsedPercent = 100
	}
	if m == plans.AITokens {
		// Priced per thousand: round half up to the penny.
		u.OverageCostPence = (u.Overage*plan.OverageAIPencePerThousand + 500) / 1000
	} else {
		u.OverageCostPence = u.Overage * plan.OveragePence[m]
	}
	return u
}
