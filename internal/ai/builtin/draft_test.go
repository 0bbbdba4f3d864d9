package builtin

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/maintainuk/maintainuk/internal/ai/schema"
)

func draftTicket() schema.TicketFacts {
	return schema.TicketFacts{
		Number: "MUK-000123", Title: "Kitchen tap dripping", Description: "The cold tap drips all day. Call [NAME_1] on [PHONE_1].",
		Category: "PLUMBING", Priority: "URGENT", Status: "TRIAGED", Address: "Flat 2, 10 High Street, Leeds LS1 4AP",
		Resident: "[NAME_1]", SLADueAt: "2026-12-08T14:00:00Z",
	}
}

func TestDraftMessage(t *testing.T) {
	tests := []struct {
		name      string
		in        schema.DraftInput
		want      []string
		wantNot   []string
		wantStart string
	}{
		{"resident formal", schema.DraftInput{Ticket: draftTicket(), Tone: "FORMAL", Recipient: "RESIDENT", Sender: "Acme Homes"},
			[]string{"MUK-000123", "Tuesday 8 December 2026, 14:00", "urgent", "Yours sincerely,\nAcme Homes"}, nil, "Dear [NAME_1],"},
		{"resident friendly", schema.DraftInput{Ticket: draftTicket(), Tone: "FRIENDLY", Recipient: "RESIDENT", Sender: "Acme Homes"},
			[]string{"MUK-000123", "Best wishes,"}, nil, "Hello [NAME_1],"},
		{"resident empathetic", schema.DraftInput{Ticket: draftTicket(), Tone: "EMPATHETIC", Recipient: "RESIDENT", Sender: "Acme Homes"},
			[]string{"sorry", "MUK-000123"}, nil, "Dear [NAME_1],"},
		{"contractor firm with purpose", schema.DraftInput{Ticket: draftTicket(), Tone: "FIRM", Recipient: "CONTRACTOR", Purpose: "confirm attendance on Tuesday", Sender: "Acme Homes"},
			[]string{"MUK-000123", "must be completed by Tuesday 8 December 2026, 14:00", "Action is required: confirm attendance on Tuesday.", "Leeds LS1 4AP", "arrange access through us"},
			[]string{"Dear [NAME_1]", "[PHONE_1]"}, "Dear Sir or Madam,"},
		{"landlord formal", schema.DraftInput{Ticket: draftTicket(), Tone: "FORMAL", Recipient: "LANDLORD", Sender: "Acme Homes"},
			[]string{"MUK-000123", "your property", "Property: Flat 2, 10 High Street, Leeds LS1 4AP."}, []string{"The report reads"}, "Dear Landlord,"},
		{"summer time shown in BST", schema.DraftInput{Ticket: func() schema.TicketFacts { f := draftTicket(); f.SLADueAt = "2026-07-01T08:30:00Z"; return f }(), Tone: "FRIENDLY", Recipient: "RESIDENT"},
			[]string{"Wednesday 1 July 2026, 09:30", "The maintenance team"}, nil, "Hello [NAME_1],"},
		{"emergency resident gets 999", schema.DraftInput{Ticket: func() schema.TicketFacts { f := draftTicket(); f.Priority = "EMERGENCY"; return f }(), Tone: "FORMAL", Recipient: "RESIDENT"},
			[]string{"999", "0800 111 999"}, nil, "Dear [NAME_1],"},
		{"no name, unknown tone and recipient", schema.DraftInput{Ticket: schema.TicketFacts{Number: "MUK-9", Title: "Door"}, Tone: "SHOUTY", Recipient: "??"},
			[]string{"MUK-9", "Yours sincerely,"}, nil, "Dear Resident,"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := DraftMessage(tc.in)
			if d.Subject == "" || utf8.RuneCountInString(d.Subject) > maxSubject {
				t.Errorf("subject %q: empty or over %d", d.Subject, maxSubject)
			}
			if !strings.Contains(d.Subject, tc.in.Ticket.Number) {
				t.Errorf("subject %q lacks the ticket number", d.Subject)
			}
			if utf8.RuneCountInString(d.Body) > maxBody {
				t.Errorf("body over %d", maxBody)
			}
			if !strings.HasPrefix(d.Body, tc.wantStart) {
				t.Errorf("body starts %q, want %q", firstLine(d.Body), tc.wantStart)
			}
			for _, w := range tc.want {
				if !strings.Contains(d.Body, w) {
					t.Errorf("body lacks %q:\n%s", w, d.Body)
				}
			}
			for _, w := range tc.wantNot {
				if strings.Contains(d.Body, w) {
					t.Errorf("body has %q:\n%s", w, d.Body)
				}
			}
			if again := DraftMessage(tc.in); again != d {
				t.Error("not deterministic")
			}
		})
	}
}

func TestWithoutContacts(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Tap drips. Call me on 07700 900123. Thanks", "Tap drips. Thanks"},
		{"Tap drips.\nEmail [EMAIL_1] or me@example.com", "Tap drips."},
		{"Boiler at 0.5 bar since 2 December 2026.", "Boiler at 0.5 bar since 2 December 2026."},
		{"[PHONE_1]", ""},
	}
	for _, tc := range tests {
		if got := withoutContacts(tc.in); got != tc.want {
			t.Errorf("withoutContacts(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func firstLine(s string) string { return strings.SplitN(s, "\n", 2)[0] }

// TestDraftToneChangesWording checks every tone writes a different body and every
// recipient a different subject for the same ticket.
func TestDraftToneChangesWording(t *testing.T) {
	for _, r := range schema.Recipients {
		bodies := map[string]string{}
		for _, tone := range schema.Tones {
			b := DraftMessage(schema.DraftInput{Ticket: draftTicket(), Tone: tone, Recipient: r, Sender: "Acme"}).Body
			if other, ok := bodies[b]; ok {
				t.Errorf("%s: %s and %s draft the same body", r, tone, other)
			}
			bodies[b] = tone
		}
	}
	subjects := map[string]bool{}
	for _, r := range schema.Recipients {
		subjects[DraftMessage(schema.DraftInput{Ticket: draftTicket(), Tone: "FORMAL", Recipient: r}).Subject] = true
	}
	if len(subjects) != len(schema.Recipients) {
		t.Errorf("recipients share subjects: %v", subjects)
	}
}

func TestDraftLimits(t *testing.T) {
	f := draftTicket()
	f.Title = strings.Repeat("very long title ", 30)
	f.Description = strings.Repeat("x", 10000)
	d := DraftMessage(schema.DraftInput{Ticket: f, Tone: "FIRM", Recipient: "CONTRACTOR", Purpose: strings.Repeat("y", 5000)})
	if n := utf8.RuneCountInString(d.Subject); n > maxSubject {
		t.Errorf("subject %d runes", n)
	}
	if n := utf8.RuneCountInString(d.Body); n > maxBody {
		t.Errorf("body %d runes", n)
	}
	if !strings.HasSuffix(d.Body, "Regards,\nThe maintenance team") {
		t.Errorf("long free text pushed out the sign-off: …%s", d.Body[len(d.Body)-80:])
	}
}
