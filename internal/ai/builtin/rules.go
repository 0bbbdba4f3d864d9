package builtin

import "github.com/maintainuk/maintainuk/internal/ai/schema"

// Trades a cue may hand a report to when the words around it decide the category.
// A cue whose category is one of these reads the trade from the words around it,
// choosing only among the trades that can have that fault.
const (
	fromFire  = "~fire"
	fromWater = "~water"
	fromLeak  = "~leak"
	fromWords = "~words"
)

var tradesFrom = map[string][]string{
	fromFire:  {catElectrical, catAppliance, catHVAC},
	fromWater: {catPlumbing, catHVAC, catAppliance},
	fromLeak:  {catPlumbing, catHVAC, catAppliance},
	fromWords: nil,
}

// More words the rules look for, grouped by rule.
var (
	smokingOther     = phrases("cigarette", "cigarettes", "weed", "cannabis", "vape", "smoking area", "chimney")
	wiringAccessory  = phrases("switch", "cookerswitch", "socket", "sockets", "fusebox", "wires", "light fitting", "lightswitch", "isolator", "plug")
	dripWords        = phrases("drip", "drips", "dripping")
	containers       = phrases("tray", "bucket", "buckets", "bowl", "towel", "towels", "mop", "mopping", "pan", "washing up bowl")
	directionWords   = phrases("onto", "into", "reached", "reaching", "over", "through", "behind", "near", "next to", "under", "down", "splashing", "on to", "around", "round")
	partialPower     = phrases("half the sockets", "half the lights", "some of the sockets", "some of the lights", "none of the sockets", "all the lights", "all the sockets", "none of the lights", "lights upstairs", "sockets upstairs", "upstairs lights", "upstairs sockets", "downstairs lights", "downstairs sockets", "pitch black", "whole circuit", "lights have stopped", "half the house")
	rainWords        = phrases("rain", "rains", "raining", "rained", "gutter", "downpipe")
	leakWords        = phrases("leak", "leaking", "leaks", "seeping", "seeps", "weeping", "leaked")
	sealantWords     = phrases("silicone", "sealant", "grout", "mastic")
	stainWords       = phrases("stain", "stained", "staining", "watermark", "water mark", "tide mark", "brown patch", "yellow patch")
	stainPlaces      = phrases("ceiling", "wall", "walls", "chimney breast")
	rainIn           = phrases("rain is coming in", "rain coming in", "rain comes in", "rain gets in", "rain getting in", "rain is getting in", "rain gets through", "rain is coming through", "rain coming through", "water gets in", "water is getting in", "water getting in")
	extractorWords   = phrases("extractor", "extractor fan")
	fireDoor         = phrases("fire door", "fire doors")
	mouldDefect      = phrases("mould", "mouldy", "black mould", "mildew", "fungus", "damp patch", "damp patches", "rising damp", "damp on", "damp in", "damp and mould", "damp wall", "damp walls", "signs of damp", "damp problem", "damp smell", "damp ceiling", "damp coming", "patch of damp", "damp is", "the damp")
	condensation     = phrases("condensation", "running with water")
	heatSubjects     = phrases("heating", "boiler", "hotwater", "storage heaters", "radiators", "immersion", "cylinder", "heat", "heaters")
	heatLoss         = phrases("no", "not working", "stopped", "wont come on", "wont fire", "wont work", "not coming on", "packed up", "packed in", "broken", "dead", "died", "stone cold", "cutting out", "cuts out", "not firing", "isnt working", "doesnt work", "not heating", "isnt heating", "run cold", "runs cold", "stays cold", "not giving", "isnt giving", "gone off", "failed", "none of", "turning itself off", "not come on", "havent come on", "wont turn on", "wont heat", "not getting hot", "broken down", "not on", "isnt on", "doesnt come on", "not work", "cold")
	heatPartial      = phrases("upstairs", "downstairs", "ones are fine", "others are fine", "others work", "towel rail", "one radiator", "one of the", "in the kitchen", "in the bathroom", "spare room", "everywhere else", "the others", "other two", "rest of the")
	tapWontOff       = phrases("wont turn off", "wont stop running", "cant turn it off", "cant turn off", "stuck on", "wont shut off")
	tapWords         = phrases("tap", "taps")
	tapHeads         = phrases("tap", "taps", "shower head", "mixer")
	toiletWords      = phrases("toilet", "cistern")
	toiletFail       = phrases("blocked", "wont flush", "not flushing", "doesnt flush", "doesnt refill", "wont refill", "not refilling", "wont fill", "overflowing", "wont drain", "not draining", "handle just goes down", "bucket")
	secondToilet     = phrases("another toilet", "second toilet", "other toilet", "ensuite", "en suite", "main bathroom toilet", "toilet as well", "toilet upstairs", "toilet downstairs", "two toilets")
	drainSubjects    = phrases("sink", "bath", "basin", "shower", "plughole", "the drain", "drains", "gully")
	applianceNouns   = phrases("oven", "hob", "cooker", "cookerhood", "fridge", "freezer", "washingmachine", "dishwasher", "tumbledryer", "dryer", "microwave", "kettle")
	drainFail        = phrases("completely blocked", "wont drain at all", "doesnt drain at all", "wont drain", "not draining at all", "blocked", "standing water", "bail")
	slowWords        = phrases("slow", "slowly", "slower", "eventually")
	downpipeBlocked  = phrases("blocked", "backs up", "backing up", "overflowing", "overflows")
	electricShower   = phrases("electric shower")
	showerFail       = phrases("not working", "stopped", "no power", "wont turn on", "dead", "doesnt work", "wont work", "cuts out", "broken")
	onlyWash         = phrases("only", "no bath", "cant wash", "cant shower", "nowhere to wash")
	alarmDevices     = phrases("smokealarm", "heatalarm")
	intercomWords    = phrases("intercom")
	fridgeWords      = phrases("fridge", "freezer")
	fridgeFail       = phrases("not working", "stopped", "packed in", "packed up", "dead", "broken", "not cold", "warm", "defrosted", "defrosting", "not getting cold", "not freezing", "stopped freezing", "died", "isnt working", "doesnt work", "no power", "not cooling", "isnt cold", "gone off")
	ovenWords        = phrases("oven", "cooker")
	ovenFail         = phrases("not heating", "stopped heating", "doesnt heat", "wont heat", "stays cold", "not working", "stopped working", "broken", "dead", "shattered", "smashed", "wont turn on", "no power", "isnt working", "doesnt work", "doesnt get hot", "not getting hot", "cant use")
	hobWords         = phrases("hob", "gas hob")
	hobFail          = phrases("cracked", "stopped using", "unusable", "cant use", "smashed", "shattered", "wont light", "wont ignite", "any of the rings", "none of the rings", "all the rings", "cant cook", "any ring", "doesnt light", "not lighting", "no flame")
	handrailWords    = phrases("handrail", "banister", "bannister", "stair rail", "hand rail")
	handrailFail     = phrases("loose", "wobbles", "wobbly", "come away", "pulled out", "moves", "broken", "come off", "came off", "fallen off", "hanging off")
	floorWords       = phrases("floor", "floorboards", "floorboard", "joists")
	floorFail        = phrases("spongy", "soft", "rotten", "rotting", "rot", "gives", "giving way", "hole")
	roofCover        = phrases("slates", "slate", "tiles", "roof tiles", "ridge tiles")
	roofCoverFail    = phrases("missing", "blown off", "slipped", "came off", "come off", "fallen off", "off the roof", "blew off")
	lockWords        = phrases("lock", "locks", "key")
	fallRisk         = phrases("trip hazard", "could trip", "might trip", "someone could fall", "could drop", "drop on someone", "fall on someone", "land on someone", "someone will fall", "someone could trip", "going to trip")
	balconyWords     = phrases("balcony", "balcony railing", "balustrade")
	balconyFail      = phrases("loose", "wobbly", "wobbles", "coming away", "come away", "unsafe", "broken", "moving", "gives")
	obstruction      = phrases("blocking the path", "across the path", "cant get in or out", "fire exit", "fire risk", "blocking the door", "cant get out")
	stairliftWords   = phrases("stairlift")
	pestNouns        = phrases("rats", "mice", "mouse", "cockroaches", "bedbugs", "fleas", "ants", "wasps", "bees", "wasps nest", "pigeons", "squirrels", "droppings", "infestation", "vermin", "rodents", "rodent", "moths", "silverfish", "maggots", "pests")
	pestInside       = phrases("kitchen", "bedroom", "bedrooms", "loft", "attic", "walls", "floorboards", "cupboards", "cupboard", "in the house", "in the flat", "inside", "mattress", "bed", "carpets", "carpet", "living room", "bathroom", "lounge", "getting in", "coming in", "got in", "into the house", "indoors", "sofa", "under the floor", "in our flat", "hallway", "landing", "ceiling", "light fittings")
	pressureTopUp    = phrases("top it up", "top up", "topping up", "filling loop", "repressurise")
	outerDoorOnly    = phrases("front door", "back door", "patio door", "french doors", "main door", "flat door", "entrance door", "side door", "door frame")
	groundFloorWords = phrases("ground floor", "ground floor flat", "bungalow", "basement", "downstairs window", "ground level")
)

