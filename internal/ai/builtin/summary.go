package builtin

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/maintainuk/maintainuk/internal/ai/schema"
)

const (
	maxKeyPoints = 8
	// maxPointDetail keeps one timeline detail from turning a key point into a paragraph.
	maxPointDetail = 120
)

// eventKind is what a timeline item means for the story. Actions are matched by words
// rather than exact names so the summary survives renamed or prefixed actions
// ("work_order created", "quote.submitted").
type eventKind int

const (
	eventOther eventKind = iota
	eventReported
	eventTriaged
	eventAssigned
	eventQuote
	eventInvoice
	eventStatus
	eventComment
)

var eventLabels = map[eventKind]string{
	eventReported: "Reported", eventTriaged: "Triaged", eventAssigned: "Contractor assigned",
	eventQuote: "Quote", eventInvoice: "Invoice", eventStatus: "Status changed",
}

func eventKindOf(action string) eventKind {
	a := newPhraseText(action)
	switch {
	case a.has("quote"), a.has("quotes"):
		return eventQuote
	case a.has("invoice"), a.has("invoices"):
		return eventInvoice
	case a.has("work order") && !a.has("created") && !a.has("assigned"):
		// A work order's own progress is the contractor's, not the ticket's status.
		return eventOther
	case a.has("work order"), a.has("assigned"), a.has("assign"), a.has("contractor"):
		return eventAssigned
	case a.has("status"):
		return eventStatus
	case a.has("triaged"), a.has("triage"):
		return eventTriaged
	case a.has("comment"), a.has("comments"):
		return eventComment
	case a.has("created"), a.has("reported"), a.has("raised"), a.has("opened"):
		return eventReported
	}
	return eventOther
}

// statusIn finds the status a detail ends on ("NEW → TRIAGED" is TRIAGED): the one
// mentioned last.
func statusIn(detail string) string {
	up := strings.ToUpper(strings.ReplaceAll(detail, " ", "_"))
	best, at := "", -1
	for s := range draftStatus {
		if i := strings.LastIndex(up, s); i > at {
			best, at = s, i
		}
	}
	return best
}

type storyEvent struct {
	kind   eventKind
	at     time.Time
	timed  bool
	item   schema.TimelineItem
	status string
}

// Summarise tells a ticket's story from its timeline (oldest first): when it was
// reported and triaged, who was sent, the money, where it stands and how long it took
// against its SLA. It states only what the timeline and the ticket say.
func Summarise(in schema.SummaryInput) schema.Summary {
	t := in.Ticket
	events := make([]storyEvent, 0, len(t.Timeline))
	for i, it := range t.Timeline {
		e := storyEvent{kind: eventKindOf(it.Action), item: it}
		e.at, e.timed = parseInstant(it.At)
		if i == 0 && e.kind == eventOther {
			e.kind = eventReported // the first entry is the report, whatever it is called
		}
		if e.kind == eventStatus {
			e.status = statusIn(it.Detail)
			if e.status == "TRIAGED" {
				e.kind = eventTriaged
			}
		}
		events = append(events, e)
	}

	var s strings.Builder
	s.WriteString(ticketLine(t))
	reported, triaged, assigned, finished := firstEvent(events, eventReported), firstEvent(events, eventTriaged), firstEvent(events, eventAssigned), finishedAt(events)
	if reported != nil && reported.timed {
		fmt.Fprintf(&s, " was reported on %s", londonLong(reported.at))
		if a := strings.TrimSpace(reported.item.Actor); a != "" {
			fmt.Fprintf(&s, " by %s", a)
		}
	} else {
		s.WriteString(" has no recorded report date")
	}
	s.WriteString(".")
	if triaged != nil && triaged.timed {
		fmt.Fprintf(&s, " It was triaged on %s.", londonLong(triaged.at))
	}
	if assigned != nil && assigned.timed {
		fmt.Fprintf(&s, " A contractor was assigned on %s.", londonLong(assigned.at))
	}
	if m := moneyLine(countKind(events, eventQuote), countKind(events, eventInvoice)); m != "" {
		s.WriteString(" " + m)
	}
	if st, ok := draftStatus[t.Status]; ok {
		fmt.Fprintf(&s, " It %s.", st)
	}
	if d := durationLine(t, reported, finished, events); d != "" {
		s.WriteString(" " + d)
	}
	return schema.Summary{Summary: s.String(), KeyPoints: keyPoints(t, events, reported, finished)}
}

func ticketLine(t schema.TicketFacts) string {
	var b strings.Builder
	b.WriteString("Ticket")
	if n := strings.TrimSpace(t.Number); n != "" {
		b.WriteString(" " + n)
	}
	if ti := strings.TrimSpace(t.Title); ti != "" {
		fmt.Fprintf(&b, " (“%s”)", ti)
	}
	p, okP := draftPriority[t.Priority]
	if okP || t.Category != "" {
		b.WriteString(",")
		if okP {
			b.WriteString(" " + p)
		} else {
			b.WriteString(" a")
		}
		if t.Category != "" {
			b.WriteString(" " + strings.ToLower(strings.ReplaceAll(t.Category, "_", " ")))
		}
		b.WriteString(" repair,")
	}
	return b.String()
}

func firstEvent(events []storyEvent, k eventKind) *storyEvent {
	for i := range events {
		if events[i].kind == k {
			return &events[i]
		}
	}
	return nil
}

