package textrules

import (
	"strings"
	"unicode/utf16"
)

// Encoding is how an SMS carries its characters.
type Encoding string

const (
	// GSM7 is the GSM 03.38 default alphabet, 7 bits a character.
	GSM7 Encoding = "GSM-7"
	// UCS2 is UTF-16, 16 bits a code unit; any character outside GSM-7 forces it on the
	// whole text.
	UCS2 Encoding = "UCS-2"
)

// Segments is how an SMS body travels.
type Segments struct {
	Encoding Encoding
	// Units is the body's length in the encoding's units: septets for GSM-7 (an
	// extension character takes two, its escape and itself), UTF-16 code units for UCS-2
	// (a character outside the Basic Multilingual Plane, such as most emoji, takes two).
	Units int
	// Count is the number of segments carriers bill: 0 for an empty body.
	Count int
}

// Segment capacities in units. A concatenated segment gives up room to the user data
// header that tells the phone how to reassemble the message (6 octets: 7 septets or 3
// UTF-16 code units).
const (
	gsm7Single = 160
	gsm7Multi  = 153
	ucs2Single = 70
	ucs2Multi  = 67
)

// gsm7Basic is the GSM 03.38 default alphabet (3GPP TS 23.038 §6.2.1) without the escape
// code 0x1B, which is not a character a text can contain.
const gsm7Basic = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
	"¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"

// gsm7Extension is the default alphabet's extension table: each costs an escape septet
// as well as its own.
const gsm7Extension = "\f^{}\\[~]|€"

// gsm7Width is a rune's width in septets: 1 in the default alphabet, 2 in the extension
// table, 0 when GSM-7 cannot carry it.
func gsm7Width(r rune) int {
	switch {
	case strings.ContainsRune(gsm7Basic, r):
		return 1
	case strings.ContainsRune(gsm7Extension, r):
		return 2
	}
	return 0
}

// isGSM7 reports whether GSM-7 can carry all of s.
func isGSM7(s string) bool {
	for _, r := range s {
		if gsm7Width(r) == 0 {
			return false
		}
	}
	return true
}

// Count says how body travels as SMS. A concatenated message's segments are counted the
// way a splitter fills them: a character is never divided between two segments, so an
// extension character or a surrogate pair that would straddle a boundary starts the next
// segment and leaves a unit unused.
func Count(body string) Segments {
	if body == "" {
		return Segments{Encoding: GSM7}
	}
	enc, single, multi, width := GSM7, gsm7Single, gsm7Multi, gsm7Width
	if !isGSM7(body) {
		enc, single, multi, width = UCS2, ucs2Single, ucs2Multi, utf16Width
	}
	units := 0
	for _, r := range body {
		units += width(r)
	}
	if units <= single {
		return Segments{Encoding: enc, Units: units, Count: 1}
	}
	count, used := 1, 0
	for _, r := range body {
		w := width(r)
		if used+w > multi {
			count, used = count+1, 0
		}
		used += w
	}
	return Segments{Encoding: enc, Units: units, Count: count}
}

// utf16Width is a rune's width in UTF-16 code units. Ranging over a string yields only
// valid runes (an invalid byte decodes as U+FFFD, which is what would be sent), so
// RuneLen is always 1 or 2 here.
func utf16Width(r rune) int {
	return utf16.RuneLen(r)
}
