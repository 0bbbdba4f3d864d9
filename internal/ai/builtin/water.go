package builtin

import "github.com/maintainuk/maintainuk/internal/ai/schema"

// waterCues: water where it should not be. Water through a ceiling goes by its source
// (the roof is structural, anything else is whatever leaks); sewage indoors is an
// emergency and outdoors urgent; a contained leak is urgent.
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
		switch {
		case len(r.find(roofSource)) > len(r.find(pipeSource)):
			cat, why = catStructural, "Water coming through a ceiling from the roof: an emergency."
		case r.has(fromAbove):
			// The guide: water through a ceiling from the flat above is the plumber's,
			// whatever it hits or whatever upstairs left running.
			cat = catPlumbing
		}
		add(cue{cat, emergency, 5, why, "", h.clause})
	}
	for _, h := range r.find(leakOrDrip) {
		if r.mentionedNear(h.clause, roofOpenings) {
			add(cue{catStructural, emergency, 4.5, "Water coming in through the roof: an emergency.", "", h.clause})
			break
		}
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
	r.backflowCues(add)
	r.supplyCues(add)
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

// fixtureCues: plumbing fixtures and landlord-supplied appliances out of use.
func (r *report) fixtureCues(add func(cue)) {
	for _, h := range r.find(tapWords) {
		if r.inSentence(h.clause, tapWontOff) {
			add(cue{catPlumbing, urgent, 3.5, "A tap that will not turn off: urgent.", "", h.clause})
		}
	}
	if !r.has(secondToilet) {
		for _, h := range r.find(toiletWords) {
			// A cracked seat or lid is not the toilet out of use.
			if r.inClause(h.clause, toiletFail) && !r.mentions(h.clause, toiletSeatOrLid) {
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
	for _, h := range r.find(lowPressure) {
		if r.mentionedNear(h.clause, wholeHouse) || r.mentionedNear(h.clause, everyTap) {
			add(cue{catPlumbing, urgent, 3, "Low water pressure throughout the home: urgent.", "", h.clause})
		}
	}
	for _, h := range r.find(downpipeWords) {
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
		// The fault may follow in the next clause ("the oven door won't shut, it won't get
		// up to temperature"); a light or one part of the oven out is not the oven out.
		if r.faultNear(h.clause, ovenFail, ovenParts) {
			add(cue{catAppliance, urgent, 3.5, "Oven or cooker out of use: urgent.", "", h.clause})
			break
		}
	}
	// One ring out with the others working is routine (the guide's conventions); the
	// hob must be wholly unusable to be urgent.
	oneRing := r.has(ringPartial) && !r.has(ringTotal)
	for _, h := range r.find(hobWords) {
		if r.inSentence(h.clause, hobFail) && !oneRing {
			add(cue{catAppliance, urgent, 3.5, "Hob wholly unusable: urgent.", "", h.clause})
			break
		}
	}
}

// Words the rules above look for, split once at start-up (phrases records them as known
// words then; splitting them per report would write that shared set while reports are
// classified at once).
var (
	toiletSeatOrLid = phrases("seat", "lid")
	everyTap        = phrases("all the taps", "all taps", "every tap", "any of the taps")
	downpipeWords   = phrases("downpipe")
)
