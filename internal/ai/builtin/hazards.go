package builtin

import "github.com/maintainuk/maintainuk/internal/ai/schema"

// Priorities in order of seriousness.
const (
	routine = iota
	urgent
	emergency
)

var priorityNames = [...]string{"ROUTINE", "URGENT", "EMERGENCY"}

// A cue is one rule of the guide that fired: what it says about priority, the category
// when the rule decides it ("" when the trade is read from the words around it), how
// sure it is, and why, in words for the reasoning.
type cue struct {
	category string
	priority int
	weight   float64
	reason   string
	hazard   string
	clause   int
}

// Words the hazard rules look for.
var (
	gasSmell = phrases("smell of gas", "smelled gas", "smell gas", "gas smell", "gas smells", "smells of gas",
		"smelled of gas", "gas leak", "leaking gas", "gas leaking", "gas escape", "escaping gas", "smell gas",
		"gassy smell", "gas is leaking", "smells like gas", "smell like gas", "gas odour", "odour of gas",
		"reek of gas", "reeks of gas", "stinks of gas", "stink of gas", "smells gassy", "rotten eggs", "rotten egg",
		"gas is escaping", "hissing gas", "gas hissing", "smelling gas")
	coAlarm      = phrases("co", "co alarm", "co detector")
	alarmGoesOff = phrases("going off", "goes off", "gone off", "went off", "sounding", "continuous", "alarm is going",
		"alarming", "keeps going off", "says co", "shows co")
	fumes      = phrases("fumes", "fumey", "fume", "exhaust")
	flueWords  = phrases("flue", "boiler")
	sparkWords = phrases("sparking", "sparked", "sparks", "spark", "burning smell", "smell of burning",
		"smells of burning", "smelled of burning", "smelled burning", "smell burning", "smoke", "smoking",
		"smoked", "scorch", "scorched", "scorch mark", "melted", "melting", "electric shock", "shock off",
		"got a shock", "flames", "on fire", "caught fire", "burning plastic", "smells burnt", "burnt smell",
		"smell of burnt", "exposed wires", "bare wires", "live wires", "wires hanging", "wires out", "wires exposed",
		"wires showing", "bare copper", "hanging by its wires", "wires are hanging", "see the wires", "wires sticking out",
		"see the live", "arcing", "crackling", "fizzing", "charred", "burn mark", "burn marks", "hot to the touch",
		"warm to touch", "hot to touch", "warm to the touch", "electrocuted", "shock from", "got a shock", "flash",
		"blue flash", "shock", "its live", "is live", "live cable", "live wire")
	powerOut = phrases("no * or electric", "no * or electricity", "no * or electrics", "no * or power", "no * and electric",
		"everything gone off", "everything has gone off", "everything went off", "everything is off",
		"everything off", "everything has gone dead", "everything gone dead", "everything is dead", "no lights no sockets",
		"no lights and no sockets", "no lights or power", "lights and sockets are off", "lights and sockets have gone", "blackout", "black out", "no lights or sockets", "nothing electrical", "no electricity", "no electric", "no power", "power gone", "power has gone", "power is gone",
		"power out", "power is out", "no electrics", "electrics have gone", "electric has gone", "lost electricity",
		"power went", "power off", "power is off", "electric is off", "electricity is off", "electricity off", "power cut", "lost power", "lost all power",
		"power is off", "power has gone", "power went off", "power outage", "electricity has gone", "all the power")
	partialWords = phrases("rest of the house", "rest of the flat", "the others", "other sockets", "upstairs",
		"downstairs", "kitchen", "to it", "the shower", "cooker", "oven", "one", "socket", "sockets", "lights")
	tripWords = phrases("tripping", "keeps tripping", "wont stay up", "wont reset", "trips", "flicks down",
		"clicks straight back", "goes straight back down", "wont go back up", "wont go back on", "keeps going off", "tripswitch keeps", "rcd")
	waterWords = phrases("water", "dripping", "leaking", "leak", "pouring", "pooling", "seeping", "flooding",
		"wet", "drips", "drip", "drops", "running down", "soaked", "gushing")
	electricNouns = phrases("socket", "sockets", "fusebox", "electrics", "light fitting", "extension lead",
		"light", "lights", "bulb", "shade", "lampshade", "downlight", "downlights", "spotlight", "ceiling light", "electric meter",
		"wires", "plug", "plugs", "tripswitch", "lightswitch", "switches", "spotlights", "electricity meter")
	majorWater = phrases("everywhere", "through the floor", "through the floorboards",
		"into the flat below", "room below", "kitchen below", "downstairs ceiling", "burst", "flooding", "pouring", "gushing", "spraying", "fountain", "under water",
		"inch on the floor", "really fast", "running down the walls", "pouring out", "pissing", "streaming",
		"spurting", "pumping out", "water everywhere", "all over the floor", "ankle deep", "inches of water",
		"floor is soaked", "soaked through", "shooting out", "shooting", "going through to", "through to downstairs",
		"coming through downstairs", "through to the flat below", "bubbling up", "water coming up", "gushing up", "water all over", "cant stop the water", "wont stop running")
	// waterContext is what makes "all over the floor" or "pouring out" about water.
	waterContext = phrases("water", "pipe", "pipes", "leak", "leaking", "flooding", "burst", "tap", "taps", "toilet",
		"cistern", "radiator", "tank", "watertank", "bath", "shower", "sink", "boiler", "washingmachine",
		"dishwasher", "drain", "hose", "stopcock")
	// byUse marks water that comes only while something is used: contained, not a flood.
	byUse          = phrases("when you use", "when we use", "when used", "every time", "each time", "whenever")
	throughCeiling = phrases("through to the", "goes through to", "gone through to", "from * ceiling", "from * * ceiling", "through the ceiling", "through * ceiling", "through * * ceiling", "through my ceiling",
		"through her ceiling", "through their ceiling", "through our ceiling", "from the ceiling", "ceiling is dripping",
		"ceiling dripping", "through the light", "coming through")
	roofSource = phrases("roof", "tiles", "slates", "rain", "raining", "storm", "rains", "rained", "gutter", "flashing")
	fromAbove  = phrases("flat above", "flat upstairs", "upstairs flat", "neighbour above", "neighbours above", "people above", "people upstairs")
	pipeSource = phrases("pipe", "pipes", "flat above", "upstairs", "bath", "toilet", "tank", "watertank", "cistern",
		"shower", "above", "radiator")
	sewageWords = phrases("sewage", "toilet waste", "raw sewage", "poo", "faeces", "excrement", "human waste", "sewer")
	sewageIn    = phrases("plughole", "bath", "shower", "bathroom floor", "landing", "carpet", "into the house",
		"into the flat", "inside", "floor", "into our", "overflowed")
	outsideWords = phrases("bin", "wheelie bin", "out the front", "out front", "out the back", "doorstep", "front step",
		"windowsill", "window sill", "outside wall", "outside", "garden", "patio", "drive", "driveway", "path", "yard", "manhole", "street",
		"pavement", "front garden", "back garden", "shed", "bin store", "bins", "balcony", "eaves", "compost",
		"garden wall", "outdoors", "car park", "exterior", "bush", "bushes", "hedge", "gate", "front gate", "on the roof",
		"solar panels", "chimney", "gutter", "porch", "fence", "lawn")
	noWater = phrases("not a drop", "taps are dry", "taps have gone dry", "taps have run dry", "no water at all", "no water coming", "no water from", "no water in the", "no running water",
		"no water supply", "water supply is off", "water has been cut off", "water cut off", "no mains water",
		"nothing coming out of", "nothing comes out of", "no cold water", "water is off", "water has gone off",
		"taps have stopped", "no water to", "have no water", "got no water", "no water since", "no water today",
		"no water this", "without water", "no water whatsoever")
	collapseWords = phrases("dips", "dipping", "dipped", "sinking", "hanging loose", "lump of plaster", "chunk of plaster", "chunks of plaster", "lumps of plaster", "collapsed", "collapse", "collapsing", "caved", "fallen down", "fell down", "fallen in",
		"fell in", "came down", "come down", "coming down", "falling down", "bowing", "bulging", "sagging",
		"leaning", "fallen into", "falling in", "dropping", "see through to", "see through into", "see up into", "hole in the floor",
		"hole in the ceiling", "hole in the roof", "bows", "bowed", "cracked through", "go through it", "give way",
		"going to give", "going to go through", "come in", "came in", "has come in", "given way", "gave way",
		"fallen through", "fell through", "going to fall", "about to fall", "could fall", "might fall", "going to come down", "falling off", "fallen off", "crumbling", "unsafe", "giving way")
	// separating is the fabric itself giving way in words other than a collapse; the
	// guide's "other unsafe structure". A fitting coming off a wall is not that.
	separating = phrases("pulling away", "pulled away", "coming away", "come away", "moving away", "gap opening",
		"separating", "has dropped", "have dropped", "dropped down", "dropped about", "sunk", "split in half",
		"snapped", "went through", "gone through", "broke through")
	minorFittings = phrases("skirting", "tile", "tiles", "handrail", "banister", "bracket", "cupboard", "wallpaper",
		"light fitting", "gutter", "sealant", "silicone", "grout", "socket", "lightswitch", "shelf", "curtain", "blind",
		"pole", "trim", "handle", "worktop", "panel", "unit", "key", "lock", "hinge", "letterbox", "fence", "downpipe",
		"bath", "sink", "basin", "toilet", "shower", "shower tray", "cistern", "splashback", "boiler", "mirror",
		"alarm", "smokealarm", "heatalarm", "co", "detector", "mirror", "picture", "rail", "towel rail", "hook", "clock",
		"thermostat", "radiator", "aerial", "satellite", "sign", "number")
	// pullingAway is the one kind of separating a window or door can do that is the
	// building's fault: a bay window pulling away from the house.
	pullingAway = phrases("pulling away", "pulled away", "coming away", "moving away", "separating")
	// stairTreads name a tread itself ("the stairs" is only where something is); an
	// outside front step is routine upkeep.
	stairTreads    = phrases("stair tread", "tread", "treads", "stair")
	treadFail      = phrases("loose", "cracked", "broken", "wobbly", "wobbles", "rotten", "moves", "gives", "split")
	structureNouns = phrases("tread", "treads", "step", "steps", "bay", "artex", "plasterboard", "beam", "beams",
		"stair", "stair tread", "ceiling", "roof", "wall", "chimney", "bricks", "stairs", "floor", "balcony",
		"staircase", "plaster", "joists", "lintel")
	treeWords   = phrases("tree")
	treeFalling = phrases("leaning", "about to fall", "could fall", "going to fall", "fall any", "uprooted", "out of the ground", "coming down", "falling")
	liftWords   = phrases("lift", "lifts", "elevator")
	liftTrapped = phrases("stuck in the lift", "trapped in the lift", "stuck in lift", "trapped in lift", "lift shaft", "stuck in a lift", "trapped in a lift", "stuck between", "trapped between",
		"stopped between", "empty shaft", "open shaft", "lift shaft", "into the shaft", "down the shaft")
	hospitalWords = phrases("hospital", "admitted", "doctor", "consultant", "letter from", "paediatrician", "ambulance", "inpatient")
	healthWords   = phrases("cough", "coughing", "asthma", "breathing", "chest", "wheezing", "ill", "sick", "inhaler")
)

