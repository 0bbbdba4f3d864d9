package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/maintainuk/maintainuk/internal/page"
	"github.com/maintainuk/maintainuk/internal/tickets"
)

// BenchmarkTicketPage measures encoding a page of tickets as GET /api/v1/tickets answers
// it: the handler's list() builds the envelope and the API's own huma.API.Marshal (the
// JSON format huma writes a response body with) encodes it. Pages of 20 (the list's
// first page in the load scenarios) and 200 (the largest limit) realistic tickets: every
// field set as after triage, one in five resolved.
func BenchmarkTicketPage(b *testing.B) {
	s := benchServer(b)
	ctx := withRequestInfo(context.Background(), &requestInfo{traceID: "4bf92f3577b34da6a3ce929d0e0e4736"})
	for _, n := range []int{20, 200} {
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			items := benchTickets(n)
			res := page.Result[tickets.Ticket]{Items: items, NextCursor: "eyJ0IjoiMjAyNi0xMS0yN1QxMDowMDowMFoiLCJpIjoiMGI5YzJhZDQtN2Q2Zi00YTQzLTlkNGItM2MxYzNmMWYyZjEwIn0"}
			var buf bytes.Buffer
			encode := func() {
				buf.Reset()
				if err := s.api.Marshal(&buf, "application/json", list(ctx, res).Body); err != nil {
					b.Fatal(err)
				}
			}
			encode()
			var back ListEnvelope[tickets.Ticket]
			if err := json.Unmarshal(buf.Bytes(), &back); err != nil || len(back.Data) != n || back.Data[n-1].Number != items[n-1].Number {
				b.Fatalf("the page does not decode back (%v): %.200s", err, buf.Bytes())
			}
			b.SetBytes(int64(buf.Len()))
			b.ReportAllocs()
			for b.Loop() {
				encode()
			}
		})
	}
}

// benchTickets returns n tickets shaped like a busy organisation's list.
func benchTickets(n int) []tickets.Ticket {
	categories := tickets.Categories
	created := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	out := make([]tickets.Ticket, n)
	for i := range out {
		unit, property, reporter, assignee := uuid.New(), uuid.New(), uuid.New(), uuid.New()
		at := created.Add(-time.Duration(i) * 37 * time.Minute)
		t := tickets.Ticket{
			ID: uuid.New(), Number: tickets.FormatNumber(int64(100000 - i)), UnitID: &unit, PropertyID: &property,
			Category: categories[i%len(categories)], Priority: tickets.Priorities[i%len(tickets.Priorities)], Status: tickets.InProgress,
			Title:       fmt.Sprintf("Kitchen tap leaking under the sink, flat %d", i+1),
			Description: "Water has been dripping from the pipe under the kitchen sink since Saturday night.\nThe cupboard floor is soaked and the chipboard is starting to swell.",
			Source:      tickets.SourceResident, ReportedByUserID: &reporter, ReportedByName: "Sam O'Brien",
			ReportedByPhone: "+447911123456", ReportedByEmail: "sam.obrien@example.co.uk", AssigneeUserID: &assignee,
			SLADueAt: at.Add(7 * 24 * time.Hour), CreatedAt: at, UpdatedAt: at.Add(2 * time.Hour),
		}
		if i%5 == 4 {
			resolved := at.Add(3 * 24 * time.Hour)
			t.Status, t.ResolvedAt = tickets.Resolved, &resolved
		}
		out[i] = t
	}
	return out
}
