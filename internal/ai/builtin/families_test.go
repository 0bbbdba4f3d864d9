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
		{"socket went bang", "socket", "The plug socket in the kitchen went bang and it's black round the edges now.", want{"ELECTRICAL", "EMERGENCY", []string{"ELECTRICS"}}},
		{"bang in the pipes", "pipes", "Loud bang in the pipes whenever the tap is turned off.", want{"PLUMBING", "ROUTINE", []string{}}},
		{"smell from the fuse box", "fuse box", "Funny smell coming from the fuse box tonight.", want{"ELECTRICAL", "EMERGENCY", []string{"ELECTRICS"}}},
		{"resident switched power off", "leak", "Water coming through the kitchen ceiling from upstairs, I've switched the power off.", want{"PLUMBING", "EMERGENCY", nil}},
		{"food gone off", "fridge", "Fridge died overnight and everything's gone off, it's the landlord's.", want{"APPLIANCE", "URGENT", nil}},
		{"everything off", "power", "everything's gone off in the house, no lights, no plugs, nothing", want{"ELECTRICAL", "EMERGENCY", nil}},
		{"wall pulling away", "wall", "The back wall of the kitchen extension is pulling away from the house, there's a gap you can see daylight through.", want{"STRUCTURAL", "EMERGENCY", nil}},
		{"skirting coming away", "skirting", "Skirting board in the lounge is coming away from the wall.", want{"STRUCTURAL", "ROUTINE", nil}},
		{"foot through a step", "stairs", "My foot went through one of the steps on the stairs, it's split.", want{"STRUCTURAL", "EMERGENCY", nil}},
		{"bathroom tiles loose", "tiles", "Some tiles around the basin have come loose.", want{"STRUCTURAL", "ROUTINE", nil}},
		{"roof tiles slid", "tiles", "Two tiles slid off the roof in the storm.", want{"STRUCTURAL", "URGENT", nil}},
		{"puddle under a pipe", "puddle", "Always a puddle under the pipe below the kitchen sink.", want{"PLUMBING", "URGENT", nil}},
		{"hot water off elderly", "hot water", "Hot water has been off since Monday and I'm 82.", want{"HVAC", "EMERGENCY", nil}},
		{"boilers missing apostrophe", "boiler", "boilers packed in, no heating, just me here", want{"HVAC", "URGENT", nil}},
		{"wet walls", "damp", "The bedroom walls are wet to touch and smell fusty.", want{"STRUCTURAL", "URGENT", nil}},
		{"wheelie bin wasps", "wasps", "Wasps round the wheelie bin out the front.", want{"PEST_CONTROL", "ROUTINE", nil}},
		{"hissing meter", "meter", "The gas meter under the stairs is hissing.", want{"HVAC", "EMERGENCY", []string{"GAS"}}},
		{"odd smell by the boiler", "boiler", "Odd smell around the boiler since this morning.", want{"HVAC", "EMERGENCY", []string{"GAS"}}},
		{"hissing radiator valve", "radiator", "The radiator valve hisses when the heating comes on, works fine.", want{"HVAC", "ROUTINE", []string{}}},
		{"co alarm screeching", "alarm", "The carbon monoxide detector is blaring in the hallway.", want{"HVAC", "EMERGENCY", []string{"GAS"}}},
		{"fit a co alarm", "alarm", "Could you fit a carbon monoxide alarm by the new boiler?", want{"HVAC", "URGENT", []string{}}},
		{"toilet overflowing with waste", "toilet", "The loo is overflowing, dirty water and waste on the bathroom floor.", want{"PLUMBING", "EMERGENCY", nil}},
		{"water everywhere from the cylinder", "cylinder", "The hot water tank is leaking and water is going everywhere.", want{"HVAC", "EMERGENCY", nil}},
		{"shower hose splits", "hose", "The shower hose has split and sprays everywhere when you use it.", want{"PLUMBING", "ROUTINE", nil}},
		{"taps dry", "water", "The taps are dry, not a drop anywhere in the house.", want{"PLUMBING", "EMERGENCY", nil}},
		{"wires dangling", "light", "The hall light has come down and the wires are dangling.", want{"ELECTRICAL", "EMERGENCY", []string{"ELECTRICS"}}},
		{"aerial cable hanging", "aerial", "The TV aerial cable is hanging off the wall outside.", want{"OTHER", "ROUTINE", []string{}}},
		{"plaster off the ceiling", "ceiling", "A chunk of plaster came off the bedroom ceiling and more is hanging loose.", want{"STRUCTURAL", "EMERGENCY", nil}},
		{"ice melted is no fire", "freezer", "Freezer isn't freezing, the ice has all melted. It came with the flat.", want{"APPLIANCE", "URGENT", []string{}}},
		{"oven element", "oven", "The oven's bottom element is dead, the top one works and it still cooks.", want{"APPLIANCE", "ROUTINE", nil}},
		{"old brown switch", "switch", "The socket in the hall is old brown bakelite and a bit loose, works fine.", want{"ELECTRICAL", "ROUTINE", []string{}}},
		{"switch turned brown", "switch", "The kitchen switch has turned a bit brown round the edge.", want{"ELECTRICAL", "EMERGENCY", []string{"ELECTRICS"}}},
		{"just out of hospital", "boiler", "Boiler's broken, no heating, and my wife was discharged from hospital yesterday.", want{"HVAC", "EMERGENCY", []string{"VULNERABLE_OCCUPANT"}}},
		{"scurrying in the loft", "noises", "Something scurrying about in the loft at night.", want{"PEST_CONTROL", "URGENT", nil}},
		{"no heating or electric", "nothing", "We've got no heating or electric at all today.", want{"ELECTRICAL", "EMERGENCY", nil}},
		{"alarm fallen off the wall", "alarm", "The smoke alarm has fallen off the wall in the hall.", want{"ELECTRICAL", "URGENT", nil}},
		{"ceiling dipping", "ceiling", "The bedroom ceiling is dipping in the middle and there's a crack round it.", want{"STRUCTURAL", "EMERGENCY", nil}},
		{"toilet seat cracked", "toilet", "The toilet seat has cracked in half.", want{"PLUMBING", "ROUTINE", nil}},
		{"door release", "door", "The door release in the flat does nothing when I press it.", want{"ELECTRICAL", "URGENT", nil}},
		{"whistling gas pipe", "cooker", "Whistling from the gas pipe to the cooker.", want{"HVAC", "EMERGENCY", []string{"GAS"}}},
		{"boiler whistling is not gas", "boiler", "The boiler whistles and bangs when the heating comes on, works fine.", want{"HVAC", "ROUTINE", []string{}}},
		{"heating off", "boiler", "Boiler on the blink, heating's off since Sunday, just me.", want{"HVAC", "URGENT", nil}},
		{"topped up and working", "boiler", "Heating went off, low pressure, I topped it up and it's working again.", want{"HVAC", "ROUTINE", nil}},
		{"wasps coming in", "wasps", "Wasps nesting in the wall, a few have come in through the vent.", want{"PEST_CONTROL", "URGENT", nil}},
		{"taps spitting air", "water", "All the taps are spitting air, then nothing.", want{"PLUMBING", "EMERGENCY", nil}},
		{"one tap nothing", "tap", "The hot tap in the bath gives nothing, the rest are fine.", want{"PLUMBING", "ROUTINE", nil}},
		{"handrail coming away", "stairs", "The handrail is coming away from the wall at the top.", want{"STRUCTURAL", "URGENT", nil}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { check(t, tt.title, tt.description, tt.want) })
	}
}
