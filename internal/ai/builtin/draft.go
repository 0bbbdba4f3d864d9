package builtin

import (
	"fmt"
	"slices"
	"strings"

	"github.com/maintainuk/maintainuk/internal/ai/schema"
)

// Limits the draft schema sets on a message.
const (
	maxSubject = 150
	maxBody    = 4000
	// maxQuoted, maxPurpose and maxTitle keep free text from crowding out the message,
	// so a draft always fits and always ends with its sign-off.
	maxQuoted  = 600
	maxPurpose = 1000
	maxTitle   = 200
)

// toneWords is how one tone opens, asks and signs off. Templates are fixed per tone and
// recipient so the same ticket always drafts the same message.
type toneWords struct {
	greeting map[string]string // by recipient; %s is the resident's name where used
	opening  map[string]string // by recipient; %[1]s the number, %[2]s the title
	purpose  string            // introduces the coordinator's purpose
	ask      map[string]string // by recipient: what we ask of them
	closing  string
}

var draftTones = map[string]toneWords{
	"FORMAL": {
		greeting: map[string]string{"RESIDENT": "Dear %s,", "CONTRACTOR": "Dear Sir or Madam,", "LANDLORD": "Dear Landlord,"},
		opening: map[string]string{
			"RESIDENT":   "We are writing regarding your repair report %[1]s, “%[2]s”.",
			"CONTRACTOR": "We are writing regarding work request %[1]s, “%[2]s”.",
			"LANDLORD":   "We are writing to update you on repair %[1]s, “%[2]s”, at your property.",
		},
		purpose: "The purpose of this message is as follows:",
		ask: map[string]string{
			"RESIDENT":   "Should you have any questions, please reply to this message quoting reference %s.",
			"CONTRACTOR": "Please confirm your attendance date and let us know if a quote is required, quoting reference %s.",
			"LANDLORD":   "Please let us know if you have any instructions regarding this repair, quoting reference %s.",
		},
		closing: "Yours sincerely,",
	},
	"FRIENDLY": {
		greeting: map[string]string{"RESIDENT": "Hello %s,", "CONTRACTOR": "Hello,", "LANDLORD": "Hello,"},
		opening: map[string]string{
			"RESIDENT":   "Thanks for letting us know about “%[2]s” (reference %[1]s). Here’s a quick update.",
			"CONTRACTOR": "We’ve got a job for you: “%[2]s” (reference %[1]s).",
			"LANDLORD":   "Just a quick update on “%[2]s” (reference %[1]s) at your property.",
		},
		purpose: "Here’s why we’re getting in touch:",
		ask: map[string]string{
			"RESIDENT":   "If anything changes or you have a question, just reply and mention %s.",
			"CONTRACTOR": "Could you let us know when you can attend? Just reply and mention %s.",
			"LANDLORD":   "If you’d like anything done differently, just reply and mention %s.",
		},
		closing: "Best wishes,",
	},
	"EMPATHETIC": {
		greeting: map[string]string{"RESIDENT": "Dear %s,", "CONTRACTOR": "Dear colleague,", "LANDLORD": "Dear Landlord,"},
		opening: map[string]string{
			"RESIDENT":   "We’re sorry you’re having to deal with “%[2]s”, and we understand how disruptive this can be. We want to keep you updated on your report %[1]s.",
			"CONTRACTOR": "The resident is finding “%[2]s” (reference %[1]s) difficult to live with, so we would be grateful for your help.",
			"LANDLORD":   "We know repairs can be a worry, so we want to keep you informed about “%[2]s” (reference %[1]s) at your property.",
		},
		purpose: "We’re getting in touch about the following:",
		ask: map[string]string{
			"RESIDENT":   "If there is anything that would make this easier for you, or anyone in your home needs extra support, please reply and mention %s.",
			"CONTRACTOR": "Please be considerate when arranging access, and let us know your attendance date, quoting %s.",
			"LANDLORD":   "Please get in touch if you have any concerns, quoting %s.",
		},
		closing: "With kind regards,",
	},
	"FIRM": {
		greeting: map[string]string{"RESIDENT": "Dear %s,", "CONTRACTOR": "Dear Sir or Madam,", "LANDLORD": "Dear Landlord,"},
		opening: map[string]string{
			"RESIDENT":   "This message concerns repair report %[1]s, “%[2]s”.",
			"CONTRACTOR": "This message concerns work request %[1]s, “%[2]s”, which requires your action.",
			"LANDLORD":   "This message concerns repair %[1]s, “%[2]s”, which requires your attention.",
		},
		purpose: "Action is required:",
		ask: map[string]string{
			"RESIDENT":   "Please respond promptly, quoting reference %s, so that the repair is not delayed.",
			"CONTRACTOR": "You must confirm your attendance date by reply without delay, quoting reference %s.",
			"LANDLORD":   "Please respond promptly, quoting reference %s: any delay may put you in breach of your repairing obligations.",
		},
		closing: "Regards,",
	},
}

