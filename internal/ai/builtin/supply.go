package builtin

// Words for water that is not there, or is where it should not be, said plainly.
var (
	// dryTaps said of the taps in general (not one tap) is no water supply at all.
	dryTaps = phrases("nothing at all", "then nothing", "spitting air", "spit air", "spits air", "just air",
		"nothing comes", "nothing came", "run dry", "ran dry", "gone dry")
	allTaps = phrases("taps", "any tap", "every tap", "all the taps", "no tap")
	// puddleWords is standing water; leakSources the fittings it may come from.
	puddleWords = phrases("puddle", "puddles", "pool of water", "pools of water", "pooling", "wet patch", "always wet",
		"towel down", "towels down", "water on the floor", "water underneath", "water under")
	leakSources = phrases("radiator", "pipe", "pipes", "boiler", "toilet", "sink", "basin", "bath", "cylinder", "tank",
		"watertank", "valve", "cistern", "washingmachine", "dishwasher")
)

// supplyCues: the guide's "no water supply at all" is an emergency however the taps'
// failing is put; its "contained leaks" are urgent even when only the puddle is named.
func (r *report) supplyCues(add func(cue)) {
	for _, h := range r.find(dryTaps) {
		if r.mentionedNear(h.clause, allTaps) {
			add(cue{catPlumbing, emergency, 5, "Nothing from the taps: no water supply, an emergency.", "", h.clause})
			break
		}
	}
	for _, h := range r.find(puddleWords) {
		if r.mentionedNear(h.clause, leakSources) && !r.mentionedNear(h.clause, rainWords) && !r.mentions(h.clause, byUse) {
			add(cue{fromLeak, urgent, 2, "Water collecting under a fitting: a contained leak, urgent before it does more damage.", "", h.clause})
			break
		}
	}
}
