package builtin

import (
	"slices"
	"strings"
	"testing"
)

func guideIDs(a Advice) []string {
	ids := make([]string, len(a.SelfHelp))
	for i, g := range a.SelfHelp {
		ids[i] = g.ID
	}
	return ids
}

func emergencyText(a Advice) string {
	var b strings.Builder
	for _, s := range a.Emergency {
		b.WriteString(s.Text + "\n")
	}
	return b.String()
}

func TestAdvise(t *testing.T) {
	tests := []struct {
		name                      string
		category, priority, title string
		description               string
		hazards                   []string
		guides                    []string // must be offered
		noGuides                  []string // must not be offered
		emergency                 []string // must appear in the emergency steps
		noEmergency               bool
	}{
		{name: "gas hazard: call the emergency line, no boiler self-help", category: "HVAC", priority: "EMERGENCY",
			title: "Boiler pressure low and smell near boiler", description: "boiler pressure dropped", hazards: []string{"GAS"},
			noGuides: []string{"boiler-pressure", "boiler-reset", "no-hot-water"}, emergency: []string{"0800 111 999", "call 999", "turn off the gas at the meter", "Do not use electrical switches"}},
		{name: "gas smell in words alone", category: "HVAC", priority: "URGENT", title: "I can smell gas by the boiler", description: "boiler error code too",
			noGuides: []string{"boiler-reset"}, emergency: []string{"0800 111 999"}},
		{name: "carbon monoxide alarm", category: "ELECTRICAL", priority: "EMERGENCY", title: "Carbon monoxide alarm going off",
			noGuides: []string{"smoke-alarm-chirp"}, emergency: []string{"0800 111 999", "carbon monoxide alarm"}},
		{name: "boiler pressure", category: "HVAC", priority: "ROUTINE", title: "No heating", description: "Boiler pressure dropped to 0.5 bar",
			guides: []string{"boiler-pressure"}, noEmergency: true},
		{name: "trip switch", category: "ELECTRICAL", priority: "URGENT", title: "Trip switch keeps going",
			guides: []string{"rcd-tripped"}, noEmergency: true},
		{name: "trip switch with water on electrics", category: "ELECTRICAL", priority: "EMERGENCY", title: "Trip switch keeps going",
			description: "water dripping into the light", hazards: []string{"WATER_NEAR_ELECTRICS"},
			noGuides: []string{"rcd-tripped"}, emergency: []string{"stopcock", "call 999"}},
		{name: "kitchen sink blocked", category: "PLUMBING", priority: "ROUTINE", title: "Kitchen sink blocked",
			guides: []string{"blocked-sink"}, noEmergency: true},
		{name: "sewage withholds sink and toilet help", category: "PLUMBING", priority: "URGENT", title: "Kitchen sink blocked and sewage coming up",
			noGuides: []string{"blocked-sink", "toilet-flush"}, emergency: []string{"Do not flush", "call 999"}},
		{name: "cold radiator", category: "HVAC", priority: "ROUTINE", title: "Radiator cold at the top", guides: []string{"radiator-bleed"}, noEmergency: true},
		{name: "toilet", category: "PLUMBING", priority: "ROUTINE", title: "Toilet won't flush", description: "handle goes down but nothing",
			guides: []string{"toilet-flush"}, noEmergency: true},
		{name: "frozen condensate", category: "HVAC", priority: "URGENT", title: "No hot water", description: "combi boiler gurgles, it is freezing outside",
			guides: []string{"no-hot-water"}, noEmergency: true},
		{name: "pilot light", category: "HVAC", priority: "ROUTINE", title: "Pilot light went out", guides: []string{"boiler-reset"}, noEmergency: true},
		{name: "plug fuse", category: "APPLIANCE", priority: "ROUTINE", title: "Kettle not working", description: "maybe the fuse in the plug",
			guides: []string{"plug-fuse"}, noEmergency: true},
		{name: "condensation with health hazard", category: "STRUCTURAL", priority: "URGENT", title: "Mould and condensation in bedroom",
			description: "my son has asthma", hazards: []string{"DAMP_MOULD_HEALTH"}, guides: []string{"condensation"}, emergency: []string{"NHS 111"}},
		{name: "smoke alarm chirping", category: "ELECTRICAL", priority: "ROUTINE", title: "Smoke alarm chirping every minute", guides: []string{"smoke-alarm-chirp"}, noEmergency: true},
		{name: "sparks", category: "ELECTRICAL", priority: "EMERGENCY", title: "Socket sparking", description: "trip switch tripped",
			noGuides: []string{"rcd-tripped", "plug-fuse"}, emergency: []string{"Do not touch", "call 999"}},
		{name: "break-in", category: "STRUCTURAL", priority: "EMERGENCY", title: "Front door won't lock after a break in", hazards: []string{"INSECURE_HOME"},
			emergency: []string{"101", "call 999"}},
		{name: "emergency priority alone gives 999", category: "OTHER", priority: "EMERGENCY", title: "Something urgent", emergency: []string{"call 999"}},
		{name: "nothing matched", category: "OTHER", priority: "ROUTINE", title: "Fence panel down", noEmergency: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := Advise(tc.category, tc.priority, tc.hazards, tc.title, tc.description)
			if a.Emergency == nil || a.SelfHelp == nil {
				t.Fatal("nil slice")
			}
			ids, text := guideIDs(a), emergencyText(a)
			for _, g := range tc.guides {
				if !slices.Contains(ids, g) {
					t.Errorf("guides %v lack %s", ids, g)
				}
			}
			for _, g := range tc.noGuides {
				if slices.Contains(ids, g) {
					t.Errorf("guides %v offer %s", ids, g)
				}
			}
			for _, w := range tc.emergency {
				if !strings.Contains(strings.ToLower(text), strings.ToLower(w)) {
					t.Errorf("emergency steps lack %q:\n%s", w, text)
				}
			}
			if tc.noEmergency && len(a.Emergency) > 0 {
				t.Errorf("unexpected emergency steps:\n%s", text)
			}
			if len(a.SelfHelp) > maxGuides {
				t.Errorf("%d guides", len(a.SelfHelp))
			}
			for _, s := range a.Emergency {
				if s.Source == "" || s.SourceURL == "" {
					t.Errorf("step %q has no source", s.Text)
				}
			}
		})
	}
}

