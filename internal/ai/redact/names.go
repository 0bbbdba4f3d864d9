package redact

import (
	"cmp"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// titles are not worth redacting on their own: "Mrs" says nothing about who.
var titles = map[string]bool{"mr": true, "mrs": true, "ms": true, "miss": true, "mx": true, "dr": true, "prof": true, "rev": true, "sir": true, "dame": true, "lord": true, "lady": true}

// nameMatcher finds one known name, or one part of it.
type nameMatcher struct {
	re *regexp.Regexp
	// capital: a part of a name ("Rose", "Will") is also an ordinary word, so it is
	// redacted only where written with a capital, as a name is. A full name of two or
	// more words is unambiguous and redacted however it is cased.
	capital bool
	length  int
}

// compileNames returns matchers for each full name, then each part of three or more
// letters, longest first, so "Priya Sharma" is one token rather than two.
func compileNames(names []string) []*nameMatcher {
	var full, parts []*nameMatcher
	seen := map[string]bool{}
	add := func(list *[]*nameMatcher, ws []string, capital bool) {
		key := strings.ToLower(strings.Join(ws, " "))
		if seen[key] {
			return
		}
		seen[key] = true
		quoted := make([]string, len(ws))
		for i, w := range ws {
			quoted[i] = regexp.QuoteMeta(w)
		}
		*list = append(*list, &nameMatcher{
			re:      regexp.MustCompile(`(?i)` + strings.Join(quoted, `\s+`)),
			capital: capital,
			length:  len(key),
		})
	}
	for _, n := range names {
		ws := words(n)
		switch {
		case len(ws) == 0:
		case len(ws) == 1:
			if letters(ws[0]) >= 2 && !titles[strings.ToLower(ws[0])] {
				add(&parts, ws, true)
			}
		default:
			add(&full, ws, false)
			for _, w := range ws {
				if letters(w) >= 3 && !titles[strings.ToLower(w)] {
					add(&parts, []string{w}, true)
				}
			}
		}
	}
	longest := func(a, b *nameMatcher) int { return cmp.Compare(b.length, a.length) }
	slices.SortStableFunc(full, longest)
	slices.SortStableFunc(parts, longest)
	return append(full, parts...)
}

func (m *nameMatcher) find(text string) [][2]int {
	var out [][2]int
	for _, s := range m.re.FindAllStringIndex(text, -1) {
		if !wordBoundary(text, s[0], s[1]) {
			continue
		}
		if first, _ := utf8.DecodeRuneInString(text[s[0]:]); m.capital && !unicode.IsUpper(first) {
			continue
		}
		out = append(out, [2]int{s[0], s[1]})
	}
	return out
}

// words splits a name into words without the punctuation around them ("Sharma, Priya"
// gives Sharma and Priya); apostrophes and hyphens inside a word stay.
func words(name string) []string {
	var out []string
	for _, w := range strings.Fields(name) {
		if w = strings.TrimFunc(w, func(r rune) bool { return !unicode.IsLetter(r) }); w != "" {
			out = append(out, w)
		}
	}
	return out
}

func letters(s string) int {
	n := 0
	for _, r := range s {
		if unicode.IsLetter(r) {
			n++
		}
	}
	return n
}
