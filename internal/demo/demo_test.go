package demo_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"github.com/maintainuk/maintainuk/internal/demo"
	"github.com/maintainuk/maintainuk/internal/testsupport"
)

func TestSeed(t *testing.T) {
	t.Parallel()
	app := testsupport.NewApp(t, nil)
	services := demo.ServicesOf(app.App)
	ctx := context.Background()

	// An organisation seeded before the demo had activity gets it on the next run.
	orgOnly := demo.Services{Identity: app.Identity, Estate: app.Estate, Contractors: app.Contractors}
	created, err := demo.Seed(ctx, orgOnly)
	if err != nil || !created {
		t.Fatalf("first seed: created=%v err=%v", created, err)
	}
	created, err = demo.Seed(ctx, services)
	if err != nil || !created {
		t.Fatalf("seed with activity: created=%v err=%v", created, err)
	}
	created, err = demo.Seed(ctx, services)
	if err != nil || created {
		t.Fatalf("second seed must do nothing: created=%v err=%v", created, err)
	}

	// Every demo login works and has its role.
	clients := map[string]*testsupport.Client{}
	for _, l := range demo.Logins {
		var s struct {
			AccessToken string `json:"accessToken"`
			Role        string `json:"role"`
			Org         struct {
				Name string `json:"name"`
			} `json:"org"`
		}
		app.Anonymous().Post("/api/v1/auth/login", map[string]string{"email": l.Email, "password": demo.Password}).
			Expect(http.StatusOK).Data(&s)
		if s.Role != string(l.Role) || s.Org.Name != "Demo Lettings" {
			t.Fatalf("%s logged in as %s of %q", l.Email, s.Role, s.Org.Name)
		}
		clients[string(l.Role)] = &testsupport.Client{App: app, Token: s.AccessToken}
	}

	admin := clients["ADMIN"]
	var properties []struct {
		ID string `json:"id"`
	}
	admin.Get("/api/v1/properties").Expect(http.StatusOK).Data(&properties)
	if len(properties) != 3 {
		t.Fatalf("%d properties, want 3", len(properties))
	}
	units := 0
	for _, p := range properties {
		var us []struct{}
		admin.Get("/api/v1/properties/" + p.ID + "/units").Expect(http.StatusOK).Data(&us)
		units += len(us)
	}
	if units != 10 {
		t.Fatalf("%d units, want 10", units)
	}
	var contractors []struct{}
	admin.Get("/api/v1/contractors").Expect(http.StatusOK).Data(&contractors)
	if len(contractors) != 4 {
		t.Fatalf("%d contractors, want 4", len(contractors))
	}
	var members []struct {
		Role string `json:"role"`
	}
	admin.Get("/api/v1/members").Expect(http.StatusOK).Data(&members)
	roles := map[string]int{}
	for _, m := range members {
		roles[m.Role]++
	}
	for _, r := range []string{"ADMIN", "COORDINATOR", "CONTRACTOR", "TENANT"} {
		if roles[r] != 1 {
			t.Fatalf("members by role = %v, want one of each", roles)
		}
	}

	// The first screen is not empty: a ticket in every status, work orders, quotes
	// awaiting approval, invoices, and history on the timeline.
	var tickets []struct {
		ID     string `json:"id"`
		Status string `json:"status"`
	}
	admin.Get("/api/v1/tickets?limit=100").Expect(http.StatusOK).Data(&tickets)
	statuses := map[string]int{}
	for _, tk := range tickets {
		statuses[tk.Status]++
	}
	for _, st := range []string{"NEW", "TRIAGED", "IN_PROGRESS", "RESOLVED", "CLOSED", "CANCELLED"} {
		if statuses[st] == 0 {
			t.Fatalf("tickets by status = %v: none %s", statuses, st)
		}
	}
	count := func(c *testsupport.Client, path, field string) map[string]int {
		var rows []map[string]any
		c.Get(path).Expect(http.StatusOK).Data(&rows)
		out := map[string]int{}
		for _, r := range rows {
			out[fmt.Sprint(r[field])]++
		}
		return out
	}
	if wo := count(admin, "/api/v1/work-orders?limit=100", "status"); wo["ASSIGNED"] == 0 || wo["ACCEPTED"] == 0 || wo["SCHEDULED"] == 0 || wo["COMPLETED"] < 2 {
		t.Fatalf("work orders by status = %v", wo)
	}
	if q := count(admin, "/api/v1/quotes?limit=100", "status"); q["SUBMITTED"] < 2 {
		t.Fatalf("quotes by status = %v, want two awaiting approval", q)
	}
	if inv := count(admin, "/api/v1/invoices?limit=100", "status"); inv["SUBMITTED"] != 1 || inv["PAID"] != 1 {
		t.Fatalf("invoices by status = %v", inv)
	}
	// The contractor and the tenant see their share too.
	if wo := count(clients["CONTRACTOR"], "/api/v1/work-orders?limit=100", "status"); len(wo) == 0 {
		t.Fatal("the demo contractor has no work orders")
	}
	if mine := count(clients["TENANT"], "/api/v1/tickets?limit=100", "status"); mine["NEW"] == 0 {
		t.Fatalf("the demo tenant's tickets = %v", mine)
	}
	var history []struct{}
	for _, tk := range tickets {
		if tk.Status == "CLOSED" {
			admin.Get("/api/v1/timeline?sort=oldest&entity=ticket&limit=100&id=" + tk.ID).Expect(http.StatusOK).Data(&history)
		}
	}
	if len(history) < 3 {
		t.Fatalf("the closed ticket's timeline has %d entries", len(history))
	}
	// The resident agreed to texts, and the coordinator texted them about their report.
	var points []struct {
		Granted bool `json:"granted"`
	}
	admin.Get("/api/v1/consent").Expect(http.StatusOK).Data(&points)
	if len(points) != 1 || !points[0].Granted {
		t.Fatalf("demo contact points %+v", points)
	}
	texted := 0
	for _, tk := range tickets {
		var texts []struct{}
		admin.Get("/api/v1/tickets/" + tk.ID + "/messages").Expect(http.StatusOK).Data(&texts)
		texted += len(texts)
	}
	if texted != 1 {
		t.Fatalf("%d demo texts, want 1", texted)
	}
}
