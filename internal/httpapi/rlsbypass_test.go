package httpapi_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/maintainuk/maintainuk/internal/attachments/attachmentsdb"
	"github.com/maintainuk/maintainuk/internal/contractors/contractorsdb"
	"github.com/maintainuk/maintainuk/internal/estate/estatedb"
	"github.com/maintainuk/maintainuk/internal/identity/identitydb"
	"github.com/maintainuk/maintainuk/internal/invoices/invoicesdb"
	"github.com/maintainuk/maintainuk/internal/quotes/quotesdb"
	"github.com/maintainuk/maintainuk/internal/testsupport"
	"github.com/maintainuk/maintainuk/internal/tickets/ticketsdb"
	"github.com/maintainuk/maintainuk/internal/webhooks/webhooksdb"
	"github.com/maintainuk/maintainuk/internal/workorders"
	"github.com/maintainuk/maintainuk/internal/workorders/workordersdb"
)

// rbOrg is one organisation's row of every domain, made through the API.
type rbOrg struct {
	ID                                                  uuid.UUID
	Property, Unit, Contractor, Ticket, WorkOrder       uuid.UUID
	Quote, Invoice, Attachment, Member, Endpoint, Deliv uuid.UUID
}

func rbNewOrg(t *testing.T, app *testsupport.App, name string) rbOrg {
	t.Helper()
	e := testsupport.NewWorkflow(t, app, name)
	o := rbOrg{ID: e.Admin.OrgID, Property: e.PropertyID, Unit: e.UnitID, Contractor: e.ContractorID}
	o.Ticket = e.Ticket(t)
	testsupport.Comment(t, e.Admin, o.Ticket, "A comment in "+name, "INTERNAL")
	wo := testsupport.RaiseWorkOrder(t, e.Admin, o.Ticket, e.ContractorID)
	o.WorkOrder = wo.ID
	o.Quote = testsupport.SubmitFlatQuote(t, e.Contractor, wo.ID, 5000).ID
	o.Invoice = testsupport.SubmitFlatInvoice(t, e.Contractor, e.WorkOrder(t, workorders.Completed).ID, 5000).ID
	o.Attachment = atUploaded(t, e.Admin, o.Ticket, "leak.jpg", "image/jpeg", atJPEG(name, 2000)).ID
	o.Member = e.MemberID[e.Coordinator.UserID]
	o.Endpoint = e.Admin.With(t).Post("/api/v1/webhooks", map[string]any{"url": "https://hooks.example.com/" + e.Admin.OrgID.String(), "eventTypes": []string{"*"}}).
		Expect(http.StatusCreated).ID()
	o.Deliv = e.Admin.With(t).Post("/api/v1/webhooks/"+o.Endpoint.String()+"/test", nil).Expect(http.StatusCreated).ID()
	if o.Member == uuid.Nil {
		t.Fatal("no membership id")
	}
	return o
}

// rbSuperuser connects to the test's database as the cluster's superuser, which row-level
// security does not apply to (not even FORCE ROW LEVEL SECURITY, which does bind the
// table owner); row_security = off makes a policy that would hide rows an error instead.
func rbSuperuser(t *testing.T, app *testsupport.App) *pgx.Conn {
	t.Helper()
	admin, err := url.Parse(os.Getenv("TEST_DATABASE_URL"))
	if err != nil {
		t.Fatal(err)
	}
	appURL, err := url.Parse(app.DBs.AppURL)
	if err != nil {
		t.Fatal(err)
	}
	admin.Path = appURL.Path
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, admin.String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close(context.Background()) })
	if _, err := conn.Exec(ctx, "SET row_security = off"); err != nil {
		t.Fatal(err)
	}
	return conn
}

