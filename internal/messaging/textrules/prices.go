package textrules

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/nyaruka/phonenumbers"
)

// PriceTable is what a text costs by the region of the number it goes to, in integer
// pence: per segment for SMS, per message for WhatsApp. Its zero value prices
// everything at 0.
type PriceTable struct {
	byRegion map[string]int64
	fallback int64
}

// ParsePrices reads a price table from its configuration form, "GB=4,IE=7,*=10": each
// entry a region code as phonenumbers names regions (ISO 3166 alpha-2, upper case, so
// the United Kingdom is GB) or "*" for every other region, and a whole number of pence.
// Whitespace around entries, codes and prices is ignored. An empty, malformed, duplicate
// or negative entry, an unknown region or a missing "*" is an error, so a typo in the
// configuration stops the service starting rather than mispricing texts.
func ParsePrices(s string) (PriceTable, error) {
	p := PriceTable{byRegion: map[string]int64{}}
	haveFallback := false
	for entry := range strings.SplitSeq(s, ",") {
		region, price, ok := strings.Cut(entry, "=")
		region, price = strings.TrimSpace(region), strings.TrimSpace(price)
		if !ok || region == "" || price == "" {
			return PriceTable{}, fmt.Errorf("price entry %q is not REGION=PENCE", strings.TrimSpace(entry))
		}
		pence, err := parsePence(price)
		if err != nil {
			return PriceTable{}, fmt.Errorf("price for %s: %w", region, err)
		}
		if region == "*" {
			if haveFallback {
				return PriceTable{}, errors.New(`price for "*" given twice`)
			}
			p.fallback, haveFallback = pence, true
			continue
		}
		if err := checkRegion(region); err != nil {
			return PriceTable{}, err
		}
		if _, dup := p.byRegion[region]; dup {
			return PriceTable{}, fmt.Errorf("price for %s given twice", region)
		}
		p.byRegion[region] = pence
	}
	if !haveFallback {
		return PriceTable{}, errors.New(`prices need a default for other regions, "*=PENCE"`)
	}
	return p, nil
}

func parsePence(s string) (int64, error) {
	if strings.HasPrefix(s, "-") {
		return 0, fmt.Errorf("%q is negative", s)
	}
	if !isDigits(s) {
		return 0, fmt.Errorf("%q is not a whole number of pence", s)
	}
	pence, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%q is out of range", s)
	}
	return pence, nil
}

// checkRegion refuses a code phonenumbers never returns, naming the likely mistake.
func checkRegion(region string) error {
	supported := phonenumbers.GetSupportedRegions()
	switch {
	case supported[region]:
		return nil
	case region == "UK":
		return errors.New(`region "UK" is not an ISO 3166 code: the United Kingdom is "GB"`)
	case supported[strings.ToUpper(region)]:
		return fmt.Errorf("region %q must be upper case: %q", region, strings.ToUpper(region))
	}
	return fmt.Errorf("region %q is not an ISO 3166 region code phonenumbers knows", region)
}

// Pence is the price of a text to an E.164 number: its region's price, or the default
// when the region has none or the number cannot be parsed. A number no region's
// numbering plan recognises, such as Ofcom's 07700 900xxx drama range, is priced by its
// country code's main region (GB for +44), since that is the network it is sent to.
func (p PriceTable) Pence(e164 string) int64 {
	num, err := phonenumbers.Parse(e164, phonenumbers.UNKNOWN_REGION)
	if err != nil {
		return p.fallback
	}
	region := phonenumbers.GetRegionCodeForNumber(num)
	if region == "" {
		region = phonenumbers.GetRegionCodeForCountryCode(int(num.GetCountryCode()))
	}
	if pence, ok := p.byRegion[region]; ok {
		return pence
	}
	return p.fallback
}

// String is the table's canonical configuration form: regions in alphabetical order,
// then the default.
func (p PriceTable) String() string {
	var b strings.Builder
	for _, region := range slices.Sorted(maps.Keys(p.byRegion)) {
		fmt.Fprintf(&b, "%s=%d,", region, p.byRegion[region])
	}
	fmt.Fprintf(&b, "*=%d", p.fallback)
	return b.String()
}
