package benchdata

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// A fault is one kind of repair residents report: the phrase that names it and the
// ticket category it belongs to.
type fault struct {
	phrase, category string
}

// faults are British repair phrases. "leak" (leak, leaking) runs through several of them
// and the descriptions, so it matches a large share of tickets: the common search term.
var faults = []fault{
	{"boiler not working", "HVAC"},
	{"no hot water from the boiler", "HVAC"},
	{"boiler losing pressure", "HVAC"},
	{"radiator cold at the top", "HVAC"},
	{"radiator leaking at the valve", "HVAC"},
	{"thermostat not responding", "HVAC"},
	{"extractor fan broken in the bathroom", "HVAC"},
	{"leaking tap in the kitchen", "PLUMBING"},
	{"burst pipe under the sink", "PLUMBING"},
	{"blocked sink", "PLUMBING"},
	{"toilet not flushing", "PLUMBING"},
	{"leak under the bath", "PLUMBING"},
	{"dripping overflow pipe", "PLUMBING"},
	{"low water pressure", "PLUMBING"},
	{"blocked drain outside", "PLUMBING"},
	{"shower leaking through the ceiling", "PLUMBING"},
	{"lights flickering", "ELECTRICAL"},
	{"socket sparking", "ELECTRICAL"},
	{"fuse box keeps tripping", "ELECTRICAL"},
	{"smoke alarm beeping", "ELECTRICAL"},
	{"no power in the kitchen", "ELECTRICAL"},
	{"damp patch on the bedroom ceiling", "STRUCTURAL"},
	{"black mould in the bathroom", "STRUCTURAL"},
	{"mould around the windows", "STRUCTURAL"},
	{"cracked window pane", "STRUCTURAL"},
	{"front door not locking", "STRUCTURAL"},
	{"loose roof tiles after the storm", "STRUCTURAL"},
	{"roof leaking into the loft", "STRUCTURAL"},
	{"rotten window frame", "STRUCTURAL"},
	{"gutter overflowing", "STRUCTURAL"},
	{"oven not heating", "APPLIANCE"},
	{"washing machine leaking", "APPLIANCE"},
	{"fridge freezer not cooling", "APPLIANCE"},
	{"cooker hood not working", "APPLIANCE"},
	{"mice in the kitchen", "PEST_CONTROL"},
	{"wasps nest under the eaves", "PEST_CONTROL"},
	{"pigeons in the loft", "PEST_CONTROL"},
	{"fence blown down", "OTHER"},
	{"communal hallway light out", "OTHER"},
	{"intercom not working", "OTHER"},
}

// rareFault is given to a fixed few tickets (rareTickets), so its distinctive word finds
// a few dozen rows in the large organisation: the rare search term.
var rareFault = fault{"japanese knotweed spreading in the garden", "OTHER"}

// Search terms of the vocabulary (Facts.SearchTerms): a common word and a rare one.
const (
	commonTerm = "leak"
	rareTerm   = "knotweed"
)

// rareTickets is how many of an organisation's n tickets report the rare fault: one in
// 5,000, and at least three in the large organisation so that a small data set can still
// find it. It stays rare in the statistics PostgreSQL plans with, which cover every
// organisation's tickets.
func rareTickets(n int, large bool) int {
	if large {
		return max(3, n/5000)
	}
	return n / 5000
}

