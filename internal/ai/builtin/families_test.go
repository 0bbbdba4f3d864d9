package builtin

import "testing"

// TestWordFamilies: the guide's emergencies said in words other than its own, and the
// look-alikes that are not emergencies. Each row is a family the rules read, not a line
// from a labelled set.
func TestWordFamilies(t *testing.T) {
	tests := []struct {
		name, title, description string
		want                     want
	}{
		{"eggy smell", "smell", "Funny eggy smell in the hallway since this morning.", want{"HVAC", "EMERGENCY", []string{"GAS"}}},
		{"smell said around gas", "meter", "There's a strong smell round the gas meter.", want{"HVAC", "EMERGENCY", []string{"GAS"}}},
		{"no eggy smell", "hob", "The gas hob won't light, no eggy smell or anything.", want{"APPLIANCE", "URGENT", []string{}}},
		{"co beeping loud", "alarm", "CO detector beeping really loud and won't stop.", want{"HVAC", "EMERGENCY", []string{"GAS"}}},
		{"co with headaches", "alarm", "The CO alarm keeps beeping and we've all got headaches.", want{"HVAC", "EMERGENCY", []string{"GAS"}}},
		{"co low battery", "alarm", "CO alarm beeping, think it's the battery.", want{"HVAC", "URGENT", []string{}}},
		{"water out of a light", "leak", "Water dripping out of the spotlights in the kitchen.", want{"PLUMBING", "EMERGENCY", []string{"WATER_NEAR_ELECTRICS"}}},
		{"melted plug", "plug", "The plug on the kettle lead has melted in the socket.", want{"ELECTRICAL", "EMERGENCY", []string{"ELECTRICS"}}},
		{"burn mark from a pan", "worktop", "Burn mark on the worktop where someone put a hot pan.", want{"STRUCTURAL", "ROUTINE", []string{}}},
		{"tingle off a switch", "switch", "Got a tingle off the bathroom light switch with wet hands.", want{"ELECTRICAL", "EMERGENCY", []string{"ELECTRICS"}}},
		{"leccy", "leccy", "no leccy at all in the flat, everyone else has got power", want{"ELECTRICAL", "EMERGENCY", nil}},
		{"toilet back up through the shower", "shower", "When we flush the loo it comes back up through the shower tray, brown and stinking.", want{"PLUMBING", "EMERGENCY", nil}},
		{"downpipe backing up is rain", "downpipe", "The downpipe backs up in heavy rain and pours over the gutter.", want{"PLUMBING", "URGENT", nil}},
		{"bulging ceiling", "ceiling", "Hall ceiling has a bulge in it and bits of plaster are dropping.", want{"STRUCTURAL", "EMERGENCY", nil}},
		{"named condition", "heating", "Boiler has conked out, no heating. My husband has MS.", want{"HVAC", "EMERGENCY", []string{"VULNERABLE_OCCUPANT"}}},
		{"Ms is a title", "heating", "Boiler has conked out, no heating. Ms Jones, flat 4.", want{"HVAC", "URGENT", []string{}}},
		{"age by decade", "heating", "Mum is in her 80s and her heating has packed up.", want{"HVAC", "EMERGENCY", nil}},
		{"combi locking out", "boiler", "Combi keeps locking out, no heat most of the day.", want{"HVAC", "URGENT", nil}},
		{"electric shower by another name", "shower", "Shower's stopped working, it's an electric one and there's no bath.", want{"ELECTRICAL", "URGENT", nil}},
		{"one gas ring", "hob", "One ring on the gas hob won't light, the others work.", want{"APPLIANCE", "ROUTINE", nil}},
		{"drip into a cup", "radiator", "Radiator valve dripping into a cup I've put under it.", want{"HVAC", "URGENT", nil}},
		{"a dog cannot get out", "fence", "Fence panel down but the dog can't get out that way.", want{"OTHER", "ROUTINE", nil}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { check(t, tt.title, tt.description, tt.want) })
	}
}
