package billing

import (
	"bytes"
	"context"
	"fmt"
	"time"

	"github.com/go-pdf/fpdf"
	"github.com/jackc/pgx/v5"

	"github.com/maintainuk/maintainuk/internal/access"
	"github.com/maintainuk/maintainuk/internal/money"
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
	pdf := fpdf.New("P", "mm", "A4", "")
	title := "Usage statement " + start.Format("January 2006")
	pdf.SetTitle(title, true)
	pdf.SetAuthor("MaintainUK", true)
	pdf.SetCreator("MaintainUK", true)
	tr := pdf.UnicodeTranslatorFromDescriptor("") // UTF-8 → cp1252, for "£"
	pdf.AddPage()
	pdf.SetFont("Helvetica", "B", 18)
	pdf.Cell(0, 10, tr(title))
	pdf.Ln(12)
	field := func(label, value string) {
		pdf.SetFont("Helvetica", "B", 10)
		pdf.CellFormat(40, 6, tr(label), "", 0, "", false, 0, "")
		pdf.SetFont("Helvetica", "", 10)
		pdf.CellFormat(0, 6, tr(value), "", 1, "", false, 0, "")
	}
	field("Organisation", org)
	field("Plan", fmt.Sprintf("%s, %s a month", plan.Name, money.Format(plan.MonthlyPricePence)))
	field("Period", fmt.Sprintf("%s to %s", start.Format("2 January 2006"), start.AddDate(0, 1, -1).Format("2 January 2006")))
	field("Produced", now.In(ukcalendar.London).Format("2 January 2006 15:04"))
	pdf.Ln(6)

	widths := []float64{50, 25, 25, 25, 30, 35}
	pdf.SetFont("Helvetica", "B", 9)
	pdf.SetFillColor(235, 235, 235)
	for i, h := range []string{"Usage", "Included", "Used", "Over", "Price", "Cost"} {
		align := "R"
		if i == 0 {
			align = "L"
		}
		pdf.CellFormat(widths[i], 7, h, "B", 0, align, true, 0, "")
	}
	pdf.Ln(-1)
	pdf.SetFont("Helvetica", "", 9)
	for _, m := range u.Metrics {
		price := money.Format(plan.OveragePence[plans.Metric(m.Metric)]) + " each"
		if m.Metric == string(plans.AITokens) {
			price = money.Format(plan.OverageAIPencePerThousand) + " per 1,000"
		}
		cells := []string{metricLabels[m.Metric], fmt.Sprint(m.Included), fmt.Sprint(m.Used), fmt.Sprint(m.Overage), price, money.Format(m.OverageCostPence)}
		for i, c := range cells {
			align := "R"
			if i == 0 {
				align = "L"
			}
			pdf.CellFormat(widths[i], 6, tr(c), "", 0, align, false, 0, "")
		}
		pdf.Ln(-1)
	}
	pdf.Ln(4)
	total := func(label string, pence int64, bold bool) {
		style := ""
		if bold {
			style = "B"
		}
		pdf.SetFont("Helvetica", style, 10)
		pdf.CellFormat(140, 6, label, "", 0, "R", false, 0, "")
		pdf.CellFormat(50, 6, tr(money.Format(pence)), "", 1, "R", false, 0, "")
	}
	total("Plan", plan.MonthlyPricePence, false)
	total("Usage beyond the plan", u.OverageCostPence, false)
	total("Total", plan.MonthlyPricePence+u.OverageCostPence, true)
	pdf.Ln(6)
	pdf.SetFont("Helvetica", "", 8)
	note := "Storage is measured as it stands when the statement is produced. What is charged is on the invoices."
	if !u.AllowOverage {
		note = "The Free plan blocks usage beyond its allowances. " + note
	}
	pdf.MultiCell(0, 4, tr(note), "", "", false)
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return nil, fmt.Errorf("billing: render statement: %w", err)
	}
	return buf.Bytes(), nil
}