var (
	rooms    = []string{"kitchen", "bathroom", "main bedroom", "living room", "hallway", "loft", "back bedroom"}
	openings = []string{
		"The %s started %s.",
		"Resident reports the %s since %s.",
		"Tenant called about the %s, first noticed %s.",
		"%s reported by the resident, it began %s.",
	}
	whens = []string{"last night", "over the weekend", "during the storm", "on Monday", "a few days ago",
		"after the cold snap", "this morning", "two weeks ago"}
	details = []string{
		"Water is leaking through the ceiling below.",
		"There may be a slow leak behind the units.",
		"Young children live at the property.",
		"The resident is elderly and vulnerable.",
		"Access is via the side gate, please call ahead.",
		"Key safe code is with the office.",
		"The flat below reports a damp stain spreading.",
		"Resident has already tried resetting it.",
		"Photos were sent by email.",
		"Neighbours have the same problem.",
		"The heating is off in the whole property.",
		"Please send someone before the weekend.",
	}
	commentBodies = []string{
		"Called the resident to arrange access.",
		"Resident confirms the leak is getting worse.",
		"Chased the contractor for an update.",
		"Parts are on order, expected next week.",
		"Resident not in at the first visit, card left.",
		"Photos received, looks like a failed seal.",
		"Landlord has approved the repair.",
		"Checked the damp readings, within range now.",
		"Attended and made safe, follow-up visit needed.",
		"Thanks for reporting this, we are on it.",
	}
	residentComments = []string{
		"Any update on this please?",
		"It is getting worse, water is leaking again.",
		"I am in all day Thursday if that helps.",
	}
	contractorComments = []string{
		"Attended, need to order a replacement part.",
		"Job booked in, will call the resident on the day.",
		"Completed the repair and tested it, all working.",
		"Leak traced to a perished washer, replaced.",
	}
	declineReasons = []string{"Fully booked this week", "Outside our area", "Not our trade"}
	cancelReasons  = []string{"Duplicate report", "Resident fixed it themselves", "Reported to the wrong landlord"}
	completion     = []string{"Replaced the faulty part and tested.", "Cleared the blockage, running freely.",
		"Repaired and made good.", "Treated the affected area and advised the resident on ventilation."}
	workOrderTexts = []string{"Please attend and repair: %s.", "Investigate and quote for: %s.", "Make safe and repair: %s."}

	firstNames = []string{"Olivia", "Amelia", "Isla", "Ava", "Mia", "Freya", "Lily", "Grace", "Sophie", "Ella",
		"Oliver", "George", "Harry", "Noah", "Jack", "Leo", "Arthur", "Oscar", "Charlie", "Alfie",
		"Priya", "Aisha", "Mohammed", "Tomasz", "Siobhan", "Callum", "Rhys", "Eilidh", "Niamh", "Kwame"}
	surnames = []string{"Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Patel",
		"Robinson", "Wright", "Thompson", "Evans", "Walker", "White", "Roberts", "Green", "Hall", "Wood",
		"Jackson", "Clarke", "Khan", "Murphy", "Campbell", "Hughes", "Edwards", "Okafor", "Nowak"}
	trades = []string{"Plumbing", "Heating", "Electrical", "Building", "Roofing", "Pest Control", "Property Services"}
	towns  = []struct{ name, outward string }{
		{"Manchester", "M14"}, {"Leeds", "LS6"}, {"Birmingham", "B29"}, {"Bristol", "BS5"}, {"Sheffield", "S10"},
		{"Newcastle upon Tyne", "NE6"}, {"Nottingham", "NG7"}, {"Cardiff", "CF24"}, {"Glasgow", "G12"}, {"Liverpool", "L15"},
	}
	streets = []string{"High Street", "Station Road", "Church Lane", "Victoria Road", "Mill Lane", "Park Avenue",
		"Queens Road", "Albert Street", "Riverside Walk", "Orchard Close"}
)

// pick returns a random element of s.
func pick[T any](r *rand.Rand, s []T) T { return s[r.IntN(len(s))] }

// personName is a random British name.
func personName(r *rand.Rand) string { return pick(r, firstNames) + " " + pick(r, surnames) }

// dramaRanges are Ofcom's landline numbers for drama (Manchester 0161 496 0xxx, Leeds 0113
// 496 0xxx, London 020 7946 0xxx): valid to the application's phone check, never anyone's.
// (The mobile range 07700 900xxx is not valid to it.)
var dramaRanges = []string{"+441614960", "+441134960", "+442079460"}

// phone is a random number in a drama range.
func phone(r *rand.Rand) string { return fmt.Sprintf("%s%03d", pick(r, dramaRanges), r.IntN(1000)) }

// postcode is a plausible postcode in the town's outward code.
func postcode(r *rand.Rand, outward string) string {
	const letters = "ABDEFGHJLNPQRSTUWXYZ"
	return fmt.Sprintf("%s %d%c%c", outward, r.IntN(10), letters[r.IntN(len(letters))], letters[r.IntN(len(letters))])
}

// title is how a ticket names its fault, sometimes with the room.
func title(r *rand.Rand, f fault) string {
	t := strings.ToUpper(f.phrase[:1]) + f.phrase[1:]
	if r.IntN(3) == 0 && !strings.Contains(f.phrase, " the ") {
		t += " in the " + pick(r, rooms)
	}
	return t
}

// description is one to three sentences about the fault.
func description(r *rand.Rand, f fault) string {
	opening := fmt.Sprintf(pick(r, openings), f.phrase, pick(r, whens))
	parts := []string{strings.ToUpper(opening[:1]) + opening[1:]}
	for range r.IntN(3) {
		parts = append(parts, pick(r, details))
	}
	return strings.Join(parts, " ")
}