// cues runs every rule of the guide over the report.
func (r *report) cues(vulnerableCue string, isVulnerable bool) []cue {
	var cs []cue
	add := func(c cue) { cs = append(cs, c) }
	for _, h := range r.find(gasSmell) {
		add(cue{catHVAC, emergency, 6, "Smell of gas reported: gas leaks are emergencies.", schema.HazardGas, h.clause})
	}
	for _, h := range r.find(coAlarm) {
		if r.inSentence(h.clause, alarmGoesOff) {
			add(cue{catHVAC, emergency, 6, "Carbon-monoxide alarm sounding: an emergency.", schema.HazardGas, h.clause})
		} else {
			add(cue{catHVAC, urgent, 3, "Faulty or expired carbon-monoxide alarm: urgent.", "", h.clause})
		}
	}
	for _, h := range r.find(fumes) {
		if r.inSentence(h.clause, flueWords) {
			add(cue{catHVAC, emergency, 5, "Fumes from a boiler or its flue: a carbon-monoxide risk.", schema.HazardGas, h.clause})
		}
	}
	r.electricalCues(add)
	r.waterCues(add)
	r.structureCues(add)
	r.heatingCues(add, vulnerableCue, isVulnerable)
	r.fixtureCues(add)
	r.pestCues(add)
	r.otherCues(add)
	return cs
}

