package httpapi_test

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/maintainuk/maintainuk/internal/apperr"
	"github.com/maintainuk/maintainuk/internal/testsupport"
	"github.com/maintainuk/maintainuk/internal/tickets"
	"github.com/maintainuk/maintainuk/internal/workorders"
)

// The wf helpers below are shared by the work order, quote, invoice and workflow timeline
// tests. Like the mx helpers they take the caller's t and bind clients to it.

func wfTicketStatus(t *testing.T, e *testsupport.Workflow, id uuid.UUID) tickets.Status {
	t.Helper()
	return testsupport.GetTicket(t, e.Admin, id).Status
}

func wfExpectTicket(t *testing.T, e *testsupport.Workflow, id uuid.UUID, want tickets.Status) {
	t.Helper()
	if got := wfTicketStatus(t, e, id); got != want {
		t.Fatalf("ticket is %s, want %s", got, want)
	}
}

// wfWOSnapshot is what must not move when a work order action is refused: the work order,
// its ticket's status and the length of the ticket's trail.
func wfWOSnapshot(t *testing.T, e *testsupport.Workflow, id uuid.UUID) string {
	t.Helper()
	wo := testsupport.GetWorkOrder(t, e.Admin, id)
	d := testsupport.GetTicket(t, e.Admin, wo.TicketID)
	return fmt.Sprintf("%s ticket=%s events=%d", testsupport.JSON(t, wo), d.Status, len(d.Timeline))
}

// wfAllowed is the work order state machine as the specification draws it, written out
// independently of the rules table in the workorders package.
var wfAllowed = map[workorders.Status]map[string]workorders.Status{
	workorders.Assigned:   {"accept": workorders.Accepted, "decline": workorders.Declined, "cancel": workorders.Cancelled},
	workorders.Accepted:   {"schedule": workorders.Scheduled, "cancel": workorders.Cancelled},
	workorders.Scheduled:  {"schedule": workorders.Scheduled, "start": workorders.InProgress, "cancel": workorders.Cancelled},
	workorders.InProgress: {"complete": workorders.Completed, "cancel": workorders.Cancelled},
	workorders.Declined:   {},
	workorders.Completed:  {},
	workorders.Cancelled:  {},
}

var wfActions = []string{"accept", "decline", "schedule", "start", "complete", "cancel"}

// wfTicketAfter is where a ticket with one work order stands when the work order is in
// status.
func wfTicketAfter(s workorders.Status) tickets.Status {
	switch s {
	case workorders.Completed:
		return tickets.Resolved
	case workorders.Declined, workorders.Cancelled:
		return tickets.Triaged
	}
	return tickets.InProgress
}

// testWorkOrderStateMachine takes every action from every status through the API: the
// allowed ones lead where the state machine says (and the ticket follows), every other
// answers 409 CONFLICT and changes nothing — not the work order, not the ticket, not the
// trail.
func testWorkOrderStateMachine(t *testing.T, e *testsupport.Workflow) {
	for _, from := range workorders.Statuses {
		for _, action := range wfActions {
			want, allowed := wfAllowed[from][action]
			name := fmt.Sprintf("%s %s", from, action)
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				wo := e.WorkOrder(t, from)
				wfExpectTicket(t, e, wo.TicketID, wfTicketAfter(from))
				before := wfWOSnapshot(t, e, wo.ID)
				r := testsupport.ActOnWorkOrder(t, e.Admin, wo.ID, action)
				if !allowed {
					f := testsupport.ExpectFailure(t, r, http.StatusConflict, apperr.Conflict)
					if !strings.Contains(f.Message, string(from)) {
						t.Errorf("409 message %q does not name the status %s", f.Message, from)
					}
					if after := wfWOSnapshot(t, e, wo.ID); after != before {
						t.Fatalf("refused %s changed something:\nbefore %s\nafter  %s", name, before, after)
					}
					return
				}
				var got workorders.WorkOrder
				testsupport.ExpectOK(t, r, http.StatusOK, &got)
				if got.Status != want {
					t.Fatalf("%s → %s, want %s", name, got.Status, want)
				}
				if stored := testsupport.GetWorkOrder(t, e.Admin, wo.ID); stored.Status != want {
					t.Fatalf("stored status %s, want %s", stored.Status, want)
				}
				wfExpectTicket(t, e, wo.TicketID, wfTicketAfter(want))
			})
		}
	}
}

