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
	smokingOther = phrases("cigarette", "cigarettes", "weed", "cannabis", "vape", "smoking area", "chimney",
		"bonfire", "bbq", "barbecue", "fireworks", "incense", "candle", "candles", "toast")
	wiringAccessory = phrases("switch", "cookerswitch", "socket", "sockets", "fusebox", "wires", "light fitting", "lightswitch", "isolator", "plug")
	leakOrDrip      = phrases("leak", "leaks", "leaking", "leaked", "drips", "dripping", "drip", "pouring in", "coming in")
	roofOpenings    = phrases("roof", "skylight", "velux", "roof light", "roof window", "flat roof")
	dripWords       = phrases("drip", "drips", "dripping")
	containers      = phrases("tub", "puddle", "tray", "bucket", "buckets", "bowl", "towel", "towels", "mop", "mopping", "pan", "washing up bowl",
		"cup", "mug", "jug", "container", "pot", "saucepan", "tin", "dish", "baking tray", "tupperware", "cloth", "cloths")
	directionWords = phrases("onto", "into", "reached", "reaching", "over", "through", "behind", "near", "next to", "under", "down", "splashing", "on to", "around", "round",
		"out", "out of", "from", "inside", "full of", "filling")
	overheatWords = phrases("hot", "warm", "overheating", "gone brown", "discoloured", "brown marks", "hot plastic")
	flickerWords  = phrases("flickering", "flicker", "flickers", "dimming", "dims", "goes off for a second", "whole lot goes off")
	wholeHouse    = phrases("all over the house", "whole house", "whole flat", "every room", "all the lights", "all over the flat", "whole lot")
	partialPower  = phrases("half the sockets", "half the lights", "some of the sockets", "some of the lights", "none of the sockets", "all the lights", "all the sockets", "none of the lights", "lights upstairs", "sockets upstairs", "upstairs lights", "upstairs sockets", "downstairs lights", "downstairs sockets", "pitch black", "whole circuit", "lights have stopped", "half the house")
	rainWords     = phrases("rain", "rains", "raining", "rained", "gutter", "downpipe")
	leakWords     = phrases("leak", "leaking", "leaks", "seeping", "seeps", "weeping", "leaked")
	dampState     = phrases("feels damp", "damp to the touch", "wet to the touch", "musty", "is damp", "are damp", "damp walls",
		"wet to touch", "damp to touch", "fusty", "smells damp", "walls are wet", "wall is wet", "wet walls", "walls wet",
		"wet patch", "wet patches")
	dampPlaces      = phrases("wall", "walls", "wallpaper", "ceiling", "plaster", "room", "carpet", "corner", "skirting")
	sealantWords    = phrases("silicone", "sealant", "grout", "mastic")
	stainWords      = phrases("stain", "stained", "staining", "watermark", "water mark", "tide mark", "brown patch", "yellow patch")
	stainPlaces     = phrases("ceiling", "wall", "walls", "chimney breast")
	rainIn          = phrases("rain is coming in", "rain coming in", "rain comes in", "rain gets in", "rain getting in", "rain is getting in", "rain gets through", "rain is coming through", "rain coming through", "water gets in", "water is getting in", "water getting in")
	fireDoor        = phrases("fire door", "fire doors")
	mouldDefect     = phrases("mould", "mouldy", "black mould", "mildew", "fungus", "damp patch", "damp patches", "rising damp", "damp on", "damp in", "damp and mould", "damp wall", "damp walls", "signs of damp", "damp problem", "damp smell", "damp ceiling", "damp coming", "patch of damp", "damp is", "the damp")
	condensation    = phrases("condensation", "running with water")
	tapWontOff      = phrases("wont turn off", "wont stop running", "cant turn it off", "cant turn off", "stuck on", "wont shut off")
	tapWords        = phrases("tap", "taps")
	lowPressure     = phrases("low pressure", "pressure is really low", "pressure is low", "pressure is really poor", "no pressure", "dribble", "trickle", "pressure has dropped", "water pressure")
	tapHeads        = phrases("tap", "taps", "shower head", "mixer")
	toiletWords     = phrases("toilet", "toilets", "cistern")
	toiletFail      = phrases("cracked", "water comes out", "leaking", "leaks", "blocked", "wont flush", "not flushing", "doesnt flush", "doesnt refill", "wont refill", "not refilling", "wont fill", "overflowing", "wont drain", "not draining", "handle just goes down", "bucket")
	secondToilet    = phrases("another toilet", "second toilet", "other toilet", "ensuite", "en suite", "main bathroom toilet", "toilet as well", "toilet upstairs", "toilet downstairs", "two toilets")
	drainSubjects   = phrases("sink", "bath", "basin", "shower", "plughole", "the drain", "drains", "gully")
	applianceNouns  = phrases("oven", "hob", "cooker", "cookerhood", "fridge", "freezer", "washingmachine", "dishwasher", "tumbledryer", "dryer", "microwave", "kettle")
	drainFail       = phrases("backing up", "backs up", "wont go down", "not going down", "nothing goes down", "completely blocked", "wont drain at all", "doesnt drain at all", "wont drain", "not draining at all", "blocked", "standing water", "bail")
	slowWords       = phrases("slow", "slowly", "slower", "eventually")
	downpipeBlocked = phrases("blocked", "backs up", "backing up", "overflowing", "overflows")
	electricShower  = phrases("electric shower")
	showerFail      = phrases("not working", "stopped", "no power", "wont turn on", "dead", "doesnt work", "wont work", "cuts out", "broken")
	onlyWash        = phrases("only", "no bath", "cant wash", "cant shower", "nowhere to wash")
	alarmDevices    = phrases("smokealarm", "heatalarm")
	alarmFault      = phrases("keeps", "keep", "chirp", "chirping", "chirps", "beeping", "beeps", "faulty", "not working", "doesnt work", "isnt working", "false", "randomly", "for no reason", "expired", "out of date", "broken", "dead", "constantly", "all the time", "every time", "flashing", "fell off", "fallen off", "come off", "came off", "hanging", "missing", "wont stop", "battery", "no power", "most days", "every night", "again")
	intercomWords   = phrases("intercom")
	fridgeWords     = phrases("fridge", "freezer")
	fridgeFail      = phrases("not working", "stopped", "packed in", "packed up", "dead", "broken", "not cold", "warm", "defrosted", "defrosting", "not getting cold", "not freezing", "stopped freezing", "died", "isnt working", "doesnt work", "no power", "not cooling", "isnt cold", "gone off",
		"isnt freezing", "wont freeze", "melted", "running warm", "not keeping",
		"isnt cooling", "lukewarm", "not cold enough")
	ovenWords = phrases("oven", "cooker")
	ovenParts = phrases("light", "bulb", "element", "fan", "one", "still usable")
	ovenFail  = phrases("not heating", "stopped heating", "doesnt heat", "wont heat", "stays cold", "not working", "stopped working", "broken", "dead", "shattered", "smashed", "wont turn on", "no power", "isnt working", "doesnt work", "doesnt get hot", "not getting hot", "cant use",
		"wont get up to temperature", "not getting up to temperature", "doesnt get up to temperature",
		"never gets up to temperature", "wont get hot", "wont heat up", "not hot enough")
	hobWords      = phrases("hob", "gas hob")
	hobFail       = phrases("cracked", "stopped using", "unusable", "cant use", "smashed", "shattered", "wont light", "wont ignite", "any of the rings", "none of the rings", "all the rings", "cant cook", "any ring", "doesnt light", "not lighting", "no flame")
	ringPartial   = phrases("ring", "one ring", "other three", "other rings", "others are fine", "other ones", "rest are fine", "rest work", "others work")
	ringTotal     = phrases("any of the rings", "none of the rings", "all the rings", "all four", "any ring", "whole hob")
	handrailWords = phrases("handrail", "banister", "bannister", "stair rail", "hand rail", "spindles", "spindle", "balustrade")
	handrailFail  = phrases("coming away", "coming off", "pulling out", "pulling away", "fallen out", "missing", "gap", "loose", "wobbles", "wobbly", "come away", "pulled out", "moves", "broken", "come off", "came off", "fallen off", "hanging off")
	floorWords    = phrases("floor", "floorboards", "floorboard", "joists")
	floorFail     = phrases("spongy", "soft", "rotten", "rotting", "rot", "gives", "giving way", "hole")
	roofCover     = phrases("slates", "slate", "tiles", "roof tiles", "ridge tiles")
	roofCoverFail = phrases("missing", "blown off", "slipped", "came off", "come off", "fallen off", "off the roof", "blew off",
		"slid off", "slid", "sliding", "slipping", "dislodged", "loose", "fell off", "smashed", "blown")
	roofContext      = phrases("roof", "wind", "winds", "storm", "gale", "blew", "path", "drive", "garden", "gutter")
	lockWords        = phrases("lock", "locks", "key")
	fallRisk         = phrases("trip hazard", "could trip", "might trip", "someone could fall", "could drop", "drop on someone", "fall on someone", "land on someone", "someone will fall", "someone could trip", "going to trip")
	balconyWords     = phrases("balcony", "balcony railing", "balustrade")
	balconyFail      = phrases("loose", "wobbly", "wobbles", "coming away", "come away", "unsafe", "broken", "moving", "gives")
	obstruction      = phrases("blocking the path", "across the path", "cant get in or out", "fire exit", "fire risk", "blocking the door", "cant get out")
	stairliftWords   = phrases("stairlift")
	petWords         = phrases("dog", "dogs", "cat", "cats", "pets", "pet", "puppy", "rabbit", "chickens")
	pestNouns        = phrases("scurrying", "scampering", "scuttling", "gnawing", "something living", "something nesting", "rats", "mice", "mouse", "cockroaches", "bedbugs", "fleas", "ants", "wasps", "bees", "wasps nest", "pigeons", "squirrels", "droppings", "infestation", "vermin", "rodents", "rodent", "moths", "silverfish", "maggots", "pests", "slugs", "snails", "woodlice", "beetles", "earwigs", "flies", "fruit flies", "insects", "foxes", "fox", "bats", "birds", "starlings", "hornets", "bugs")
	pestInside       = phrases("kitchen", "bedroom", "bedrooms", "loft", "attic", "walls", "floorboards", "cupboards", "cupboard", "in the house", "in the flat", "inside", "mattress", "bed", "carpets", "carpet", "living room", "bathroom", "lounge", "getting in", "coming in", "got in", "into the house", "indoors", "sofa", "under the floor", "in our flat", "hallway", "landing", "ceiling", "light fittings")
	outerDoorOnly    = phrases("front door", "back door", "patio door", "french doors", "main door", "flat door", "entrance door", "side door", "door frame")
	groundFloorWords = phrases("ground floor", "ground floor flat", "bungalow", "basement", "downstairs window", "ground level")
)

