package textrules

import (
	"strings"
	"testing"
)

func TestParsePrices(t *testing.T) {
	tests := []struct {
		in      string
		want    string // canonical form, or a fragment of the error
		wantErr bool
	}{
		{"GB=4,IE=7,*=10", "GB=4,IE=7,*=10", false},
		{"*=10,IE=7,GB=4", "GB=4,IE=7,*=10", false},
		{" GB = 4 , IE=7,\t*=10 ", "GB=4,IE=7,*=10", false},
		{"*=5", "*=5", false},
		{"GB=0,*=0", "GB=0,*=0", false},
		{"GG=4,JE=4,IM=4,*=9", "GG=4,IM=4,JE=4,*=9", false},
		{"", "is not REGION=PENCE", true},
		{"GB=4", `need a default`, true},
		{"GB=4,,*=10", `"" is not REGION=PENCE`, true},
		{"GB=4,*=10,", `"" is not REGION=PENCE`, true},
		{"GB4,*=10", `"GB4" is not REGION=PENCE`, true},
		{"GB=,*=10", `"GB=" is not REGION=PENCE`, true},
		{"=4,*=10", `"=4" is not REGION=PENCE`, true},
		{"GB=4=5,*=10", `"4=5" is not a whole number`, true},
		{"GB=-4,*=10", `"-4" is negative`, true},
		{"GB=4,*=-1", `"-1" is negative`, true},
		{"GB=4.5,*=10", `"4.5" is not a whole number`, true},
		{"GB=+4,*=10", `"+4" is not a whole number`, true},
		{"GB=£4,*=10", `"£4" is not a whole number`, true},
		{"GB=99999999999999999999,*=10", "out of range", true},
		{"GB=4,GB=5,*=10", "GB given twice", true},
		{"*=4,*=10", `"*" given twice`, true},
		{"UK=4,*=10", `the United Kingdom is "GB"`, true},
		{"gb=4,*=10", `must be upper case: "GB"`, true},
		{"XX=4,*=10", `region "XX" is not`, true},
		{"001=4,*=10", `region "001" is not`, true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			p, err := ParsePrices(tt.in)
			if tt.wantErr {
				if err == nil || !strings.Contains(err.Error(), tt.want) {
					t.Errorf("ParsePrices(%q) error = %v, want one containing %q", tt.in, err, tt.want)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParsePrices(%q): %v", tt.in, err)
			}
			if got := p.String(); got != tt.want {
				t.Errorf("String() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestPence(t *testing.T) {
	p, err := ParsePrices("GB=4,IE=7,JE=6,*=10")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		e164 string
		want int64
	}{
		{"UK mobile", "+447400123456", 4},
		{"Guernsey mobile takes the default", "+447911123456", 10},
		{"Ofcom drama number is priced as GB", "+447700900123", 4},
		{"UK landline", "+442079460000", 4},
		{"Irish mobile", "+353851234567", 7},
		{"Jersey shares +44 but is its own region", "+447797712345", 6},
		{"France takes the default", "+33612345678", 10},
		{"not a number takes the default", "not a number", 10},
		{"empty takes the default", "", 10},
		{"no region takes the default", "+80012345678", 10},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := p.Pence(tt.e164); got != tt.want {
				t.Errorf("Pence(%q) = %d, want %d", tt.e164, got, tt.want)
			}
		})
	}
	if got := (PriceTable{}).Pence("+447700900123"); got != 0 {
		t.Errorf("zero PriceTable Pence = %d, want 0", got)
	}
}
