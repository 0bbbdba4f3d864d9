package textrules

import (
	"strings"
	"testing"
)

func TestCount(t *testing.T) {
	a := func(n int) string { return strings.Repeat("a", n) }
	w := func(n int) string { return strings.Repeat("ŵ", n) }
	tests := []struct {
		name string
		body string
		want Segments
	}{
		{"empty", "", Segments{GSM7, 0, 0}},
		{"one character", "a", Segments{GSM7, 1, 1}},
		{"160 GSM-7 is one segment", a(160), Segments{GSM7, 160, 1}},
		{"161 GSM-7 is two", a(161), Segments{GSM7, 161, 2}},
		{"153*2 GSM-7 is two", a(306), Segments{GSM7, 306, 2}},
		{"153*2+1 GSM-7 is three", a(307), Segments{GSM7, 307, 3}},
		{"pound sign is GSM-7", "£", Segments{GSM7, 1, 1}},
		{"euro sign is an extension", "€", Segments{GSM7, 2, 1}},
		{"every extension character", "\f^{}\\[~]|€", Segments{GSM7, 20, 1}},
		{"line breaks are GSM-7", "Hello\r\nWorld", Segments{GSM7, 12, 1}},
		{"Greek capitals are GSM-7", "ΔΦΓΛΩΠΨΣΘΞ", Segments{GSM7, 10, 1}},
		{"extension fills one segment exactly", a(158) + "€", Segments{GSM7, 160, 1}},
		{"extension tips one segment into two", a(159) + "€", Segments{GSM7, 161, 2}},
		{"extension ending the first segment", a(151) + "€" + a(153), Segments{GSM7, 306, 2}},
		// 306 units would fit two segments, but the euro cannot straddle 153|154.
		{"extension straddling a boundary moves on", a(152) + "€" + a(152), Segments{GSM7, 306, 3}},
		{"extension straddling, the rest fits", a(152) + "€" + a(151), Segments{GSM7, 305, 2}},
		{"70 UCS-2 is one segment", w(70), Segments{UCS2, 70, 1}},
		{"71 UCS-2 is two", w(71), Segments{UCS2, 71, 2}},
		{"67*3 UCS-2 is three", w(201), Segments{UCS2, 201, 3}},
		{"67*3+1 UCS-2 is four", w(202), Segments{UCS2, 202, 4}},
		{"one non-GSM character makes the whole text UCS-2", a(69) + "ŵ", Segments{UCS2, 70, 1}},
		{"UCS-2 counts an extension character once", a(68) + "ŵ€", Segments{UCS2, 70, 1}},
		{"emoji is two units", "😀", Segments{UCS2, 2, 1}},
		{"emoji at the single-segment limit", a(68) + "😀", Segments{UCS2, 70, 1}},
		{"emoji past the single-segment limit", a(69) + "😀", Segments{UCS2, 71, 2}},
		// 134 units would fit two segments, but the surrogate pair cannot straddle 67|68.
		{"surrogate pair straddling a boundary moves on", a(66) + "😀" + a(66), Segments{UCS2, 134, 3}},
		{"surrogate pair ending the first segment", a(65) + "😀" + a(67), Segments{UCS2, 134, 2}},
		{"curly quotes are UCS-2", "‘Hi’ “there”", Segments{UCS2, 12, 1}},
		{"Welsh circumflex is UCS-2", "Bore da, ŵyr", Segments{UCS2, 12, 1}},
		{"en dash is UCS-2", "9–5", Segments{UCS2, 3, 1}},
		{"escape code is not a character", "\x1b", Segments{UCS2, 1, 1}},
		{"invalid UTF-8 is sent as a replacement character", "\xff", Segments{UCS2, 1, 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Count(tt.body); got != tt.want {
				t.Errorf("Count(%q) = %+v, want %+v", tt.body, got, tt.want)
			}
		})
	}
}
