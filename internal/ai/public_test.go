package ai_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/maintainuk/maintainuk/internal/ai"
	"github.com/maintainuk/maintainuk/internal/apperr"
	"github.com/maintainuk/maintainuk/internal/testsupport"
)

func TestPublicTriage(t *testing.T) {
	app := testsupport.NewApp(t, nil)
	e := app.NewEstate(t, "Triage", testsupport.EstateOptions{})
	anon := app.Anonymous().With(t)
	path := "/api/v1/public/" + e.Slug + "/triage"

	var gas ai.TriageResult
	anon.Post(path, map[string]any{"title": "smell of gas", "description": "strong gas smell in the kitchen near the cooker"}).Expect(http.StatusOK).Data(&gas)
	if !gas.Emergency || gas.Priority != "EMERGENCY" || !strings.Contains(strings.Join(gas.WhatToDoNow, " "), "0800 111 999") || len(gas.SelfHelp) != 0 {
		t.Fatalf("gas: %+v", gas)
	}
	var boiler ai.TriageResult
	anon.Post(path, map[string]any{"title": "Boiler pressure low", "description": "The pressure gauge shows 0.5 bar and the heating went off"}).Expect(http.StatusOK).Data(&boiler)
	ids := []string{}
	for _, g := range boiler.SelfHelp {
		ids = append(ids, g.ID)
	}
	if boiler.Emergency || !slices.Contains(ids, "boiler-pressure") {
		t.Fatalf("boiler pressure: %+v", boiler)
	}
	anon.Post(path, map[string]any{"title": "", "description": strings.Repeat("x", 2001)}).
		ExpectFailure(http.StatusUnprocessableEntity, apperr.Invalid, "title", "description")
	app.Anonymous().With(t).Post("/api/v1/public/no-such-org/triage", map[string]any{"title": "Leak"}).ExpectFailure(http.StatusNotFound, apperr.NotFound)

	outcome := func(slug string, r ai.TriageResult) string {
		return "/api/v1/public/" + slug + "/triage/" + r.TriageID.String() + "/outcome"
	}
	anon.Post(outcome(e.Slug, boiler), map[string]any{"fixed": true, "guideId": "blocked-sink"}).
		ExpectFailure(http.StatusUnprocessableEntity, apperr.Invalid, "guideId")
	anon.Post(outcome(e.Slug, boiler), map[string]any{"fixed": true, "guideId": "boiler-pressure"}).Expect(http.StatusOK)
	anon.Post(outcome(e.Slug, boiler), map[string]any{"fixed": false}).ExpectFailure(http.StatusConflict, apperr.Conflict)
	anon.Post(outcome(e.Slug, gas), map[string]any{"fixed": false}).Expect(http.StatusOK)

	// Another organisation's slug does not reach this triage.
	other := app.NewEstate(t, "Elsewhere", testsupport.EstateOptions{Reference: "ELS-1"})
	var mine ai.TriageResult
	anon.Post(path, map[string]any{"title": "Tap dripping"}).Expect(http.StatusOK).Data(&mine)
	anon.Post(outcome(other.Slug, mine), map[string]any{"fixed": true}).ExpectFailure(http.StatusNotFound, apperr.NotFound)

	var st ai.SelfHelpStats
	e.Coordinator.With(t).Get("/api/v1/ai/self-help").Expect(http.StatusOK).Data(&st)
	if st.Sessions != 3 || st.Emergencies != 1 || st.AvoidedCallOuts != 1 || st.NotFixed != 1 {
		t.Fatalf("stats %+v", st)
	}
	other.Coordinator.With(t).Get("/api/v1/ai/self-help").Expect(http.StatusOK).Data(&st)
	if st.Sessions != 0 {
		t.Fatalf("the other organisation sees %+v", st)
	}
	e.Tenant.With(t).Get("/api/v1/ai/self-help").ExpectFailure(http.StatusForbidden, apperr.Forbidden)
}