func countKind(events []storyEvent, k eventKind) int {
	n := 0
	for _, e := range events {
		if e.kind == k {
			n++
		}
	}
	return n
}

// finishedAt is the last move to RESOLVED, CLOSED or CANCELLED, nil while the ticket
// is open or was reopened since.
func finishedAt(events []storyEvent) *storyEvent {
	var last *storyEvent
	for i := range events {
		switch events[i].status {
		case "RESOLVED", "CLOSED", "CANCELLED":
			// Closing after resolving keeps the resolution as the end of the work.
			if last == nil {
				last = &events[i]
			}
		case "":
		default:
			last = nil
		}
	}
	return last
}

func moneyLine(quotes, invoices int) string {
	switch {
	case quotes > 0 && invoices > 0:
		return fmt.Sprintf("%s and %s were recorded.", counted(quotes, "quote"), counted(invoices, "invoice"))
	case quotes == 1:
		return "1 quote was recorded."
	case quotes > 0:
		return counted(quotes, "quote") + " were recorded."
	case invoices == 1:
		return "1 invoice was recorded."
	case invoices > 0:
		return counted(invoices, "invoice") + " were recorded."
	}
	return ""
}

// counted is "1 day", "3 days".
func counted(n int, one string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %ss", n, one)
}

// durationLine compares the time taken with the SLA. An open ticket is measured to its
// latest timeline entry, not to the clock, so the same timeline always reads the same.
func durationLine(t schema.TicketFacts, reported, finished *storyEvent, events []storyEvent) string {
	if reported == nil || !reported.timed {
		return ""
	}
	due, hasDue := parseInstant(t.SLADueAt)
	dueText, _ := londonTime(t.SLADueAt)
	if finished != nil && finished.timed && finished.status != "CANCELLED" {
		took := fmt.Sprintf("It took %s from report to %s", spanText(finished.at.Sub(reported.at)), strings.ToLower(finished.status))
		switch {
		case !hasDue:
			return took + "."
		case finished.at.After(due):
			return fmt.Sprintf("%s, %s after its SLA date of %s.", took, spanText(finished.at.Sub(due)), dueText)
		default:
			return fmt.Sprintf("%s, within its SLA date of %s.", took, dueText)
		}
	}
	if finished != nil {
		return ""
	}
	var latest time.Time
	for _, e := range events {
		if e.timed && e.at.After(latest) {
			latest = e.at
		}
	}
	open := fmt.Sprintf("At its latest entry (%s) it had been open for %s", londonDay(latest), spanText(latest.Sub(reported.at)))
	switch {
	case !hasDue:
		return open + "."
	case latest.After(due):
		return fmt.Sprintf("%s and was past its SLA date of %s.", open, dueText)
	default:
		return fmt.Sprintf("%s; its SLA date is %s.", open, dueText)
	}
}

// spanText says a duration the way a report would: "2 days 3 hours", "45 minutes".
func spanText(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	days, hours, minutes := int(d/(24*time.Hour)), int(d%(24*time.Hour)/time.Hour), int(d%time.Hour/time.Minute)
	switch {
	case days > 0 && hours > 0:
		return counted(days, "day") + " " + counted(hours, "hour")
	case days > 0:
		return counted(days, "day")
	case hours > 0:
		return counted(hours, "hour")
	}
	return counted(minutes, "minute")
}

// keyPoints lists the notable events, then the status now and the time against the
// SLA. When there are too many, the oldest minor events (quotes, invoices, interim
// status changes) go first, so the report, triage, assignment and resolution stay.
func keyPoints(t schema.TicketFacts, events []storyEvent, reported, finished *storyEvent) []string {
	type point struct {
		text  string
		major bool
	}
	var notable []point
	for _, e := range events {
		label, ok := eventLabels[e.kind]
		if !ok || !e.timed {
			continue
		}
		final := e.status == "RESOLVED" || e.status == "CLOSED" || e.status == "CANCELLED"
		if e.kind == eventStatus && e.status != "" {
			label = "Status changed to " + strings.ToLower(strings.ReplaceAll(e.status, "_", " "))
		}
		p := label + " " + londonDay(e.at)
		if a := strings.TrimSpace(e.item.Actor); a != "" && e.kind == eventReported {
			p += " by " + a
		}
		if d := strings.TrimSpace(e.item.Detail); d != "" && e.status == "" {
			p += ": " + clipRunes(d, maxPointDetail)
		}
		major := e.kind == eventReported || e.kind == eventTriaged || e.kind == eventAssigned || final
		notable = append(notable, point{p, major})
	}
	var tail []string
	if _, ok := draftStatus[t.Status]; ok {
		tail = append(tail, "Status now: "+strings.ToLower(strings.ReplaceAll(t.Status, "_", " ")))
	}
	if d := durationLine(t, reported, finished, events); d != "" {
		tail = append(tail, d)
	} else if due, ok := londonTime(t.SLADueAt); ok {
		tail = append(tail, "SLA due "+due)
	}
	for room := maxKeyPoints - len(tail); len(notable) > room; {
		drop := slices.IndexFunc(notable[1:], func(p point) bool { return !p.major }) + 1
		if drop == 0 {
			drop = 1 // only major events left: the report stays, the next oldest goes
		}
		notable = slices.Delete(notable, drop, drop+1)
	}
	out := make([]string, 0, len(notable)+len(tail))
	for _, p := range notable {
		out = append(out, p.text)
	}
	return append(out, tail...)
}
