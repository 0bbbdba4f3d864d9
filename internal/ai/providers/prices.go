package providers

import (
	"strings"
)

// Price is a model's list price in pence per million tokens. Pence per million tokens
// is micropence per token, so a call's cost in micropence is an exact integer product.
type Price struct {
	InputPencePerMillion  int64
	OutputPencePerMillion int64
}

// usdToPence converts US cents per million tokens to pence: 0.80 GBP per USD, a
// deliberately cautious rounded rate (the market traded between about 0.73 and 0.80 in
// 2025–26) so that estimates err high and every table entry stays a whole number.
const usdToPence = 80 // pence per US dollar

func usd(inCents, outCents int64) Price {
	return Price{inCents * usdToPence / 100, outCents * usdToPence / 100}
}

// prices are standard (not batch, not cached) list prices in US cents per million
// tokens, from https://openai.com/api/pricing/ and
// https://platform.claude.com/docs/en/about-claude/pricing as known on 2 December 2026
// (not re-read from those pages for this table: check them when a bill disagrees).
// Models whose price is not known here (claude-haiku-5-5, gpt-5 and later) make Cost
// report known=false.
var prices = map[string]Price{
	"gpt-4o-mini":  usd(15, 60),    // $0.15 / $0.60
	"gpt-4o":       usd(250, 1000), // $2.50 / $10
	"gpt-4.1-nano": usd(10, 40),    // $0.10 / $0.40
	"gpt-4.1-mini": usd(40, 160),   // $0.40 / $1.60
	"gpt-4.1":      usd(200, 800),  // $2 / $8

	"claude-3-5-haiku":  usd(80, 400),   // $0.80 / $4
	"claude-haiku-4-5":  usd(100, 500),  // $1 / $5
	"claude-sonnet-4":   usd(300, 1500), // $3 / $15
	"claude-sonnet-4-5": usd(300, 1500),
	"claude-sonnet-4-6": usd(300, 1500),
}

// Cost is the cost of one call in micropence (a millionth of a penny). Ollama and
// builtin cost nothing for any model. An unknown model costs 0 with known false. Model
// names may carry a date suffix ("gpt-4o-mini-2024-07-18", "claude-haiku-4-5-20251001"):
// the longest table name the model starts with, followed by nothing or by a date,
// prices it; "gpt-4o-mini" is never priced as "gpt-4o".
func Cost(provider, model string, tokensIn, tokensOut int) (micropence int64, known bool) {
	switch provider {
	case "ollama", "builtin":
		return 0, true
	case "openai", "anthropic":
	default:
		return 0, false
	}
	p, ok := lookupPrice(model)
	if !ok {
		return 0, false
	}
	return int64(tokensIn)*p.InputPencePerMillion + int64(tokensOut)*p.OutputPencePerMillion, true
}

func lookupPrice(model string) (Price, bool) {
	best, found := "", false
	for name := range prices {
		if len(name) > len(best) && strings.HasPrefix(model, name) && dateSuffix(model[len(name):]) {
			best, found = name, true
		}
	}
	return prices[best], found
}

// dateSuffix reports whether rest is empty or a dated snapshot's suffix: a dash and at
// least four digits ("-2024-07-18", "-20251001"). "-mini" or "-6" is another model.
func dateSuffix(rest string) bool {
	if rest == "" {
		return true
	}
	if len(rest) < 5 || rest[0] != '-' {
		return false
	}
	for _, c := range rest[1:5] {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
