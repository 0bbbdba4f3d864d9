package invoices

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/maintainuk/maintainuk/internal/access"
	"github.com/maintainuk/maintainuk/internal/invoices/invoicesdb"
	"github.com/maintainuk/maintainuk/internal/money"
	"github.com/maintainuk/maintainuk/internal/pdfdoc"
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
	d := pdfdoc.New("Invoice "+inv.Reference, p.CompanyName)
	d.PDF.SetFont("Helvetica", "", 10)
	d.Field("From", p.CompanyName)
	if contact := strings.TrimSpace(p.ContractorEmail + "  " + p.ContractorPhone); contact != "" {
		d.Field("", contact)
	}
	d.Field("To", p.OrgName)
	address := strings.Join(nonEmpty(p.UnitLabel, p.AddressLine1, p.Town, p.Postcode), ", ")
	if address != "" {
		d.Field("Property", address)
	}
	d.Field("Job", tickets.FormatNumber(p.TicketNumber)+" "+p.TicketTitle)
	d.Field("Submitted", inv.CreatedAt.In(ukcalendar.London).Format("2 January 2006"))
	d.Field("Status", string(inv.Status))
	if inv.PaidAt != nil {
		d.Field("Paid", inv.PaidAt.In(ukcalendar.London).Format("2 January 2006")+" "+inv.PaymentReference)
	}
	d.PDF.Ln(6)

	rows := make([][]string, len(inv.Lines))
	for i, l := range inv.Lines {
		desc := l.Description
		if r := []rune(desc); len(r) > 48 {
			desc = string(r[:47]) + "…"
		}
		rows[i] = []string{desc, strconv.FormatFloat(l.Quantity, 'f', -1, 64), money.Format(l.UnitPricePence),
			fmt.Sprintf("%d%%", l.VATRatePercent), money.Format(l.NetPence), money.Format(l.VATPence)}
	}
	d.Table([]float64{80, 20, 25, 15, 25, 25}, []string{"Description", "Qty", "Unit price", "VAT", "Net", "VAT amount"}, rows)
	d.Total("Net", inv.NetPence, false)
	d.Total("VAT", inv.VATPence, false)
	d.Total("Total", inv.TotalPence, true)
	if inv.Notes != "" {
		d.Note(9, inv.Notes)
	}
	content, err := d.Bytes()
	if err != nil {
		return nil, fmt.Errorf("invoices: render pdf: %w", err)
	}
	return content, nil
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
