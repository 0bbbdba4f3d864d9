package builtin

import (
	"bufio"
	"encoding/json"
	"math"
	"os"
	"reflect"
	"slices"
	"testing"

	"github.com/maintainuk/maintainuk/internal/ai/schema"
)

type want struct {
	category, priority string
	hazards            []string // nil: not checked
}

func check(t *testing.T, title, description string, w want) {
	t.Helper()
	got := Classify(schema.ClassifyInput{Title: title, Description: description})
	if got.Category != w.category || got.Priority != w.priority {
		t.Errorf("%q / %q: got %s/%s, want %s/%s (%s)", title, description, got.Category, got.Priority, w.category, w.priority, got.Reasoning)
	}
	if w.hazards != nil && !slices.Equal(got.Hazards, w.hazards) {
		t.Errorf("%q / %q: hazards %v, want %v", title, description, got.Hazards, w.hazards)
	}
}

func TestNegation(t *testing.T) {
	tests := []struct {
		name, title, description string
		want                     want
	}{
		{"no gas smell", "hob", "Gas hob won't light on any ring, there is no smell of gas at all.", want{"APPLIANCE", "URGENT", []string{}}},
		{"negation ends at but", "hob", "No problem with the hob but I can smell gas in the hall.", want{"HVAC", "EMERGENCY", []string{"GAS"}}},
		{"isn't sparking", "Bathroom light", "The light isn't sparking or anything, it just doesn't come on.", want{"ELECTRICAL", "ROUTINE", []string{}}},
		{"not leaking", "Radiator", "The radiator in the hall is noisy, it's not leaking though.", want{"HVAC", "ROUTINE", nil}},
		{"nothing leaking", "Ceiling", "Brown damp patch on the ceiling, nothing is leaking upstairs and it isn't dripping.", want{"STRUCTURAL", "URGENT", nil}},
		{"no wires showing", "Switch", "Light switch is loose, no wires showing, works fine.", want{"ELECTRICAL", "ROUTINE", []string{}}},
		{"no kids", "Boiler", "No heating since Monday. No kids or anyone elderly here, just me.", want{"HVAC", "URGENT", []string{}}},
		{"no mould", "Windows", "Condensation on the bedroom windows every morning, no mould so far.", want{"STRUCTURAL", "ROUTINE", nil}},
		{"not sure is not a negation", "gas?", "Not sure but I think there's a smell of gas by the meter.", want{"HVAC", "EMERGENCY", nil}},
		{"pests not inside", "rats", "Rats by the compost heap in the garden, not seen any inside the house.", want{"PEST_CONTROL", "ROUTINE", nil}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { check(t, tt.title, tt.description, tt.want) })
	}
}

func TestMisspellingsAndCaps(t *testing.T) {
	tests := []struct {
		name, title, description string
		want                     want
	}{
		{"gass", "kitchin", "smel of gass in the kitchin", want{"HVAC", "EMERGENCY", nil}},
		{"cieling", "leak", "water pouring through the cieling from the flat upstairs", want{"PLUMBING", "EMERGENCY", nil}},
		{"boilor", "heating", "boilor not working so no heating", want{"HVAC", "URGENT", nil}},
		{"toliet", "loo", "toliet blocked and its the only one we have", want{"PLUMBING", "URGENT", nil}},
		{"one edit", "rediator", "the radaitor in the lounge bangs all evening, works fine", want{"HVAC", "ROUTINE", nil}},
		{"all caps", "NO POWER", "NO ELECTRICITY IN THE WHOLE FLAT SINCE LAST NIGHT. NEIGHBOURS HAVE POWER.", want{"ELECTRICAL", "EMERGENCY", nil}},
		{"apostrophes", "Tap", "The kitchen tap won’t turn off, it’s running full blast.", want{"PLUMBING", "URGENT", nil}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { check(t, tt.title, tt.description, tt.want) })
	}
}

