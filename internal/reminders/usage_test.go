package reminders_test

import (
	"reflect"
	"testing"

	"github.com/google/uuid"

	"github.com/maintainuk/maintainuk/internal/events"
)

// ADMINs hear once when a month's allowance is 80% used and once when it is all used; a
// jump past both is told 100% only; a new month starts again; organisations are apart.
func TestUsageNoticesAt80And100PercentOnce(t *testing.T) {
	f := newFixture(t)
	org := f.org("Acme Lettings")
	admin := f.member(org, "ADMIN", "Alice")
	f.member(org, "COORDINATOR", "Colin")
	other := f.org("Other Homes")
	f.member(other, "ADMIN", "Otto")
	f.now = at("2026-01-20T09:00:00Z")
	f.run(f.r.RemindUsage, 0)
	f.exec(org, uuid.Nil, `INSERT INTO usage_meters (org_id, metric, period_start, quantity) VALUES ($1, 'sms', $2, 40)`, org, date("2026-01-01"))
	f.run(f.r.RemindUsage, 1) // 40 of the free plan's 50: 80%
	f.run(f.r.RemindUsage, 0)
	want := &events.UsageThresholdReached{Metric: "sms", Threshold: 80, Used: 40, Included: 50, Period: "2026-01-01", Plan: "FREE",
		Admins: recipients(admin)}
	if evs := f.checkPublished(0, org, f.now); len(evs) != 1 || !reflect.DeepEqual(evs[0], want) {
		t.Fatalf("events %+v, want %+v", evs, want)
	}
	f.exec(org, uuid.Nil, `UPDATE usage_meters SET quantity = 50 WHERE org_id = $1 AND metric = 'sms'`, org)
	f.run(f.r.RemindUsage, 1)
	// AI tokens jump from nothing past both thresholds: 100% only, and 80% is never sent.
	f.exec(org, uuid.Nil, `INSERT INTO usage_meters (org_id, metric, period_start, quantity) VALUES ($1, 'ai_tokens', $2, 1200)`, org, date("2026-01-01"))
	f.run(f.r.RemindUsage, 1)
	evs := f.checkPublished(2, org, f.now)
	if len(evs) != 2 || evs[0].(*events.UsageThresholdReached).Threshold != 100 || evs[1].(*events.UsageThresholdReached).Metric != "ai_tokens" ||
		evs[1].(*events.UsageThresholdReached).Threshold != 100 {
		t.Fatalf("events %+v", evs)
	}
	f.run(f.r.RemindUsage, 0)

	// February starts afresh.
	f.now = at("2026-02-02T09:00:00Z")
	f.run(f.r.RemindUsage, 0)
	f.exec(org, uuid.Nil, `INSERT INTO usage_meters (org_id, metric, period_start, quantity) VALUES ($1, 'sms', $2, 45)`, org, date("2026-02-01"))
	f.run(f.r.RemindUsage, 1)
	if ns := f.notices(other); len(ns) != 0 {
		t.Fatalf("the other organisation was told %+v", ns)
	}
}
