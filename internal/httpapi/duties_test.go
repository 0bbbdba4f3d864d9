package httpapi_test

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/maintainuk/maintainuk/internal/apperr"
	"github.com/maintainuk/maintainuk/internal/invoices"
	"github.com/maintainuk/maintainuk/internal/quotes"
	"github.com/maintainuk/maintainuk/internal/testsupport"
	"github.com/maintainuk/maintainuk/internal/workorders"
)

// TestSeparationOfDuties: with separation of duties in force (ON, or AUTO with two or more
// staff), whoever entered a quote or an invoice cannot approve it and whoever approved an
// invoice cannot mark it paid (403, nothing changes), while another member of staff can;
// with it off (OFF, or AUTO with a single staff member) one person may do all three.
func TestSeparationOfDuties(t *testing.T) {
	t.Parallel()
	app := testsupport.NewApp(t, nil)

	settings := []struct {
		name      string
		setting   string // PATCH /settings separationOfDuties; "" leaves the default (AUTO)
		soleStaff bool   // the COORDINATOR is removed: the ADMIN is the only staff member
		separated bool
	}{
		{"AUTO with two staff", "", false, true},
		{"AUTO with one staff member", "", true, false},
		{"ON with two staff", "ON", false, true},
		{"ON with one staff member", "ON", true, true},
		{"OFF with two staff", "OFF", false, false},
	}
	rules := []struct {
		name string
		// prepare returns the path of the decision the ADMIN (the actor) then tries, after
		// doing the earlier step as the ADMIN too; check reads the item's status.
		prepare func(t *testing.T, e *testsupport.Workflow) (decision string, check func(t *testing.T) string, before string)
	}{
		{"whoever entered a quote approves it", func(t *testing.T, e *testsupport.Workflow) (string, func(*testing.T) string, string) {
			q := testsupport.SubmitFlatQuote(t, e.Admin, e.WorkOrder(t, workorders.Accepted).ID, 12000) // a paper quote entered by the ADMIN
			return "/api/v1/quotes/" + q.ID.String() + "/approve", func(t *testing.T) string { return string(testsupport.GetQuote(t, e.Admin, q.ID).Status) }, string(quotes.Submitted)
		}},
		{"whoever entered an invoice approves it", func(t *testing.T, e *testsupport.Workflow) (string, func(*testing.T) string, string) {
			inv := testsupport.SubmitFlatInvoice(t, e.Admin, e.CompletedWorkOrder(t, 0).ID, 9000) // a paper invoice entered by the ADMIN
			return "/api/v1/invoices/" + inv.ID.String() + "/approve", func(t *testing.T) string { return string(testsupport.GetInvoice(t, e.Admin, inv.ID).Status) }, string(invoices.Submitted)
		}},
		{"whoever approved an invoice marks it paid", func(t *testing.T, e *testsupport.Workflow) (string, func(*testing.T) string, string) {
			inv := testsupport.SubmitFlatInvoice(t, e.Contractor, e.CompletedWorkOrder(t, 0).ID, 9000)
			testsupport.ExpectOK(t, testsupport.DecideInvoice(t, e.Admin, inv.ID, "approve"), http.StatusOK, nil)
			return "/api/v1/invoices/" + inv.ID.String() + "/mark-paid", func(t *testing.T) string { return string(testsupport.GetInvoice(t, e.Admin, inv.ID).Status) }, string(invoices.Approved)
		}},
	}
	for i, st := range settings {
		t.Run(st.name, func(t *testing.T) {
			t.Parallel()
			e := testsupport.NewWorkflow(t, app, fmt.Sprintf("Duties Lets %d", i))
			if st.setting != "" {
				testsupport.ExpectOK(t, e.Admin.With(t).Patch("/api/v1/settings", map[string]any{"separationOfDuties": st.setting}), http.StatusOK, nil)
			}
			if st.soleStaff {
				e.Admin.With(t).Delete("/api/v1/members/" + e.MemberID[e.Coordinator.UserID].String()).Expect(http.StatusOK)
			}
			for _, rule := range rules {
				t.Run(rule.name, func(t *testing.T) {
					path, status, before := rule.prepare(t, e)
					body := map[string]any{}
					r := e.Admin.With(t).Post(path, body)
					if !st.separated {
						testsupport.ExpectOK(t, r, http.StatusOK, nil)
						if status(t) == before {
							t.Fatalf("the decision did not change the status from %s", before)
						}
						return
					}
					f := testsupport.ExpectFailure(t, r, http.StatusForbidden, apperr.Forbidden)
					if !strings.Contains(f.Message, "separation of duties") {
						t.Errorf("403 message %q does not say why", f.Message)
					}
					if got := status(t); got != before {
						t.Fatalf("the refused decision changed the status %s → %s", before, got)
					}
					if !st.soleStaff {
						// Another member of staff can.
						testsupport.ExpectOK(t, e.Coordinator.With(t).Post(path, body), http.StatusOK, nil)
					}
				})
			}
		})
	}
}