func (r *report) electricalCues(add func(cue)) {
	for _, h := range r.find(sparkWords) {
		if r.mentions(h.clause, smokingOther) {
			continue
		}
		c := cue{fromFire, emergency, 5, "Sparking, burning or exposed wiring reported: a fire and shock risk.", schema.HazardElectrics, h.clause}
		if r.mentions(h.clause, wiringAccessory) {
			c.category = catElectrical
		}
		add(c)
	}
	for _, h := range r.find(powerOut) {
		if r.mentions(h.clause, partialPower) || r.mentions(h.clause, partialWords) {
			add(cue{fromWords, urgent, 2, "Partial loss of power: urgent.", "", h.clause})
			continue
		}
		add(cue{catElectrical, emergency, 5, "Total loss of electricity: an emergency.", schema.HazardElectrics, h.clause})
	}
	for _, h := range r.find(tripWords) {
		add(cue{catElectrical, urgent, 2.5, "Repeated tripping: urgent.", "", h.clause})
	}
	for _, h := range r.find(partialPower) {
		add(cue{catElectrical, urgent, 2.5, "Partial loss of power or lighting: urgent.", "", h.clause})
	}
	for _, h := range r.find(electricShower) {
		if !r.inSentence(h.clause, showerFail) && !r.has(showerFail) {
			continue
		}
		if r.has(onlyWash) {
			add(cue{catElectrical, urgent, 3, "Electric shower not working and it is the only way to wash: urgent.", "", h.clause})
		} else {
			add(cue{catElectrical, routine, 3, "Electric shower not working, with another way to wash: routine.", "", h.clause})
		}
	}
	for _, h := range r.find(alarmDevices) {
		add(cue{catElectrical, urgent, 3.5, "Faulty or false-alarming smoke or heat alarm: urgent.", "", h.clause})
	}
	for _, h := range r.find(intercomWords) {
		add(cue{catElectrical, urgent, 3, "Door-entry system not working: urgent.", "", h.clause})
	}
}

