package tickets

import "testing"

// TestCanTransition checks every (from, to) pair against the manual transition table:
// NEW → TRIAGED → IN_PROGRESS → RESOLVED → CLOSED, CANCELLED from any
// open state, RESOLVED → IN_PROGRESS to reopen. TRIAGED → RESOLVED is allowed too (a
// repair sorted out without a contractor). Nothing leaves CLOSED or CANCELLED, and no
// status "moves" to itself.
func TestCanTransition(t *testing.T) {
	t.Parallel()
	allowed := map[[2]Status]bool{
		{New, Triaged}:          true,
		{New, Cancelled}:        true,
		{Triaged, InProgress}:   true,
		{Triaged, Resolved}:     true,
		{Triaged, Cancelled}:    true,
		{InProgress, Resolved}:  true,
		{InProgress, Cancelled}: true,
		{Resolved, Closed}:      true,
		{Resolved, InProgress}:  true,
	}
	if len(Statuses) != 6 {
		t.Fatalf("%d statuses, want 6: %v", len(Statuses), Statuses)
	}
	n := 0
	for _, from := range Statuses {
		for _, to := range Statuses {
			want := allowed[[2]Status{from, to}]
			if got := CanTransition(from, to); got != want {
				t.Errorf("CanTransition(%s, %s) = %v, want %v", from, to, got, want)
			}
			if want {
				n++
			}
		}
	}
	if n != len(allowed) {
		t.Fatalf("allowed table names %d pairs but only %d are over known statuses", len(allowed), n)
	}
	// Unknown statuses never move, in either direction.
	for _, s := range Statuses {
		if CanTransition(s, "REOPENED") || CanTransition("", s) || CanTransition(Status("new"), Triaged) {
			t.Errorf("an unknown status transitions with %s", s)
		}
	}
}

// TestCancelOnlyFromOpen: CANCELLED is reachable exactly from the open statuses (the SLA
// clock's), and every open status can be cancelled.
func TestCancelOnlyFromOpen(t *testing.T) {
	t.Parallel()
	for _, s := range Statuses {
		if got := CanTransition(s, Cancelled); got != s.Open() {
			t.Errorf("CanTransition(%s, CANCELLED) = %v, Open() = %v", s, got, s.Open())
		}
	}
	open := map[Status]bool{New: true, Triaged: true, InProgress: true}
	for _, s := range Statuses {
		if s.Open() != open[s] {
			t.Errorf("%s.Open() = %v", s, s.Open())
		}
	}
}

// TestTerminalStatuses: CLOSED and CANCELLED are final.
func TestTerminalStatuses(t *testing.T) {
	t.Parallel()
	for _, from := range []Status{Closed, Cancelled} {
		for _, to := range Statuses {
			if CanTransition(from, to) {
				t.Errorf("%s → %s allowed; %s is final", from, to, from)
			}
		}
	}
}

// TestNeedsReason: cancelling (from anywhere) and reopening need a reason, nothing else.
func TestNeedsReason(t *testing.T) {
	t.Parallel()
	for _, from := range Statuses {
		for _, to := range Statuses {
			want := to == Cancelled || (from == Resolved && to == InProgress)
			if got := needsReason(from, to); got != want {
				t.Errorf("needsReason(%s, %s) = %v, want %v", from, to, got, want)
			}
		}
	}
}

// TestTransitionTableIsConsistent: every target named in the table is a known status, no
// target is listed twice, and every status has an entry.
func TestTransitionTableIsConsistent(t *testing.T) {
	t.Parallel()
	known := map[Status]bool{}
	for _, s := range Statuses {
		known[s] = true
		if _, ok := transitions[s]; !ok {
			t.Errorf("no transition entry for %s", s)
		}
	}
	for from, tos := range transitions {
		if !known[from] {
			t.Errorf("transition table names unknown status %q", from)
		}
		seen := map[Status]bool{}
		for _, to := range tos {
			if !known[to] || seen[to] || to == from {
				t.Errorf("bad target %q from %s", to, from)
			}
			seen[to] = true
		}
	}
}

// TestFormatNumber: numbers are MT- and at least six digits.
func TestFormatNumber(t *testing.T) {
	t.Parallel()
	for n, want := range map[int64]string{1: "MT-000001", 42: "MT-000042", 999999: "MT-999999", 1000000: "MT-1000000"} {
		if got := FormatNumber(n); got != want {
			t.Errorf("FormatNumber(%d) = %q, want %q", n, got, want)
		}
	}
}
