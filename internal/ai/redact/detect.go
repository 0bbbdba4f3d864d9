package redact

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// The detectors return byte spans of text. They look for UK shapes only: the service
// is for UK homes, and a looser pattern would swallow flat numbers, prices and dates.

var emailRE = regexp.MustCompile(`[A-Za-z0-9._%+'\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+`)

func findEmails(text string) [][2]int {
	return spans(emailRE.FindAllStringIndex(text, -1))
}

// digitRunRE matches digits with single spaces or dashes between them, the way card
// numbers are written.
var digitRunRE = regexp.MustCompile(`[0-9](?:[ \-]?[0-9])*`)

// findCards finds Luhn-valid numbers of 13 to 19 digits that start as cards do (2 to 6:
// Mastercard, Amex, Visa, Maestro, Discover) and are grouped as cards are (every group
// but the last at least 4 digits). A 16-digit number failing Luhn is kept: it is more
// likely a reference than a mistyped card, and Luhn is what tells the two apart. Within
// a longer run (a card followed by a year) the longest valid window of whole groups is
// taken.
func findCards(text string) [][2]int {
	var out [][2]int
	for _, run := range digitRunRE.FindAllStringIndex(text, -1) {
		if !numBoundary(text, run[0], run[1]) {
			continue
		}
		groups := digitGroups(text, run[0], run[1])
		for i := 0; i < len(groups); {
			j := cardWindow(text, groups, i)
			if j < 0 {
				i++
				continue
			}
			out = append(out, [2]int{groups[i][0], groups[j][1]})
			i = j + 1
		}
	}
	return out
}

// cardWindow returns the last group of the longest card starting at groups[i], or -1.
func cardWindow(text string, groups [][2]int, i int) int {
	if c := text[groups[i][0]]; c < '2' || c > '6' {
		return -1
	}
	best := -1
	var digits []byte
	for j := i; j < len(groups) && len(digits) < 19; j++ {
		if j > i && groups[j-1][1]-groups[j-1][0] < 4 {
			break // only the last group may be short
		}
		digits = append(digits, text[groups[j][0]:groups[j][1]]...)
		if len(digits) >= 13 && len(digits) <= 19 && luhn(digits) {
			best = j
		}
	}
	return best
}

// digitGroups splits a digit run at its separators.
func digitGroups(text string, start, end int) [][2]int {
	var out [][2]int
	g := start
	for i := start; i < end; i++ {
		if text[i] == ' ' || text[i] == '-' {
			out = append(out, [2]int{g, i})
			g = i + 1
		}
	}
	return append(out, [2]int{g, end})
}