func (r *report) waterCues(add func(cue)) {
	for _, h := range r.find(waterWords) {
		if r.waterReachesElectrics(h.clause) {
			add(cue{fromWater, emergency, 5.5, "Water reaching electrics: a shock and fire risk.", schema.HazardWaterNearElectrics, h.clause})
			break
		}
	}
	for _, h := range r.find(throughCeiling) {
		if !r.inSentence(h.clause, waterWords) && !r.inSentence(h.clause, majorWater) {
			continue
		}
		cat, why := fromWater, "Water coming through a ceiling from pipes or the flat above: an emergency."
		if len(r.find(roofSource)) > len(r.find(pipeSource)) {
			cat, why = catStructural, "Water coming through a ceiling from the roof: an emergency."
		}
		add(cue{cat, emergency, 5, why, "", h.clause})
	}
	for _, h := range r.find(majorWater) {
		if r.mentions(h.clause, rainWords) || r.mentions(h.clause, byUse) || !r.mentionedNear(h.clause, waterContext) {
			continue
		}
		add(cue{fromWater, emergency, 4.5, "Burst pipe, major leak or flooding: an emergency.", "", h.clause})
	}
	for _, h := range r.find(sewageWords) {
		switch {
		case r.has(sewageIn):
			add(cue{catPlumbing, emergency, 5, "Sewage coming into the home: an emergency.", "", h.clause})
		case r.has(outsideWords):
			add(cue{catPlumbing, urgent, 4, "Sewage overflowing outside the home: urgent.", "", h.clause})
		default:
			add(cue{catPlumbing, emergency, 4, "Sewage backing up: an emergency.", "", h.clause})
		}
	}
	if h, ok := r.firstHit(noWater); ok {
		add(cue{catPlumbing, emergency, 5, "No water supply at all: an emergency.", "", h.clause})
	}
	for c, cl := range r.clauses {
		if cl.title && len(cl.words) == 2 && cl.words[0] == "no" && cl.words[1] == "water" {
			add(cue{catPlumbing, emergency, 4, "No water supply at all: an emergency.", "", c})
		}
	}
	for _, h := range r.find(leakWords) {
		if r.mentions(h.clause, rainWords) || r.clauses[h.clause].question || r.clauses[h.clause].title && r.tapDrip() {
			continue
		}
		add(cue{fromLeak, urgent, 2, "A contained leak: urgent before it does more damage.", "", h.clause})
	}
	for _, h := range r.find(dripWords) {
		if r.mentionedNear(h.clause, containers) && !r.mentions(h.clause, rainWords) {
			add(cue{fromLeak, urgent, 2, "A contained leak: urgent before it does more damage.", "", h.clause})
		}
	}
}

// tapDrip reports whether the description tells of a tap or shower head dripping: a
// "leak" in the title is then a dripping tap, which is routine.
func (r *report) tapDrip() bool {
	for _, h := range r.find(dripWords) {
		if !r.clauses[h.clause].title && r.mentions(h.clause, tapHeads) {
			return true
		}
	}
	return false
}

// waterReachesElectrics reports whether the sentence holding clause c has water going
// onto, into or through something electrical ("dripping onto the fuse box").
func (r *report) waterReachesElectrics(c int) bool {
	s := r.clauses[c].sentence
	for i := range r.clauses {
		if r.clauses[i].sentence == s && r.mentions(i, electricNouns) && r.mentions(i, directionWords) {
			return true
		}
	}
	return false
}

