package builtin

import "github.com/maintainuk/maintainuk/internal/ai/schema"

// The guide's electrical emergencies ("sparking, burning smell or exposed live wires")
// in the many other words residents use, and the look-alikes that are none.

// weakFireWords are fire signs that need something electrical or hot nearby to be one
// (the guide: sparking, burning or exposed live wires are emergencies).
var (
	// frozenThings melt without any fire: "the ice has melted" in a broken freezer.
	frozenThings  = phrases("ice", "ice cream", "frost", "snow", "defrost", "defrosted", "butter", "chocolate", "wax")
	weakFireWords = map[string]bool{"scorch": true, "scorched": true, "melted": true, "melting": true, "charred": true, "burn": true}
	fireSources   = append(append(append(append(phrases("light", "lights", "lamp", "charger", "extension", "heater",
		"electric", "electrical", "fan", "shower", "appliance", "tv", "telly"), wiringAccessory...), electricNouns...),
		applianceNouns...), heatSystems...)
)

// notFire reports whether the spark cue found at h is only a mark or melt with nothing
// electrical or hot near it, or something frozen thawing.
func (r *report) notFire(h hit) bool {
	switch w := r.clauses[h.clause].words[h.pos]; {
	case w == "hot" || w == "warm":
		// "Hot to the touch" is a fire sign on wiring, not on a radiator or towel rail.
		return !r.mentionedNear(h.clause, wiringAccessory) && !r.mentionedNear(h.clause, electricNouns)
	case weakFireWords[w]:
		return !r.mentionedNear(h.clause, fireSources) || r.mentions(h.clause, frozenThings)
	}
	return false
}

// electricShowers finds an electric shower however it is named: "the electric shower",
// or a shower with "electric" or its pull cord said in the same sentence ("the shower's
// dead (the electric one)"). The guide files electric shower units under ELECTRICAL.
func (r *report) electricShowers() []hit {
	hits := r.find(electricShower)
	if len(hits) > 0 {
		return hits
	}
	for _, h := range r.find(showerWords) {
		if r.mentionedNear(h.clause, electricCue) {
			return []hit{h}
		}
	}
	return nil
}

// Electrical fire signs beyond sparks and burning: a socket that went pop or bang or
// has gone black, and any smell from a socket, switch or the fuse box (the guide's
// "burning smell"; overheating wiring often smells fishy). Both need the wiring named
// in the same sentence: a bang in the pipes or from a boiler is no electrical fault.
var (
	electricBangs = phrases("went pop", "popped", "go pop", "goes pop", "went bang", "big bang", "loud bang",
		"gone black", "gone * black", "turned black", "turned * black", "black round", "blackened", "black marks",
		"blue light", "gone brown", "gone * brown", "turned brown", "turned * brown", "going brown", "brown marks",
		"brown round", "brown around", "browned")
	foodWords = phrases("food", "freezer", "fridge", "milk", "meat")
)

func (r *report) electricFireSigns(add func(cue)) {
	for _, h := range r.find(electricBangs) {
		// A bulb that blows with a pop is a new bulb, not a fire.
		if r.mentions(h.clause, bulbWords) {
			continue
		}
		if r.mentionedNear(h.clause, wiringAccessory) || r.mentionedNear(h.clause, electricNouns) {
			add(cue{catElectrical, emergency, 5, "A socket, switch or wiring that banged, blackened or browned: a fire risk.", schema.HazardElectrics, h.clause})
			return
		}
	}
	for _, h := range r.find(smellWords) {
		if r.mentions(h.clause, wiringAccessory) && !r.mentions(h.clause, notElectricalSmell) {
			add(cue{catElectrical, emergency, 5, "A smell from a socket, switch or the fuse box: overheating wiring.", schema.HazardElectrics, h.clause})
			return
		}
	}
}

// switchedOff reports whether the power-off phrase at h is the resident switching the
// power off ("I've turned the power off"), which is no loss of supply.
func (r *report) switchedOff(h hit) bool {
	w := r.clauses[h.clause].words
	for i := h.pos - 1; i >= 0 && i >= h.pos-3; i-- {
		switch w[i] {
		case "turned", "turn", "switched", "switch", "switchoff", "flicked", "knocked", "put", "shut", "isolated":
			return true
		}
	}
	return false
}

// exposedWires: wires said with how they show ("poking out", "dangling") are the
// guide's exposed live wires, however phrased. A TV or phone cable is not mains wiring.
var (
	wireShowing = phrases("poking", "sticking", "hanging", "dangling", "exposed", "bare", "showing", "visible",
		"out of the wall", "out of the ceiling", "out of the socket", "out the wall", "can see the")
	lowVoltage = phrases("aerial", "tv", "satellite", "broadband", "phone", "telephone", "internet", "doorbell", "speaker")
)

func (r *report) exposedWires(add func(cue)) {
	for _, h := range r.find(wireWords) {
		if r.inClause(h.clause, wireShowing) && !r.mentionedNear(h.clause, lowVoltage) {
			add(cue{catElectrical, emergency, 5, "Wires exposed: a shock risk.", schema.HazardElectrics, h.clause})
			return
		}
	}
}

// Words the rules above look for, split once at start-up (phrases records them as known
// words then; splitting them per report would write that shared set while reports are
// classified at once).
var (
	showerWords        = phrases("shower")
	electricCue        = phrases("electric", "pullcord", "neon")
	bulbWords          = phrases("bulb", "bulbs", "lamp")
	notElectricalSmell = phrases("damp", "musty", "drains", "sewage")
	wireWords          = phrases("wires")
)