// TestDomainQueriesScopeByOrgWithoutRLS shows the first layer of tenant isolation on its
// own: each domain's get-by-id and list queries, run with row-level security out of the
// way, still return nothing of another organisation. Dropping an `org_id =` condition
// from one of them fails here even though RLS would hide the row in production.
func TestDomainQueriesScopeByOrgWithoutRLS(t *testing.T) {
	t.Parallel()
	app, _ := atNewApp(t, nil)
	a, b := rbNewOrg(t, app, "Bypass A"), rbNewOrg(t, app, "Bypass B")
	db := rbSuperuser(t, app)
	ctx := context.Background()

	// RLS is out of the way: this connection sees both organisations.
	var orgs int
	if err := db.QueryRow(ctx, "SELECT count(DISTINCT org_id) FROM tickets").Scan(&orgs); err != nil || orgs != 2 {
		t.Fatalf("superuser sees tickets of %d organisations (%v), want 2", orgs, err)
	}

	far := time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)
	const limit = 1000
	// Each get runs for its own organisation (found: the query works) and for the other
	// one's id (not found).
	gets := []struct {
		name string
		get  func(org, id uuid.UUID) error
		a, b uuid.UUID
	}{
		{"GetProperty", func(org, id uuid.UUID) error {
			_, err := estatedb.New().GetProperty(ctx, db, estatedb.GetPropertyParams{OrgID: org, ID: id})
			return err
		}, a.Property, b.Property},
		{"GetUnit", func(org, id uuid.UUID) error {
			_, err := estatedb.New().GetUnit(ctx, db, estatedb.GetUnitParams{OrgID: org, ID: id})
			return err
		}, a.Unit, b.Unit},
		{"GetContractor", func(org, id uuid.UUID) error {
			_, err := contractorsdb.New().GetContractor(ctx, db, contractorsdb.GetContractorParams{OrgID: org, ID: id})
			return err
		}, a.Contractor, b.Contractor},
		{"GetTicket", func(org, id uuid.UUID) error {
			_, err := ticketsdb.New().GetTicket(ctx, db, ticketsdb.GetTicketParams{OrgID: org, ID: id})
			return err
		}, a.Ticket, b.Ticket},
		{"GetTicketForUpdate", func(org, id uuid.UUID) error {
			_, err := ticketsdb.New().GetTicketForUpdate(ctx, db, ticketsdb.GetTicketForUpdateParams{OrgID: org, ID: id})
			return err
		}, a.Ticket, b.Ticket},
		{"GetWorkOrder", func(org, id uuid.UUID) error {
			_, err := workordersdb.New().GetWorkOrder(ctx, db, workordersdb.GetWorkOrderParams{OrgID: org, ID: id})
			return err
		}, a.WorkOrder, b.WorkOrder},
		{"GetQuote", func(org, id uuid.UUID) error {
			_, err := quotesdb.New().GetQuote(ctx, db, quotesdb.GetQuoteParams{OrgID: org, ID: id})
			return err
		}, a.Quote, b.Quote},
		{"GetInvoice", func(org, id uuid.UUID) error {
			_, err := invoicesdb.New().GetInvoice(ctx, db, invoicesdb.GetInvoiceParams{OrgID: org, ID: id})
			return err
		}, a.Invoice, b.Invoice},
		{"GetAttachment", func(org, id uuid.UUID) error {
			_, err := attachmentsdb.New().GetAttachment(ctx, db, attachmentsdb.GetAttachmentParams{OrgID: org, ID: id})
			return err
		}, a.Attachment, b.Attachment},
		{"GetMember", func(org, id uuid.UUID) error {
			_, err := identitydb.New().GetMember(ctx, db, identitydb.GetMemberParams{OrgID: org, ID: id})
			return err
		}, a.Member, b.Member},
		{"GetEndpoint", func(org, id uuid.UUID) error {
			_, err := webhooksdb.New().GetEndpoint(ctx, db, webhooksdb.GetEndpointParams{OrgID: org, ID: id})
			return err
		}, a.Endpoint, b.Endpoint},
		{"GetDelivery", func(org, id uuid.UUID) error {
			_, err := webhooksdb.New().GetDelivery(ctx, db, webhooksdb.GetDeliveryParams{OrgID: org, ID: id})
			return err
		}, a.Deliv, b.Deliv},
	}
	for _, g := range gets {
		if err := g.get(a.ID, g.a); err != nil {
			t.Errorf("%s of its own organisation's row: %v", g.name, err)
		}
		if err := g.get(a.ID, g.b); !errors.Is(err, pgx.ErrNoRows) {
			t.Errorf("%s with organisation A and B's id: %v, want no rows", g.name, err)
		}
	}

	// Each list runs for A (with B's parent where it takes one): every row is A's.
	lists := []struct {
		name string
		list func() ([]uuid.UUID, error) // the org ids of the rows
		want int                         // rows expected at least (0: B's parent, none)
	}{
		{"ListProperties", func() ([]uuid.UUID, error) {
			rows, err := estatedb.New().ListProperties(ctx, db, estatedb.ListPropertiesParams{OrgID: a.ID, BeforeCreatedAt: far, BeforeID: uuid.Max, RowLimit: limit})
			return rbOrgs(rows, func(r estatedb.Property) uuid.UUID { return r.OrgID }), err
		}, 1},
		{"ListUnits of B's property", func() ([]uuid.UUID, error) {
			rows, err := estatedb.New().ListUnits(ctx, db, estatedb.ListUnitsParams{OrgID: a.ID, PropertyID: b.Property, BeforeCreatedAt: far, BeforeID: uuid.Max, RowLimit: limit})
			return rbOrgs(rows, func(r estatedb.Unit) uuid.UUID { return r.OrgID }), err
		}, 0},
		{"ListOccupants of B's unit", func() ([]uuid.UUID, error) {
			rows, err := estatedb.New().ListOccupants(ctx, db, estatedb.ListOccupantsParams{OrgID: a.ID, UnitID: b.Unit})
			return rbOrgs(rows, func(r estatedb.ListOccupantsRow) uuid.UUID { return r.UnitOccupant.OrgID }), err
		}, 0},
		{"ListContractors", func() ([]uuid.UUID, error) {
			rows, err := contractorsdb.New().ListContractors(ctx, db, contractorsdb.ListContractorsParams{OrgID: a.ID, BeforeCreatedAt: far, BeforeID: uuid.Max, RowLimit: limit})
			return rbOrgs(rows, func(r contractorsdb.Contractor) uuid.UUID { return r.OrgID }), err
		}, 1},
		{"ListTickets", func() ([]uuid.UUID, error) {
			rows, err := ticketsdb.New().ListTickets(ctx, db, ticketsdb.ListTicketsParams{OrgID: a.ID, Now: time.Now(), BeforeCreatedAt: far, BeforeID: uuid.Max, RowLimit: limit})
			return rbOrgs(rows, func(r ticketsdb.ListTicketsRow) uuid.UUID { return r.OrgID }), err
		}, 1},
		{"ListComments of B's ticket", func() ([]uuid.UUID, error) {
			rows, err := ticketsdb.New().ListComments(ctx, db, ticketsdb.ListCommentsParams{OrgID: a.ID, TicketID: b.Ticket})
			return rbOrgs(rows, func(r ticketsdb.ListCommentsRow) uuid.UUID { return r.TicketComment.OrgID }), err
		}, 0},
		{"ListWorkOrders", func() ([]uuid.UUID, error) {
			rows, err := workordersdb.New().ListWorkOrders(ctx, db, workordersdb.ListWorkOrdersParams{OrgID: a.ID, BeforeCreatedAt: far, BeforeID: uuid.Max, RowLimit: limit})
			return rbOrgs(rows, func(r workordersdb.WorkOrder) uuid.UUID { return r.OrgID }), err
		}, 1},
		{"ListQuotes", func() ([]uuid.UUID, error) {
			rows, err := quotesdb.New().ListQuotes(ctx, db, quotesdb.ListQuotesParams{OrgID: a.ID, BeforeCreatedAt: far, BeforeID: uuid.Max, RowLimit: limit})
			return rbOrgs(rows, func(r quotesdb.Quote) uuid.UUID { return r.OrgID }), err
		}, 1},
		{"ListInvoices", func() ([]uuid.UUID, error) {
			rows, err := invoicesdb.New().ListInvoices(ctx, db, invoicesdb.ListInvoicesParams{OrgID: a.ID, BeforeCreatedAt: far, BeforeID: uuid.Max, RowLimit: limit})
			return rbOrgs(rows, func(r invoicesdb.Invoice) uuid.UUID { return r.OrgID }), err
		}, 1},
		{"ListTicketAttachments of B's ticket", func() ([]uuid.UUID, error) {
			rows, err := attachmentsdb.New().ListTicketAttachments(ctx, db, attachmentsdb.ListTicketAttachmentsParams{OrgID: a.ID, TicketID: &b.Ticket})
			return rbOrgs(rows, func(r attachmentsdb.Attachment) uuid.UUID { return r.OrgID }), err
		}, 0},
		{"ListMembers", func() ([]uuid.UUID, error) {
			rows, err := identitydb.New().ListMembers(ctx, db, identitydb.ListMembersParams{OrgID: a.ID, BeforeCreatedAt: far, BeforeID: uuid.Max, RowLimit: limit})
			return rbOrgs(rows, func(r identitydb.ListMembersRow) uuid.UUID { return r.Membership.OrgID }), err
		}, 1},
		{"ListEndpoints", func() ([]uuid.UUID, error) {
			rows, err := webhooksdb.New().ListEndpoints(ctx, db, webhooksdb.ListEndpointsParams{OrgID: a.ID, BeforeCreatedAt: far, BeforeID: uuid.Max, RowLimit: limit})
			return rbOrgs(rows, func(r webhooksdb.WebhookEndpoint) uuid.UUID { return r.OrgID }), err
		}, 1},
		{"ListDeliveries of B's endpoint", func() ([]uuid.UUID, error) {
			rows, err := webhooksdb.New().ListDeliveries(ctx, db, webhooksdb.ListDeliveriesParams{OrgID: a.ID, EndpointID: b.Endpoint, BeforeCreatedAt: far, BeforeID: uuid.Max, RowLimit: limit})
			return rbOrgs(rows, func(r webhooksdb.WebhookDelivery) uuid.UUID { return r.OrgID }), err
		}, 0},
	}
	for _, l := range lists {
		orgIDs, err := l.list()
		if err != nil {
			t.Errorf("%s: %v", l.name, err)
			continue
		}
		if len(orgIDs) < l.want {
			t.Errorf("%s: %d rows, want at least %d of A's (the query must work)", l.name, len(orgIDs), l.want)
		}
		for _, org := range orgIDs {
			if org != a.ID {
				t.Errorf("%s for organisation A returned a row of %s", l.name, org)
				break
			}
		}
		if l.want == 0 && len(orgIDs) > 0 {
			t.Errorf("%s for organisation A: %d rows, want none", l.name, len(orgIDs))
		}
	}
	// The parent-scoped lists do find A's own rows (the queries work).
	if rows, err := ticketsdb.New().ListComments(ctx, db, ticketsdb.ListCommentsParams{OrgID: a.ID, TicketID: a.Ticket}); err != nil || len(rows) == 0 {
		t.Errorf("ListComments of A's own ticket: %d rows, %v", len(rows), err)
	}
	if rows, err := attachmentsdb.New().ListTicketAttachments(ctx, db, attachmentsdb.ListTicketAttachmentsParams{OrgID: a.ID, TicketID: &a.Ticket}); err != nil || len(rows) == 0 {
		t.Errorf("ListTicketAttachments of A's own ticket: %d rows, %v", len(rows), err)
	}
	if rows, err := webhooksdb.New().ListDeliveries(ctx, db, webhooksdb.ListDeliveriesParams{OrgID: a.ID, EndpointID: a.Endpoint, BeforeCreatedAt: far, BeforeID: uuid.Max, RowLimit: limit}); err != nil || len(rows) == 0 {
		t.Errorf("ListDeliveries of A's own endpoint: %d rows, %v", len(rows), err)
	}
	if rows, err := estatedb.New().ListUnits(ctx, db, estatedb.ListUnitsParams{OrgID: a.ID, PropertyID: a.Property, BeforeCreatedAt: far, BeforeID: uuid.Max, RowLimit: limit}); err != nil || len(rows) == 0 {
		t.Errorf("ListUnits of A's own property: %d rows, %v", len(rows), err)
	}
	if rows, err := estatedb.New().ListOccupants(ctx, db, estatedb.ListOccupantsParams{OrgID: a.ID, UnitID: a.Unit}); err != nil || len(rows) == 0 {
		t.Errorf("ListOccupants of A's own unit: %d rows, %v", len(rows), err)
	}
}

func rbOrgs[T any](rows []T, org func(T) uuid.UUID) []uuid.UUID {
	out := make([]uuid.UUID, len(rows))
	for i, r := range rows {
		out[i] = org(r)
	}
	return out
}