// cues runs every rule of the guide over the report.
func (r *report) cues(vulnerableCue string, isVulnerable bool) []cue {
	var cs []cue
	add := func(c cue) { cs = append(cs, c) }
	r.gasCues(add)
	r.electricalCues(add)
	r.waterCues(add)
	r.structureCues(add)
	r.heatingCues(add, vulnerableCue, isVulnerable)
	r.fixtureCues(add)
	r.pestCues(add)
	r.otherCues(add)
	return cs
}

// electricalCues: sparks, burning and exposed wires are emergencies whatever is
// sparking (the trade is read from the words around them, a wall switch is always the
// electrician's); a total power cut is an emergency, a partial one urgent.
func (r *report) electricalCues(add func(cue)) {
	for _, h := range r.find(sparkWords) {
		// Smoke from a cigarette or a bonfire is no electrical fault; a title's "smoke"
		// is read with the whole description.
		if r.mentions(h.clause, smokingOther) || r.clauses[h.clause].title && r.has(smokingOther) {
			continue
		}
		// A scorch or burn mark, or something melted, is a fire sign only on something
		// that carries power or heat: a burn mark on a worktop is from a pan.
		if r.notFire(h) {
			continue
		}
		c := cue{fromFire, emergency, 5, "Sparking, burning or exposed wiring reported: a fire and shock risk.", schema.HazardElectrics, h.clause}
		if r.mentionedNear(h.clause, wiringAccessory) {
			c.category = catElectrical
		}
		add(c)
	}
	for _, h := range r.find(overheatWords) {
		if r.mentions(h.clause, wiringAccessory) {
			add(cue{catElectrical, emergency, 5, "A socket, switch or plug overheating: a fire risk.", schema.HazardElectrics, h.clause})
		}
	}
	r.electricFireSigns(add)
	r.exposedWires(add)
	for _, h := range r.find(flickerWords) {
		if r.mentionedNear(h.clause, wholeHouse) {
			add(cue{catElectrical, urgent, 2.5, "Lights dimming or power dropping across the home: urgent.", "", h.clause})
		}
	}
	for _, h := range r.find(powerOut) {
		if r.switchedOff(h) || r.mentions(h.clause, foodWords) || r.has(resolvedWords) {
			continue // "I've turned the power off", "everything in the freezer has gone off"
		}
		if r.mentions(h.clause, partialPower) || r.mentions(h.clause, partialWords) {
			add(cue{fromWords, urgent, 2, "Partial loss of power: urgent.", "", h.clause})
			continue
		}
		add(cue{catElectrical, emergency, 5, "Total loss of electricity: an emergency.", schema.HazardElectrics, h.clause})
	}
	for _, h := range r.find(tripWords) {
		if r.mentions(h.clause, heatSubjects) {
			continue // "the boiler keeps going off" is the boiler's fault, not a trip
		}
		add(cue{catElectrical, urgent, 2.5, "Repeated tripping: urgent.", "", h.clause})
	}
	for _, h := range r.find(partialPower) {
		add(cue{catElectrical, urgent, 2.5, "Partial loss of power or lighting: urgent.", "", h.clause})
	}
	for _, h := range r.electricShowers() {
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
		if !r.mentionedNear(h.clause, alarmFault) {
			continue // one false alarm from burnt toast is not a fault
		}
		add(cue{catElectrical, urgent, 3.5, "Faulty or false-alarming smoke or heat alarm: urgent.", "", h.clause})
	}
	for _, h := range r.find(intercomWords) {
		add(cue{catElectrical, urgent, 3, "Door-entry system not working: urgent.", "", h.clause})
	}
}

// pestCues: pests inside (the loft and wall cavities included) are urgent, outside
// routine, never an emergency.
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

// otherCues: lifts, stairlifts, trees and blocked exits.
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
		if r.mentions(h.clause, petWords) {
			continue // "the dog can't get out that way": a fence, not a blocked exit
		}
		add(cue{catOther, urgent, 2.5, "An exit or path blocked: urgent.", "", h.clause})
	}
}
