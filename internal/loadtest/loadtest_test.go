package loadtest

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/maintainuk/maintainuk/internal/testsupport"
	"github.com/maintainuk/maintainuk/internal/tickets"
)

// openTickets is how many NEW tickets the fixture reports: more than two pages of 20 and
// not a whole number of them, so the last page is short. One more ticket has a work order.
const openTickets = 47

// fixture is a real server with an estate: open tickets that mention a leak, a contractor
// with a work order, and a COORDINATOR to drive the load test as.
type fixture struct {
	app    *testsupport.App
	estate *testsupport.Estate
	target Target
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	app := testsupport.NewApp(t, map[string]string{"PUBLIC_REPORTS_PER_HOUR": "10000"})
	e := app.NewEstate(t, "Loadtest Lettings", testsupport.EstateOptions{})
	job := testsupport.CreateTicket(t, e.Admin, map[string]any{"unitId": e.UnitID, "title": "Boiler leaks"})
	testsupport.GasSafe(t, e.Admin, e.ContractorID) // boiler work needs a Gas Safe registration
	testsupport.RaiseWorkOrder(t, e.Admin, job.ID, e.ContractorID)
	for i := range openTickets {
		testsupport.CreateTicket(t, e.Admin, map[string]any{"unitId": e.UnitID, "title": fmt.Sprintf("Leak under the sink %d", i)})
	}
	return &fixture{app: app, estate: e, target: Target{
		BaseURL: app.Server.URL, Email: e.Coordinator.Email, Password: testsupport.Password,
		ContractorEmail: e.Contractor.Email, ContractorPassword: testsupport.Password,
		DeepPages: 2,
	}}
}

// openPages walks the open list 20 at a time, returning the cursor that starts each page.
func (f *fixture) openPages(t *testing.T) []string {
	t.Helper()
	cursors, cursor := []string{""}, ""
	for {
		_, next := testsupport.Page[tickets.Ticket](t, f.estate.Coordinator, withCursor(listOpenPath(pageSize), cursor))
		if next == "" {
			return cursors
		}
		cursors, cursor = append(cursors, next), next
	}
}

func TestEveryScenarioInBothModes(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	p, err := Prepare(ctx, f.target)
	if err != nil {
		t.Fatalf("Prepare: %v", err)
	}
	if pages := f.openPages(t); p.deepCursor != pages[2] || p.deepNote != "" {
		t.Errorf("list-deep starts at %q (note %q), want the third page's cursor %q", p.deepCursor, p.deepNote, pages[2])
	}
	if len(p.ticketIDs) != openTickets+1 {
		t.Errorf("sampled %d tickets, want all %d", len(p.ticketIDs), openTickets+1)
	}
	modes := []struct {
		mode string
		opts Options
	}{
		{ModeConstant, Options{Rate: 20, Workers: 2, Duration: 300 * time.Millisecond, Warmup: -1}},
		{ModeMax, Options{Workers: 2, Duration: 300 * time.Millisecond, Warmup: 50 * time.Millisecond}},
	}
	created := 0
	for _, name := range ScenarioNames() {
		for _, m := range modes {
			r, err := p.Run(ctx, name, m.opts)
			if err != nil {
				t.Fatalf("%s %s: %v", name, m.mode, err)
			}
			t.Logf("%s %s: %d requests, %.0f/s, p50 %v, note %q", name, m.mode, r.Requests, r.Throughput, r.P50, r.Note)
			if r.Scenario != name || r.Mode != m.mode || r.Workers != 2 || r.Rate != m.opts.Rate {
				t.Errorf("%s %s: result says %s %s rate %v workers %d", name, m.mode, r.Scenario, r.Mode, r.Rate, r.Workers)
			}
			if r.Successes == 0 || r.Successes != r.Requests || len(r.Errors) != 0 || r.Throughput <= 0 {
				t.Errorf("%s %s: %d of %d succeeded, errors %v, %.1f/s; note %q", name, m.mode, r.Successes, r.Requests, r.Errors, r.Throughput, r.Note)
			}
			if r.P50 <= 0 || r.P95 < r.P50 || r.P99 < r.P95 || r.Max < r.P99 {
				t.Errorf("%s %s: latencies p50 %v p95 %v p99 %v max %v out of order", name, m.mode, r.P50, r.P95, r.P99, r.Max)
			}
			if name == "create-ticket" {
				created += r.Successes
			}
		}
	}
	var mine int
	for _, tk := range testsupport.All[tickets.Ticket](t, f.estate.Coordinator, "/api/v1/tickets?status=NEW") {
		if strings.Contains(tk.Title, "(load test "+p.runID+" #") {
			mine++
		}
	}
	if mine < created {
		t.Errorf("%d tickets created by the run, fewer than the %d successes counted", mine, created)
	}
}

