package hhsrs

import (
	"slices"
	"testing"
)

// Schedule 1 has 29 hazards, each with its own code, in four groups.
func TestTheTwentyNine(t *testing.T) {
	if len(All) != 29 {
		t.Fatalf("%d hazards, want 29", len(All))
	}
	seen := map[string]bool{}
	for _, h := range All {
		if seen[h.Code] || h.Name == "" || !slices.Contains([]string{Physiological, Psychological, Infection, Accidents}, h.Group) {
			t.Errorf("hazard %+v", h)
		}
		seen[h.Code] = true
	}
	if All[0].Code != "DAMP_MOULD" || All[28].Code != "STRUCTURAL_COLLAPSE" || !Valid("FIRE") || Valid("GAS") || Name("EXCESS_COLD") != "Excess cold" {
		t.Fatal("the list is not Schedule 1's")
	}
}

func TestFromAssistant(t *testing.T) {
	tests := []struct {
		in   []string
		want []string
	}{
		{nil, nil},
		{[]string{"VULNERABLE_OCCUPANT"}, nil},
		{[]string{"DAMP_MOULD_HEALTH"}, []string{"DAMP_MOULD"}},
		{[]string{"GAS", "ELECTRICS", "WATER_NEAR_ELECTRICS"}, []string{"UNCOMBUSTED_FUEL_GAS", "ELECTRICAL", "EXPLOSIONS"}},
		{[]string{"INSECURE_HOME", "DAMP_MOULD_HEALTH"}, []string{"DAMP_MOULD", "ENTRY_BY_INTRUDERS"}},
	}
	for _, tt := range tests {
		if got := FromAssistant(tt.in); !slices.Equal(got, tt.want) {
			t.Errorf("FromAssistant(%v) = %v, want %v", tt.in, got, tt.want)
		}
	}
}
