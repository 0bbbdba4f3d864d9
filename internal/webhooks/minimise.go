package webhooks

import (
	"bytes"
	"encoding/json"
)

// Data minimisation: an event's payload is written for the emails it triggers and
// carries the names and email addresses of the people they go to. An endpoint receives
// them only when it opted in (includePersonalData); otherwise minimise removes them
// before the delivery is stored and sent. Personal data here means what identifies a
// person: residents (reporters, invitees) and staff (assignees, approvers, inviters) by
// name, and anyone's email address or phone number. A contractor's company name stays
// (it names a business, and receivers need it), as do ids, ticket numbers, titles,
// statuses, amounts and property addresses. See docs/webhooks.md.

// personalKeys are removed wherever they appear in a payload: people, as whole objects
// or lists, and contact details, as members of any object.
var personalKeys = map[string]bool{
	"reporter":  true, // ticket.created: the resident who reported it
	"invitee":   true, // member.invited
	"staff":     true, // quote.submitted, invoice.submitted, contractor.insurance_expiring, certificate.expiring
	"to":        true, // sla.warning, sla.breached, clock.warning, clock.breached: the staff it goes to
	"invitedBy": true, // member.invited: a staff member's name

	"email": true, "phone": true,
	"reportedByName": true, "reportedByEmail": true, "reportedByPhone": true,
}

// minimise returns data without personal data. A payload that is not a JSON object is
// returned as it is (events are objects; the test event has no personal data).
func minimise(data json.RawMessage) (json.RawMessage, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber() // amounts in pence stay exact
	var doc any
	if err := dec.Decode(&doc); err != nil {
		return nil, err
	}
	if _, ok := doc.(map[string]any); !ok {
		return data, nil
	}
	return json.Marshal(strip(doc))
}

func strip(v any) any {
	switch v := v.(type) {
	case map[string]any:
		for k, e := range v {
			if personalKeys[k] {
				delete(v, k)
				continue
			}
			v[k] = strip(e)
		}
		return v
	case []any:
		for i, e := range v {
			v[i] = strip(e)
		}
		return v
	}
	return v
}

// payloadFor is the data an endpoint receives: all of it when it opted in to personal
// data, minimised otherwise.
func payloadFor(data json.RawMessage, includePersonalData bool) (json.RawMessage, error) {
	if includePersonalData {
		return data, nil
	}
	return minimise(data)
}
