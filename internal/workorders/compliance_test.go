package workorders

import (
	"strings"
	"testing"
	"time"

	"github.com/maintainuk/maintainuk/internal/workorders/workordersdb"
)

func TestIsGasWork(t *testing.T) {
	for _, tc := range []struct {
		name     string
		category string
		texts    []string
		want     bool
	}{
		{"HVAC category", "HVAC", []string{"Radiator cold"}, true},
		{"hvac in any case", "hvac", nil, true},
		{"boiler in the title", "OTHER", []string{"Boiler not firing"}, true},
		{"boilers plural", "PLUMBING", []string{"", "Service both boilers"}, true},
		{"gas in the description", "APPLIANCE", []string{"Cooker", "Smell of GAS near it"}, true},
		{"gas in the work order", "OTHER", []string{"Kitchen", "", "Cap off the gas supply"}, true},
		{"flue", "STRUCTURAL", []string{"Flue cracked at the roof"}, true},
		{"gas hob", "APPLIANCE", []string{"Gas hob igniter"}, true},
		{"word boundaries: gasket", "PLUMBING", []string{"Replace the tap gasket"}, false},
		{"word boundaries: influence", "OTHER", []string{"Fluent influence"}, false},
		{"electric cooker alone", "APPLIANCE", []string{"Cooker hob not heating"}, false},
		{"plumbing", "PLUMBING", []string{"Leaking tap", "Drips constantly", "Replace the washer"}, false},
		{"nothing", "", nil, false},
	} {
		if got := IsGasWork(tc.category, tc.texts...); got != tc.want {
			t.Errorf("%s: IsGasWork(%q, %q) = %v, want %v", tc.name, tc.category, tc.texts, got, tc.want)
		}
	}
}

func TestDispatchProblems(t *testing.T) {
	today := time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC)
	day := func(offset int) *time.Time { d := today.AddDate(0, 0, offset); return &d }
	for _, tc := range []struct {
		name               string
		c                  workordersdb.GetContractorDispatchRow
		gas                bool
		problems, warnings []string // substrings, in order
	}{
		{"gas work without a number", workordersdb.GetContractorDispatchRow{InsuranceExpiresOn: day(30)}, true, []string{"no Gas Safe number"}, nil},
		{"gas work without an expiry", workordersdb.GetContractorDispatchRow{GasSafeNumber: "123456", InsuranceExpiresOn: day(30)}, true, []string{"no registration expiry"}, nil},
		{"expired Gas Safe", workordersdb.GetContractorDispatchRow{GasSafeNumber: "123456", GasSafeExpiresOn: day(-1), InsuranceExpiresOn: day(30)}, true, []string{"expired on 2026-12-02"}, nil},
		{"Gas Safe expiring today", workordersdb.GetContractorDispatchRow{GasSafeNumber: "123456", GasSafeExpiresOn: day(0), InsuranceExpiresOn: day(0)}, true, nil, nil},
		{"expired Gas Safe, not gas work", workordersdb.GetContractorDispatchRow{GasSafeNumber: "123456", GasSafeExpiresOn: day(-100), InsuranceExpiresOn: day(30)}, false, nil, nil},
		{"lapsed insurance", workordersdb.GetContractorDispatchRow{InsuranceExpiresOn: day(-1)}, false, []string{"insurance lapsed on 2026-12-02"}, nil},
		{"unknown insurance warns", workordersdb.GetContractorDispatchRow{}, false, nil, []string{"no insurance"}},
		{"both gas and insurance", workordersdb.GetContractorDispatchRow{InsuranceExpiresOn: day(-5)}, true, []string{"no Gas Safe number", "insurance lapsed"}, nil},
		{"all fine", workordersdb.GetContractorDispatchRow{GasSafeNumber: "1234567", GasSafeExpiresOn: day(365), InsuranceExpiresOn: day(365)}, true, nil, nil},
	} {
		problems, warnings := dispatchProblems(tc.c, tc.gas, today)
		for _, c := range []struct {
			what      string
			got, want []string
		}{{"problems", problems, tc.problems}, {"warnings", warnings, tc.warnings}} {
			if len(c.got) != len(c.want) {
				t.Errorf("%s: %s %q, want %q", tc.name, c.what, c.got, c.want)
				continue
			}
			for i := range c.want {
				if !strings.Contains(c.got[i], c.want[i]) {
					t.Errorf("%s: %s %q, want %q", tc.name, c.what, c.got, c.want)
				}
			}
		}
	}
}

func TestLondonToday(t *testing.T) {
	// 23:30 UTC on a summer evening is already tomorrow in London (BST).
	if got := londonToday(time.Date(2026, 7, 1, 23, 30, 0, 0, time.UTC)); !got.Equal(time.Date(2026, 7, 2, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("londonToday = %s", got)
	}
}
