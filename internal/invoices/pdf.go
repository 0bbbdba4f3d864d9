package invoices

import (
	"bytes"
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/go-pdf/fpdf"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/maintainuk/maintainuk/internal/access"
	"github.com/maintainuk/maintainuk/internal/invoices/invoicesdb"
	"github.com/maintainuk/maintainuk/internal/money"
	"github.com/maintainuk/maintainuk/internal/tickets"
	"github.com/maintainuk/maintainuk/internal/ukcalendar"
)

// PDF renders an invoice the actor may see as an A4 PDF: who billed whom, for which job
// at which address, each line with its VAT, and the totals.
func (s *Service) PDF(ctx context.Context, actor access.Actor, id uuid.UUID) (filename string, content []byte, err error) {
	var inv Invoice
	var parties invoicesdb.InvoicePartiesRow
	err = s.read(ctx, actor, id, func(tx pgx.Tx, row invoicesdb.Invoice, _ uuid.UUID) error {
		lines, err := s.q.InvoiceLines(ctx, tx, invoicesdb.InvoiceLinesParams{OrgID: actor.OrgID, InvoiceID: &id})
		if err != nil {
			return err
		}
		inv = fromRow(row, lines)
		parties, err = s.q.InvoiceParties(ctx, tx, invoicesdb.InvoicePartiesParams{OrgID: actor.OrgID, ID: id})
		return err
	})
	if err != nil {
		return "", nil, err
	}
	content, err = render(inv, parties)
	return "invoice-" + safeName(inv.Reference) + ".pdf", content, err
}

func render(inv Invoice, p invoicesdb.InvoicePartiesRow) ([]byte, error) {
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetTitle("Invoice "+inv.Reference, true)
	pdf.SetAuthor(p.CompanyName, true)
	pdf.SetCreator("MaintainUK", true)
	tr := pdf.UnicodeTranslatorFromDescriptor("") // UTF-8 → cp1252, for "£" and accents
	pdf.AddPage()

	pdf.SetFont("Helvetica", "B", 18)
	pdf.Cell(0, 10, tr("Invoice "+inv.Reference))
	pdf.Ln(12)
	pdf.SetFont("Helvetica", "", 10)
	field := func(label, value string) {
		pdf.SetFont("Helvetica", "B", 10)
		pdf.CellFormat(40, 6, tr(label), "", 0, "", false, 0, "")
		pdf.SetFont("Helvetica", "", 10)
		pdf.CellFormat(0, 6, tr(value), "", 1, "", false, 0, "")
	}
	field("From", p.CompanyName)
	if contact := strings.TrimSpace(p.ContractorEmail + "  " + p.ContractorPhone); contact != "" {
		field("", contact)
	}
	field("To", p.OrgName)
	address := strings.Join(nonEmpty(p.UnitLabel, p.AddressLine1, p.Town, p.Postcode), ", ")
	if address != "" {
		field("Property", address)
	}
	field("Job", tickets.FormatNumber(p.TicketNumber)+" "+p.TicketTitle)
	field("Submitted", inv.CreatedAt.In(ukcalendar.London).Format("2 January 2006"))
	field("Status", string(inv.Status))
	if inv.PaidAt != nil {
		field("Paid", inv.PaidAt.In(ukcalendar.London).Format("2 January 2006")+" "+inv.PaymentReference)
	}
	pdf.Ln(6)

	widths := []float64{80, 20, 25, 15, 25, 25}
	header := []string{"Description", "Qty", "Unit price", "VAT", "Net", "VAT amount"}
	pdf.SetFont("Helvetica", "B", 9)
	pdf.SetFillColor(235, 235, 235)
	for i, h := range header {
		align := "R"
		if i == 0 {
			align = "L"
		}
		pdf.CellFormat(widths[i], 7, h, "B", 0, align, true, 0, "")
	}
	pdf.Ln(-1)
	pdf.SetFont("Helvetica", "", 9)
	for _, l := range inv.Lines {
		desc := l.Description
		if r := []rune(desc); len(r) > 48 {
			desc = string(r[:47]) + "…"
		}
		cells := []string{desc, strconv.FormatFloat(l.Quantity, 'f', -1, 64), money.Format(l.UnitPricePence),
			fmt.Sprintf("%d%%", l.VATRatePercent), money.Format(l.NetPence), money.Format(l.VATPence)}
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
	total("Net", inv.NetPence, false)
	total("VAT", inv.VATPence, false)
	total("Total", inv.TotalPence, true)
	if inv.Notes != "" {
		pdf.Ln(6)
		pdf.SetFont("Helvetica", "", 9)
		pdf.MultiCell(0, 5, tr(inv.Notes), "", "", false)
	}
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return nil, fmt.Errorf("invoices: render pdf: %w", err)
	}
	return buf.Bytes(), nil
}

func nonEmpty(xs ...string) []string {
	var out []string
	for _, x := range xs {
		if x != "" {
			out = append(out, x)
		}
	}
	return out
}

// safeName keeps a reference usable as a file name.
func safeName(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' {
			return r
		}
		return '-'
	}, s)
}