// TestSelfHelpData checks every entry parses, has an ID, steps and a source, and that
// IDs are unique and found by GuideByID.
func TestSelfHelpData(t *testing.T) {
	all := append([]emergencyAdvice{selfHelp.Danger}, selfHelp.Emergencies...)
	seen := map[string]bool{}
	for _, e := range all {
		if e.ID == "" || seen[e.ID] || len(e.Steps) == 0 || e.Source == "" || !strings.HasPrefix(e.SourceURL, "https://") {
			t.Errorf("emergency %q: missing ID, steps or source, or a duplicate", e.ID)
		}
		if len(e.Hazards) == 0 && len(e.Words) == 0 && e.ID != "danger" {
			t.Errorf("emergency %q can never fire", e.ID)
		}
		seen[e.ID] = true
	}
	guides := Guides()
	if len(guides) < 10 {
		t.Errorf("%d guides", len(guides))
	}
	for _, g := range selfHelp.Guides {
		if g.ID == "" || seen[g.ID] || g.Title == "" || len(g.Steps) == 0 || g.Warning == "" || g.Source == "" || !strings.HasPrefix(g.SourceURL, "https://") {
			t.Errorf("guide %q: missing field or duplicate ID", g.ID)
		}
		seen[g.ID] = true
		if len(g.Match) == 0 {
			t.Errorf("guide %q can never match", g.ID)
		}
		for _, u := range g.UnsafeWith {
			if !slices.ContainsFunc(selfHelp.Emergencies, func(e emergencyAdvice) bool { return e.ID == u }) {
				t.Errorf("guide %q: unsafeWith names unknown emergency %q", g.ID, u)
			}
		}
		found, ok := GuideByID(g.ID)
		if !ok || found.ID != g.ID {
			t.Errorf("GuideByID(%q) = %v, %v", g.ID, found.ID, ok)
		}
	}
	if _, ok := GuideByID("no-such-guide"); ok {
		t.Error("GuideByID found a guide that does not exist")
	}
	// Callers get copies: editing one must not change the data.
	guides[0].Steps[0] = "changed"
	if Guides()[0].Steps[0] == "changed" {
		t.Error("Guides shares its steps with the data")
	}
}
