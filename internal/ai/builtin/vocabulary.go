package builtin

// term is a word or phrase that points to the trade that fixes a report.
type term struct {
	category string
	weight   float64
	phrases  []phrase
}

// Category names, as schema.Categories spells them.
const (
	catPlumbing   = "PLUMBING"
	catElectrical = "ELECTRICAL"
	catHVAC       = "HVAC"
	catAppliance  = "APPLIANCE"
	catStructural = "STRUCTURAL"
	catPest       = "PEST_CONTROL"
	catOther      = "OTHER"
)

// vocabulary follows the labelling guide's category list. Weights: 3 names the thing
// itself (a boiler is HVAC whatever is wrong with it), 2 a strong hint, 1 a weak one
// ("water" is usually plumbing but not always).
var vocabulary = []term{
	{catPlumbing, 3, phrases("tap", "taps", "sink", "basin", "toilet", "cistern", "bath", "plughole", "stopcock",
		"downpipe", "sewage", "sewer", "manhole", "drain", "drains", "drainage", "waste pipe", "shower tray",
		"shower hose", "shower head", "water pressure", "pressure upstairs", "water supply", "water meter", "u bend",
		"toilet seat", "sealant", "silicone", "overflow pipe", "mixer", "flush", "flushing", "watertank", "septic", "pipe", "pipes")},
	{catPlumbing, 2, phrases("burst", "leak", "leaking", "leaks", "blocked", "plumber", "frozen", "trickling", "dripping", "drips")},
	{catPlumbing, 1, phrases("water", "shower", "wet", "flooding")},

	{catElectrical, 3, phrases("socket", "sockets", "lightswitch", "fusebox", "tripswitch", "rcd", "breaker", "mcb",
		"wires", "electricity", "electrics", "smokealarm", "heatalarm", "intercom", "electric shower", "shaver socket",
		"pullcord", "dimmer", "spotlights", "spotlight", "security light", "outside light", "light fitting",
		"cookerswitch", "electrician", "doorbell", "electric meter", "electricity meter", "fuse", "lights", "light", "bulb", "lamp", "strip lights", "power")},
	{catElectrical, 2, phrases("switch", "switches", "circuit", "sparking", "sparked", "sparks", "tripping", "electrical", "plug")},

	{catHVAC, 3, phrases("boiler", "combi", "heating", "central heating", "radiator", "radiators", "thermostat",
		"storage heater", "storage heaters", "immersion", "cylinder", "flue", "co", "co alarm", "extractor", "extractor fan",
		"ventilation", "vent", "towel rail", "gas meter", "gas fire", "filling loop", "pilot light", "gas", "hotwater", "heaters", "heater")},
	{catHVAC, 1, phrases("cold", "freezing", "warm")},

	{catAppliance, 3, phrases("oven", "hob", "cooker", "cookerhood", "fridge", "freezer", "washingmachine", "dishwasher",
		"tumbledryer", "dryer", "microwave", "appliance", "grill", "hob ring", "rings", "ring")},

	{catStructural, 3, phrases("roof", "ceiling", "floor", "floorboard", "floorboards", "stairs", "staircase", "handrail",
		"banister", "window", "door", "lock", "locks", "gutter", "chimney", "damp", "mould", "mouldy", "condensation",
		"rot", "rotten", "rotting", "crack", "cracks", "cracked", "subsidence", "plaster", "skirting", "frame", "hinge",
		"letterbox", "lofthatch", "slates", "sill", "glazing", "brickwork", "render", "locksmith", "tiles", "tile",
		"wall", "walls", "cupboard door", "cupboard", "cupboards", "kitchen unit", "worktop", "skylight", "spindles", "joists", "porch", "steps", "draught", "latch", "glass", "lino", "step", "carpet", "stair carpet", "wallpaper", "paintwork", "paint")},

	{catPest, 4, phrases("rats", "mice", "mouse", "cockroaches", "bedbugs", "fleas", "ants", "wasps", "bees", "nest",
		"pigeons", "squirrels", "droppings", "infestation", "vermin", "rodents", "rodent", "pest", "pests",
		"moths", "silverfish", "maggots", "flies", "bites", "pest control", "slugs", "snails", "woodlice", "beetles",
		"earwigs", "insects", "foxes", "fox", "bats", "birds", "starlings", "bugs")},

	{catOther, 4, phrases("shed", "outbuilding", "summerhouse", "garage")},
	{catOther, 3, phrases("garden", "fence", "fence panel", "gate", "bins", "bin", "bin store", "cleaning", "cleaned",
		"lift", "keys", "key", "fob", "aerial", "tv", "parking", "noise", "music", "tree", "branch", "hedge",
		"grass", "rubbish", "fly tipping", "stairlift", "fire exit", "caretaker", "satellite", "hallway and stairs",
		"communal", "parked", "bay", "dog", "barks", "nextdoor", "bonfire", "bbq", "barbecue",
		"hoovered", "hoovering", "vacuumed", "swept", "sweeping", "litter")},
}

// catPriority is each category's place in a tie: the trades whose faults do the most
// harm when left come first.
var catPriority = map[string]int{
	catHVAC: 7, catElectrical: 6, catPlumbing: 5, catStructural: 4, catAppliance: 3, catPest: 2, catOther: 1,
}
