package builtin

// Words for waste water coming back up inside: sewage however it is described.
var (
	backflowWords = phrases("comes back up", "coming back up", "came back up", "come back up", "backing up",
		"backs up", "backed up", "comes up through", "coming up through", "came up through", "coming up out of",
		"comes up out of", "coming up the", "comes up the", "bubbling up through", "gurgles up", "coming up into",
		"comes up into", "came up into", "rising up", "coming out of the plughole", "out of the plughole")
	// toiletWaste is what makes the water coming back up sewage rather than rain or
	// a sink's own washing-up water.
	toiletWaste = phrases("toilet", "flush", "flushes", "flushed", "brown water", "bits in it", "poo", "toilet paper",
		"toilet roll", "sewage")
	indoorOutlets = phrases("bath", "plughole", "shower", "shower tray", "sink", "basin", "floor", "bathroom", "kitchen")
	// dirtyWater is what overflows from a toilet when it is sewage rather than clean water.
	dirtyWater = phrases("dirty", "waste", "poo", "brown", "filthy", "sewage", "bits")
	// outsideOnlyWaste says the backing up is outside: then it is urgent, not an emergency.
	outsideOnlyWaste = phrases("not inside", "not coming inside", "nothing inside", "not in the house", "manhole", "in the garden", "on the patio")
)

// backflowCues: the guide's "sewage backing up into the home" is an emergency whether
// or not the resident calls it sewage: toilet water coming back up through a bath,
// shower, sink or floor inside. A downpipe or gutter backing up is rain, not sewage.
func (r *report) backflowCues(add func(cue)) {
	for _, h := range r.find(backflowWords) {
		if r.mentionedNear(h.clause, rainWords) || !r.mentionedNear(h.clause, indoorOutlets) || !r.has(toiletWaste) || r.has(outsideOnlyWaste) {
			continue
		}
		add(cue{catPlumbing, emergency, 5, "Toilet waste coming back up inside the home: sewage, an emergency.", "", h.clause})
		return
	}
	// A toilet overflowing with dirty water or waste onto the floor is sewage inside too.
	for _, h := range r.find(overflowWords) {
		if r.mentionedNear(h.clause, toiletWords) && r.inSentence(h.clause, dirtyWater) && !r.has(outsideOnlyWaste) {
			add(cue{catPlumbing, emergency, 5, "A toilet overflowing with waste inside the home: sewage, an emergency.", "", h.clause})
			return
		}
	}
}

// Words the rules above look for, split once at start-up (phrases records them as known
// words then; splitting them per report would write that shared set while reports are
// classified at once).
var (
	overflowWords = phrases("overflowing", "overflowed", "overflows", "over the top", "spilling")
)