func TestShallowListMeasuresItsLastPage(t *testing.T) {
	f := newFixture(t)
	f.target.DeepPages = 100
	f.target.ContractorEmail, f.target.ContractorPassword = "", ""
	p, err := Prepare(context.Background(), f.target)
	if err != nil {
		t.Fatalf("Prepare: %v", err)
	}
	pages := f.openPages(t)
	if last := pages[len(pages)-1]; p.deepCursor != last {
		t.Errorf("list-deep starts at %q, want the last page's cursor %q", p.deepCursor, last)
	}
	want := fmt.Sprintf("the open list has only %d tickets (asked for the page after row 2000): measured its last page, after row 40", openTickets)
	if !strings.Contains(p.deepNote, want) {
		t.Errorf("note %q, want it to say %q", p.deepNote, want)
	}
	r, err := p.Run(context.Background(), "list-deep", Options{Rate: 10, Duration: 200 * time.Millisecond, Warmup: -1})
	if err != nil || r.Note != p.deepNote || r.Successes == 0 {
		t.Errorf("list-deep: %+v, %v; want the plan's note and successes", r, err)
	}
	if p.searchNote != "" {
		t.Errorf("search note %q, though the tickets mention a leak", p.searchNote)
	}
	f.target.SearchQuery = "xylophone"
	if p, err = Prepare(context.Background(), f.target); err != nil {
		t.Fatalf("Prepare: %v", err)
	}
	if want := `"xylophone" matches no ticket: measured an empty answer`; p.searchNote != want {
		t.Errorf("a search that matches nothing: note %q, want %q", p.searchNote, want)
	}
	r, err = p.Run(context.Background(), "contractor-jobs", Options{})
	if err != nil || r.Requests != 0 || !strings.HasPrefix(r.Note, "skipped: no contractor credentials") {
		t.Errorf("contractor-jobs without credentials: %+v, %v; want it skipped with a note", r, err)
	}
}

func TestEmptyOrganisationSkipsWhatItCannotRun(t *testing.T) {
	app := testsupport.NewApp(t, nil)
	admin := app.Register("Empty Lettings")
	p, err := Prepare(context.Background(), Target{BaseURL: app.Server.URL, Email: admin.Email, Password: testsupport.Password})
	if err != nil {
		t.Fatalf("Prepare: %v", err)
	}
	for name, note := range map[string]string{
		"create-ticket": "skipped: Empty Lettings has no unit to report a repair on",
		"ticket-detail": "skipped: Empty Lettings has no tickets to read",
		"list-deep":     "the open list has only 0 tickets (asked for the page after row 100000): measured its last page, after row 0",
		"search":        `"leak" matches no ticket: measured an empty answer`,
	} {
		r, err := p.Run(context.Background(), name, Options{Rate: 10, Duration: 100 * time.Millisecond, Warmup: -1})
		if err != nil || r.Note != note || len(r.Errors) != 0 {
			t.Errorf("%s: %+v, %v; want note %q", name, r, err, note)
		}
	}
}

func TestFailuresAreCountedAndExplained(t *testing.T) {
	f := newFixture(t)
	f.target.TicketIDs = []uuid.UUID{uuid.New()}
	p, err := Prepare(context.Background(), f.target)
	if err != nil {
		t.Fatalf("Prepare: %v", err)
	}
	r, err := p.Run(context.Background(), "ticket-detail", Options{Rate: 20, Duration: 200 * time.Millisecond, Warmup: -1})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if r.Successes != 0 || r.Errors["404"] != r.Requests || r.Requests == 0 || r.Throughput != 0 {
		t.Errorf("a missing ticket: %d requests, %d successes, errors %v; want every one a 404", r.Requests, r.Successes, r.Errors)
	}
	if !strings.Contains(r.Note, "first error: 404 NOT_FOUND: ") || !strings.Contains(r.Note, "(trace ") {
		t.Errorf("note %q, want the first error's code, message and trace id", r.Note)
	}
	if _, err := p.Run(context.Background(), "frobnicate", Options{}); err == nil || !strings.Contains(err.Error(), `unknown scenario "frobnicate" (known: create-ticket,`) {
		t.Errorf("unknown scenario: %v", err)
	}
	if _, err := p.Run(context.Background(), "list-open", Options{Rate: -1}); err == nil {
		t.Error("a negative rate was accepted")
	}
}

