package validate

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// contactSeeds are inputs for the contact fuzz targets: good and bad addresses, numbers
// and postcodes, with the characters attacks use (quotes, SQL, NUL, right-to-left
// override, combining marks, emoji, full-width digits).
var contactSeeds = []string{
	"", " ", "alex@example.co.uk", "Alex@Example.CO.UK ", "a@b", "\"a b\"@example.com", "a@b.c\x00d", "x'; DROP TABLE users; --@example.com",
	"Alex <alex@example.co.uk>", "alex@example.co.uk, sam@example.co.uk", "é@ü.example", "a\u202e@example.com", "a@exam\u0301ple.com",
	"07911 123456", "+44 7911 123456", "0044 7911 123456", "+1 202 555 0143", "0800 FLOWERS", "07911\x00123456", "０７９１１ １２３４５６", "+44 (0)20 7946 0018",
	"SW1A 1AA", "sw1a1aa", "GIR 0AA", "LS1 4AP", "EC1A  1BB", "Q1 1AA", "SW1A 1A", "SW1A\u00a01AA", "SW1A 1AA'--", "ls1\t4ap", "😀 1AA",
	strings.Repeat("a", 250) + "@example.com", strings.Repeat("9", 40),
}

// FuzzEmail: an accepted address is valid UTF-8, trimmed, lower case, without control
// characters or spaces, at most 254 bytes, has one @ with a dot after it, and is
// accepted again unchanged.
func FuzzEmail(f *testing.F) {
	for _, s := range contactSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := Email(s)
		if err != nil {
			if err.Error() == "" {
				t.Fatalf("empty message for %q", s)
			}
			return
		}
		switch {
		case !utf8.ValidString(got), len(got) > 254, got != strings.ToLower(got), got != strings.TrimSpace(got):
			t.Fatalf("%q accepted as %q", s, got)
		case strings.IndexFunc(got, func(r rune) bool { return unicode.IsControl(r) || unicode.IsSpace(r) }) >= 0:
			t.Fatalf("%q accepted as %q, with a control character or space", s, got)
		}
		at := strings.LastIndexByte(got, '@')
		if at <= 0 || !strings.Contains(got[at+1:], ".") {
			t.Fatalf("%q accepted as %q", s, got)
		}
		if again, err := Email(got); err != nil || again != got {
			t.Fatalf("%q accepted as %q, which answers %q, %v", s, got, again, err)
		}
	})
}

// FuzzPhone: an accepted number is E.164 (a + and 8 to 15 ASCII digits) and is accepted
// again unchanged.
func FuzzPhone(f *testing.F) {
	for _, s := range contactSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := Phone(s)
		if err != nil {
			if err.Error() == "" {
				t.Fatalf("empty message for %q", s)
			}
			return
		}
		digits := strings.TrimPrefix(got, "+")
		if len(digits) == len(got) || len(digits) < 8 || len(digits) > 15 || strings.Trim(digits, "0123456789") != "" {
			t.Fatalf("%q accepted as %q, not E.164", s, got)
		}
		if again, err := Phone(got); err != nil || again != got {
			t.Fatalf("%q accepted as %q, which answers %q, %v", s, got, again, err)
		}
	})
}

// FuzzPostcode: an accepted postcode is upper-case ASCII letters and digits with one
// space before the three-character inward code, at most 8 characters, and is accepted
// again unchanged.
func FuzzPostcode(f *testing.F) {
	for _, s := range contactSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := Postcode(s)
		if err != nil {
			if err.Error() == "" {
				t.Fatalf("empty message for %q", s)
			}
			return
		}
		out, in, ok := strings.Cut(got, " ")
		if !ok || len(in) != 3 || len(out) < 2 || len(out) > 4 || strings.Trim(out+in, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") != "" {
			t.Fatalf("%q accepted as %q", s, got)
		}
		if again, err := Postcode(got); err != nil || again != got {
			t.Fatalf("%q accepted as %q, which answers %q, %v", s, got, again, err)
		}
	})
}
