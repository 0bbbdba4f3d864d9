package money

import (
	"testing"

	"github.com/maintainuk/maintainuk/internal/apperr"
)

func intp(v int) *int { return &v }

func TestPrice(t *testing.T) {
	lines, totals, err := Price([]LineInput{
		{Description: "Labour (hours)", Quantity: 2.5, UnitPricePence: 4500},                            // 11250 + 2250 VAT
		{Description: "Washer", Quantity: 3, UnitPricePence: 33, VATRatePercent: intp(20)},              // 99 + 19.8 → 20
		{Description: "Energy-saving part", Quantity: 1, UnitPricePence: 1010, VATRatePercent: intp(5)}, // 1010 + 50.5 → 51
		{Description: "Zero-rated", Quantity: 0.333, UnitPricePence: 1000, VATRatePercent: intp(0)},     // 333 + 0
	})
	if err != nil {
		t.Fatal(err)
	}
	wantNet := []int64{11250, 99, 1010, 333}
	wantVAT := []int64{2250, 20, 51, 0}
	for i, l := range lines {
		if l.NetPence != wantNet[i] || l.VATPence != wantVAT[i] {
			t.Errorf("line %d: net %d vat %d, want %d %d", i, l.NetPence, l.VATPence, wantNet[i], wantVAT[i])
		}
	}
	if totals != (Totals{NetPence: 12692, VATPence: 2321, TotalPence: 15013}) {
		t.Errorf("totals %+v", totals)
	}
}

func TestPriceRejects(t *testing.T) {
	tests := []struct {
		name  string
		lines []LineInput
		field string
	}{
		{"no lines", nil, "lines"},
		{"blank description", []LineInput{{Description: " ", Quantity: 1, UnitPricePence: 1}}, "lines[0].description"},
		{"zero quantity", []LineInput{{Description: "x", Quantity: 0, UnitPricePence: 1}}, "lines[0].quantity"},
		{"four decimals", []LineInput{{Description: "x", Quantity: 1.0005, UnitPricePence: 1}}, "lines[0].quantity"},
		{"negative price", []LineInput{{Description: "x", Quantity: 1, UnitPricePence: -1}}, "lines[0].unitPricePence"},
		{"huge price", []LineInput{{Description: "x", Quantity: 1, UnitPricePence: MaxUnitPricePence + 1}}, "lines[0].unitPricePence"},
		{"odd VAT", []LineInput{{Description: "x", Quantity: 1, UnitPricePence: 1, VATRatePercent: intp(17)}}, "lines[0].vatRatePercent"},
	}
	for _, tt := range tests {
		_, _, err := Price(tt.lines)
		var ae *apperr.Error
		if err == nil || !asErr(err, &ae) || len(ae.Fields) == 0 || ae.Fields[0].Field != tt.field {
			t.Errorf("%s: err %v, want a field error on %s", tt.name, err, tt.field)
		}
	}
}

func asErr(err error, target **apperr.Error) bool {
	e, ok := err.(*apperr.Error)
	*target = e
	return ok
}

func TestFormat(t *testing.T) {
	for pence, want := range map[int64]string{0: "£0.00", 5: "£0.05", 123456: "£1,234.56", 100000000: "£1,000,000.00", -250: "-£2.50"} {
		if got := Format(pence); got != want {
			t.Errorf("Format(%d) = %s, want %s", pence, got, want)
		}
	}
}
