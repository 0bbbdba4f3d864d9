package workorders

import (
	"fmt"
	"testing"
)

var allStatuses = []Status{Assigned, Accepted, Declined, Scheduled, InProgress, Completed, Cancelled}

// want is the state machine as the specification draws it (ASSIGNED → ACCEPTED →
// SCHEDULED → IN_PROGRESS → COMPLETED, DECLINED from ASSIGNED, CANCELLED from any live
// status, rescheduling a SCHEDULED visit), written out independently of the rules table.
var want = map[Status]map[Action]Status{
	Assigned:   {Accept: Accepted, Decline: Declined, Cancel: Cancelled},
	Accepted:   {Schedule: Scheduled, Cancel: Cancelled},
	Scheduled:  {Schedule: Scheduled, Start: InProgress, Cancel: Cancelled},
	InProgress: {Complete: Completed, Cancel: Cancelled},
	Declined:   {},
	Completed:  {},
	Cancelled:  {},
}

// TestNextEveryPair checks Next for all 7 × 6 (status, action) pairs.
func TestNextEveryPair(t *testing.T) {
	if len(Actions) != 6 {
		t.Fatalf("Actions = %v, want the 6 actions", Actions)
	}
	allowed := 0
	for _, from := range allStatuses {
		for _, action := range Actions {
			t.Run(fmt.Sprintf("%s %s", from, action), func(t *testing.T) {
				to, ok := Next(from, action)
				exp, expOK := want[from][action]
				if ok != expOK || to != exp {
					t.Fatalf("Next(%s, %s) = (%q, %v), want (%q, %v)", from, action, to, ok, exp, expOK)
				}
			})
			if _, ok := want[from][action]; ok {
				allowed++
			}
		}
	}
	if allowed != 10 {
		t.Fatalf("the expected table allows %d pairs, want 10", allowed)
	}
}

func TestNextUnknown(t *testing.T) {
	for _, tc := range []struct {
		from   Status
		action Action
	}{
		{Assigned, "approve"}, {Assigned, ""}, {Assigned, "ACCEPT"}, {"", Accept}, {"NEW", Cancel}, {"assigned", Accept},
	} {
		if to, ok := Next(tc.from, tc.action); ok || to != "" {
			t.Errorf("Next(%q, %q) = (%q, %v), want not allowed", tc.from, tc.action, to, ok)
		}
	}
}

// TestTerminalAndLive: finished work orders take no action; the live statuses are the
// ones that keep a ticket IN_PROGRESS, and every action out of a live status either keeps
// it live or finishes it.
func TestTerminalAndLive(t *testing.T) {
	live := map[Status]bool{Assigned: true, Accepted: true, Scheduled: true, InProgress: true}
	for _, s := range allStatuses {
		if s.Live() != live[s] {
			t.Errorf("%s.Live() = %v, want %v", s, s.Live(), live[s])
		}
		if !live[s] {
			for _, a := range Actions {
				if to, ok := Next(s, a); ok {
					t.Errorf("finished %s can still %s (→ %s)", s, a, to)
				}
			}
		}
	}
}

// TestContractorMayNotCancel: a CONTRACTOR may take every action except cancel, which is
// the letting team's.
func TestContractorMayNotCancel(t *testing.T) {
	for _, a := range Actions {
		r, ok := rules[a]
		if !ok {
			t.Fatalf("no rule for %s", a)
		}
		if want := a != Cancel; r.contractor != want {
			t.Errorf("contractor may %s = %v, want %v", a, r.contractor, want)
		}
	}
	for a := range rules {
		if _, ok := pastTense[a]; !ok {
			t.Errorf("no past tense for %s (used in 409 messages)", a)
		}
	}
}
