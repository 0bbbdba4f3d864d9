package builtin

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// phraseText is lower-case text reduced to single-spaced words and padded with a space
// at each end, so a phrase matches whole words only ("rat" does not match "separate").
type phraseText string

func newPhraseText(parts ...string) phraseText {
	var b strings.Builder
	b.WriteByte(' ')
	space := true
	for _, p := range parts {
		rs := []rune(strings.ToLower(p))
		for i, r := range rs {
			// A decimal point stays ("0.5 bar"); any other punctuation separates words.
			decimal := r == '.' && i > 0 && i+1 < len(rs) && unicode.IsDigit(rs[i-1]) && unicode.IsDigit(rs[i+1])
			if unicode.IsLetter(r) || unicode.IsDigit(r) || decimal {
				b.WriteRune(r)
				space = false
			} else if !space {
				b.WriteByte(' ')
				space = true
			}
		}
		if !space {
			b.WriteByte(' ')
			space = true
		}
	}
	return phraseText(b.String())
}

// has reports whether the phrase occurs as whole words; the phrase is normalised the
// same way, so data files may write "out-of-hours" or "Out of hours".
func (t phraseText) has(phrase string) bool {
	p := strings.TrimSpace(string(newPhraseText(phrase)))
	if p == "" {
		return false
	}
	return strings.Contains(string(t), " "+p+" ")
}

// clipRunes shortens s to at most n characters (runes), ending with an ellipsis when cut.
func clipRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return strings.TrimRightFunc(string(r[:n-1]), unicode.IsSpace) + "…"
}

// endSentence trims s and ends it with a full stop unless it already ends a sentence.
func endSentence(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	r, _ := utf8.DecodeLastRuneInString(s)
	if !strings.ContainsRune(".!?…", r) {
		s += "."
	}
	return s
}