func (r *report) structureCues(add func(cue)) {
	for _, h := range r.find(collapseWords) {
		if !r.mentions(h.clause, structureNouns) || r.inSentence(h.clause, waterWords) || r.mentionedNear(h.clause, rainWords) {
			continue
		}
		add(cue{catStructural, emergency, 4.5, "Collapsed or unsafe structure: an emergency.", "", h.clause})
	}
	mould, surface := r.firstHit(mouldDefect)
	if surface {
		// Mould on the bath or shower sealant is a reseal, not damp in the building.
		surface = r.mentionedNear(mould.clause, sealantWords)
	}
	if surface {
		add(cue{catPlumbing, routine, 3, "Mould on sealant: a routine reseal.", "", mould.clause})
	} else if r.has(mouldDefect) {
		h := mould
		switch {
		case r.has(hospitalWords):
			add(cue{catStructural, emergency, 4.5, "Damp or mould with a hospital admission or doctor's letter: an emergency.", schema.HazardDampMouldHealth, h.clause})
		case r.has(healthWords):
			add(cue{catStructural, urgent, 3, "Damp or mould affecting health, without a hospital admission: urgent.", schema.HazardDampMouldHealth, h.clause})
		default:
			add(cue{catStructural, urgent, 3, "Damp or mould: urgent before it spreads.", "", h.clause})
		}
	} else if h, ok := r.firstHit(condensation); ok {
		add(cue{catStructural, routine, 3, "Condensation without mould: routine.", "", h.clause})
	}
	for _, h := range r.find(stainWords) {
		if r.mentions(h.clause, stainPlaces) {
			add(cue{catStructural, urgent, 2.5, "A damp patch or stain with no water coming through: urgent.", "", h.clause})
		}
	}
	for _, h := range r.find(rainIn) {
		add(cue{catStructural, urgent, 2.5, "Rain getting in: urgent before it does more damage.", "", h.clause})
	}
	for _, h := range r.find(fireDoor) {
		add(cue{catStructural, urgent, 3, "A fire door that does not work: urgent, a fire-safety defect.", "", h.clause})
	}
	r.securityCues(add)
	for _, h := range r.find(balconyWords) {
		if r.inClause(h.clause, balconyFail) {
			add(cue{catStructural, emergency, 4.5, "Unsafe balcony or railing, a fall from height: an emergency.", "", h.clause})
		}
	}
	for _, h := range r.find(handrailWords) {
		if r.inSentence(h.clause, handrailFail) {
			add(cue{catStructural, urgent, 3, "Loose or broken handrail: urgent, a fall risk.", "", h.clause})
		}
	}
	for _, h := range r.find(floorWords) {
		if r.inSentence(h.clause, floorFail) {
			add(cue{catStructural, urgent, 2.5, "Soft or rotten floor: urgent, it will get worse.", "", h.clause})
		}
	}
	for _, h := range r.find(roofCover) {
		if r.inSentence(h.clause, roofCoverFail) {
			add(cue{catStructural, urgent, 2.5, "Roof slates or tiles missing: urgent before water gets in.", "", h.clause})
		}
	}
}

// securityCues: an outside door or ground-floor window that will not lock is an
// emergency; a faulty lock that still locks, or a broken upstairs window, is urgent.
func (r *report) securityCues(add func(cue)) {
	for _, h := range r.find(insecureWords) {
		door := r.inSentence(h.clause, outerDoorOnly) || (r.inSentence(h.clause, phrases("door", "lock")) && r.has(outerDoorOnly))
		window := r.inSentence(h.clause, windowWords)
		explicit := r.inClause(h.clause, phrases("cant secure", "cant be secured", "burgled", "broken in", "break in", "forced"))
		switch {
		case door || explicit || window && r.has(groundFloorWords) && !r.has(upperFloor):
			add(cue{catStructural, emergency, 5, "The home cannot be secured: an emergency.", schema.HazardInsecureHome, h.clause})
		case window:
			add(cue{catStructural, urgent, 3, "Upstairs window that will not close or is broken: urgent.", "", h.clause})
		}
	}
	for _, h := range r.find(windowWords) {
		if r.inSentence(h.clause, windowBad) {
			add(cue{catStructural, urgent, 2.5, "Broken or cracked window: urgent.", "", h.clause})
		}
	}
	for _, h := range r.find(lockWords) {
		if r.inSentence(h.clause, lockFaulty) {
			add(cue{catStructural, urgent, 2.5, "Faulty lock that still locks: urgent.", "", h.clause})
		}
	}
}

func (r *report) heatingCues(add func(cue), vulnerableCue string, isVulnerable bool) {
	for c := range r.clauses {
		// An appliance that will not heat is the appliance's fault, not the heating's.
		if !r.mentions(c, heatSubjects) || !r.inClause(c, heatLoss) || r.mentionedNear(c, heatPartial) || r.mentions(c, applianceNouns) {
			continue
		}
		h := hit{clause: c}
		if isVulnerable {
			add(cue{catHVAC, emergency, 4.5, "No heating or hot water with a vulnerable occupant (" + vulnerableCue + "): an emergency.", schema.HazardVulnerableOccupant, h.clause})
		} else {
			add(cue{catHVAC, urgent, 3, "No heating or hot water, with no vulnerable occupant mentioned: urgent.", "", h.clause})
		}
		break
	}
	if h, ok := r.firstHit(extractorWords); ok {
		add(cue{catHVAC, routine, 3, "Extractor fan noisy or not working: routine.", "", h.clause})
	}
	if h, ok := r.firstHit(pressureTopUp); ok {
		add(cue{catHVAC, routine, 3, "Boiler pressure the resident can top up: routine.", "", h.clause})
	}
}