func luhn(digits []byte) bool {
	sum := 0
	for i := range digits {
		d := int(digits[len(digits)-1-i] - '0')
		if i%2 == 1 {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return sum%10 == 0
}

// phoneRE matches UK numbers: 0 or +44 (or 0044, or +44 (0)), then a 1, 2, 3 or 7 and
// eight or nine more digits, with spaces, dashes or brackets between them.
var phoneRE = regexp.MustCompile(`(?:\+44[ \-]?(?:\(0\)[ \-]?)?|0044[ \-]?|\(0|0)[1237](?:[ \-()]{0,2}[0-9]){8,9}`)

func findPhones(text string) [][2]int {
	var out [][2]int
	for _, m := range phoneRE.FindAllStringIndex(text, -1) {
		if !numBoundary(text, m[0], m[1]) {
			continue
		}
		national := nationalDigits(text[m[0]:m[1]])
		// Mobiles and 02, 03 numbers have 11 digits; some 01 numbers have 10.
		if len(national) == 11 || (len(national) == 10 && national[1] == '1') {
			out = append(out, [2]int{m[0], m[1]})
		}
	}
	return out
}

// nationalDigits returns a phone number's digits as dialled within the UK.
func nationalDigits(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	d := b.String()
	switch {
	case strings.HasPrefix(s, "+44") && strings.Contains(s, "(0)"):
		return "0" + d[3:] // 44, then the 0 in brackets, is dropped for the 0
	case strings.HasPrefix(s, "+44"):
		return "0" + d[2:]
	case strings.HasPrefix(s, "0044"):
		return "0" + d[4:]
	}
	return d
}

var (
	sortCodeWordRE = regexp.MustCompile(`(?i)\bsort[ \-]?code\b[^0-9\n]{0,15}?([0-9]{2}[ \-]?[0-9]{2}[ \-]?[0-9]{2})`)
	sortCodeRE     = regexp.MustCompile(`[0-9]{2}-[0-9]{2}-[0-9]{2}|[0-9]{2} [0-9]{2} [0-9]{2}`)
	accountWordRE  = regexp.MustCompile(`(?i)\b(?:account|acct|acc|a/c)\b(?:\s*(?:no|number|num)\b\.?)?[^0-9\n]{0,10}?([0-9]{4}[ \-][0-9]{4}|[0-9]{8})`)
	accountRE      = regexp.MustCompile(`[0-9]{8}`)
)

// findSortCodesNamed finds sort codes the text calls one ("sort code 123456"), in any
// of their shapes.
func findSortCodesNamed(text string) [][2]int {
	return groupSpans(text, sortCodeWordRE.FindAllStringSubmatchIndex(text, -1))
}

// findSortCodes finds unnamed sort codes: NN-NN-NN or NN NN NN. A dashed one that
// reads as a date (03-12-26) is left alone: a date matters more to the reader than a
// sort code nobody named.
func findSortCodes(text string) [][2]int {
	var out [][2]int
	for _, m := range sortCodeRE.FindAllStringIndex(text, -1) {
		s := text[m[0]:m[1]]
		if numBoundary(text, m[0], m[1]) && (s[2] == ' ' || !isDate(s)) {
			out = append(out, [2]int{m[0], m[1]})
		}
	}
	return out
}

func isDate(s string) bool {
	day := int(s[0]-'0')*10 + int(s[1]-'0')
	month := int(s[3]-'0')*10 + int(s[4]-'0')
	return day >= 1 && day <= 31 && month >= 1 && month <= 12
}

// findAccounts finds bank account numbers: 8 digits named as an account ("a/c no.
// 1234 5678"), or any 8 digits standing alone, which in a repair report are far more
// often an account than anything else.
func findAccounts(text string) [][2]int {
	out := groupSpans(text, accountWordRE.FindAllStringSubmatchIndex(text, -1))
	for _, m := range accountRE.FindAllStringIndex(text, -1) {
		if numBoundary(text, m[0], m[1]) {
			out = append(out, [2]int{m[0], m[1]})
		}
	}
	return out
}

// groupSpans returns the first group of each match, where it stands alone.
func groupSpans(text string, ms [][]int) [][2]int {
	var out [][2]int
	for _, m := range ms {
		if numBoundary(text, m[2], m[3]) {
			out = append(out, [2]int{m[2], m[3]})
		}
	}
	return out
}

// postcodeRE matches full UK postcodes by the Royal Mail's rules on which letters may
// stand where: the outward code (A9, A99, AA9, AA99, A9A, AA9A), an optional space,
// the inward code (9AA).
var postcodeRE = regexp.MustCompile(`(?i)(?:GIR ?0AA|[A-PR-UWYZ](?:[0-9][0-9A-HJKPSTUW]?|[A-HK-Y][0-9][0-9ABEHMNPRVWXY]?) ?[0-9][ABD-HJLNP-UW-Z]{2})`)

func findPostcodes(text string) [][2]int {
	var out [][2]int
	for _, m := range postcodeRE.FindAllStringIndex(text, -1) {
		if wordBoundary(text, m[0], m[1]) {
			out = append(out, [2]int{m[0], m[1]})
		}
	}
	return out
}

// wordBoundary reports whether text[start:end] is not part of a longer word or number.
func wordBoundary(text string, start, end int) bool {
	before, _ := utf8.DecodeLastRuneInString(text[:start])
	after, _ := utf8.DecodeRuneInString(text[end:])
	return !alnum(before) && !alnum(after)
}

// numBoundary is wordBoundary for numbers, which must also not continue one: a
// decimal (0.12345678), a price (£12345678), a reference (MT-12345678) or a range.
func numBoundary(text string, start, end int) bool {
	if !wordBoundary(text, start, end) {
		return false
	}
	before, n := utf8.DecodeLastRuneInString(text[:start])
	if strings.ContainsRune("£$€_", before) {
		return false
	}
	if strings.ContainsRune("-/.,", before) {
		if b2, _ := utf8.DecodeLastRuneInString(text[:start-n]); alnum(b2) {
			return false
		}
	}
	after, n := utf8.DecodeRuneInString(text[end:])
	if after == '_' {
		return false
	}
	if strings.ContainsRune("-/.,", after) {
		if a2, _ := utf8.DecodeRuneInString(text[end+n:]); unicode.IsDigit(a2) {
			return false
		}
	}
	return true
}

func alnum(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

func spans(ms [][]int) [][2]int {
	out := make([][2]int, len(ms))
	for i, m := range ms {
		out[i] = [2]int{m[0], m[1]}
	}
	return out
}