func TestHazards(t *testing.T) {
	tests := []struct {
		name, title, description string
		want                     want
	}{
		{"gas", "Gas", "Strong gas smell in the kitchen.", want{"HVAC", "EMERGENCY", []string{"GAS"}}},
		{"co alarm sounding", "CO", "The carbon monoxide alarm is going off, loud continuous beeping.", want{"HVAC", "EMERGENCY", []string{"GAS"}}},
		{"co alarm expired", "CO", "Carbon monoxide alarm chirps once a minute, says END, think it's expired.", want{"HVAC", "URGENT", []string{}}},
		{"flue fumes", "Flue", "The boiler flue has come loose and there are fumes in the cupboard.", want{"HVAC", "EMERGENCY", []string{"GAS"}}},
		{"sparking socket", "Socket", "Socket sparked and there's a scorch mark.", want{"ELECTRICAL", "EMERGENCY", []string{"ELECTRICS"}}},
		{"cooker switch sparks", "Switch", "The wall switch for the cooker sparked when I turned it on.", want{"ELECTRICAL", "EMERGENCY", []string{"ELECTRICS"}}},
		{"appliance smoking", "Tumble dryer", "The tumble dryer is smoking and smells of burning.", want{"APPLIANCE", "EMERGENCY", []string{"ELECTRICS"}}},
		{"water onto fuse box", "Leak", "Water is dripping from a pipe onto the fuse box.", want{"PLUMBING", "EMERGENCY", []string{"WATER_NEAR_ELECTRICS"}}},
		{"boiler onto socket", "Boiler", "The boiler is leaking and water is running down onto the socket below.", want{"HVAC", "EMERGENCY", []string{"WATER_NEAR_ELECTRICS"}}},
		{"mould hospital", "Mould", "Black mould in my son's room, he was admitted to hospital with his asthma.", want{"STRUCTURAL", "EMERGENCY", []string{"DAMP_MOULD_HEALTH"}}},
		{"mould cough", "Mould", "Black mould in the bedroom and my daughter has a cough.", want{"STRUCTURAL", "URGENT", []string{"DAMP_MOULD_HEALTH"}}},
		{"front door", "Door", "Front door won't lock, the key just turns round.", want{"STRUCTURAL", "EMERGENCY", []string{"INSECURE_HOME"}}},
		{"stiff lock", "Lock", "Back door lock is stiff but it does lock eventually.", want{"STRUCTURAL", "URGENT", []string{}}},
		{"upstairs window", "Window", "Bedroom window on the second floor won't close, the hinge has gone.", want{"STRUCTURAL", "URGENT", []string{}}},
		{"roof leak", "Ceiling", "Water dripping through the bedroom ceiling when it rains, a tile has slipped on the roof.", want{"STRUCTURAL", "EMERGENCY", nil}},
		{"sewage inside", "Sewage", "Sewage coming up through the bath plughole.", want{"PLUMBING", "EMERGENCY", nil}},
		{"sewage outside", "Drain", "Manhole in the back garden overflowing with sewage, nothing inside the house.", want{"PLUMBING", "URGENT", nil}},
		{"trapped in lift", "Lift", "My neighbour is stuck in the lift between floors.", want{"OTHER", "EMERGENCY", nil}},
		{"tree", "Tree", "The tree out front is leaning over the house and could fall.", want{"OTHER", "EMERGENCY", nil}},
		{"several problems", "jobs", "1) door sticks 2) tap drips 3) socket in the hall smells of burning.", want{"ELECTRICAL", "EMERGENCY", nil}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { check(t, tt.title, tt.description, tt.want) })
	}
}

// TestVulnerableOccupant: a vulnerable occupant raises only a loss of heating or hot
// water; school-age children are not vulnerable for this.
func TestVulnerableOccupant(t *testing.T) {
	tests := []struct {
		name, title, description string
		want                     want
	}{
		{"baby", "Boiler", "No heating or hot water and we have a 6 week old baby.", want{"HVAC", "EMERGENCY", []string{"VULNERABLE_OCCUPANT"}}},
		{"elderly by age", "Heating", "The heating has stopped working. My dad is 84 and lives alone.", want{"HVAC", "EMERGENCY", []string{"VULNERABLE_OCCUPANT"}}},
		{"serious illness", "Hot water", "No hot water at all, I'm having chemo.", want{"HVAC", "EMERGENCY", []string{"VULNERABLE_OCCUPANT"}}},
		{"school-age children", "Boiler", "No heating, the kids are 9 and 12.", want{"HVAC", "URGENT", []string{}}},
		{"fridge with insulin", "Fridge", "Fridge has stopped working and I keep my insulin in it. I'm disabled.", want{"APPLIANCE", "URGENT", nil}},
		{"lift and wheelchair", "Lift", "The lift is broken and I'm a wheelchair user on the 8th floor.", want{"OTHER", "URGENT", nil}},
		{"elderly dripping tap", "Tap", "Bathroom tap drips. I'm 81.", want{"PLUMBING", "ROUTINE", nil}},
		{"partial heating", "Radiator", "One radiator is cold, the others are fine. We have a newborn.", want{"HVAC", "ROUTINE", nil}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { check(t, tt.title, tt.description, tt.want) })
	}
}