func TestPublicTriage_rateLimited(t *testing.T) {
	app := testsupport.NewApp(t, map[string]string{"PUBLIC_TRIAGE_PER_HOUR": "2"})
	e := app.NewEstate(t, "Limited", testsupport.EstateOptions{})
	anon := app.Anonymous().With(t)
	path := "/api/v1/public/" + e.Slug + "/triage"
	anon.Post(path, map[string]any{"title": "Leak"}).Expect(http.StatusOK)
	anon.Post(path, map[string]any{"title": "Leak"}).Expect(http.StatusOK)
	r := anon.Post(path, map[string]any{"title": "Leak"})
	r.ExpectFailure(http.StatusTooManyRequests, apperr.RateLimited)
	if r.Header.Get("Retry-After") == "" {
		t.Fatal("429 without Retry-After")
	}
}

// Every AI endpoint keeps to its organisation.
func TestAI_crossTenant(t *testing.T) {
	app := testsupport.NewApp(t, nil)
	a := app.NewEstate(t, "Alpha", testsupport.EstateOptions{})
	b := app.NewEstate(t, "Beta", testsupport.EstateOptions{Reference: "BET-1"})
	tk := newTicket(t, a, "Leak", "Leak under the sink", nil)
	classify(t, a.Coordinator, tk.ID)
	a.Admin.With(t).Do(http.MethodPut, "/api/v1/ai/prompts/draft", map[string]any{"text": "Alpha's own words."}).Expect(http.StatusOK)
	a.Admin.With(t).Patch("/api/v1/ai/settings", map[string]any{"autoApply": true}).Expect(http.StatusOK)

	for _, c := range []*testsupport.Client{b.Admin, b.Coordinator} {
		c := c.With(t)
		for _, p := range []string{"ai/classify", "ai-suggestion/accept", "ai/summary", "ai/estimate"} {
			c.Post(testsupport.Path("/api/v1/tickets/%s/%s", tk.ID, p), nil).ExpectFailure(http.StatusNotFound, apperr.NotFound)
		}
		c.Post(testsupport.Path("/api/v1/tickets/%s/ai-suggestion/override", tk.ID), map[string]any{"priority": "ROUTINE"}).ExpectFailure(http.StatusNotFound, apperr.NotFound)
		c.Post(testsupport.Path("/api/v1/tickets/%s/ai/draft", tk.ID), map[string]any{"recipient": "RESIDENT"}).ExpectFailure(http.StatusNotFound, apperr.NotFound)
		c.Get(testsupport.Path("/api/v1/tickets/%s/ai-suggestion", tk.ID)).ExpectFailure(http.StatusNotFound, apperr.NotFound)
	}
	if got := testsupport.All[ai.AuditEntry](t, b.Admin, "/api/v1/ai/decisions"); len(got) != 0 {
		t.Fatalf("Beta's audit lists %d of Alpha's calls", len(got))
	}
	if got := testsupport.All[ai.AuditEntry](t, b.Admin, testsupport.Path("/api/v1/ai/decisions?ticketId=%s", tk.ID)); len(got) != 0 {
		t.Fatal("Beta's audit lists Alpha's ticket")
	}
	var p ai.Prompt
	b.Admin.With(t).Get("/api/v1/ai/prompts/draft").Expect(http.StatusOK).Data(&p)
	if p.Custom || len(p.History) != 0 {
		t.Fatalf("Beta sees Alpha's prompt: %+v", p)
	}
	var st ai.AssistSettings
	b.Admin.With(t).Get("/api/v1/ai/settings").Expect(http.StatusOK).Data(&st)
	if st.AutoApply {
		t.Fatal("Beta has Alpha's settings")
	}
	var u ai.Usage
	b.Admin.With(t).Get("/api/v1/ai/usage").Expect(http.StatusOK).Data(&u)
	if u.Calls != 0 {
		t.Fatalf("Beta's usage counts Alpha's calls: %+v", u)
	}
}
