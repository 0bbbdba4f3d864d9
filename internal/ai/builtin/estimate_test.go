package builtin

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/maintainuk/maintainuk/internal/ai/schema"
)

func TestEstimateCost(t *testing.T) {
	tests := []struct {
		name string
		in   schema.EstimateInput
		job  string // the job's name, expected in the reasoning
		want []string
	}{
		{"dripping tap", schema.EstimateInput{Category: "PLUMBING", Title: "Kitchen tap dripping", Description: "The cold tap drips constantly."},
			"Dripping tap", []string{"national average", "Checkatrade"}},
		{"a tap that drips", schema.EstimateInput{Category: "PLUMBING", Title: "Kitchen tap drips constantly", Description: "The cold tap drips even when turned off hard."},
			"Dripping tap", nil},
		{"blocked sink", schema.EstimateInput{Category: "PLUMBING", Title: "Kitchen sink blocked", Region: "LONDON"},
			"Blocked sink", []string{"LONDON ×1.25"}},
		{"burst pipe is already an emergency price", schema.EstimateInput{Category: "PLUMBING", Title: "Burst pipe", Description: "Emergency: water everywhere"},
			"Burst pipe emergency", nil},
		{"boiler repair", schema.EstimateInput{Category: "HVAC", Title: "Boiler not firing", Description: "Error code F28"},
			"Boiler repair", nil},
		{"boiler service outweighs boiler", schema.EstimateInput{Category: "HVAC", Title: "Annual boiler service due"},
			"Annual boiler service", nil},
		{"gas leak", schema.EstimateInput{Category: "HVAC", Title: "I can smell gas in the kitchen"},
			"Gas leak call-out", nil},
		{"consumer unit", schema.EstimateInput{Category: "ELECTRICAL", Title: "Old fuse box replacement needed", Description: "new consumer unit"},
			"Consumer unit", nil},
		{"trip switch", schema.EstimateInput{Category: "ELECTRICAL", Title: "Trip switch keeps going"},
			"Electrical fault finding", nil},
		{"damp", schema.EstimateInput{Category: "STRUCTURAL", Title: "Black mould in bedroom"},
			"Damp and mould", nil},
		{"title outweighs description", schema.EstimateInput{Category: "PEST_CONTROL", Title: "Rats in the loft", Description: "a separate problem from the mice we had last year"},
			"Rat treatment", nil},
		{"bedbugs", schema.EstimateInput{Category: "PEST_CONTROL", Title: "Bed bugs"}, "Bedbug treatment", nil},
		{"washing machine", schema.EstimateInput{Category: "APPLIANCE", Title: "Washing machine won't spin"}, "Washing machine repair", nil},
		{"lock change", schema.EstimateInput{Category: "OTHER", Title: "Need the locks changed", Description: "lost keys"}, "Lock change", nil},
		{"category fallback", schema.EstimateInput{Category: "APPLIANCE", Title: "Something odd", Region: "NORTH_EAST"},
			"appliance engineer call-out", []string{"No specific job recognised in APPLIANCE", "NORTH_EAST ×0.90"}},
		{"unknown category searches all", schema.EstimateInput{Category: "", Title: "Wasps nest by the back door"}, "Wasps' nest removal", nil},
		{"unknown region", schema.EstimateInput{Category: "OTHER", Title: "Fence panel down", Region: "MARS"}, "Fence panel", []string{`region "MARS" not known`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := EstimateCost(tc.in)
			checkRange(t, e)
			if !strings.Contains(e.Reasoning, tc.job) {
				t.Errorf("reasoning lacks job %q: %s", tc.job, e.Reasoning)
			}
			for _, w := range tc.want {
				if !strings.Contains(e.Reasoning, w) {
					t.Errorf("reasoning lacks %q: %s", w, e.Reasoning)
				}
			}
			if !strings.Contains(e.Reasoning, "not a quote") {
				t.Errorf("reasoning does not say it is not a quote: %s", e.Reasoning)
			}
			if EstimateCost(tc.in) != e {
				t.Error("not deterministic")
			}
		})
	}
}

func checkRange(t *testing.T, e schema.Estimate) {
	t.Helper()
	if e.LowPence <= 0 || e.LowPence > e.LikelyPence || e.LikelyPence > e.HighPence {
		t.Errorf("range %d ≤ %d ≤ %d broken", e.LowPence, e.LikelyPence, e.HighPence)
	}
	for _, p := range []int64{e.LowPence, e.LikelyPence, e.HighPence} {
		if p%100 != 0 {
			t.Errorf("%d is not whole pounds", p)
		}
	}
}

func TestEstimateRegionAndEmergency(t *testing.T) {
	base := schema.EstimateInput{Category: "PLUMBING", Title: "Toilet cistern keeps running"}
	national := EstimateCost(base)
	for _, r := range schema.Regions {
		in := base
		in.Region = r
		e := EstimateCost(in)
		checkRange(t, e)
		switch r {
		case "LONDON":
			if e.HighPence <= national.HighPence {
				t.Errorf("London %d not above national %d", e.HighPence, national.HighPence)
			}
		case "NORTH_EAST", "WALES", "NORTHERN_IRELAND":
			if e.HighPence >= national.HighPence {
				t.Errorf("%s %d not below national %d", r, e.HighPence, national.HighPence)
			}
		}
		if !strings.Contains(e.Reasoning, r) {
			t.Errorf("reasoning does not name %s: %s", r, e.Reasoning)
		}
	}
	urgent := base
	urgent.Description = "It is flooding the floor, can someone come out of hours tonight?"
	e := EstimateCost(urgent)
	if e.LowPence != wholePounds(national.LowPence, 1.5) || e.HighPence != wholePounds(national.HighPence, 1.5) {
		t.Errorf("emergency %+v, want national %+v ×1.5", e, national)
	}
	if !strings.Contains(e.Reasoning, "×1.5") || !strings.Contains(e.Reasoning, "out-of-hours") {
		t.Errorf("reasoning does not explain the uplift: %s", e.Reasoning)
	}
}