// TestQuoteThresholdPerTicket: the approval threshold applies to the total of a ticket's
// approved quotes across all its work orders, so splitting a job into several work orders
// does not let a COORDINATOR approve more than the threshold; an ADMIN still can.
func TestQuoteThresholdPerTicket(t *testing.T) {
	t.Parallel()
	app := testsupport.NewApp(t, nil)
	e := testsupport.NewWorkflow(t, app, "Split Job Lets")
	const threshold = 50000 // the default £500

	cases := []struct {
		name     string
		earlier  []int64 // quotes approved (by the ADMIN) on other work orders of the ticket
		rejected int64   // a quote rejected on another work order of the ticket (0: none)
		quote    int64   // the quote the COORDINATOR then approves
		want     int
	}{
		{"up to the threshold in two work orders", []int64{30000}, 0, 20000, http.StatusOK},
		{"a penny over in two work orders", []int64{30000}, 0, 20001, http.StatusForbidden},
		{"over in three work orders", []int64{20000, 20000}, 0, 15000, http.StatusForbidden},
		{"already over after an ADMIN's approval", []int64{60000}, 0, 100, http.StatusForbidden},
		{"a rejected quote does not count", nil, 40000, 40000, http.StatusOK},
		{"one work order below the threshold", nil, 0, 50000, http.StatusOK},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ticket := e.Ticket(t)
			for _, amount := range tc.earlier {
				q := testsupport.SubmitFlatQuote(t, e.Contractor, testsupport.RaiseWorkOrder(t, e.Admin, ticket, e.ContractorID).ID, amount)
				testsupport.ExpectOK(t, testsupport.DecideQuote(t, e.Admin, q.ID, "approve"), http.StatusOK, nil)
			}
			if tc.rejected > 0 {
				q := testsupport.SubmitFlatQuote(t, e.Contractor, testsupport.RaiseWorkOrder(t, e.Admin, ticket, e.ContractorID).ID, tc.rejected)
				testsupport.ExpectOK(t, testsupport.DecideQuote(t, e.Coordinator, q.ID, "reject"), http.StatusOK, nil)
			}
			// A paper quote from the other company, entered by the ADMIN.
			q := testsupport.SubmitFlatQuote(t, e.Admin, testsupport.RaiseWorkOrder(t, e.Admin, ticket, e.OtherContractorID).ID, tc.quote)
			r := testsupport.DecideQuote(t, e.Coordinator, q.ID, "approve")
			if tc.want == http.StatusOK {
				testsupport.ExpectOK(t, r, http.StatusOK, nil)
				return
			}
			f := testsupport.ExpectFailure(t, r, tc.want, apperr.Forbidden)
			total := tc.quote
			for _, a := range tc.earlier {
				total += a
			}
			for _, amount := range []string{testsupport.Pounds(total), testsupport.Pounds(threshold)} {
				if !strings.Contains(f.Message, amount) {
					t.Errorf("403 message %q does not name %s", f.Message, amount)
				}
			}
			if got := testsupport.GetQuote(t, e.Admin, q.ID); got.Status != quotes.Submitted {
				t.Fatalf("refused approval changed the quote: %s", got.Status)
			}
			// An ADMIN may approve over the threshold (a different ADMIN from the one
			// who entered it: separation of duties).
			admin2 := app.AddMember(e.Admin, "ADMIN")
			testsupport.ExpectOK(t, testsupport.DecideQuote(t, admin2, q.ID, "approve"), http.StatusOK, nil)
		})
	}

	t.Run("another ticket's approvals do not count", func(t *testing.T) {
		t.Parallel()
		q := testsupport.SubmitFlatQuote(t, e.Contractor, e.WorkOrder(t, workorders.Assigned).ID, 40000)
		testsupport.ExpectOK(t, testsupport.DecideQuote(t, e.Coordinator, q.ID, "approve"), http.StatusOK, nil)
		q = testsupport.SubmitFlatQuote(t, e.Contractor, e.WorkOrder(t, workorders.Assigned).ID, 40000)
		testsupport.ExpectOK(t, testsupport.DecideQuote(t, e.Coordinator, q.ID, "approve"), http.StatusOK, nil)
	})

	t.Run("two approvals at once on one ticket cannot both pass", func(t *testing.T) {
		t.Parallel()
		// Several tickets, each with two £300 quotes on two work orders approved at the
		// same moment by two coordinators: for each ticket exactly one may pass.
		const tickets = 6
		coordinator2 := app.AddMember(e.Admin, "COORDINATOR")
		type attempt struct {
			c      *testsupport.Client
			ticket int
			id     string
		}
		var attempts []attempt
		for i := range tickets {
			ticket := e.Ticket(t)
			a := testsupport.SubmitFlatQuote(t, e.Contractor, testsupport.RaiseWorkOrder(t, e.Admin, ticket, e.ContractorID).ID, 30000)
			b := testsupport.SubmitFlatQuote(t, e.Admin, testsupport.RaiseWorkOrder(t, e.Admin, ticket, e.OtherContractorID).ID, 30000)
			attempts = append(attempts, attempt{e.Coordinator, i, a.ID.String()}, attempt{coordinator2, i, b.ID.String()})
		}
		start := make(chan struct{})
		statuses := make([]int, len(attempts))
		var wg sync.WaitGroup
		for i, a := range attempts {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				statuses[i] = a.c.With(t).Post("/api/v1/quotes/"+a.id+"/approve", nil).Status
			}()
		}
		close(start)
		wg.Wait()
		approved := make([]int, tickets)
		for i, s := range statuses {
			switch s {
			case http.StatusOK:
				approved[attempts[i].ticket]++
			case http.StatusForbidden:
			default:
				t.Errorf("status %d, want 200 or 403", s)
			}
		}
		for i, n := range approved {
			if n != 1 {
				t.Errorf("ticket %d: %d approvals, want exactly one (statuses %v)", i, n, statuses)
			}
		}
	})
}
