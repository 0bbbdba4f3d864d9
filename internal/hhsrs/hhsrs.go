// Package hhsrs is the Housing Health and Safety Rating System's list of hazards: the 29
// matters and circumstances of Schedule 1 to the Housing Health and Safety Rating System
// (England) Regulations 2005 (SI 2005/3208), in its order and groups. Tickets carry them as
// tags (docs/compliance.md); Awaab's Law (SI 2025/1042) applies its duties to the same
// hazards.
package hhsrs

import "slices"

// Hazard is one of the 29.
type Hazard struct {
	Code  string
	Name  string
	Group string
}

// Groups, as the regulations' guidance arranges the hazards.
const (
	Physiological = "Physiological requirements"
	Psychological = "Psychological requirements"
	Infection     = "Protection against infection"
	Accidents     = "Protection against accidents"
)

// All are the hazards in Schedule 1's order.
var All = []Hazard{
	{"DAMP_MOULD", "Damp and mould growth", Physiological},
	{"EXCESS_COLD", "Excess cold", Physiological},
	{"EXCESS_HEAT", "Excess heat", Physiological},
	{"ASBESTOS_MMF", "Asbestos and manufactured mineral fibres", Physiological},
	{"BIOCIDES", "Biocides", Physiological},
	{"CARBON_MONOXIDE", "Carbon monoxide and fuel combustion products", Physiological},
	{"LEAD", "Lead", Physiological},
	{"RADIATION", "Radiation", Physiological},
	{"UNCOMBUSTED_FUEL_GAS", "Uncombusted fuel gas", Physiological},
	{"VOLATILE_ORGANIC_COMPOUNDS", "Volatile organic compounds", Physiological},
	{"CROWDING_SPACE", "Crowding and space", Psychological},
	{"ENTRY_BY_INTRUDERS", "Entry by intruders", Psychological},
	{"LIGHTING", "Lighting", Psychological},
	{"NOISE", "Noise", Psychological},
	{"DOMESTIC_HYGIENE", "Domestic hygiene, pests and refuse", Infection},
	{"FOOD_SAFETY", "Food safety", Infection},
	{"PERSONAL_HYGIENE", "Personal hygiene, sanitation and drainage", Infection},
	{"WATER_SUPPLY", "Water supply", Infection},
	{"FALLS_BATHS", "Falls associated with baths etc.", Accidents},
	{"FALLS_LEVEL", "Falling on level surfaces etc.", Accidents},
	{"FALLS_STAIRS", "Falling on stairs etc.", Accidents},
	{"FALLS_BETWEEN_LEVELS", "Falling between levels", Accidents},
	{"ELECTRICAL", "Electrical hazards", Accidents},
	{"FIRE", "Fire", Accidents},
	{"FLAMES_HOT_SURFACES", "Flames, hot surfaces etc.", Accidents},
	{"COLLISION_ENTRAPMENT", "Collision and entrapment", Accidents},
	{"EXPLOSIONS", "Explosions", Accidents},
	{"AMENITIES", "Position and operability of amenities etc.", Accidents},
	{"STRUCTURAL_COLLAPSE", "Structural collapse and falling elements", Accidents},
}

// Codes are the hazards' codes in Schedule 1's order.
func Codes() []string {
	out := make([]string, len(All))
	for i, h := range All {
		out[i] = h.Code
	}
	return out
}

// Valid reports whether code is one of the 29.
func Valid(code string) bool {
	return slices.ContainsFunc(All, func(h Hazard) bool { return h.Code == code })
}

// Name is a hazard's name ("" for an unknown code).
func Name(code string) string {
	for _, h := range All {
		if h.Code == code {
			return h.Name
		}
	}
	return ""
}

// fromAssistant maps the AI classification's hazards (internal/ai) to the HHSRS hazards
// they are evidence of. A vulnerable occupant is not a hazard of the home: it raises the
// priority, not a tag.
var fromAssistant = map[string][]string{
	"GAS":                  {"UNCOMBUSTED_FUEL_GAS", "EXPLOSIONS"},
	"ELECTRICS":            {"ELECTRICAL"},
	"WATER_NEAR_ELECTRICS": {"ELECTRICAL"},
	"DAMP_MOULD_HEALTH":    {"DAMP_MOULD"},
	"INSECURE_HOME":        {"ENTRY_BY_INTRUDERS"},
}

// FromAssistant is the HHSRS hazards the AI's hazards propose, in Schedule 1's order,
// each once.
func FromAssistant(aiHazards []string) []string {
	want := map[string]bool{}
	for _, h := range aiHazards {
		for _, c := range fromAssistant[h] {
			want[c] = true
		}
	}
	var out []string
	for _, h := range All {
		if want[h.Code] {
			out = append(out, h.Code)
		}
	}
	return out
}