// testWorkOrderTransitionInputs: what each action needs, and that it is stored.
func testWorkOrderTransitionInputs(t *testing.T, e *testsupport.Workflow) {
	path := func(id uuid.UUID) string { return "/api/v1/work-orders/" + id.String() + "/transition" }

	t.Run("decline and cancel need a reason", func(t *testing.T) {
		t.Parallel()
		wo := e.WorkOrder(t, workorders.Assigned)
		before := wfWOSnapshot(t, e, wo.ID)
		for _, action := range []string{"decline", "cancel"} {
			for _, reason := range []any{nil, "", "   "} {
				body := map[string]any{"action": action}
				if reason != nil {
					body["reason"] = reason
				}
				testsupport.ExpectFailure(t, e.Admin.With(t).Post(path(wo.ID), body), http.StatusUnprocessableEntity, apperr.Invalid, "reason")
				testsupport.ExpectFailure(t, e.Contractor.With(t).Post(path(wo.ID), body), http.StatusUnprocessableEntity, apperr.Invalid, "reason")
			}
		}
		if after := wfWOSnapshot(t, e, wo.ID); after != before {
			t.Fatalf("refused action changed something:\nbefore %s\nafter  %s", before, after)
		}
		var got workorders.WorkOrder
		testsupport.ExpectOK(t, e.Contractor.With(t).Post(path(wo.ID), map[string]any{"action": "decline", "reason": "  No gas engineer free this month  "}), http.StatusOK, &got)
		if got.Status != workorders.Declined || got.StatusReason != "No gas engineer free this month" {
			t.Fatalf("declined: %+v", got)
		}
		if stored := testsupport.GetWorkOrder(t, e.Admin, wo.ID); stored.StatusReason != "No gas engineer free this month" {
			t.Fatalf("stored reason %q", stored.StatusReason)
		}

		wo = e.WorkOrder(t, workorders.InProgress)
		testsupport.ExpectOK(t, e.Coordinator.With(t).Post(path(wo.ID), map[string]any{"action": "cancel", "reason": "Tenant fixed it"}), http.StatusOK, &got)
		if got.Status != workorders.Cancelled || got.StatusReason != "Tenant fixed it" {
			t.Fatalf("cancelled: %+v", got)
		}
	})

	t.Run("schedule needs a time that is not in the past", func(t *testing.T) {
		t.Parallel()
		wo := e.WorkOrder(t, workorders.Accepted)
		before := wfWOSnapshot(t, e, wo.ID)
		for _, body := range []map[string]any{
			{"action": "schedule"},
			{"action": "schedule", "scheduledFor": time.Now().Add(-25 * time.Hour).UTC().Format(time.RFC3339)},
			{"action": "schedule", "scheduledFor": "2020-01-01T09:00:00Z"},
		} {
			testsupport.ExpectFailure(t, e.Contractor.With(t).Post(path(wo.ID), body), http.StatusUnprocessableEntity, apperr.Invalid, "scheduledFor")
		}
		testsupport.ExpectFailure(t, e.Contractor.With(t).Post(path(wo.ID), map[string]any{"action": "schedule", "scheduledFor": "next tuesday"}),
			http.StatusUnprocessableEntity, apperr.Invalid)
		if after := wfWOSnapshot(t, e, wo.ID); after != before {
			t.Fatalf("refused schedule changed something:\nbefore %s\nafter  %s", before, after)
		}
		at := time.Now().Add(72 * time.Hour).UTC().Truncate(time.Second)
		var got workorders.WorkOrder
		testsupport.ExpectOK(t, e.Contractor.With(t).Post(path(wo.ID), map[string]any{"action": "schedule", "scheduledFor": at.In(time.FixedZone("BST", 3600)).Format(time.RFC3339)}), http.StatusOK, &got)
		if got.Status != workorders.Scheduled || got.ScheduledFor == nil || !got.ScheduledFor.Equal(at) {
			t.Fatalf("scheduled: %+v, want at %s", got, at)
		}
		// Rescheduling moves the visit.
		later := at.Add(24 * time.Hour)
		testsupport.ExpectOK(t, e.Contractor.With(t).Post(path(wo.ID), map[string]any{"action": "schedule", "scheduledFor": later.Format(time.RFC3339)}), http.StatusOK, &got)
		if stored := testsupport.GetWorkOrder(t, e.Admin, wo.ID); stored.Status != workorders.Scheduled || stored.ScheduledFor == nil || !stored.ScheduledFor.Equal(later) {
			t.Fatalf("rescheduled: %+v, want at %s", stored, later)
		}
	})

	t.Run("completion notes and time are stored", func(t *testing.T) {
		t.Parallel()
		wo := e.WorkOrder(t, workorders.InProgress)
		if wo.CompletedAt != nil || wo.CompletionNotes != "" {
			t.Fatalf("in progress work order already completed: %+v", wo)
		}
		start := time.Now().Add(-time.Minute)
		var got workorders.WorkOrder
		testsupport.ExpectOK(t, e.Contractor.With(t).Post(path(wo.ID), map[string]any{"action": "complete", "notes": "Replaced the ball valve; tested, no leaks."}), http.StatusOK, &got)
		stored := testsupport.GetWorkOrder(t, e.Admin, wo.ID)
		for _, w := range []workorders.WorkOrder{got, stored} {
			if w.Status != workorders.Completed || w.CompletionNotes != "Replaced the ball valve; tested, no leaks." ||
				w.CompletedAt == nil || w.CompletedAt.Before(start) || w.ScheduledFor == nil {
				t.Fatalf("completed: %+v", w)
			}
		}
	})

	t.Run("limits count characters, not bytes", func(t *testing.T) {
		t.Parallel()
		long := strings.Repeat("é", 1000) // 2000 bytes
		wo := e.WorkOrder(t, workorders.Assigned)
		testsupport.ExpectFailure(t, e.Admin.With(t).Post(path(wo.ID), map[string]any{"action": "decline", "reason": long + "é"}), http.StatusUnprocessableEntity, apperr.Invalid, "reason")
		var got workorders.WorkOrder
		testsupport.ExpectOK(t, e.Admin.With(t).Post(path(wo.ID), map[string]any{"action": "decline", "reason": long}), http.StatusOK, &got)
		if got.StatusReason != long {
			t.Fatalf("reason of %d characters stored as %d", 1000, len([]rune(got.StatusReason)))
		}
		wo = e.WorkOrder(t, workorders.InProgress)
		notes := strings.Repeat("ł", 2000)
		testsupport.ExpectFailure(t, e.Contractor.With(t).Post(path(wo.ID), map[string]any{"action": "complete", "notes": notes + "ł"}), http.StatusUnprocessableEntity, apperr.Invalid, "notes")
		testsupport.ExpectOK(t, e.Contractor.With(t).Post(path(wo.ID), map[string]any{"action": "complete", "notes": notes}), http.StatusOK, &got)
		if got.CompletionNotes != notes {
			t.Fatalf("notes of 2000 characters stored as %d", len([]rune(got.CompletionNotes)))
		}
	})

	t.Run("unknown action", func(t *testing.T) {
		t.Parallel()
		wo := e.WorkOrder(t, workorders.Assigned)
		testsupport.ExpectFailure(t, e.Admin.With(t).Post(path(wo.ID), map[string]any{"action": "approve"}), http.StatusUnprocessableEntity, apperr.Invalid, "action")
		testsupport.ExpectFailure(t, e.Admin.With(t).Post(path(wo.ID), map[string]any{}), http.StatusUnprocessableEntity, apperr.Invalid, "action")
	})

	t.Run("description is required to raise", func(t *testing.T) {
		t.Parallel()
		ticket := e.Ticket(t)
		testsupport.ExpectFailure(t, e.Admin.With(t).Post("/api/v1/work-orders", map[string]any{"ticketId": ticket, "contractorId": e.ContractorID, "description": "  "}),
			http.StatusUnprocessableEntity, apperr.Invalid, "description")
		wfExpectTicket(t, e, ticket, tickets.New)
	})
}