func TestConventions(t *testing.T) {
	tests := []struct {
		name, title, description string
		want                     want
	}{
		{"pests never emergency", "EMERGENCY", "Rats everywhere in the kitchen, this is an emergency, I have a baby!", want{"PEST_CONTROL", "URGENT", nil}},
		{"pests in loft", "Noises", "Squirrels in the loft every morning.", want{"PEST_CONTROL", "URGENT", nil}},
		{"pests outside", "Wasps", "Wasps nest in the garden shed.", want{"PEST_CONTROL", "ROUTINE", nil}},
		{"pests on balcony", "Pigeons", "Pigeons nesting on the balcony.", want{"PEST_CONTROL", "ROUTINE", nil}},
		{"minor appliance", "Washing machine", "Washing machine won't spin.", want{"APPLIANCE", "ROUTINE", nil}},
		{"oven not heating", "Oven", "The oven has stopped heating up.", want{"APPLIANCE", "URGENT", nil}},
		{"one hob ring", "Hob", "One ring on the hob doesn't work, the rest are fine.", want{"APPLIANCE", "ROUTINE", nil}},
		{"boiler pressure", "Boiler", "Boiler pressure drops, I top it up with the filling loop and it's fine.", want{"HVAC", "ROUTINE", nil}},
		{"extractor", "Fan", "Bathroom extractor fan is noisy.", want{"HVAC", "ROUTINE", nil}},
		{"repeated tripping", "Trip", "The trip switch keeps tripping when the kettle is on.", want{"ELECTRICAL", "URGENT", nil}},
		{"electric shower only wash", "Shower", "Electric shower has stopped working, it's our only way to wash.", want{"ELECTRICAL", "URGENT", nil}},
		{"no water", "no water", "Nothing coming out of any of the taps since this morning.", want{"PLUMBING", "EMERGENCY", nil}},
		{"second toilet", "loo", "The en-suite toilet keeps running, we have another toilet.", want{"PLUMBING", "ROUTINE", nil}},
		{"collapsed ceiling", "Ceiling", "Part of the kitchen ceiling has collapsed, no water anywhere.", want{"STRUCTURAL", "EMERGENCY", nil}},
		{"vague", "help", "please call me back", want{"OTHER", "ROUTINE", []string{}}},
		{"empty", "", "", want{"OTHER", "ROUTINE", []string{}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { check(t, tt.title, tt.description, tt.want) })
	}
}

func loadInputs(t testing.TB) []schema.ClassifyInput {
	var ins []schema.ClassifyInput
	for _, file := range []string{"testdata/tickets-dev.jsonl", "testdata/tickets-extra.jsonl", "testdata/tickets-blind.jsonl"} {
		f, err := os.Open(file)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			var in schema.ClassifyInput
			if err := json.Unmarshal(sc.Bytes(), &in); err != nil {
				t.Fatal(err)
			}
			ins = append(ins, in)
		}
		f.Close()
	}
	return ins
}

func TestDeterministicAndConfident(t *testing.T) {
	for _, in := range loadInputs(t) {
		a, b := Classify(in), Classify(in)
		if !reflect.DeepEqual(a, b) {
			t.Errorf("%q: two answers %+v and %+v", in.Title, a, b)
		}
		if math.IsNaN(a.Confidence) || a.Confidence < 0 || a.Confidence > 1 {
			t.Errorf("%q: confidence %v", in.Title, a.Confidence)
		}
		if a.Hazards == nil || a.Reasoning == "" {
			t.Errorf("%q: hazards %v, reasoning %q", in.Title, a.Hazards, a.Reasoning)
		}
	}
	strong := Classify(schema.ClassifyInput{Title: "Gas", Description: "Strong smell of gas in the kitchen."})
	vague := Classify(schema.ClassifyInput{Title: "problem", Description: "something is wrong in the hall"})
	if strong.Confidence <= vague.Confidence+0.3 {
		t.Errorf("confidence: a gas smell %.2f, a vague report %.2f", strong.Confidence, vague.Confidence)
	}
}

func valid(t *testing.T, c schema.Classification) {
	t.Helper()
	if !slices.Contains(schema.Categories, c.Category) || !slices.Contains(schema.Priorities, c.Priority) {
		t.Fatalf("labels %s/%s", c.Category, c.Priority)
	}
	if math.IsNaN(c.Confidence) || c.Confidence < 0 || c.Confidence > 1 {
		t.Fatalf("confidence %v", c.Confidence)
	}
	if c.Hazards == nil {
		t.Fatal("nil hazards")
	}
	for _, h := range c.Hazards {
		if !slices.Contains(schema.Hazards, h) {
			t.Fatalf("hazard %q", h)
		}
	}
	if c.Category == "PEST_CONTROL" && c.Priority == "EMERGENCY" {
		t.Fatal("pests are never an emergency")
	}
}

func FuzzClassify(f *testing.F) {
	for _, s := range []string{"", "gas", "NO POWER!!!", "rats (87) 3 year old", "’'\"-–—?\n\t", "ﬁ İ ß 𝔾𝔸𝕊", "1) 2) 3)", "no no no not never"} {
		f.Add(s, s)
	}
	f.Fuzz(func(t *testing.T, title, description string) {
		valid(t, Classify(schema.ClassifyInput{Title: title, Description: description}))
	})
}

func BenchmarkClassify(b *testing.B) {
	ins := loadInputs(b)
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		Classify(ins[i%len(ins)])
	}
}
