package builtin

import "strings"

// postcodeRegions maps each of the UK's 121 postcode areas to the price region most of
// it lies in. A few areas straddle a border; the larger part decides:
//   - SY (Shrewsbury): SY1–SY15 are Shropshire, SY16–SY25 mid Wales → WEST_MIDLANDS.
//   - CH (Chester): CH5–CH8 are Flintshire → NORTH_WEST.
//   - LD (Llandrindod Wells) and NP are Welsh; HR (Hereford) and TD (Galashiels, with
//     TD12 and TD15 partly in Northumberland) follow their larger part.
//   - Outer-London areas shared with the Home Counties (BR, CR, DA, EN, HA, IG, KT, RM,
//     SM, TW, UB) follow Royal Mail's London postal county where most of the area is
//     inside Greater London; DA (mostly Kent) and HP, WD (Hertfordshire and
//     Buckinghamshire) do not.
//
// The Crown Dependencies (GY, JE, IM) are not in the UK and have no region.
var postcodeRegions = map[string]string{
	"E": "LONDON", "EC": "LONDON", "N": "LONDON", "NW": "LONDON", "SE": "LONDON", "SW": "LONDON", "W": "LONDON", "WC": "LONDON",
	"BR": "LONDON", "CR": "LONDON", "EN": "LONDON", "HA": "LONDON", "IG": "LONDON", "KT": "LONDON", "RM": "LONDON", "SM": "LONDON", "TW": "LONDON", "UB": "LONDON",

	"BN": "SOUTH_EAST", "CT": "SOUTH_EAST", "DA": "SOUTH_EAST", "GU": "SOUTH_EAST", "HP": "SOUTH_EAST", "ME": "SOUTH_EAST", "MK": "SOUTH_EAST",
	"OX": "SOUTH_EAST", "PO": "SOUTH_EAST", "RG": "SOUTH_EAST", "RH": "SOUTH_EAST", "SL": "SOUTH_EAST", "SO": "SOUTH_EAST", "TN": "SOUTH_EAST",

	"BA": "SOUTH_WEST", "BH": "SOUTH_WEST", "BS": "SOUTH_WEST", "DT": "SOUTH_WEST", "EX": "SOUTH_WEST", "GL": "SOUTH_WEST", "PL": "SOUTH_WEST",
	"SN": "SOUTH_WEST", "SP": "SOUTH_WEST", "TA": "SOUTH_WEST", "TQ": "SOUTH_WEST", "TR": "SOUTH_WEST",

	"AL": "EAST_OF_ENGLAND", "CB": "EAST_OF_ENGLAND", "CM": "EAST_OF_ENGLAND", "CO": "EAST_OF_ENGLAND", "IP": "EAST_OF_ENGLAND", "LU": "EAST_OF_ENGLAND",
	"NR": "EAST_OF_ENGLAND", "PE": "EAST_OF_ENGLAND", "SG": "EAST_OF_ENGLAND", "SS": "EAST_OF_ENGLAND", "WD": "EAST_OF_ENGLAND",

	"DE": "EAST_MIDLANDS", "LE": "EAST_MIDLANDS", "LN": "EAST_MIDLANDS", "NG": "EAST_MIDLANDS", "NN": "EAST_MIDLANDS",

	"B": "WEST_MIDLANDS", "CV": "WEST_MIDLANDS", "DY": "WEST_MIDLANDS", "HR": "WEST_MIDLANDS", "ST": "WEST_MIDLANDS", "SY": "WEST_MIDLANDS",
	"TF": "WEST_MIDLANDS", "WR": "WEST_MIDLANDS", "WS": "WEST_MIDLANDS", "WV": "WEST_MIDLANDS",

	"BB": "NORTH_WEST", "BL": "NORTH_WEST", "CA": "NORTH_WEST", "CH": "NORTH_WEST", "CW": "NORTH_WEST", "FY": "NORTH_WEST", "L": "NORTH_WEST",
	"LA": "NORTH_WEST", "M": "NORTH_WEST", "OL": "NORTH_WEST", "PR": "NORTH_WEST", "SK": "NORTH_WEST", "WA": "NORTH_WEST", "WN": "NORTH_WEST",

	"DH": "NORTH_EAST", "DL": "NORTH_EAST", "NE": "NORTH_EAST", "SR": "NORTH_EAST", "TS": "NORTH_EAST",

	"BD": "YORKSHIRE", "DN": "YORKSHIRE", "HD": "YORKSHIRE", "HG": "YORKSHIRE", "HU": "YORKSHIRE", "HX": "YORKSHIRE", "LS": "YORKSHIRE",
	"S": "YORKSHIRE", "WF": "YORKSHIRE", "YO": "YORKSHIRE",

	"CF": "WALES", "LD": "WALES", "LL": "WALES", "NP": "WALES", "SA": "WALES",

	"AB": "SCOTLAND", "DD": "SCOTLAND", "DG": "SCOTLAND", "EH": "SCOTLAND", "FK": "SCOTLAND", "G": "SCOTLAND", "HS": "SCOTLAND", "IV": "SCOTLAND",
	"KA": "SCOTLAND", "KW": "SCOTLAND", "KY": "SCOTLAND", "ML": "SCOTLAND", "PA": "SCOTLAND", "PH": "SCOTLAND", "TD": "SCOTLAND", "ZE": "SCOTLAND",

	"BT": "NORTHERN_IRELAND",
}

// RegionForPostcode gives the price region of a UK postcode (full, outward code or area:
// "SW1A 1AA", "M1", "EH"), "" when the area is not a UK one.
func RegionForPostcode(postcode string) string {
	p := strings.ToUpper(strings.TrimSpace(postcode))
	n := 0
	for n < len(p) && n < 2 && p[n] >= 'A' && p[n] <= 'Z' {
		n++
	}
	// An area is followed by the district's digit; "SWX" or a bare word is no postcode.
	if n == 0 || n < len(p) && (p[n] < '0' || p[n] > '9') {
		return ""
	}
	return postcodeRegions[p[:n]]
}