// draftStatus says where a ticket stands, for someone outside the team.
var draftStatus = map[string]string{
	"NEW":         "has been received and is waiting to be reviewed",
	"TRIAGED":     "has been reviewed and the work is being arranged",
	"IN_PROGRESS": "is in progress",
	"RESOLVED":    "has been marked as resolved",
	"CLOSED":      "is now closed",
	"CANCELLED":   "has been cancelled",
}

var draftPriority = map[string]string{"ROUTINE": "a routine", "URGENT": "an urgent", "EMERGENCY": "an emergency"}

// DraftMessage writes a message about a ticket for a person to read, edit and send. It
// uses only the facts given: a contractor is told the address and the job, never how to
// contact the resident, who is reached through the sender.
func DraftMessage(in schema.DraftInput) schema.Draft {
	recipient := in.Recipient
	if !slices.Contains(schema.Recipients, recipient) {
		recipient = "RESIDENT"
	}
	w, ok := draftTones[in.Tone]
	if !ok {
		w = draftTones["FORMAL"]
	}
	t := in.Ticket
	number := strings.TrimSpace(t.Number)
	if number == "" {
		number = "(no reference)"
	}
	title := clipRunes(strings.TrimSpace(t.Title), maxTitle)
	if title == "" {
		title = "repair"
	}
	var paras []string
	paras = append(paras, draftGreeting(w, recipient, t.Resident), fmt.Sprintf(w.opening[recipient], number, title))
	paras = append(paras, draftStanding(in.Tone, recipient, t))
	if p := endSentence(clipRunes(in.Purpose, maxPurpose)); p != "" {
		paras = append(paras, w.purpose+" "+p)
	}
	switch a := strings.TrimRight(strings.TrimSpace(t.Address), "."); {
	case recipient == "CONTRACTOR":
		paras = append(paras, draftJobDetails(t)...)
	case recipient == "LANDLORD" && a != "":
		// A landlord may own several properties: say which.
		paras = append(paras, "Property: "+a+".")
	}
	if recipient == "RESIDENT" && t.Priority == "EMERGENCY" && ticketOpen(t.Status) {
		paras = append(paras, "If anyone is in immediate danger, call 999. If you smell gas, call the National Gas Emergency number on 0800 111 999.")
	}
	paras = append(paras, fmt.Sprintf(w.ask[recipient], number))
	sender := strings.TrimSpace(in.Sender)
	if sender == "" {
		sender = "The maintenance team"
	}
	paras = append(paras, w.closing+"\n"+sender)
	return schema.Draft{Subject: clipRunes(draftSubject(in.Tone, recipient, t.Priority, number, title), maxSubject), Body: clipRunes(strings.Join(paras, "\n\n"), maxBody)}
}

// ticketOpen reports whether work on a ticket is still to come.
func ticketOpen(status string) bool {
	return status != "RESOLVED" && status != "CLOSED" && status != "CANCELLED"
}