// testWorkOrderRoles: the company's CONTRACTOR may take every action but cancel; another
// company's CONTRACTOR sees nothing (404); a TENANT is refused (403).
func testWorkOrderRoles(t *testing.T, e *testsupport.Workflow) {
	app := e.App

	t.Run("own contractor runs the job", func(t *testing.T) {
		t.Parallel()
		wo := e.WorkOrder(t, workorders.Assigned)
		for _, step := range []struct {
			action string
			want   workorders.Status
		}{{"accept", workorders.Accepted}, {"schedule", workorders.Scheduled}, {"start", workorders.InProgress}, {"complete", workorders.Completed}} {
			var got workorders.WorkOrder
			testsupport.ExpectOK(t, testsupport.ActOnWorkOrder(t, e.Contractor, wo.ID, step.action), http.StatusOK, &got)
			if got.Status != step.want {
				t.Fatalf("%s → %s, want %s", step.action, got.Status, step.want)
			}
		}
		wo = e.WorkOrder(t, workorders.Assigned)
		testsupport.ExpectOK(t, testsupport.ActOnWorkOrder(t, e.Contractor, wo.ID, "decline"), http.StatusOK, nil)
		if got := testsupport.GetWorkOrder(t, e.Contractor, wo.ID); got.Status != workorders.Declined {
			t.Fatalf("declined work order is %s", got.Status)
		}
	})

	t.Run("own contractor cannot cancel", func(t *testing.T) {
		t.Parallel()
		for _, status := range []workorders.Status{workorders.Assigned, workorders.Accepted, workorders.Scheduled, workorders.InProgress} {
			wo := e.WorkOrder(t, status)
			before := wfWOSnapshot(t, e, wo.ID)
			testsupport.ExpectFailure(t, testsupport.ActOnWorkOrder(t, e.Contractor, wo.ID, "cancel"), http.StatusForbidden, apperr.Forbidden)
			if after := wfWOSnapshot(t, e, wo.ID); after != before {
				t.Fatalf("refused cancel changed something:\nbefore %s\nafter  %s", before, after)
			}
		}
	})

	t.Run("another company's contractor gets 404", func(t *testing.T) {
		t.Parallel()
		wo := e.WorkOrder(t, workorders.Assigned)
		before := wfWOSnapshot(t, e, wo.ID)
		missing := testsupport.ExpectFailure(t, e.Rival.With(t).Get("/api/v1/work-orders/"+uuid.NewString()), http.StatusNotFound, apperr.NotFound)
		if got := testsupport.ExpectFailure(t, e.Rival.With(t).Get("/api/v1/work-orders/"+wo.ID.String()), http.StatusNotFound, apperr.NotFound); got.Message != missing.Message {
			t.Fatalf("message %q for another company's work order, %q for a missing one", got.Message, missing.Message)
		}
		for _, action := range wfActions {
			testsupport.ExpectFailure(t, testsupport.ActOnWorkOrder(t, e.Rival, wo.ID, action), http.StatusNotFound, apperr.NotFound)
		}
		if after := wfWOSnapshot(t, e, wo.ID); after != before {
			t.Fatalf("refused actions changed something:\nbefore %s\nafter  %s", before, after)
		}
	})

	t.Run("tenant and contractor cannot raise, tenant cannot read or act", func(t *testing.T) {
		t.Parallel()
		wo := e.WorkOrder(t, workorders.Assigned)
		before := wfWOSnapshot(t, e, wo.ID)
		ticket := e.Ticket(t)
		for _, c := range []*testsupport.Client{e.Tenant, e.Contractor, e.Rival} {
			testsupport.ExpectFailure(t, c.With(t).Post("/api/v1/work-orders", map[string]any{"ticketId": ticket, "contractorId": e.ContractorID, "description": "Self-assigned"}),
				http.StatusForbidden, apperr.Forbidden)
		}
		wfExpectTicket(t, e, ticket, tickets.New)
		testsupport.ExpectFailure(t, e.Tenant.With(t).Get("/api/v1/work-orders"), http.StatusForbidden, apperr.Forbidden)
		testsupport.ExpectFailure(t, e.Tenant.With(t).Get("/api/v1/work-orders/"+wo.ID.String()), http.StatusForbidden, apperr.Forbidden)
		for _, action := range wfActions {
			testsupport.ExpectFailure(t, testsupport.ActOnWorkOrder(t, e.Tenant, wo.ID, action), http.StatusForbidden, apperr.Forbidden)
		}
		testsupport.ExpectFailure(t, app.Anonymous().With(t).Get("/api/v1/work-orders/"+wo.ID.String()), http.StatusUnauthorized, apperr.Unauthenticated)
		if after := wfWOSnapshot(t, e, wo.ID); after != before {
			t.Fatalf("refused actions changed something:\nbefore %s\nafter  %s", before, after)
		}
	})

	t.Run("lists", func(t *testing.T) {
		t.Parallel()
		ticket := e.Ticket(t)
		own := testsupport.RaiseWorkOrder(t, e.Coordinator, ticket, e.ContractorID)
		other := testsupport.RaiseWorkOrder(t, e.Coordinator, ticket, e.OtherContractorID)
		testsupport.DriveWorkOrder(t, e.Admin, own.ID, workorders.Accepted)

		ids := func(t *testing.T, c *testsupport.Client, path string) []uuid.UUID {
			return testsupport.IDs(testsupport.All[testsupport.Row](t, c.With(t), path))
		}
		// The team CONTRACTOR sees only their company's, whatever filter they pass.
		for _, path := range []string{"/api/v1/work-orders", "/api/v1/work-orders?contractorId=" + e.OtherContractorID.String(),
			"/api/v1/work-orders?ticketId=" + ticket.String()} {
			got := ids(t, e.Contractor, path)
			if slices.Contains(got, other.ID) {
				t.Fatalf("GET %s as the contractor shows another company's work order", path)
			}
			for _, id := range got {
				if wo := testsupport.GetWorkOrder(t, e.Admin, id); wo.ContractorID != e.ContractorID {
					t.Fatalf("GET %s as the contractor shows %+v", path, wo)
				}
			}
			if !strings.Contains(path, "contractorId") && !slices.Contains(got, own.ID) {
				t.Fatalf("GET %s as the contractor misses their own work order", path)
			}
		}
		if got := ids(t, e.Rival, "/api/v1/work-orders"); len(got) != 0 {
			t.Fatalf("a contractor with no work orders sees %d", len(got))
		}
		// Staff see both and can filter.
		if got := ids(t, e.Coordinator, "/api/v1/work-orders?ticketId="+ticket.String()); len(got) != 2 || !slices.Contains(got, own.ID) || !slices.Contains(got, other.ID) {
			t.Fatalf("ticket filter: %v", got)
		}
		if got := ids(t, e.Admin, "/api/v1/work-orders?ticketId="+ticket.String()+"&contractorId="+e.OtherContractorID.String()); !slices.Equal(got, []uuid.UUID{other.ID}) {
			t.Fatalf("contractor filter: %v", got)
		}
		if got := ids(t, e.Admin, "/api/v1/work-orders?ticketId="+ticket.String()+"&status=ACCEPTED"); !slices.Equal(got, []uuid.UUID{own.ID}) {
			t.Fatalf("status filter: %v", got)
		}
	})
}

