package certificates_test

import (
	"testing"
	"time"

	"github.com/maintainuk/maintainuk/internal/certificates"
)

func d(s string) time.Time {
	v, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return v
}

func dp(s string) *time.Time {
	if s == "" {
		return nil
	}
	v := d(s)
	return &v
}

func str(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.Format(time.DateOnly)
}

func TestExpiryPerKind(t *testing.T) {
	for _, tc := range []struct {
		kind, issued, want string
	}{
		{certificates.GasSafety, "2026-03-15", "2027-03-15"},
		{certificates.GasSafety, "2024-02-29", "2025-02-28"}, // no 29 February: the month's last day
		{certificates.EICR, "2026-03-15", "2031-03-15"},
		{certificates.EICR, "2028-02-29", "2033-02-28"},
		{certificates.EPC, "2026-01-31", "2036-01-31"},
		{certificates.SmokeCOAlarms, "2026-03-15", ""}, // a check at the start of a tenancy does not expire
		{"UNKNOWN", "2026-03-15", ""},
	} {
		if got := str(certificates.Expiry(tc.kind, d(tc.issued), nil)); got != tc.want {
			t.Errorf("%s issued %s: expiry %q, want %q", tc.kind, tc.issued, got, tc.want)
		}
	}
}

// The gas safety 10-12 month rule (reg. 36(3) as amended in 2018): a check in the two
// months ending with the previous record's expiry keeps that expiry plus 12 months.
func TestGasSafetyTenToTwelveMonthRule(t *testing.T) {
	for _, tc := range []struct {
		name, previous, issued, want string
	}{
		{"no previous record", "", "2026-03-15", "2027-03-15"},
		{"on the previous expiry", "2026-06-15", "2026-06-15", "2027-06-15"},
		{"a day before the previous expiry", "2026-06-15", "2026-06-14", "2027-06-15"},
		{"first day of the 2-month window", "2026-06-15", "2026-04-16", "2027-06-15"},
		{"a day before the window: its own date", "2026-06-15", "2026-04-15", "2027-04-15"},
		{"early: 9 months after the previous check", "2026-06-15", "2026-03-15", "2027-03-15"},
		{"late: a day after the previous expiry", "2026-06-15", "2026-06-16", "2027-06-16"},
		{"window of a month-end expiry starts on the 1st", "2027-04-30", "2027-03-01", "2028-04-30"},
		{"the day before that window", "2027-04-30", "2027-02-28", "2028-02-28"},
		{"window ending 31 March starts 1 February", "2027-03-31", "2027-02-01", "2028-03-31"},
		{"previous expiry on 29 February", "2028-02-29", "2028-01-10", "2029-02-28"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := str(certificates.Expiry(certificates.GasSafety, d(tc.issued), dp(tc.previous)))
			if got != tc.want {
				t.Fatalf("previous %s, issued %s: expiry %s, want %s", tc.previous, tc.issued, got, tc.want)
			}
		})
	}
	// The rule is gas safety's only: an early EICR runs from its own date.
	if got := str(certificates.Expiry(certificates.EICR, d("2031-02-01"), dp("2031-03-15"))); got != "2036-02-01" {
		t.Fatalf("EICR expiry %s", got)
	}
}

func TestTenantCopyOverdue(t *testing.T) {
	for _, tc := range []struct {
		name, kind, issued, sent, today string
		want                            bool
	}{
		{"within 28 days", certificates.GasSafety, "2026-03-01", "", "2026-03-29", false},
		{"day 29 without a copy", certificates.GasSafety, "2026-03-01", "", "2026-03-30", true},
		{"copy sent late still counts as sent", certificates.GasSafety, "2026-03-01", "2026-04-10", "2026-05-01", false},
		{"overdue whatever the expiry: years later", certificates.GasSafety, "2020-03-01", "", "2026-03-01", true},
		{"no duty for an EICR here", certificates.EICR, "2026-03-01", "", "2026-06-01", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := certificates.TenantCopyOverdue(tc.kind, d(tc.issued), dp(tc.sent), d(tc.today)); got != tc.want {
				t.Fatalf("overdue %v, want %v", got, tc.want)
			}
		})
	}
	if due := str(certificates.TenantCopyDue(certificates.GasSafety, d("2026-03-01"))); due != "2026-03-29" {
		t.Fatalf("due %s", due)
	}
}

func TestState(t *testing.T) {
	today := d("2026-03-01")
	for _, tc := range []struct {
		present bool
		expires string
		want    string
	}{
		{false, "", certificates.StateMissing},
		{true, "", certificates.StateValid},
		{true, "2026-02-28", certificates.StateExpired},
		{true, "2026-03-01", certificates.StateExpiring}, // valid to the end of its expiry date
		{true, "2026-04-30", certificates.StateExpiring}, // 60 days
		{true, "2026-05-01", certificates.StateValid},
	} {
		if got := certificates.State(tc.present, dp(tc.expires), today); got != tc.want {
			t.Errorf("present %v expires %q: %s, want %s", tc.present, tc.expires, got, tc.want)
		}
	}
}

func TestTodayIsLondonDate(t *testing.T) {
	// 23:30 UTC on 31 May is 00:30 on 1 June in London (BST).
	if got := certificates.Today(time.Date(2026, 5, 31, 23, 30, 0, 0, time.UTC)); !got.Equal(d("2026-06-01")) {
		t.Fatalf("today %s", got)
	}
}
