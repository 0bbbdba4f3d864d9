package demo_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/maintainuk/maintainuk/internal/demo"
	"github.com/maintainuk/maintainuk/internal/testsupport"
)

func TestSeed(t *testing.T) {
	t.Parallel()
	app := testsupport.NewApp(t, nil)
	services := demo.Services{Identity: app.Identity, Estate: app.Estate, Contractors: app.Contractors}
	ctx := context.Background()

	created, err := demo.Seed(ctx, services)
	if err != nil || !created {
		t.Fatalf("first seed: created=%v err=%v", created, err)
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
}
