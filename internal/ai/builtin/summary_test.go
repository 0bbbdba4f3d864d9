package builtin

import (
	"fmt"
	"strings"
	"testing"

	"github.com/maintainuk/maintainuk/internal/ai/schema"
)

func TestSummarise(t *testing.T) {
	resolved := []schema.TimelineItem{
		{At: "2026-12-01T09:00:00Z", Actor: "[NAME_1]", Action: "ticket created", Detail: "Reported through the portal"},
		{At: "2026-12-01T10:30:00Z", Actor: "Coordinator", Action: "status_changed", Detail: "NEW → TRIAGED"},
		{At: "2026-12-01T11:00:00Z", Actor: "Coordinator", Action: "work_order created", Detail: "Assigned to Leeds Plumbing Ltd"},
		{At: "2026-12-01T12:00:00Z", Actor: "Leeds Plumbing Ltd", Action: "quote submitted", Detail: "£120.00"},
		{At: "2026-12-01T12:30:00Z", Actor: "Leeds Plumbing Ltd", Action: "work_order status_changed", Detail: "ACCEPTED"},
		{At: "2026-12-01T13:00:00Z", Actor: "Coordinator", Action: "comment_added", Detail: "Access arranged"},
		{At: "2026-12-02T15:00:00Z", Actor: "Coordinator", Action: "status_changed", Detail: "IN_PROGRESS → RESOLVED"},
		{At: "2026-12-03T09:00:00Z", Actor: "Leeds Plumbing Ltd", Action: "invoice submitted", Detail: "£120.00"},
		{At: "2026-12-04T09:00:00Z", Actor: "Coordinator", Action: "status_changed", Detail: "RESOLVED → CLOSED"},
	}
	late := []schema.TimelineItem{
		{At: "2026-12-01T09:00:00Z", Actor: "[NAME_1]", Action: "created"},
		{At: "2026-12-05T09:00:00Z", Actor: "Coordinator", Action: "status_changed", Detail: "RESOLVED"},
	}
	open := []schema.TimelineItem{
		{At: "2026-12-01T09:00:00Z", Action: "created"},
		{At: "2026-12-01T09:45:00Z", Action: "status_changed", Detail: "TRIAGED"},
	}
	facts := func(status, due string, items []schema.TimelineItem) schema.TicketFacts {
		return schema.TicketFacts{Number: "MUK-7", Title: "Tap dripping", Category: "PLUMBING", Priority: "URGENT", Status: status, SLADueAt: due, Timeline: items}
	}
	tests := []struct {
		name       string
		in         schema.TicketFacts
		want       []string
		wantPoints []string
	}{
		{"resolved within SLA", facts("CLOSED", "2026-12-03T09:00:00Z", resolved),
			[]string{"Ticket MUK-7 (“Tap dripping”), an urgent plumbing repair, was reported on Tuesday 1 December 2026, 09:00 by [NAME_1].",
				"triaged on Tuesday 1 December 2026, 10:30", "contractor was assigned on Tuesday 1 December 2026, 11:00",
				"1 quote and 1 invoice were recorded.", "It is now closed.", "It took 1 day 6 hours from report to resolved, within its SLA date of Thursday 3 December 2026, 09:00."},
			[]string{"Reported 1 Dec 2026, 09:00 by [NAME_1]: Reported through the portal", "Status now: closed", "Contractor assigned 1 Dec 2026, 11:00: Assigned to Leeds Plumbing Ltd", "Triaged 1 Dec 2026, 10:30", "Invoice 3 Dec 2026, 09:00: £120.00", "Status changed to resolved 2 Dec 2026, 15:00", "Status now: closed"}},
		{"resolved late", facts("RESOLVED", "2026-12-03T09:00:00Z", late),
			[]string{"It took 4 days from report to resolved, 2 days after its SLA date of Thursday 3 December 2026, 09:00."}, nil},
		{"open, measured to its last entry", facts("TRIAGED", "2026-12-08T17:00:00Z", open),
			[]string{"At its latest entry (1 Dec 2026, 09:45) it had been open for 45 minutes; its SLA date is Tuesday 8 December 2026, 17:00."}, nil},
		{"no timeline", schema.TicketFacts{Number: "MUK-8", Status: "NEW"},
			[]string{"Ticket MUK-8 has no recorded report date.", "waiting to be reviewed"}, []string{"Status now: new"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := Summarise(schema.SummaryInput{Ticket: tc.in})
			for _, w := range tc.want {
				if !strings.Contains(s.Summary, w) {
					t.Errorf("summary lacks %q:\n%s", w, s.Summary)
				}
			}
			if s.KeyPoints == nil || len(s.KeyPoints) > maxKeyPoints {
				t.Fatalf("key points %v: nil or over %d", s.KeyPoints, maxKeyPoints)
			}
			for _, w := range tc.wantPoints {
				found := false
				for _, p := range s.KeyPoints {
					found = found || p == w
				}
				if !found {
					t.Errorf("key points lack %q: %q", w, s.KeyPoints)
				}
			}
		})
	}
}

func TestSummariseCapsKeyPoints(t *testing.T) {
	items := []schema.TimelineItem{{At: "2026-12-01T09:00:00Z", Action: "created", Detail: "first"}}
	for i := range 20 {
		items = append(items, schema.TimelineItem{At: fmt.Sprintf("2026-12-02T%02d:00:00Z", i), Action: "quote submitted", Detail: fmt.Sprintf("quote %d", i)})
	}
	s := Summarise(schema.SummaryInput{Ticket: schema.TicketFacts{Status: "IN_PROGRESS", Timeline: items}})
	if len(s.KeyPoints) != maxKeyPoints {
		t.Fatalf("%d key points, want %d: %q", len(s.KeyPoints), maxKeyPoints, s.KeyPoints)
	}
	if !strings.HasSuffix(s.KeyPoints[0], "first") || !strings.Contains(strings.Join(s.KeyPoints, "|"), "quote 19") {
		t.Errorf("want the report and the latest events kept: %q", s.KeyPoints)
	}
	if !strings.Contains(s.Summary, "20 quotes were recorded.") {
		t.Errorf("summary: %s", s.Summary)
	}
}