func draftGreeting(w toneWords, recipient, resident string) string {
	g := w.greeting[recipient]
	if !strings.Contains(g, "%s") {
		return g
	}
	name := strings.TrimSpace(resident)
	if name == "" {
		// Without a name, "Dear Resident," reads better than "Dear ,".
		name = "Resident"
		if strings.HasPrefix(g, "Hello") {
			return "Hello,"
		}
	}
	return fmt.Sprintf(g, name)
}

// draftStanding is the paragraph on status, priority and the SLA date.
func draftStanding(tone, recipient string, t schema.TicketFacts) string {
	subject := "The repair"
	if recipient == "RESIDENT" {
		subject = "Your repair"
	}
	var b strings.Builder
	if s, ok := draftStatus[t.Status]; ok {
		fmt.Fprintf(&b, "%s %s.", subject, s)
	}
	if p, ok := draftPriority[t.Priority]; ok {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "It is classed as %s repair.", p)
	}
	if due, ok := londonTime(t.SLADueAt); ok && ticketOpen(t.Status) {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		switch {
		case recipient == "CONTRACTOR" && tone == "FIRM":
			fmt.Fprintf(&b, "The work must be completed by %s.", due)
		case recipient == "CONTRACTOR":
			fmt.Fprintf(&b, "The work is due to be completed by %s.", due)
		case tone == "FIRM":
			fmt.Fprintf(&b, "Under our service standards it must be completed by %s.", due)
		default:
			fmt.Fprintf(&b, "We aim to have it completed by %s.", due)
		}
	}
	if b.Len() == 0 {
		return "We will keep you updated on its progress."
	}
	return b.String()
}

// draftJobDetails tells a contractor what and where: the category, the address and the
// report in the resident's words (already redacted by the caller).
func draftJobDetails(t schema.TicketFacts) []string {
	var out []string
	var b strings.Builder
	if t.Category != "" {
		fmt.Fprintf(&b, "Trade: %s.", strings.ToLower(strings.ReplaceAll(t.Category, "_", " ")))
	}
	if a := strings.TrimSpace(t.Address); a != "" {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "Address: %s.", strings.TrimRight(a, "."))
	}
	if b.Len() > 0 {
		out = append(out, b.String())
	}
	if d := withoutContacts(t.Description); d != "" {
		out = append(out, "The report reads: “"+clipRunes(d, maxQuoted)+"”")
	}
	return append(out, "Please arrange access through us rather than contacting the resident directly.")
}

// withoutContacts drops the sentences of a report that carry a phone number or an email
// address, raw or as a redaction placeholder ("[PHONE_1]"), so a contractor's draft never
// passes on how to reach the resident.
func withoutContacts(text string) string {
	var kept []string
	for _, line := range strings.FieldsFunc(text, func(r rune) bool { return r == '\n' || r == '\r' }) {
		for _, s := range strings.SplitAfter(line, ". ") {
			if s = strings.TrimSpace(s); s != "" && !hasContact(s) {
				kept = append(kept, s)
			}
		}
	}
	return strings.Join(kept, " ")
}

func hasContact(s string) bool {
	up := strings.ToUpper(s)
	if strings.Contains(up, "[PHONE") || strings.Contains(up, "[EMAIL") || strings.Contains(s, "@") {
		return true
	}
	digits := 0
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits++
			if digits >= 7 {
				return true
			}
		case r == ' ' || r == '-' || r == '+' || r == '(' || r == ')':
			// separators inside a phone number
		default:
			digits = 0
		}
	}
	return false
}

func draftSubject(tone, recipient, priority, number, title string) string {
	var lead string
	switch recipient {
	case "CONTRACTOR":
		lead = "Work request"
	case "LANDLORD":
		lead = "Repair update"
	default:
		lead = "Your repair report"
	}
	s := fmt.Sprintf("%s %s: %s", lead, number, title)
	if priority == "EMERGENCY" {
		s = "Emergency – " + s
	}
	if tone == "FIRM" {
		s = "Action required – " + s
	}
	return s
}