// TestPriceData checks every range in prices.json: positive, ordered, whole pounds and
// sourced; every category and region of the schema is priced.
func TestPriceData(t *testing.T) {
	var raw map[string]any
	if err := json.Unmarshal(pricesJSON, &raw); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(prices.Notes, "not quotes") {
		t.Errorf("notes must say the figures are not quotes: %q", prices.Notes)
	}
	if prices.Regions.Source.URL == "" || prices.EmergencyMultiplier <= 1 {
		t.Error("regions need a source and emergencies an uplift")
	}
	for _, r := range schema.Regions {
		if m := prices.Regions.Multipliers[r]; m < 0.7 || m > 1.4 {
			t.Errorf("region %s multiplier %v", r, m)
		}
	}
	if len(prices.Regions.Multipliers) != len(schema.Regions) {
		t.Errorf("%d region multipliers, want %d", len(prices.Regions.Multipliers), len(schema.Regions))
	}
	for _, c := range schema.Categories {
		cat, ok := prices.Categories[c]
		if !ok {
			t.Errorf("category %s not priced", c)
			continue
		}
		ids := map[string]bool{}
		for _, j := range append([]priceJob{cat.General}, cat.Jobs...) {
			if ids[j.ID] {
				t.Errorf("%s: duplicate job %q", c, j.ID)
			}
			ids[j.ID] = true
			if j.LowPence <= 0 || j.LowPence > j.LikelyPence || j.LikelyPence > j.HighPence || j.LowPence%100 != 0 || j.HighPence%100 != 0 {
				t.Errorf("%s/%s: range %d ≤ %d ≤ %d", c, j.ID, j.LowPence, j.LikelyPence, j.HighPence)
			}
			if j.Name == "" || len(j.Sources) == 0 {
				t.Errorf("%s/%s: no name or source", c, j.ID)
			}
			for _, s := range j.Sources {
				if s.Name == "" || !strings.HasPrefix(s.URL, "https://") || s.Year < 2025 {
					t.Errorf("%s/%s: source %+v", c, j.ID, s)
				}
			}
			if j.ID != "general" && len(j.Keywords) == 0 {
				t.Errorf("%s/%s: no keywords", c, j.ID)
			}
		}
		if len(cat.Jobs) < 4 {
			t.Errorf("%s: only %d jobs", c, len(cat.Jobs))
		}
	}
	if len(prices.Categories) != len(schema.Categories) {
		t.Errorf("unknown categories in prices.json: %d", len(prices.Categories))
	}
}

// postcodeAreas is every UK postcode area, from Royal Mail's list.
var postcodeAreas = strings.Fields(`AB AL B BA BB BD BH BL BN BR BS BT CA CB CF CH CM CO CR CT CV CW DA DD DE DG DH DL DN DT DY
	E EC EH EN EX FK FY G GL GU HA HD HG HP HR HS HU HX IG IP IV KA KT KW KY L LA LD LE LL LN LS LU M ME MK ML
	N NE NG NN NP NR NW OL OX PA PE PH PL PO PR RG RH RM S SA SE SG SK SL SM SN SO SP SR SS ST SW SY TA TD TF TN
	TQ TR TS TW UB W WA WC WD WF WN WR WS WV YO ZE`)

func TestRegionForPostcode(t *testing.T) {
	if len(postcodeAreas) != 121 {
		t.Fatalf("%d areas listed, want 121", len(postcodeAreas))
	}
	for _, a := range postcodeAreas {
		r := RegionForPostcode(a + "1 1AA")
		if !slices.Contains(schema.Regions, r) {
			t.Errorf("%s maps to %q", a, r)
		}
	}
	if len(postcodeRegions) != len(postcodeAreas) {
		t.Errorf("%d areas mapped, want %d", len(postcodeRegions), len(postcodeAreas))
	}
	tests := []struct{ in, want string }{
		{"SW1A 1AA", "LONDON"}, {"ec1a 1bb", "LONDON"}, {"E1 6AN", "LONDON"}, {"W1", "LONDON"},
		{"M1 1AE", "NORTH_WEST"}, {"L1", "NORTH_WEST"}, {"B33 8TH", "WEST_MIDLANDS"}, {"NG1 5FS", "EAST_MIDLANDS"},
		{"LS1 4AP", "YORKSHIRE"}, {"S1 2HE", "YORKSHIRE"}, {"NE1 7RU", "NORTH_EAST"}, {"CF10 1AA", "WALES"},
		{"BT1 5GS", "NORTHERN_IRELAND"}, {"EH1 1YZ", "SCOTLAND"}, {"G1 1XQ", "SCOTLAND"}, {"BS1 4DJ", "SOUTH_WEST"},
		{"CB2 1TN", "EAST_OF_ENGLAND"}, {"RG1 1AA", "SOUTH_EAST"}, {" eh ", "SCOTLAND"},
		{"", ""}, {"JE2 3AB", ""}, {"IM1 1AA", ""}, {"GY1 1AA", ""}, {"London", ""}, {"12345", ""}, {"QQ1 1AA", ""},
	}
	for _, tc := range tests {
		if got := RegionForPostcode(tc.in); got != tc.want {
			t.Errorf("RegionForPostcode(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
