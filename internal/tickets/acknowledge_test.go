package tickets_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/maintainuk/maintainuk/internal/access"
	"github.com/maintainuk/maintainuk/internal/estate"
	"github.com/maintainuk/maintainuk/internal/events"
	"github.com/maintainuk/maintainuk/internal/identity"
	"github.com/maintainuk/maintainuk/internal/testsupport"
	"github.com/maintainuk/maintainuk/internal/tickets"
)

// emailRecorder keeps the events published for email and drops the rest.
type emailRecorder struct {
	events.Publisher
	mu     sync.Mutex
	emails []events.Event
}

func (r *emailRecorder) PublishEmail(_ context.Context, _ pgx.Tx, _ uuid.UUID, ev events.Event) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.emails = append(r.emails, ev)
	return nil
}

func (r *emailRecorder) PublishWebhooks(context.Context, pgx.Tx, uuid.UUID, events.Event) error {
	return nil
}

func (r *emailRecorder) take() []events.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.emails
	r.emails = nil
	return out
}

// TestCreate_acknowledgesTheReporterNotTheStaffEnteringIt: "We've received your repair
// report" goes to the resident reporting their own repair, or to the caller whose address
// staff typed in; a report staff enter without one emails nobody (not the staff member).
func TestCreate_acknowledgesTheReporterNotTheStaffEnteringIt(t *testing.T) {
	t.Parallel()
	app := testsupport.NewApp(t, nil)
	rec := &emailRecorder{Publisher: events.Discard{}}
	svc := tickets.NewService(app.DB, rec, time.Now, tickets.PublicLimits{ReportsPerHour: 100})
	ctx := context.Background()

	sess, err := app.Identity.Register(ctx, identity.RegisterInput{OrgName: "Ack Lettings", Name: "Casey Coordinator", Email: "casey@ack.example", Password: testsupport.Password})
	if err != nil {
		t.Fatal(err)
	}
	staff := access.Actor{UserID: sess.User.ID, OrgID: sess.Org.ID, Role: access.Admin}
	prop, err := app.Estate.CreateProperty(ctx, staff, estate.PropertyInput{Name: "Mill House", AddressLine1: "1 Mill Lane", Town: "Leeds", Postcode: "LS1 4AB"})
	if err != nil {
		t.Fatal(err)
	}
	unit, err := app.Estate.CreateUnit(ctx, staff, prop.ID, estate.UnitInput{Label: "Flat 1", Reference: "MH-1"})
	if err != nil {
		t.Fatal(err)
	}
	_, token, err := app.Identity.InviteWithToken(ctx, staff, identity.InviteInput{Email: "rory@ack.example", Role: access.Tenant})
	if err != nil {
		t.Fatal(err)
	}
	joined, err := app.Identity.AcceptInvitation(ctx, identity.AcceptInput{Token: token, Name: "Rory Resident", Password: testsupport.Password})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := app.Estate.AddOccupant(ctx, staff, unit.ID, joined.User.ID, ""); err != nil {
		t.Fatal(err)
	}
	tenant := access.Actor{UserID: joined.User.ID, OrgID: sess.Org.ID, Role: access.Tenant}

	for _, tc := range []struct {
		name  string
		actor access.Actor
		email string
		want  string // the acknowledgement's recipient; empty: none
	}{
		{"staff without the caller's address", staff, "", ""},
		{"staff giving their own address", staff, "Casey@ack.example", ""},
		{"staff giving the caller's address", staff, "caller@example.com", "caller@example.com"},
		{"the resident", tenant, "", "rory@ack.example"},
	} {
		if _, err := svc.Create(ctx, tc.actor, tickets.CreateInput{UnitID: unit.ID, Title: "Boiler out", ReportedByEmail: tc.email}); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		var got []string
		for _, ev := range rec.take() {
			if created, ok := ev.(*events.TicketCreated); ok {
				got = append(got, created.Reporter.Email)
			}
		}
		switch {
		case tc.want == "" && len(got) != 0:
			t.Errorf("%s: acknowledged to %v; want no email", tc.name, got)
		case tc.want != "" && (len(got) != 1 || got[0] != tc.want):
			t.Errorf("%s: acknowledged to %v; want %s", tc.name, got, tc.want)
		}
	}
}