// testWorkOrderTicketFollows: the ticket's status follows its work orders.
func testWorkOrderTicketFollows(t *testing.T, e *testsupport.Workflow) {
	transitionTicket := func(t *testing.T, id uuid.UUID, to tickets.Status, reason string) {
		t.Helper()
		testsupport.ExpectOK(t, e.Admin.With(t).Post("/api/v1/tickets/"+id.String()+"/transition", map[string]any{"to": to, "reason": reason}), http.StatusOK, nil)
		wfExpectTicket(t, e, id, to)
	}

	t.Run("raise, complete", func(t *testing.T) {
		t.Parallel()
		ticket := e.Ticket(t)
		wo := testsupport.RaiseWorkOrder(t, e.Coordinator, ticket, e.ContractorID)
		wfExpectTicket(t, e, ticket, tickets.InProgress)
		testsupport.DriveWorkOrder(t, e.Contractor, wo.ID, workorders.InProgress)
		wfExpectTicket(t, e, ticket, tickets.InProgress)
		testsupport.ExpectOK(t, testsupport.ActOnWorkOrder(t, e.Contractor, wo.ID, "complete"), http.StatusOK, nil)
		wfExpectTicket(t, e, ticket, tickets.Resolved)
	})

	t.Run("raise from TRIAGED", func(t *testing.T) {
		t.Parallel()
		ticket := e.Ticket(t)
		transitionTicket(t, ticket, tickets.Triaged, "")
		testsupport.RaiseWorkOrder(t, e.Admin, ticket, e.ContractorID)
		wfExpectTicket(t, e, ticket, tickets.InProgress)
	})

	t.Run("decline the only work order", func(t *testing.T) {
		t.Parallel()
		ticket := e.Ticket(t)
		wo := testsupport.RaiseWorkOrder(t, e.Coordinator, ticket, e.ContractorID)
		testsupport.ExpectOK(t, testsupport.ActOnWorkOrder(t, e.Contractor, wo.ID, "decline"), http.StatusOK, nil)
		wfExpectTicket(t, e, ticket, tickets.Triaged)
	})

	t.Run("cancel the only work order", func(t *testing.T) {
		t.Parallel()
		ticket := e.Ticket(t)
		wo := testsupport.RaiseWorkOrder(t, e.Coordinator, ticket, e.ContractorID)
		testsupport.DriveWorkOrder(t, e.Contractor, wo.ID, workorders.Scheduled)
		testsupport.ExpectOK(t, testsupport.ActOnWorkOrder(t, e.Coordinator, wo.ID, "cancel"), http.StatusOK, nil)
		wfExpectTicket(t, e, ticket, tickets.Triaged)
	})

	t.Run("two work orders", func(t *testing.T) {
		t.Parallel()
		ticket := e.Ticket(t)
		first := testsupport.RaiseWorkOrder(t, e.Coordinator, ticket, e.ContractorID)
		second := testsupport.RaiseWorkOrder(t, e.Coordinator, ticket, e.OtherContractorID)
		wfExpectTicket(t, e, ticket, tickets.InProgress)
		testsupport.DriveWorkOrder(t, e.Contractor, first.ID, workorders.Completed)
		wfExpectTicket(t, e, ticket, tickets.InProgress) // the second is still live
		testsupport.ExpectOK(t, testsupport.ActOnWorkOrder(t, e.Admin, second.ID, "cancel"), http.StatusOK, nil)
		wfExpectTicket(t, e, ticket, tickets.Resolved) // none live, one completed
	})

	t.Run("two work orders, one declined", func(t *testing.T) {
		t.Parallel()
		ticket := e.Ticket(t)
		first := testsupport.RaiseWorkOrder(t, e.Coordinator, ticket, e.ContractorID)
		second := testsupport.RaiseWorkOrder(t, e.Coordinator, ticket, e.OtherContractorID)
		testsupport.ExpectOK(t, testsupport.ActOnWorkOrder(t, e.Contractor, first.ID, "decline"), http.StatusOK, nil)
		wfExpectTicket(t, e, ticket, tickets.InProgress)
		testsupport.ExpectOK(t, testsupport.ActOnWorkOrder(t, e.Admin, second.ID, "decline"), http.StatusOK, nil)
		wfExpectTicket(t, e, ticket, tickets.Triaged)
	})

	t.Run("raising on a RESOLVED ticket reopens it", func(t *testing.T) {
		t.Parallel()
		ticket := e.Ticket(t)
		first := testsupport.RaiseWorkOrder(t, e.Coordinator, ticket, e.ContractorID)
		testsupport.DriveWorkOrder(t, e.Admin, first.ID, workorders.Completed)
		wfExpectTicket(t, e, ticket, tickets.Resolved)
		second := testsupport.RaiseWorkOrder(t, e.Coordinator, ticket, e.ContractorID)
		wfExpectTicket(t, e, ticket, tickets.InProgress)
		if d := testsupport.GetTicket(t, e.Admin, ticket); d.ResolvedAt != nil {
			t.Fatalf("reopened ticket keeps resolvedAt %s", d.ResolvedAt)
		}
		testsupport.DriveWorkOrder(t, e.Admin, second.ID, workorders.Completed)
		wfExpectTicket(t, e, ticket, tickets.Resolved)
	})

	t.Run("CLOSED and CANCELLED tickets take no work order", func(t *testing.T) {
		t.Parallel()
		closed := e.Ticket(t)
		wo := testsupport.RaiseWorkOrder(t, e.Coordinator, closed, e.ContractorID)
		testsupport.DriveWorkOrder(t, e.Admin, wo.ID, workorders.Completed)
		transitionTicket(t, closed, tickets.Closed, "")
		cancelled := e.Ticket(t)
		transitionTicket(t, cancelled, tickets.Cancelled, "Duplicate report")
		for _, id := range []uuid.UUID{closed, cancelled} {
			before := testsupport.GetTicket(t, e.Admin, id)
			testsupport.ExpectFailure(t, e.Coordinator.With(t).Post("/api/v1/work-orders", map[string]any{"ticketId": id, "contractorId": e.ContractorID, "description": "Again"}),
				http.StatusConflict, apperr.Conflict)
			after := testsupport.GetTicket(t, e.Admin, id)
			if after.Status != before.Status || len(after.Timeline) != len(before.Timeline) {
				t.Fatalf("refused raise changed the ticket: %s/%d → %s/%d", before.Status, len(before.Timeline), after.Status, len(after.Timeline))
			}
			if n := len(testsupport.All[testsupport.Row](t, e.Admin.With(t), "/api/v1/work-orders?ticketId="+id.String())); n > 1 {
				t.Fatalf("ticket %s has %d work orders", id, n)
			}
		}
	})

	t.Run("contractor and ticket must exist and be usable", func(t *testing.T) {
		t.Parallel()
		inactive := mxOKID(t, e.Admin.With(t).Post("/api/v1/contractors", map[string]any{
			"companyName": "Retired Plumbing " + testsupport.Marker("C"), "email": mxEmail(testsupport.Marker("retired")), "trades": []string{"PLUMBING"},
		}), http.StatusCreated)
		testsupport.ExpectOK(t, e.Admin.With(t).Patch("/api/v1/contractors/"+inactive.String(), map[string]any{"active": false}), http.StatusOK, nil)
		ticket := e.Ticket(t)
		raise := func(ticketID, contractorID uuid.UUID) *testsupport.Response {
			return e.Coordinator.With(t).Post("/api/v1/work-orders", map[string]any{"ticketId": ticketID, "contractorId": contractorID, "description": "Fix"})
		}
		testsupport.ExpectFailure(t, raise(ticket, inactive), http.StatusUnprocessableEntity, apperr.Invalid, "contractorId")
		testsupport.ExpectFailure(t, raise(ticket, uuid.New()), http.StatusUnprocessableEntity, apperr.Invalid, "contractorId")
		testsupport.ExpectFailure(t, raise(uuid.New(), e.ContractorID), http.StatusUnprocessableEntity, apperr.Invalid, "ticketId")
		wfExpectTicket(t, e, ticket, tickets.New)
		if n := len(testsupport.All[testsupport.Row](t, e.Admin.With(t), "/api/v1/work-orders?ticketId="+ticket.String())); n != 0 {
			t.Fatalf("refused raises created %d work orders", n)
		}
	})
}

