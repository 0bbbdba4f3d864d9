package builtin

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