func TestExpiredTokenIsRenewed(t *testing.T) {
	f := newFixture(t)
	p, err := Prepare(context.Background(), f.target)
	if err != nil {
		t.Fatalf("Prepare: %v", err)
	}
	// Before a run: a token past its renewal time is renewed first.
	p.staff.mu.Lock()
	p.staff.accessToken, p.staff.renewAt = "expired", time.Now().Add(-time.Second)
	p.staff.mu.Unlock()
	r, err := p.Run(context.Background(), "list-open", Options{Rate: 20, Duration: 200 * time.Millisecond, Warmup: -1})
	if err != nil || len(r.Errors) != 0 || r.Successes == 0 {
		t.Fatalf("run after expiry: %+v, %v; want every request to succeed", r, err)
	}
	// During a run: the token is renewed when it falls due.
	p.staff.mu.Lock()
	p.staff.accessToken, p.staff.renewAt = "expired", time.Now().Add(50*time.Millisecond)
	p.staff.mu.Unlock()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go p.staff.keepFresh(ctx)
	for deadline := time.Now().Add(10 * time.Second); p.staff.token() == "expired"; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the token was not renewed when it fell due")
		}
	}
	p.staff.mu.Lock()
	next := time.Until(p.staff.renewAt)
	p.staff.mu.Unlock()
	if next < 10*time.Minute {
		t.Errorf("next renewal in %v, want about four fifths of 15 minutes", next)
	}
}

func TestPrepareExplainsWhatIsWrong(t *testing.T) {
	f := newFixture(t)
	notAPI := httptest.NewServer(http.NotFoundHandler())
	defer notAPI.Close()
	tests := []struct {
		name   string
		change func(*Target)
		want   string
	}{
		{"wrong password", func(tg *Target) { tg.Password = "not-the-password" }, "the server refused the email or password"},
		{"unknown email", func(tg *Target) { tg.Email = "nobody@example.com" }, "log in as nobody@example.com: the server refused"},
		{"tenant", func(tg *Target) { tg.Email = f.estate.Tenant.Email }, "has the role TENANT in Loadtest Lettings: the load test needs an ADMIN or COORDINATOR"},
		{"contractor is staff", func(tg *Target) { tg.ContractorEmail = f.estate.Admin.Email }, "logs in with the role ADMIN in Loadtest Lettings: contractor-jobs needs a CONTRACTOR"},
		{"contractor without password", func(tg *Target) { tg.ContractorPassword = "" }, "without the contractor's password"},
		{"nothing listening", func(tg *Target) { tg.BaseURL = "http://127.0.0.1:1" }, "cannot reach the server"},
		{"not the API", func(tg *Target) { tg.BaseURL = notAPI.URL }, "is the URL the MaintainUK server's base address?"},
		{"not a URL", func(tg *Target) { tg.BaseURL = "localhost:8080" }, `base URL "localhost:8080": want http://host[:port]`},
	}
	for _, tt := range tests {
		tg := f.target
		tt.change(&tg)
		if _, err := Prepare(context.Background(), tg); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: %v; want an error saying %q", tt.name, err, tt.want)
		}
	}
	tg := f.target
	tg.BaseURL += "/api/v1/"
	if _, err := Prepare(context.Background(), tg); err != nil {
		t.Errorf("a base URL ending in /api/v1/: %v", err)
	}
}

// TestSpreadClientsPassesThePerAddressLimit: behind a trusted proxy, public reports with
// SpreadClients come from many addresses, so the form's per-address limit (here 2 an
// hour) refuses none of them; without it, the third is refused.
func TestSpreadClientsPassesThePerAddressLimit(t *testing.T) {
	app := testsupport.NewApp(t, map[string]string{"PUBLIC_REPORTS_PER_HOUR": "2", "TRUSTED_PROXIES": "127.0.0.1"})
	e := app.NewEstate(t, "Spread Lettings", testsupport.EstateOptions{})
	target := Target{BaseURL: app.Server.URL, Email: e.Coordinator.Email, Password: testsupport.Password, DeepPages: 1}
	for _, spread := range []bool{true, false} {
		target.SpreadClients = spread
		p, err := Prepare(context.Background(), target)
		if err != nil {
			t.Fatalf("Prepare: %v", err)
		}
		r, err := p.Run(context.Background(), "public-report", Options{Rate: 40, Duration: 250 * time.Millisecond, Warmup: -1})
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
		refused := r.Errors["429"]
		if spread && (refused != 0 || r.Successes < 3) {
			t.Errorf("spread: %d reports accepted, %d refused (%v); want every one accepted", r.Successes, refused, r.Errors)
		}
		if !spread && (refused == 0 || r.Successes > 2) {
			t.Errorf("one address: %d accepted, %d refused; want the limit to refuse all but 2", r.Successes, refused)
		}
	}
}
