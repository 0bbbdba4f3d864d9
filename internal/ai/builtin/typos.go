package builtin

// misspellings maps variants residents write to the word the cues use. Short words are
// listed here because one wrong letter in them makes another word ("gas", "has").
var misspellings = map[string]string{
	"cieling": "ceiling", "celing": "ceiling", "ceilling": "ceiling", "seiling": "ceiling",
	"presure": "pressure", "preassure": "pressure", "boilor": "boiler", "boila": "boiler",
	"radiater": "radiator", "raditor": "radiator", "rads": "radiators", "rad": "radiator",
	"elecricity": "electricity", "elec": "electricity", "lecky": "electricity", "leccy": "electricity", "lekky": "electricity", "leccie": "electricity",
	"socked": "socket", "sockit": "socket", "leek": "leak", "leeking": "leaking", "leakin": "leaking",
	"brust": "burst", "bust": "broken", "busted": "broken", "sparkin": "sparking", "sparkes": "sparks",
	"mold": "mould", "moldy": "mouldy", "damb": "damp", "cockroach": "cockroaches",
	"roaches": "cockroaches", "cockroachs": "cockroaches", "mouses": "mice", "rat": "rats", "ratts": "rats",
	"wasp": "wasps", "waspes": "wasps", "flea": "fleas", "ant": "ants", "bedbug": "bedbugs",
	"squirrel": "squirrels", "pigeon": "pigeons", "bug": "bugs", "hornet": "wasps", "hornets": "wasps",
	"doesent": "doesnt", "dosnt": "doesnt", "dosent": "doesnt",
	"aint": "isnt", "carnt": "cant", "cannot": "cant",
	"loo": "toilet", "wc": "toilet", "toliet": "toilet", "toilit": "toilet", "tiolet": "toilet",
	"sistern": "cistern", "stopcok": "stopcock", "stoptap": "stopcock",
	"fuseboard": "fusebox", "tripped": "tripping", "trips": "tripping",
	"trippin": "tripping", "tripps": "tripping", "lites": "lights", "lite": "light",
	"fridgefreezer": "fridge", "freezor": "freezer", "frige": "fridge", "fidge": "fridge", "owen": "oven",
	"microwve": "microwave", "definately": "definitely", "defo": "definitely",
	"untill": "until", "wich": "which",
	"emergancy": "emergency", "emergeny": "emergency", "urgant": "urgent",
	"gass": "gas", "smel": "smell", "smelt": "smelled", "smelling": "smelled", "whiff": "smell",
	"co2": "co", "monoxide": "co", "flooded": "flooding", "floods": "flooding", "flood": "flooding",
	"bathrom": "bathroom", "kitchin": "kitchen", "bedrom": "bedroom",
	"wiring": "wires", "wire": "wires", "cables": "wires", "cable": "wires",
	"electical": "electrical", "eletric": "electric", "electic": "electric",
	"outlet": "socket", "outlets": "sockets", "plugsocket": "socket", "mam": "mum",
	"nanna": "nan", "nana": "nan", "gran": "nan", "granny": "nan", "grandma": "nan", "grandmother": "nan",
	"grandad": "grandad", "grandpa": "grandad", "grandfather": "grandad", "pensioners": "pensioner",
	"neighbours": "neighbour", "neighbors": "neighbour", "neighbor": "neighbour",
	"chemo": "chemotherapy", "wheelchairs": "wheelchair", "newborns": "newborn", "babies": "baby",
	"hospitalised": "hospital", "hospitalized": "hospital", "a&e": "hospital", "gp": "doctor", "doctors": "doctor",
	"thermastat": "thermostat", "thermostate": "thermostat",
	"intercomm": "intercom", "buzzer": "intercom", "entryphone": "intercom",
	"gutters": "gutter", "guttering": "gutter", "downpipes": "downpipe", "drainpipe": "downpipe",
	"windows": "window", "doors": "door",
	// Colloquial words for the same things: a trip, a bulge, an eggy smell.
	"bulge": "bulging", "bulges": "bulging", "bulged": "bulging", "sags": "sagging", "sagged": "sagging",
	"buckled": "bulging", "buckling": "bulging", "sulfur": "sulphur", "eggs": "egg",
	"tingle": "shock", "tingled": "shock", "tingles": "shock", "tingling": "shock", "zapped": "shock",
}

// fixWord returns the word the cues know: a listed variant, a known word with a stray
// "s", or a vocabulary word of six
// or more letters, with the same first letter, one edit away (a letter wrong, missing, extra or two swapped).
func fixWord(w string) string {
	if f, ok := misspellings[w]; ok {
		return f
	}
	if knownWords[w] || realWords[w] {
		return w
	}
	// An apostrophe left out ("toilets blocked", "boilers died") or a plural the cues
	// do not list: the known word it is.
	if n := len(w); n >= 5 && w[n-1] == 's' && knownWords[w[:n-1]] {
		return w[:n-1]
	}
	if len(w) < 6 {
		return w
	}
	for _, k := range longWords {
		// Typos seldom hit the first letter; requiring it keeps "nights" from "lights".
		if k[0] == w[0] && oneEdit(w, k) {
			return k
		}
	}
	return w
}

// realWords are correctly spelt words one edit from a cue word, left alone.
var realWords = map[string]bool{
	"cooked": true, "boiled": true, "heated": true, "heading": true, "spares": true, "gotten": true,
	"looked": true, "booked": true, "locker": true, "beating": true, "seating": true,
	"lifted": true, "tipped": true, "shaking": true, "leading": true, "reading": true, "mounted": true,
	"stains": true, "showed": true, "renter": true, "hearing": true, "heaving": true, "healing": true,
	"cleared": true, "tipping": true, "sinking": true, "flushed": true, "parker": true, "garage": true,
	"switched": true,
}

// knownWords holds every word a cue or the vocabulary uses, left as they are;
// longWords the vocabulary's words of six or more letters, sorted, the candidates for a
// one-edit correction.
var (
	knownWords = map[string]bool{}
	longWords  []string
)

// oneEdit reports whether a and b differ by one substitution, insertion, deletion or
// swap of neighbouring letters.
func oneEdit(a, b string) bool {
	la, lb := len(a), len(b)
	if la-lb > 1 || lb-la > 1 || a == b {
		return false
	}
	i := 0
	for i < la && i < lb && a[i] == b[i] {
		i++
	}
	switch {
	case la == lb:
		if a[i+1:] == b[i+1:] {
			return true
		}
		return i+1 < la && a[i] == b[i+1] && a[i+1] == b[i] && a[i+2:] == b[i+2:]
	case la > lb:
		return a[i+1:] == b[i:]
	default:
		return a[i:] == b[i+1:]
	}
}
