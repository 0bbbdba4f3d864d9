package builtin

import "github.com/maintainuk/maintainuk/internal/ai/schema"

// structureCues: the fabric of the building. Mould is an emergency only with a
// hospital admission or a doctor's letter; condensation without mould is routine.
func (r *report) structureCues(add func(cue)) {
	for _, h := range r.find(collapseWords) {
		// A fitting falling off a wall is not the wall falling.
		if !r.mentionedNear(h.clause, structureNouns) || r.fittingFirst(h.clause) || r.mentionedNear(h.clause, pestNouns) || r.inSentence(h.clause, waterWords) || r.mentionedNear(h.clause, rainWords) {
			continue
		}
		add(cue{catStructural, emergency, 4.5, "Collapsed or unsafe structure: an emergency.", "", h.clause})
	}
	for _, h := range r.find(separating) {
		// These words are loose enough that any fitting in the clause is taken to be what
		// came away; a window or door that snapped or dropped has a broken hinge or handle,
		// which the window and lock rules judge.
		snapped := !r.mentions(h.clause, pullingAway) &&
			(r.mentions(h.clause, windowWords) || r.mentions(h.clause, doorWords))
		if !r.mentionedNear(h.clause, structureNouns) || r.mentions(h.clause, minorFittings) || snapped || r.inSentence(h.clause, waterWords) {
			continue
		}
		add(cue{catStructural, emergency, 4.5, "Part of the building dropping, splitting or pulling away: unsafe, an emergency.", "", h.clause})
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
	} else if h, ok := r.firstHit(dampState); ok && r.mentionedNear(h.clause, dampPlaces) {
		add(cue{catStructural, urgent, 3, "Damp in the walls or a room: urgent before it spreads.", "", h.clause})
	} else if h, ok := r.firstHit(condensation); ok {
		add(cue{catStructural, routine, 3, "Condensation without mould: routine.", "", h.clause})
	}
	for _, h := range r.find(stainWords) {
		// A stain under a dripping tap is the tap's, routine: the tap is the repair.
		if r.mentions(h.clause, stainPlaces) && !r.tapDrip() {
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
	for _, h := range r.find(stairTreads) {
		if r.inClause(h.clause, treadFail) || r.inSentence(h.clause, treadFail) && r.mentions(h.clause, treadWords) {
			add(cue{catStructural, urgent, 2.5, "A loose or broken stair tread: urgent, a fall risk.", "", h.clause})
			break
		}
	}
	for _, h := range r.find(floorWords) {
		if r.inSentence(h.clause, floorFail) {
			add(cue{catStructural, urgent, 2.5, "Soft or rotten floor: urgent, it will get worse.", "", h.clause})
		}
	}
	for _, h := range r.find(roofCover) {
		// Bare "tiles" are the roof's only when the roof or the weather is said with them:
		// bathroom tiles come loose too.
		roofy := r.clauses[h.clause].words[h.pos] != "tiles" || r.mentionedNear(h.clause, roofContext)
		if roofy && r.inSentence(h.clause, roofCoverFail) {
			add(cue{catStructural, urgent, 2.5, "Roof slates or tiles missing: urgent before water gets in.", "", h.clause})
		}
	}
}

// securityCues: an outside door or ground-floor window that will not lock is an
// emergency; a faulty lock that still locks, or a broken upstairs window, is urgent.
func (r *report) securityCues(add func(cue)) {
	for _, h := range r.find(insecureWords) {
		door := r.inSentence(h.clause, outerDoorOnly) || (r.inSentence(h.clause, doorOrLock) && r.has(outerDoorOnly))
		window := r.inSentence(h.clause, windowWords)
		explicit := r.inClause(h.clause, cannotSecure)
		switch {
		case (door || window) && !explicit && r.has(stillLocks):
			// "won't close properly ... but it does lock": secured, so a faulty lock.
			add(cue{catStructural, urgent, 3, "A door or window that is hard to close but still locks: urgent.", "", h.clause})
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
		if r.inSentence(h.clause, lockFaulty) && !r.locksFine(h) {
			add(cue{catStructural, urgent, 2.5, "Faulty lock that still locks: urgent.", "", h.clause})
		}
	}
}

// fittingFirst reports whether clause c names a fitting before a part of the building:
// the fitting is then what fell or came away ("the alarm has fallen off the wall"), not
// the wall. "You can see through to the cupboard below" names no part, so still counts.
func (r *report) fittingFirst(c int) bool {
	words := r.clauses[c].words
	fitting := false
	for pos := range words {
		for _, p := range structureNouns {
			if matchAt(words, pos, p) {
				return fitting
			}
		}
		for _, p := range minorFittings {
			fitting = fitting || matchAt(words, pos, p)
		}
	}
	return false
}

// stillLocks are the words of a resident saying the door or window does lock.
var stillLocks = phrases("does lock", "still locks", "it locks", "and locks", "locks fine", "locks ok", "lock it in the end",
	"locks in the end", "locks eventually", "does still lock", "can still lock", "it still locks")

// locksFine reports whether the lock word at h is the resident saying it locks ("still
// shuts and locks"), not naming a lock that is at fault.
func (r *report) locksFine(h hit) bool {
	w := r.clauses[h.clause].words
	if w[h.pos] != "locks" {
		return false
	}
	before, after := "", ""
	if h.pos > 0 {
		before = w[h.pos-1]
	}
	if h.pos+1 < len(w) {
		after = w[h.pos+1]
	}
	return before == "still" || before == "and" || before == "it" || after == "fine" || after == "ok" || after == "okay"
}

// Words the rules above look for, split once at start-up (phrases records them as known
// words then; splitting them per report would write that shared set while reports are
// classified at once).
var (
	doorWords    = phrases("door", "doors")
	treadWords   = phrases("tread", "treads")
	doorOrLock   = phrases("door", "lock")
	cannotSecure = phrases("cant secure", "cant be secured", "burgled", "broken in", "break in", "forced")
)
