package billing

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/maintainuk/maintainuk/internal/access"
	"github.com/maintainuk/maintainuk/internal/money"
	"github.com/maintainuk/maintainuk/internal/pdfdoc"
	"github.com/maintainuk/maintainuk/internal/plans"
	"github.com/maintainuk/maintainuk/internal/ukcalendar"
)

// metricLabels name the metrics on a statement, with their unit.
var metricLabels = map[string]string{
	"sms": "SMS (segments)", "whatsapp": "WhatsApp (messages)", "ai_tokens": "AI (tokens)", "storage_gb": "Storage (GB)",
}

// Statement is the organisation's usage statement for month (YYYY-MM, UTC; "" is this
// month) as a PDF (ADMIN): the plan and its price, each metric's allowance, use, overage
// and its cost, and the total. It is MaintainUK's own account of the month; the provider's
// invoices are what is charged.
func (s *Service) Statement(ctx context.Context, actor access.Actor, month string) (filename string, content []byte, err error) {
	if err := actor.Require(access.Admin); err != nil {
		return "", nil, err
	}
	start, err := plans.ParseMonth(month, s.now())
	if err != nil {
		return "", nil, err
	}
	var usage BillingUsage
	var orgName string
	err = s.db.InOrg(ctx, actor.OrgID, actor.UserID, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, "SELECT name FROM organisations WHERE id = $1", actor.OrgID).Scan(&orgName); err != nil {
			return err
		}
		usage, err = Measure(ctx, tx, actor.OrgID, start)
		return err
	})
	if err != nil {
		return "", nil, err
	}
	plan, err := plans.ByCode(usage.Plan)
	if err != nil {
		return "", nil, err
	}
	content, err = renderStatement(orgName, plan, start, usage, s.now())
	return "usage-statement-" + start.Format("2006-01") + ".pdf", content, err
}

func renderStatement(org string, plan plans.Plan, start time.Time, u BillingUsage, now time.Time) ([]byte, error) {
	d := pdfdoc.New("Usage statement "+start.Format("January 2006"), "MaintainUK")
	d.Field("Organisation", org)
	d.Field("Plan", fmt.Sprintf("%s, %s a month", plan.Name, money.Format(plan.MonthlyPricePence)))
	d.Field("Period", fmt.Sprintf("%s to %s", start.Format("2 January 2006"), start.AddDate(0, 1, -1).Format("2 January 2006")))
	d.Field("Produced", now.In(ukcalendar.London).Format("2 January 2006 15:04"))
	d.PDF.Ln(6)

	rows := make([][]string, len(u.Metrics))
	for i, m := range u.Metrics {
		price := money.Format(plan.OveragePence[plans.Metric(m.Metric)]) + " each"
		if m.Metric == string(plans.AITokens) {
			price = money.Format(plan.OverageAIPencePerThousand) + " per 1,000"
		}
		rows[i] = []string{metricLabels[m.Metric], fmt.Sprint(m.Included), fmt.Sprint(m.Used), fmt.Sprint(m.Overage), price, money.Format(m.OverageCostPence)}
	}
	d.Table([]float64{50, 25, 25, 25, 30, 35}, []string{"Usage", "Included", "Used", "Over", "Price", "Cost"}, rows)
	d.Total("Plan", plan.MonthlyPricePence, false)
	d.Total("Usage beyond the plan", u.OverageCostPence, false)
	d.Total("Total", plan.MonthlyPricePence+u.OverageCostPence, true)
	note := "Storage is measured as it stands when the statement is produced. What is charged is on the invoices."
	if !u.AllowOverage {
		note = "The Free plan blocks usage beyond its allowances. " + note
	}
	d.Note(8, note)
	content, err := d.Bytes()
	if err != nil {
		return nil, fmt.Errorf("billing: render statement: %w", err)
	}
	return content, nil
}
