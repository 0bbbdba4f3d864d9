package builtin

import (
	_ "embed"
	"slices"
	"sort"
	"strings"
)

//go:embed data/selfhelp.json
var selfHelpJSON []byte

// Advice is what a resident can do while waiting for a repair: emergency steps first,
// then self-help guides for simple faults. Neither slice is ever nil.
type Advice struct {
	Emergency []Step  `json:"emergency"`
	SelfHelp  []Guide `json:"selfHelp"`
}

// Step is one "what to do now" instruction and the guidance it follows.
type Step struct {
	Text      string `json:"text"`
	Source    string `json:"source"`
	SourceURL string `json:"sourceUrl"`
}

// Guide is a self-help fix for a simple fault, with its stable ID.
type Guide struct {
	ID        string   `json:"id"`
	Title     string   `json:"title"`
	Steps     []string `json:"steps"`
	Warning   string   `json:"warning"`
	Source    string   `json:"source"`
	SourceURL string   `json:"sourceUrl"`
}

// emergencyAdvice is fired by a hazard the classification found or by words in the
// report, so a missed hazard still gets the safety steps.
type emergencyAdvice struct {
	ID        string   `json:"id"`
	Hazards   []string `json:"hazards"`
	Words     []string `json:"words"`
	Steps     []string `json:"steps"`
	Source    string   `json:"source"`
	SourceURL string   `json:"sourceUrl"`
}

type guideEntry struct {
	Guide
	Categories []string `json:"categories"`
	// Match lists alternatives; an alternative matches when all its phrases occur.
	Match [][]string `json:"match"`
	// UnsafeWith names emergencies under which the guide is withheld: no boiler
	// self-help while there is a gas smell, no consumer unit while water is near it.
	UnsafeWith []string `json:"unsafeWith"`
}

type selfHelpBook struct {
	Notes       string            `json:"notes"`
	Danger      emergencyAdvice   `json:"danger"`
	Emergencies []emergencyAdvice `json:"emergencies"`
	Guides      []guideEntry      `json:"guides"`
}

var selfHelp = mustParseEmbedded[selfHelpBook](selfHelpJSON)

// maxGuides keeps the advice to the few guides most likely to help.
const maxGuides = 3

// Advise chooses what a resident can safely do now: emergency steps for the hazards
// found (or named in the report), with "call 999 if anyone is in immediate danger"
// first whenever there is an emergency, and self-help guides matched by the report's
// words and category, except those unsafe under the emergency found.
func Advise(category, priority string, hazards []string, title, description string) Advice {
	text := newPhraseText(title, description)
	out := Advice{Emergency: []Step{}, SelfHelp: []Guide{}}
	fired := map[string]bool{}
	for _, e := range selfHelp.Emergencies {
		if !emergencyFires(e, hazards, text) {
			continue
		}
		fired[e.ID] = true
		out.Emergency = append(out.Emergency, stepsOf(e)...)
	}
	if priority == "EMERGENCY" || fired["gas"] || fired["electrics"] || fired["water"] || fired["insecure"] || fired["sewage"] {
		out.Emergency = append(stepsOf(selfHelp.Danger), out.Emergency...)
	}

	type scored struct {
		g     Guide
		score int
	}
	var found []scored
	for _, g := range selfHelp.Guides {
		if slices.ContainsFunc(g.UnsafeWith, func(id string) bool { return fired[id] }) {
			continue
		}
		score := 0
		for _, alt := range g.Match {
			if allPhrases(text, alt) {
				score += len(alt)
			}
		}
		if score == 0 {
			continue
		}
		if slices.Contains(g.Categories, category) {
			score++
		}
		found = append(found, scored{cloneGuide(g.Guide), score})
	}
	sort.SliceStable(found, func(i, j int) bool { return found[i].score > found[j].score })
	for i := 0; i < len(found) && i < maxGuides; i++ {
		out.SelfHelp = append(out.SelfHelp, found[i].g)
	}
	return out
}

func emergencyFires(e emergencyAdvice, hazards []string, text phraseText) bool {
	for _, h := range e.Hazards {
		if slices.Contains(hazards, h) {
			return true
		}
	}
	return slices.ContainsFunc(e.Words, text.has)
}

func allPhrases(text phraseText, phrases []string) bool {
	for _, p := range phrases {
		if !text.has(p) {
			return false
		}
	}
	return len(phrases) > 0
}

func stepsOf(e emergencyAdvice) []Step {
	out := make([]Step, len(e.Steps))
	for i, s := range e.Steps {
		out[i] = Step{Text: s, Source: e.Source, SourceURL: e.SourceURL}
	}
	return out
}

// cloneGuide copies the steps so a caller editing a guide cannot change the shared data.
func cloneGuide(g Guide) Guide {
	g.Steps = slices.Clone(g.Steps)
	return g
}

// Guides lists every self-help guide, in the data file's order, for documentation.
func Guides() []Guide {
	out := make([]Guide, len(selfHelp.Guides))
	for i, g := range selfHelp.Guides {
		out[i] = cloneGuide(g.Guide)
	}
	return out
}

// GuideByID finds a guide by its stable ID ("boiler-pressure").
func GuideByID(id string) (Guide, bool) {
	id = strings.TrimSpace(id)
	for _, g := range selfHelp.Guides {
		if g.ID == id {
			return cloneGuide(g.Guide), true
		}
	}
	return Guide{}, false
}
