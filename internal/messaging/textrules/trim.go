package textrules

import (
	"strings"
	"unicode"
)

// The ellipsis marking a cut. The single character "…" is not in GSM-7, so a text that
// is otherwise GSM-7 ends its cut with three full stops rather than double its cost.
const (
	ellipsisGSM7 = "..."
	ellipsisUCS2 = "…"
)

// Trim shortens body to at most maxSegments SMS segments. A body that already fits is
// returned unchanged with false. Otherwise Trim returns the longest prefix of body that
// fits followed by an ellipsis and then suffix (typically " Full message: <link>"), with
// true; the prefix ends at a word boundary unless that would give up more than half of
// it (a long link or word would otherwise swallow the message), never falls between a
// letter and its combining accent or inside an emoji sequence, and trailing whitespace
// before the ellipsis is dropped. The ellipsis is "..." when the kept text and suffix are
// GSM-7 and "…" when they are UCS-2 anyway.
//
// When suffix leaves no room even for the ellipsis, Trim drops it and trims body alone:
// a link cut short is worse than none. When suffix fits but no character of body does,
// the result is the ellipsis and suffix, the link being the most useful text left.
// maxSegments below 1 is taken as 1, as a text is at least one segment.
func Trim(body string, maxSegments int, suffix string) (string, bool) {
	maxSegments = max(maxSegments, 1)
	if Count(body).Count <= maxSegments {
		return body, false
	}
	if cut, ok := trimWith(body, maxSegments, suffix); ok {
		return cut, true
	}
	// "..." alone is one segment, so the body always trims without a suffix.
	cut, _ := trimWith(body, maxSegments, "")
	return cut, true
}

// trimWith is Trim with a given suffix; false when not even the ellipsis and suffix fit.
func trimWith(body string, maxSegments int, suffix string) (string, bool) {
	fits := func(prefix string) (string, bool) {
		s := withEllipsis(prefix, suffix)
		return s, Count(s).Count <= maxSegments
	}
	// Every character takes at least one unit, so no prefix of more characters than
	// maxSegments single GSM-7 segments hold can fit: cuts past that are not tried.
	var cuts []int
	runes, previous := 0, rune(0)
	for i, r := range body {
		if runes > maxSegments*gsm7Single {
			break
		}
		if !joinsPrevious(r, previous) {
			cuts = append(cuts, i)
		}
		runes, previous = runes+1, r
	}
	longest := -1
	for k := len(cuts) - 1; k >= 0; k-- {
		if _, ok := fits(body[:cuts[k]]); ok {
			longest = k
			break
		}
	}
	if longest < 0 {
		return "", false
	}
	for k := longest; k > 0 && k >= longest/2; k-- {
		if !startsWithSpace(body[cuts[k]:]) {
			continue
		}
		prefix := strings.TrimRightFunc(body[:cuts[k]], unicode.IsSpace)
		if prefix == "" {
			break
		}
		if s, ok := fits(prefix); ok {
			return s, true
		}
	}
	s, _ := fits(body[:cuts[longest]])
	return s, true
}

// withEllipsis joins the kept prefix, the ellipsis that suits their encoding and suffix.
func withEllipsis(prefix, suffix string) string {
	ellipsis := ellipsisUCS2
	if isGSM7(prefix) && isGSM7(suffix) {
		ellipsis = ellipsisGSM7
	}
	return prefix + ellipsis + suffix
}

// joinsPrevious reports whether r belongs to the same visible character as previous, so
// that a cut between them would leave an accent without its letter or half an emoji: r
// is a combining mark, a variation selector, a skin tone or a zero-width joiner, or
// follows one.
func joinsPrevious(r, previous rune) bool {
	const zeroWidthJoiner = '\u200d'
	return unicode.In(r, unicode.Mn, unicode.Me, unicode.Variation_Selector) ||
		r == zeroWidthJoiner || previous == zeroWidthJoiner ||
		('\U0001F3FB' <= r && r <= '\U0001F3FF')
}

func startsWithSpace(s string) bool {
	for _, r := range s {
		return unicode.IsSpace(r)
	}
	return false
}
