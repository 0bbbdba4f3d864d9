// Package redact takes personal details out of text before it leaves for an external
// AI provider, and puts them back into what the provider answers.
//
// A Redactor replaces names, email addresses, UK phone numbers, UK postcodes, payment
// card numbers, sort codes and bank account numbers with tokens such as [NAME_1] or
// [PHONE_2]. One Redactor serves one request: the same value always gets the same token,
// across every call, so a model can tell that two mentions are one person, and Restore
// turns the tokens it issued back into the originals.
//
// Text can already hold something shaped like a token, typed by a resident to trick
// Restore into writing another person's details into a draft. Redact escapes such
// look-alikes to parentheses ("[NAME_1]" becomes "(NAME_1)") before it issues tokens of
// its own, and Restore leaves parentheses alone, so Restore(Redact(x)) == x holds for
// every x without a look-alike and only those. Redact is therefore not idempotent:
// redacting redacted text escapes the first round's tokens.
package redact

import (
	"cmp"
	"regexp"
	"slices"
	"strconv"
	"sync"
)

// Kinds of personal detail, as they appear in tokens.
const (
	KindName     = "NAME"
	KindEmail    = "EMAIL"
	KindPhone    = "PHONE"
	KindPostcode = "POSTCODE"
	KindCard     = "CARD"
	KindSortCode = "SORTCODE"
	KindAccount  = "ACCOUNT"
)

// tokenRE matches a token of any kind; Restore and the escaping share it so that what
// one recognises the other neutralises.
var tokenRE = regexp.MustCompile(`\[(NAME|EMAIL|PHONE|POSTCODE|CARD|SORTCODE|ACCOUNT)_([0-9]+)\]`)

// Redactor holds the tokens it issued. It is safe for concurrent use.
type Redactor struct {
	names []*nameMatcher

	mu      sync.Mutex
	tokens  map[string]string // kind + "\x00" + original → token
	origins map[string]string // token → original
	counts  map[string]int    // per kind
}

// New returns a Redactor that also knows the given names (the resident, the reporter,
// the contractor, staff); empty names are ignored.
func New(names ...string) *Redactor {
	return &Redactor{
		names:   compileNames(names),
		tokens:  map[string]string{},
		origins: map[string]string{},
		counts:  map[string]int{},
	}
}

// Redact returns text with every personal detail it finds replaced by a token.
func (r *Redactor) Redact(text string) string {
	text = tokenRE.ReplaceAllString(text, "(${1}_${2})")
	found := r.find(text)
	if len(found) == 0 {
		return text
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	var b []byte
	last := 0
	for _, s := range found {
		b = append(b, text[last:s.start]...)
		b = append(b, r.token(s.kind, text[s.start:s.end])...)
		last = s.end
	}
	return string(append(b, text[last:]...))
}

// Strings redacts each string in place; nil pointers are skipped.
func (r *Redactor) Strings(ss ...*string) {
	for _, s := range ss {
		if s != nil {
			*s = r.Redact(*s)
		}
	}
}

// Restore puts back the originals of the tokens this Redactor issued. Other tokens,
// made up by a model or issued by another Redactor, are left as they are.
func (r *Redactor) Restore(text string) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return tokenRE.ReplaceAllStringFunc(text, func(tok string) string {
		if o, ok := r.origins[tok]; ok {
			return o
		}
		return tok
	})
}

// token returns the token for value, issuing a new one the first time. r.mu is held.
func (r *Redactor) token(kind, value string) string {
	key := kind + "\x00" + value
	if t, ok := r.tokens[key]; ok {
		return t
	}
	r.counts[kind]++
	t := "[" + kind + "_" + strconv.Itoa(r.counts[kind]) + "]"
	r.tokens[key] = t
	r.origins[t] = value
	return t
}

type span struct {
	start, end int
	kind       string
}

// find runs every detector over text and returns the spans to replace, in order and not
// overlapping. Detectors run most specific first and a later one's span is dropped where
// it overlaps an earlier one's: an email address wins over the name inside it, a card
// number over the phone-like digits inside it, a phone number over the sort-code-like
// pairs inside it unless the text calls them a sort code.
func (r *Redactor) find(text string) []span {
	var out []span // sorted by start, not overlapping
	add := func(kind string, spans [][2]int) {
		for _, s := range spans {
			// The first span ending after s starts is the only one that can overlap it.
			i, _ := slices.BinarySearchFunc(out, s[0], func(h span, start int) int { return cmp.Compare(h.end, start+1) })
			if i < len(out) && out[i].start < s[1] {
				continue
			}
			out = slices.Insert(out, i, span{s[0], s[1], kind})
		}
	}
	add(KindEmail, findEmails(text))
	add(KindCard, findCards(text))
	add(KindSortCode, findSortCodesNamed(text))
	add(KindPhone, findPhones(text))
	add(KindSortCode, findSortCodes(text))
	add(KindAccount, findAccounts(text))
	add(KindPostcode, findPostcodes(text))
	for _, n := range r.names {
		add(KindName, n.find(text))
	}
	return out
}
