package ai

import (
	"fmt"
	"regexp"

	"github.com/maintainuk/maintainuk/internal/ai/redact"
	"github.com/maintainuk/maintainuk/internal/ai/schema"
)

// redactInput copies a capability's input with personal data replaced by tokens
// ([NAME_1], [PHONE_1], …) and returns the function that puts the real values back into
// the answer, so a draft addresses the resident by name although their name never left.
func redactInput(input any, names []string) (any, func(any) any, error) {
	r := redact.New(names...)
	switch in := input.(type) {
	case schema.ClassifyInput:
		r.Strings(&in.Title, &in.Description)
		return in, func(v any) any {
			c := v.(schema.Classification)
			c.Reasoning = r.Restore(c.Reasoning)
			return c
		}, nil
	case schema.EstimateInput:
		r.Strings(&in.Title, &in.Description)
		return in, func(v any) any {
			e := v.(schema.Estimate)
			e.Reasoning = r.Restore(e.Reasoning)
			return e
		}, nil
	case schema.DraftInput:
		in.Ticket = redactFacts(r, in.Ticket)
		r.Strings(&in.Purpose)
		restore := r.Restore
		if in.Recipient == "CONTRACTOR" {
			// A contractor's message names people but carries no one's contact or
			// payment details: access is arranged through the organisation.
			restore = func(s string) string { return r.Restore(contactTokens.ReplaceAllString(s, "(withheld)")) }
		}
		return in, func(v any) any {
			d := v.(schema.Draft)
			d.Subject, d.Body = restore(d.Subject), restore(d.Body)
			return d
		}, nil
	case schema.SummaryInput:
		in.Ticket = redactFacts(r, in.Ticket)
		return in, func(v any) any {
			s := v.(schema.Summary)
			s.Summary = r.Restore(s.Summary)
			points := make([]string, len(s.KeyPoints))
			for i, p := range s.KeyPoints {
				points[i] = r.Restore(p)
			}
			s.KeyPoints = points
			return s
		}, nil
	}
	return nil, nil, fmt.Errorf("ai: no redaction for %T", input)
}

// contactTokens are the redaction tokens of contact and payment details.
var contactTokens = regexp.MustCompile(`\[(EMAIL|PHONE|POSTCODE|CARD|SORTCODE|ACCOUNT)_[0-9]+\]`)

func redactFacts(r *redact.Redactor, t schema.TicketFacts) schema.TicketFacts {
	r.Strings(&t.Title, &t.Description, &t.Address, &t.Resident)
	items := make([]schema.TimelineItem, len(t.Timeline))
	for i, it := range t.Timeline {
		r.Strings(&it.Actor, &it.Detail)
		items[i] = it
	}
	t.Timeline = items
	return t
}
