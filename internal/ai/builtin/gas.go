package builtin

import "github.com/maintainuk/maintainuk/internal/ai/schema"

// Words the gas and carbon-monoxide rules look for, beyond the fixed phrases in hazards.go.
var (
	// smellWords said in the same clause as "gas" (or an egg or sulphur smell, which is
	// how the gas odorant smells) report a gas smell however it is put.
	smellWords = phrases("smell", "smells", "smelled", "smelly", "stink", "stinks", "stinking", "reek", "reeks", "odour", "pong", "niff")
	gasOdour   = phrases("gas", "gassy", "egg", "eggy", "sulphur")
	// coSounding is a CO alarm beeping or reading: sounding unless it is a fault chirp.
	coSounding = phrases("beeping", "bleeping", "beeps", "beeped", "loud", "nonstop", "non stop", "wont stop",
		"constantly", "continuously", "screaming", "shrieking", "ppm", "reading", "screeching", "going mad", "blaring",
		"wailing", "ringing", "racket", "red light", "flashing red", "set off", "triggered")
	coFault = phrases("chirp", "chirps", "chirping", "chirped", "battery", "batteries", "expired", "end", "err",
		"error", "replace", "replacing", "out of date", "once every", "every minute", "test button", "faulty",
		"fell off", "fallen off", "come off", "came off", "snapped", "missing", "no power", "dead")
	gasSmellSigns = phrases("funny smell", "strange smell", "weird smell", "odd smell", "smells funny", "smells strange", "smells weird")
	gasFittings   = phrases("cooker", "hob", "boiler", "meter", "gas fire", "gas pipe", "gas", "gas cooker")
	// A boiler or radiator hisses and whistles with water ("kettling"), so a noise
	// counts only at a fitting that carries nothing but gas.
	gasNoiseSigns   = phrases("hissing", "hiss", "hisses", "whistling", "whistle", "whistles")
	gasOnlyFittings = phrases("cooker", "hob", "meter", "gas fire", "gas pipe", "gas", "gas cooker")
	// coSymptoms beside a CO alarm or boiler fumes are carbon-monoxide poisoning's signs.
	coSymptoms = phrases("headache", "headaches", "head is pounding", "pounding head", "dizzy", "dizziness",
		"drowsy", "feeling sick", "felt sick", "nausea", "nauseous", "passed out", "fainted", "collapsed")
)

// gasCues: the guide's gas rules. A smell of gas anywhere is an HVAC emergency, a CO
// alarm actually sounding is an emergency and a faulty one urgent, and fumes from a
// boiler or its flue are an emergency.
func (r *report) gasCues(add func(cue)) {
	gas := false
	for _, h := range r.find(gasSmell) {
		add(cue{catHVAC, emergency, 6, "Smell of gas reported: gas leaks are emergencies.", schema.HazardGas, h.clause})
		gas = true
	}
	for _, h := range r.find(gasOdour) {
		if !gas && r.mentions(h.clause, smellWords) {
			add(cue{catHVAC, emergency, 6, "Smell of gas reported: gas leaks are emergencies.", schema.HazardGas, h.clause})
			gas = true
		}
	}
	// A hissing gas fitting, or an odd smell said beside one, is how people describe a
	// gas escape without saying "gas".
	for _, h := range r.find(gasSmellSigns) {
		if !gas && r.mentionedNear(h.clause, gasFittings) {
			add(cue{catHVAC, emergency, 5.5, "An odd smell at a gas fitting: a possible gas escape.", schema.HazardGas, h.clause})
			gas = true
		}
	}
	for _, h := range r.find(gasNoiseSigns) {
		if !gas && r.mentionedNear(h.clause, gasOnlyFittings) {
			add(cue{catHVAC, emergency, 5.5, "Hissing or whistling at a gas fitting: a possible gas escape.", schema.HazardGas, h.clause})
			gas = true
		}
	}
	symptoms := r.has(coSymptoms)
	for _, h := range r.find(coAlarm) {
		sounding := r.inSentence(h.clause, alarmGoesOff) || symptoms ||
			r.inSentence(h.clause, coSounding) && !r.inSentence(h.clause, coFault)
		if sounding {
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
}