// fixtureCues: plumbing fixtures and landlord-supplied appliances out of use.
func (r *report) fixtureCues(add func(cue)) {
	for _, h := range r.find(tapWords) {
		if r.inSentence(h.clause, tapWontOff) {
			add(cue{catPlumbing, urgent, 3.5, "A tap that will not turn off: urgent.", "", h.clause})
		}
	}
	if !r.has(secondToilet) {
		for _, h := range r.find(toiletWords) {
			if r.inClause(h.clause, toiletFail) || r.inSentence(h.clause, phrases("only toilet", "only one toilet")) {
				add(cue{catPlumbing, urgent, 3, "The only toilet blocked or not flushing: urgent.", "", h.clause})
				break
			}
		}
	}
	if !r.has(slowWords) {
		for _, h := range r.find(drainSubjects) {
			if r.inSentence(h.clause, drainFail) && !r.mentionedNear(h.clause, applianceNouns) {
				add(cue{catPlumbing, urgent, 2.5, "Sink, bath or drain fully blocked: urgent.", "", h.clause})
				break
			}
		}
	}
	for _, h := range r.find(phrases("downpipe")) {
		if r.inSentence(h.clause, downpipeBlocked) {
			add(cue{catPlumbing, urgent, 3, "Blocked downpipe with water backing up: urgent.", "", h.clause})
		}
	}
	for _, h := range r.find(fridgeWords) {
		if r.inSentence(h.clause, fridgeFail) {
			add(cue{catAppliance, urgent, 3.5, "Fridge or freezer not working: urgent.", "", h.clause})
			break
		}
	}
	for _, h := range r.find(ovenWords) {
		if r.inClause(h.clause, ovenFail) {
			add(cue{catAppliance, urgent, 3.5, "Oven or cooker out of use: urgent.", "", h.clause})
			break
		}
	}
	for _, h := range r.find(hobWords) {
		if r.inSentence(h.clause, hobFail) {
			add(cue{catAppliance, urgent, 3.5, "Hob wholly unusable: urgent.", "", h.clause})
			break
		}
	}
}

func (r *report) pestCues(add func(cue)) {
	h, ok := r.firstHit(pestNouns)
	if !ok {
		return
	}
	inside := false
	for _, ih := range r.find(pestInside) {
		w := r.clauses[ih.clause].words
		outsideBefore := false
		for i := ih.pos - 1; i >= 0 && i >= ih.pos-3; i-- {
			if w[i] == "outside" {
				outsideBefore = true
			}
		}
		if !outsideBefore {
			inside = true
			break
		}
	}
	if !inside && r.has(outsideWords) {
		add(cue{catPest, routine, 4, "Pests outside the home: routine.", "", h.clause})
		return
	}
	add(cue{catPest, urgent, 4, "Pests inside the home: urgent (pests are never an emergency).", "", h.clause})
}

func (r *report) otherCues(add func(cue)) {
	for _, h := range r.find(liftTrapped) {
		add(cue{catOther, emergency, 6, "Someone trapped in a lift or an open lift shaft: an emergency.", "", h.clause})
	}
	for _, h := range r.find(liftWords) {
		w := r.clauses[h.clause].words
		if h.pos > 0 && (w[h.pos-1] == "to" || w[h.pos-1] == "can" || w[h.pos-1] == "cant") {
			continue // the verb: "starting to lift", "can't lift it"
		}
		add(cue{catOther, urgent, 3, "Lift out of order: urgent, whoever lives there.", "", h.clause})
		break
	}
	for _, h := range r.find(stairliftWords) {
		add(cue{catOther, urgent, 3, "Stairlift not working: urgent.", "", h.clause})
	}
	for _, h := range r.find(treeWords) {
		if r.inSentence(h.clause, treeFalling) {
			add(cue{catOther, emergency, 5, "A tree about to fall or leaning on the building: an emergency.", "", h.clause})
		}
	}
	for _, h := range r.find(fallRisk) {
		add(cue{fromWords, urgent, 2.5, "Something someone could trip over or be hit by: urgent.", "", h.clause})
	}
	for _, h := range r.find(obstruction) {
		add(cue{catOther, urgent, 2.5, "An exit or path blocked: urgent.", "", h.clause})
	}
}
