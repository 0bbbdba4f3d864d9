package builtin

import "github.com/maintainuk/maintainuk/internal/ai/schema"

// weakFireWords are fire signs that need something electrical or hot nearby to be one
// (the guide: sparking, burning or exposed live wires are emergencies).
var (
	weakFireWords = map[string]bool{"scorch": true, "scorched": true, "melted": true, "melting": true, "charred": true, "burn": true}
	fireSources   = append(append(append(append(phrases("light", "lights", "lamp", "charger", "extension", "heater",
		"electric", "electrical", "fan", "shower", "appliance", "tv", "telly"), wiringAccessory...), electricNouns...),
		applianceNouns...), heatSystems...)
)

// weakFireSign reports whether the spark cue found at h is only a mark or melt.
func (r *report) weakFireSign(h hit) bool {
	return weakFireWords[r.clauses[h.clause].words[h.pos]]
}

// electricShowers finds an electric shower however it is named: "the electric shower",
// or a shower with "electric" or its pull cord said in the same sentence ("the shower's
// dead (the electric one)"). The guide files electric shower units under ELECTRICAL.
func (r *report) electricShowers() []hit {
	hits := r.find(electricShower)
	if len(hits) > 0 {
		return hits
	}
	for _, h := range r.find(phrases("shower")) {
		if r.mentionedNear(h.clause, phrases("electric", "pullcord", "neon")) {
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
		"gone black", "turned black", "black round", "blackened", "black marks", "blue light", "brown", "browned")
	foodWords = phrases("food", "freezer", "fridge", "milk", "meat")
)

func (r *report) electricFireSigns(add func(cue)) {
	for _, h := range r.find(electricBangs) {
		if r.mentionedNear(h.clause, wiringAccessory) || r.mentionedNear(h.clause, electricNouns) {
			add(cue{catElectrical, emergency, 5, "A socket, switch or wiring that banged, blackened or browned: a fire risk.", schema.HazardElectrics, h.clause})
			return
		}
	}
	for _, h := range r.find(smellWords) {
		if r.mentions(h.clause, wiringAccessory) && !r.mentions(h.clause, phrases("damp", "musty", "drains", "sewage")) {
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
