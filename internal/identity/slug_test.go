package identity

import (
	"regexp"
	"strings"
	"testing"
)

// slugRE is the organisations.slug CHECK constraint (migrations/00002_identity.sql): every
// slug Slugify returns must satisfy it or the insert fails.
var slugRE = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

func TestSlugify(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, want string
	}{
		{"words", "Demo Lettings", "demo-lettings"},
		{"already a slug", "demo-lettings", "demo-lettings"},
		{"digits kept", "Flats 4 U 2024", "flats-4-u-2024"},
		{"punctuation runs collapse", "Acme & Sons, Ltd.", "acme-sons-ltd"},
		{"leading and trailing junk", "  --Acme!!  ", "acme"},
		{"apostrophe", "O'Brien Homes", "o-brien-homes"},
		{"underscores and tabs", "north_west\tlets", "north-west-lets"},
		{"upper case", "HOUSING ASSOCIATION", "housing-association"},
		{"non-ASCII letters drop out", "Café Résidences", "caf-r-sidences"},
		{"only non-ASCII", "Łódź", "d"},
		{"empty", "", "org"},
		{"blank", "   ", "org"},
		{"only symbols", "!!! ??? ***", "org"},
		{"emoji only", "🏠🔧", "org"},
		{"exactly 40", strings.Repeat("a", 40), strings.Repeat("a", 40)},
		{"truncated to 40", strings.Repeat("a", 41), strings.Repeat("a", 40)},
		{"no trailing hyphen after truncation", strings.Repeat("a", 39) + " bcd", strings.Repeat("a", 39)},
		{"word boundary at the cut", strings.Repeat("abc ", 15), strings.TrimSuffix(strings.Repeat("abc-", 10), "-")},
		{"cut mid-word", strings.Repeat("ab ", 20), strings.Repeat("ab-", 13) + "a"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := Slugify(tt.in)
			if got != tt.want {
				t.Errorf("Slugify(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if !slugRE.MatchString(got) || len(got) > 40 {
				t.Errorf("Slugify(%q) = %q breaks the slug constraint", tt.in, got)
			}
		})
	}
}