// Home security: an outside door or a ground-floor window that cannot be secured.
var (
	insecureWords = phrases("wont stay shut", "wont stay closed", "wont catch", "just spins", "spins round",
		"lock has broken", "lock has gone", "lock has snapped", "wont lock", "doesnt lock", "cant lock", "will not lock", "not lock", "unable to lock",
		"cant secure", "cant be secured", "cant be locked", "broken in", "break in", "burgled", "burglary",
		"forced", "kicked in", "smashed", "wont close", "wont shut", "doesnt close", "cant close", "let alone lock",
		"turns round and round", "key just turns", "lock is broken", "lock broken", "broken lock", "boarded up",
		"wont latch", "doesnt shut", "cant shut", "snapped off in")
	upperFloor  = phrases("first floor", "second floor", "1st floor", "2nd floor", "3rd floor", "upstairs", "top floor")
	lockFaulty  = phrases("broken", "stiff", "does lock", "lock eventually", "locks eventually", "lock in the end", "have to lift", "have to force", "struggle to lock", "jams", "jammed", "jiggle", "sticking", "sticks", "hard to lock", "hard to turn", "faulty")
	windowWords = phrases("window", "pane", "glazing", "glass panel", "glazed panel", "door glass")
	windowBad   = phrases("cracked", "crack", "broken", "smashed", "wont close", "wont shut", "doesnt close", "hinge",
		"gap", "rain getting in", "wont latch", "shattered", "cant close", "blown")
)

// hazardOrder keeps the hazards in the schema's order.
var hazardOrder = schema.Hazards