// mxOKID is mxOK returning data.id.
func mxOKID(t *testing.T, r *testsupport.Response, want int) uuid.UUID {
	t.Helper()
	var v struct {
		ID uuid.UUID `json:"id"`
	}
	testsupport.ExpectOK(t, r, want, &v)
	return v.ID
}

// testWorkOrderCrossTenant: another organisation's work orders, tickets and contractors
// answer as if they did not exist.
func testWorkOrderCrossTenant(t *testing.T, a, b *testsupport.Workflow) {
	bWO := b.WorkOrder(t, workorders.Assigned)
	bTicket := bWO.TicketID

	for _, c := range []struct {
		name  string
		actor *testsupport.Client
	}{{"admin", a.Admin}, {"coordinator", a.Coordinator}, {"contractor", a.Contractor}} {
		t.Run(c.name, func(t *testing.T) {
			before := wfWOSnapshot(t, b, bWO.ID)
			missing := testsupport.ExpectFailure(t, c.actor.With(t).Get("/api/v1/work-orders/"+uuid.NewString()), http.StatusNotFound, apperr.NotFound)
			if got := testsupport.ExpectFailure(t, c.actor.With(t).Get("/api/v1/work-orders/"+bWO.ID.String()), http.StatusNotFound, apperr.NotFound); got.Message != missing.Message {
				t.Fatalf("message %q for another org's work order, %q for a missing one", got.Message, missing.Message)
			}
			for _, action := range wfActions {
				testsupport.ExpectFailure(t, testsupport.ActOnWorkOrder(t, c.actor, bWO.ID, action), http.StatusNotFound, apperr.NotFound)
			}
			for _, path := range []string{"/api/v1/work-orders", "/api/v1/work-orders?ticketId=" + bTicket.String(), "/api/v1/work-orders?contractorId=" + b.ContractorID.String()} {
				if slices.Contains(testsupport.IDs(testsupport.All[testsupport.Row](t, c.actor.With(t), path)), bWO.ID) {
					t.Fatalf("GET %s shows the other org's work order", path)
				}
			}
			if after := wfWOSnapshot(t, b, bWO.ID); after != before {
				t.Fatalf("the other org's work order changed:\nbefore %s\nafter  %s", before, after)
			}
		})
	}
	t.Run("raising with the other org's ids", func(t *testing.T) {
		own := a.Ticket(t)
		testsupport.ExpectFailure(t, a.Admin.With(t).Post("/api/v1/work-orders", map[string]any{"ticketId": bTicket, "contractorId": a.ContractorID, "description": "x"}),
			http.StatusUnprocessableEntity, apperr.Invalid, "ticketId")
		testsupport.ExpectFailure(t, a.Admin.With(t).Post("/api/v1/work-orders", map[string]any{"ticketId": own, "contractorId": b.ContractorID, "description": "x"}),
			http.StatusUnprocessableEntity, apperr.Invalid, "contractorId")
		if n := len(testsupport.All[testsupport.Row](t, b.Admin.With(t), "/api/v1/work-orders?ticketId="+bTicket.String())); n != 1 {
			t.Fatalf("the other org's ticket has %d work orders", n)
		}
		wfExpectTicket(t, a, own, tickets.New)
	})
}

// TestWorkOrders runs the work order tests in parallel on one application, each on its
// own tickets; the cross-tenant test adds a second organisation.
func TestWorkOrders(t *testing.T) {
	t.Parallel()
	app := testsupport.NewApp(t, nil)
	e := testsupport.NewWorkflow(t, app, "Work Order Lets")
	other := testsupport.NewWorkflow(t, app, "Bravo Works")
	for _, tc := range []struct {
		name string
		run  func(t *testing.T)
	}{
		{"StateMachine", func(t *testing.T) { testWorkOrderStateMachine(t, e) }},
		{"TransitionInputs", func(t *testing.T) { testWorkOrderTransitionInputs(t, e) }},
		{"Roles", func(t *testing.T) { testWorkOrderRoles(t, e) }},
		{"TicketFollows", func(t *testing.T) { testWorkOrderTicketFollows(t, e) }},
		{"CrossTenant", func(t *testing.T) { testWorkOrderCrossTenant(t, e, other) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.run(t)
		})
	}
}
