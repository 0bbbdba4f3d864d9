// Package money computes line items and totals for quotes and invoices in integer pence.
// Quantities are in thousandths (2.5 hours = 2500) so no float ever touches money; each
// line's VAT is rounded half up, and totals are sums of rounded lines, as on a UK invoice.
package money

import (
	"fmt"
	"math"
	"strings"

	"github.com/maintainuk/maintainuk/internal/apperr"
)

// Limits keep every product within int64 with room to spare.
const (
	MaxQuantityMilli  = 100_000_000   // 100,000 units
	MaxUnitPricePence = 1_000_000_000 // £10,000,000
	MaxLines          = 100
	DefaultVATPercent = 20
)

// LineInput is a line as submitted. Quantity is a decimal with up to three places.
type LineInput struct {
	Description    string
	Quantity       float64
	UnitPricePence int64
	VATRatePercent *int
}

// Line is a priced line.
type Line struct {
	Description    string  `json:"description"`
	Quantity       float64 `json:"quantity"`
	QuantityMilli  int64   `json:"-"`
	UnitPricePence int64   `json:"unitPricePence"`
	VATRatePercent int     `json:"vatRatePercent"`
	NetPence       int64   `json:"netPence"`
	VATPence       int64   `json:"vatPence"`
}

// Totals are the sums of a document's lines.
type Totals struct {
	NetPence   int64 `json:"netPence"`
	VATPence   int64 `json:"vatPence"`
	TotalPence int64 `json:"totalPence"`
}

// Price validates lines and prices them. Field errors name lines as lines[i].field.
func Price(inputs []LineInput) ([]Line, Totals, error) {
	var f apperr.Fields
	if len(inputs) == 0 {
		f.Add("lines", "at least one line is required")
	}
	if len(inputs) > MaxLines {
		f.Add("lines", fmt.Sprintf("at most %d lines", MaxLines))
	}
	lines := make([]Line, 0, len(inputs))
	var t Totals
	for i, in := range inputs {
		field := func(name string) string { return fmt.Sprintf("lines[%d].%s", i, name) }
		desc := strings.TrimSpace(in.Description)
		if desc == "" || len([]rune(desc)) > 500 {
			f.Add(field("description"), "must be 1 to 500 characters")
		}
		milli := math.Round(in.Quantity * 1000)
		if in.Quantity <= 0 || milli < 1 || milli > MaxQuantityMilli || math.Abs(in.Quantity*1000-milli) > 1e-6 {
			f.Add(field("quantity"), "must be above 0, at most 100000, with at most 3 decimal places")
		}
		if in.UnitPricePence < 0 || in.UnitPricePence > MaxUnitPricePence {
			f.Add(field("unitPricePence"), "must be from 0 to 1000000000 pence")
		}
		rate := DefaultVATPercent
		if in.VATRatePercent != nil {
			rate = *in.VATRatePercent
		}
		if rate != 0 && rate != 5 && rate != 20 {
			f.Add(field("vatRatePercent"), "must be a UK VAT rate: 0, 5 or 20")
		}
		l := Line{Description: desc, Quantity: milli / 1000, QuantityMilli: int64(milli), UnitPricePence: in.UnitPricePence, VATRatePercent: rate}
		l.NetPence = divRoundHalfUp(l.QuantityMilli*l.UnitPricePence, 1000)
		l.VATPence = divRoundHalfUp(l.NetPence*int64(rate), 100)
		t.NetPence += l.NetPence
		t.VATPence += l.VATPence
		lines = append(lines, l)
	}
	if err := f.Err(); err != nil {
		return nil, Totals{}, err
	}
	t.TotalPence = t.NetPence + t.VATPence
	return lines, t, nil
}

// divRoundHalfUp divides non-negative a by positive b, rounding halves up.
func divRoundHalfUp(a, b int64) int64 { return (a + b/2) / b }

// Format renders pence as pounds for people: 123456 → "£1,234.56".
func Format(pence int64) string {
	sign := ""
	if pence < 0 {
		sign, pence = "-", -pence
	}
	pounds := fmt.Sprintf("%d", pence/100)
	var b strings.Builder
	for i, r := range pounds {
		if i > 0 && (len(pounds)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return fmt.Sprintf("%s£%s.%02d", sign, b.String(), pence%100)
}
