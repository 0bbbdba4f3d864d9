package builtin

import "github.com/maintainuk/maintainuk/internal/ai/schema"

// Words the heating and hot-water rules look for.
var (
	extractorWords = phrases("extractor", "extractor fan")
	heatSubjects   = phrases("heating", "boiler", "combi", "warmth", "hotwater", "storage heaters", "radiators", "immersion", "cylinder", "heat", "heaters")
	heatLoss       = phrases("no", "not working", "stopped", "wont come on", "wont fire", "wont work", "not coming on", "packed up", "packed in", "broken", "dead", "died", "stone cold", "cutting out", "cuts out", "not firing", "isnt working", "doesnt work", "not heating", "isnt heating", "run cold", "runs cold", "stays cold", "not giving", "isnt giving", "gone off", "failed", "none of", "turning itself off", "not come on", "havent come on", "wont turn on", "wont heat", "not getting hot", "broken down", "not on", "isnt on", "doesnt come on", "not work", "cold",
		"locking out", "locks out", "locked out", "lockout", "conked out", "conked", "kaput", "knackered", "given up",
		"gave up", "not firing up", "wont fire up", "wont ignite", "went off", "going off", "keeps going off",
		"resetting", "been off", "is off", "are off", "off since", "off for", "heating off", "hotwater off")
	heatSystems      = phrases("the heating", "our heating", "central heating", "boiler", "combi", "hotwater", "storage heaters", "radiators", "immersion", "cylinder")
	gasOff           = phrases("gas has gone off", "gas is off", "gas gone off", "gas has been cut off", "gas cut off", "lost gas", "no gas at all", "no gas supply", "gas supply is off", "gas has gone")
	heatIntermittent = phrases("playing up", "on and off", "some days", "intermittent", "intermittently", "hit and miss",
		"keeps stopping", "comes and goes", "on the blink", "temperamental")
	heatStuck     = phrases("wont turn off", "stuck on", "wont switch off", "always on", "on full", "boiling hot", "too hot")
	heatPartial   = phrases("minutes", "lukewarm", "only warm", "not hot enough", "upstairs", "downstairs", "ones are fine", "others are fine", "others work", "towel rail", "one radiator", "one of the", "in the kitchen", "in the bathroom", "spare room", "everywhere else", "the others", "other two", "rest of the")
	pressureTopUp = phrases("top it up", "top up", "topping up", "filling loop", "repressurise", "topped it up", "topped up", "topped")
	// resolvedWords: the resident got it going again, so no loss remains.
	resolvedWords = phrases("working again", "works again", "back on now", "came back on", "its fine now", "all fine now",
		"sorted it", "its back", "back now")
)

// heatingCues: a total loss of heating or hot water is urgent, an emergency with a
// vulnerable occupant; one cold radiator is not a loss.
func (r *report) heatingCues(add func(cue), vulnerableCue string, isVulnerable bool) {
	for c := range r.clauses {
		// An appliance that will not heat is the appliance's fault, not the heating's.
		if !r.mentions(c, heatSubjects) || !r.inClause(c, heatLoss) || r.mentionedNear(c, heatPartial) || r.has(resolvedWords) ||
			r.mentions(c, applianceNouns) && !r.mentions(c, heatSystems) {
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
	// Heating that works some days and not others is not a total loss: urgent, even
	// with a vulnerable occupant (the guide raises only a total loss to an emergency).
	for _, h := range r.find(heatIntermittent) {
		if r.mentionedNear(h.clause, heatSubjects) {
			add(cue{catHVAC, urgent, 2.5, "Heating or hot water failing now and then: urgent.", "", h.clause})
			break
		}
	}
	if h, ok := r.firstHit(gasOff); ok {
		add(cue{catHVAC, urgent, 3.5, "Gas supply off with no smell of gas: urgent.", "", h.clause})
	}
	for _, h := range r.find(heatStuck) {
		if r.mentionedNear(h.clause, heatSystems) {
			add(cue{catHVAC, urgent, 2.5, "Heating that will not turn off: urgent.", "", h.clause})
			break
		}
	}
	if h, ok := r.firstHit(extractorWords); ok {
		add(cue{catHVAC, routine, 3, "Extractor fan noisy or not working: routine.", "", h.clause})
	}
	if h, ok := r.firstHit(pressureTopUp); ok {
		add(cue{catHVAC, routine, 3, "Boiler pressure the resident can top up: routine.", "", h.clause})
	}
}
