package validate

import (
	"bytes"
	"encoding/json"
	"slices"
	"strconv"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/maintainuk/maintainuk/internal/apperr"
)

// maxTextProblems bounds the field errors one request can produce.
const maxTextProblems = 20

// JSONText walks every string (and property name) of a JSON document and names, by JSON
// path ("title", "address.postcode", "lines[0].description"), each one Controls refuses.
// Newline and tab are allowed here, since the walk cannot tell a comment from a title:
// the domain's Text refuses them in single-line fields. A document that is not JSON
// yields no problems; decoding it is the caller's job.
func JSONText(data []byte) apperr.Fields {
	if stringsCertainlyClean(data) {
		return nil // the usual body: no need to decode it to name the fields at fault
	}
	return walkJSONText(data)
}

// walkJSONText decodes data and walks it, naming each field at fault in a stable order.
func walkJSONText(data []byte) apperr.Fields {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		return nil
	}
	var f apperr.Fields
	walkJSON(doc, "", &f)
	return f
}

func walkJSON(v any, path string, f *apperr.Fields) {
	if len(*f) >= maxTextProblems {
		return
	}
	switch v := v.(type) {
	case string:
		if err := Controls(v, true); err != nil {
			f.Add(fieldOrBody(path), err.Error())
		}
	case []any:
		for i, e := range v {
			walkJSON(e, path+"["+strconv.Itoa(i)+"]", f)
		}
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			if err := Controls(k, false); err != nil {
				f.Add(fieldOrBody(path), "property names "+err.Error())
				continue
			}
			child := k
			if path != "" {
				child = path + "." + k
			}
			walkJSON(v[k], child, f)
		}
	}
}

func fieldOrBody(path string) string {
	if path == "" {
		return "body"
	}
	return path
}

// stringsCertainlyClean reads data once, without allocating, and reports whether every
// string literal in it would pass the walk's checks: Controls(s, true) for values and
// Controls(s, false) for property names (a string followed by a colon). It errs one way
// only: false for anything it is not sure of (malformed JSON, an unpaired surrogate
// escape), and JSONText then takes the full walk, which decides. A document that is
// not JSON yields no problems either way.
func stringsCertainlyClean(data []byte) bool {
	for i := 0; i < len(data); i++ {
		if data[i] != '"' {
			continue
		}
		end, lineBreak, ok := scanCleanString(data, i+1)
		if !ok {
			return false
		}
		if lineBreak && isPropertyName(data, end+1) {
			return false
		}
		i = end
	}
	return true
}

// scanCleanString reads the string literal whose body starts at data[start] and returns
// the index of its closing quote. ok is false unless the decoded text is valid UTF-8
// free of control characters other than newline, carriage return and tab; lineBreak
// reports any of those three.
func scanCleanString(data []byte, start int) (end int, lineBreak, ok bool) {
	for i := start; i < len(data); {
		c := data[i]
		switch {
		case c == '"':
			return i, lineBreak, true
		case c < 0x20 || c == 0x7f: // raw controls are not JSON; DEL is a control
			return 0, false, false
		case c < utf8.RuneSelf && c != '\\':
			i++
		case c == '\\':
			if i+1 >= len(data) {
				return 0, false, false
			}
			switch data[i+1] {
			case '"', '\\', '/':
				i += 2
			case 'n', 'r', 't':
				lineBreak = true
				i += 2
			case 'u':
				r, size := unicodeEscape(data[i:])
				if size == 0 || unicode.IsControl(r) && r != '\n' && r != '\r' && r != '\t' {
					return 0, false, false
				}
				lineBreak = lineBreak || r == '\n' || r == '\r' || r == '\t'
				i += size
			default: // \b and \f are controls; anything else is not JSON
				return 0, false, false
			}
		default:
			r, size := utf8.DecodeRune(data[i:])
			if r == utf8.RuneError && size == 1 || unicode.IsControl(r) {
				return 0, false, false
			}
			i += size
		}
	}
	return 0, false, false
}

// unicodeEscape decodes the \uXXXX escape (or surrogate pair of escapes) at the start of
// b, returning the rune and the bytes it took; size 0 means malformed or unpaired.
func unicodeEscape(b []byte) (rune, int) {
	r, ok := hex4(b)
	if !ok {
		return 0, 0
	}
	if !utf16.IsSurrogate(r) {
		return r, 6
	}
	low, ok := hex4(b[6:])
	if !ok {
		return 0, 0
	}
	if pair := utf16.DecodeRune(r, low); pair != utf8.RuneError {
		return pair, 12
	}
	return 0, 0
}

// hex4 decodes a \uXXXX escape at the start of b.
func hex4(b []byte) (rune, bool) {
	if len(b) < 6 || b[0] != '\\' || b[1] != 'u' {
		return 0, false
	}
	var r rune
	for _, c := range b[2:6] {
		switch {
		case '0' <= c && c <= '9':
			r = r<<4 | rune(c-'0')
		case 'a' <= c && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		case 'A' <= c && c <= 'F':
			r = r<<4 | rune(c-'A'+10)
		default:
			return 0, false
		}
	}
	return r, true
}

// isPropertyName reports whether the first byte after JSON whitespace from data[i] is a
// colon, as after a property name.
func isPropertyName(data []byte, i int) bool {
	for ; i < len(data); i++ {
		switch data[i] {
		case ' ', '\t', '\n', '\r':
			continue
		case ':':
			return true
		}
		return false
	}
	return false
}
