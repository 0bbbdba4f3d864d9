package textrules

import (
	"strings"
	"testing"
)

func TestTrim(t *testing.T) {
	words := func(word string, n int) string { return strings.TrimSpace(strings.Repeat(word+" ", n)) }
	link := " Full message: https://app.example/t/MT-000042"
	tests := []struct {
		name        string
		body        string
		maxSegments int
		suffix      string
		want        string
		wantTrimmed bool
	}{
		{"short body unchanged", "Plumber booked for Tuesday", 1, link, "Plumber booked for Tuesday", false},
		{"empty body unchanged", "", 1, link, "", false},
		{"exactly one segment unchanged", strings.Repeat("a", 160), 1, link, strings.Repeat("a", 160), false},
		{"two segments allowed unchanged", strings.Repeat("a", 306), 2, link, strings.Repeat("a", 306), false},
		// 31 words of 4 and their spaces are 154 characters; 32 would pass 157.
		{"cut at a word boundary", words("word", 40), 1, "", words("word", 31) + "...", true},
		// 14 words are 69 units, leaving 1 for "…".
		{"UCS-2 body ends with one-unit ellipsis", words("ŵord", 40), 1, "", words("ŵord", 14) + "…", true},
		{"non-GSM text beyond the cut keeps GSM-7", words("word", 40) + " 😀", 1, "", words("word", 31) + "...", true},
		{"UCS-2 suffix makes the ellipsis UCS-2", words("word", 40), 1, " – more", words("word", 12) + "… – more", true},
		// 160 - 3 - 46 leaves 111: 22 words are 109 characters.
		{"suffix after the ellipsis", words("word", 40), 1, link, words("word", 22) + "..." + link, true},
		// 306 - 3 - 46 leaves 257, and no boundary straddles: 51 words are 254.
		{"two segments", words("word", 100), 2, link, words("word", 51) + "..." + link, true},
		{"three segments", words("word", 100), 3, "", words("word", 91) + "...", true},
		{"one long word is cut inside", strings.Repeat("a", 400), 1, "", strings.Repeat("a", 157) + "...", true},
		{"a far word boundary is not worth it", "Hi " + strings.Repeat("a", 400), 1, "", "Hi " + strings.Repeat("a", 154) + "...", true},
		{"a near word boundary is", strings.Repeat("a", 100) + " " + strings.Repeat("b", 100), 1, "", strings.Repeat("a", 100) + "...", true},
		{"whitespace before the ellipsis dropped", strings.Repeat("a", 150) + "       " + strings.Repeat("b", 20), 1, "", strings.Repeat("a", 150) + "...", true},
		// The euro's two units do not fit after 156 and "...", so the cut comes before it.
		{"extension character at the cut", strings.Repeat("a", 156) + "€€€", 1, "", strings.Repeat("a", 156) + "...", true},
		// 68 units leave room for one more but not for the emoji's two.
		{"emoji at the cut is not split", "ŵ" + strings.Repeat("a", 67) + "😀😀", 1, "", "ŵ" + strings.Repeat("a", 67) + "…", true},
		// 67 units leave room for the woman (2) but not her joiner and laptop (3).
		{"emoji sequence is not split", "ŵ" + strings.Repeat("a", 66) + "👩\u200d💻", 1, "", "ŵ" + strings.Repeat("a", 66) + "…", true},
		{"skin tone stays with its emoji", strings.Repeat("ŵ", 67) + "👍🏽", 1, "", strings.Repeat("ŵ", 67) + "…", true},
		// Decomposed ŵ is w and a combining circumflex.
		{"combining accent stays with its letter", strings.Repeat("ŵ", 68) + "w\u0302ŵ", 1, "", strings.Repeat("ŵ", 68) + "…", true},
		{"suffix too long is dropped", strings.Repeat("a", 400), 1, strings.Repeat("x", 158), strings.Repeat("a", 157) + "...", true},
		{"suffix that only just fits leaves no body", strings.Repeat("a", 400), 1, strings.Repeat("x", 157), "..." + strings.Repeat("x", 157), true},
		{"zero segments taken as one", strings.Repeat("a", 400), 0, "", strings.Repeat("a", 157) + "...", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, trimmed := Trim(tt.body, tt.maxSegments, tt.suffix)
			if got != tt.want || trimmed != tt.wantTrimmed {
				t.Errorf("Trim() = %q, %v\nwant      %q, %v", got, trimmed, tt.want, tt.wantTrimmed)
			}
		})
	}
}

// TestTrimAlwaysFits checks the promise on bodies of every kind and length around the
// segment limits: the result fits, is a prefix of the body, and ends with the suffix when
// the suffix can fit at all.
func TestTrimAlwaysFits(t *testing.T) {
	pieces := []string{"a", "word ", "£5 ", "€", "ŵ", "😀", "👩\u200d💻", "w\u0302", "‘quote’ ", "\n", "{x} "}
	suffixes := []string{"", "…", " Full message: https://app.example/t/MT-000042", " – ŵ"}
	for _, piece := range pieces {
		for n := 1; n <= 600; n += 13 {
			body := strings.Repeat(piece, n/len(piece)+1) + "tail"
			for maxSegments := 1; maxSegments <= 3; maxSegments++ {
				for _, suffix := range suffixes {
					got, trimmed := Trim(body, maxSegments, suffix)
					if c := Count(got).Count; c > maxSegments {
						t.Fatalf("Trim(%q, %d, %q) = %q: %d segments", body, maxSegments, suffix, got, c)
					}
					if !trimmed {
						if got != body {
							t.Fatalf("Trim(%q, %d, %q) changed an untrimmed body", body, maxSegments, suffix)
						}
						continue
					}
					kept := strings.TrimSuffix(got, suffix)
					kept, ok := strings.CutSuffix(kept, ellipsisGSM7)
					if !ok {
						kept, ok = strings.CutSuffix(kept, ellipsisUCS2)
					}
					if !ok || !strings.HasPrefix(body, kept) {
						t.Fatalf("Trim(%q, %d, %q) = %q: not a prefix, ellipsis and suffix", body, maxSegments, suffix, got)
					}
				}
			}
		}
	}
}
