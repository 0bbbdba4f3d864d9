package loadtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"sync/atomic"

	"github.com/google/uuid"
	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// scenario is one named kind of request.
type scenario struct {
	name   string
	expect int // the status of a success
	// hints explain an error status the server sends by design under load.
	hints map[string]string
	// build makes the requests from a prepared plan; a non-empty skip says why the plan
	// cannot run the scenario.
	build func(p *Plan) (a attackSpec, skip string)
}

// attackSpec is a scenario made ready to run against one plan.
type attackSpec struct {
	targeter vegeta.Targeter
	session  *session // whose token to keep fresh during the run; nil for none
	note     string
}

// scenarios in the order they are listed and run by default. Their names are fixed:
// the benchmark and operators' scripts use them.
var scenarios = []scenario{
	{name: "create-ticket", expect: http.StatusCreated, build: createTicket},
	{name: "list-open", expect: http.StatusOK, build: listOpen},
	{name: "list-deep", expect: http.StatusOK, build: listDeep},
	{name: "search", expect: http.StatusOK, build: search},
	{name: "ticket-detail", expect: http.StatusOK, build: ticketDetail},
	{name: "login", expect: http.StatusOK, build: loginScenario, hints: map[string]string{
		"503": "every password-hashing turn was taken (PASSWORD_HASH_MEMORY_MIB, PASSWORD_HASH_WAIT)",
	}},
	{name: "public-report", expect: http.StatusCreated, build: publicReport, hints: map[string]string{
		"429": "public reports are limited per client IP address per hour (PUBLIC_REPORTS_PER_HOUR)",
	}},
	{name: "contractor-jobs", expect: http.StatusOK, build: contractorJobs},
}

// ScenarioNames lists every scenario, in the order `-scenarios all` runs them.
func ScenarioNames() []string {
	names := make([]string, len(scenarios))
	for i, s := range scenarios {
		names[i] = s.name
	}
	return names
}

func scenarioNamed(name string) (scenario, bool) {
	for _, s := range scenarios {
		if s.name == name {
			return s, true
		}
	}
	return scenario{}, false
}

// get sends GET path as the session's user.
func get(p *Plan, s *session, path string) vegeta.Targeter {
	u := p.api.url(path)
	return func(t *vegeta.Target) error {
		t.Method, t.URL = http.MethodGet, u
		t.Header = http.Header{"Authorization": {"Bearer " + s.token()}}
		return nil
	}
}

func createTicket(p *Plan) (attackSpec, string) {
	if p.unitID == uuid.Nil {
		return attackSpec{}, fmt.Sprintf("%s has no unit to report a repair on", p.orgName)
	}
	u := p.api.url("/api/v1/tickets")
	tr := func(t *vegeta.Target) error {
		body, err := json.Marshal(map[string]string{
			"unitId": p.unitID.String(), "category": "PLUMBING",
			"title":       p.title("Leaking tap"),
			"description": "Created by maintainuk loadtest.",
		})
		if err != nil {
			return fmt.Errorf("encode ticket: %w", err)
		}
		t.Method, t.URL, t.Body = http.MethodPost, u, body
		t.Header = http.Header{"Authorization": {"Bearer " + p.staff.token()}, "Content-Type": {"application/json"}}
		return nil
	}
	return attackSpec{targeter: tr, session: p.staff}, ""
}

// title is unique to one request of one run.
func (p *Plan) title(what string) string {
	return fmt.Sprintf("%s (load test %s #%d)", what, p.runID, p.seq.Add(1))
}

func listOpen(p *Plan) (attackSpec, string) {
	return attackSpec{targeter: get(p, p.staff, listOpenPath(pageSize)), session: p.staff}, ""
}

func listDeep(p *Plan) (attackSpec, string) {
	return attackSpec{targeter: get(p, p.staff, withCursor(listOpenPath(pageSize), p.deepCursor)), session: p.staff, note: p.deepNote}, ""
}

func search(p *Plan) (attackSpec, string) {
	return attackSpec{targeter: get(p, p.staff, p.searchPath()), session: p.staff, note: p.searchNote}, ""
}

func ticketDetail(p *Plan) (attackSpec, string) {
	if len(p.ticketIDs) == 0 {
		return attackSpec{}, fmt.Sprintf("%s has no tickets to read", p.orgName)
	}
	urls := make([]string, len(p.ticketIDs))
	for i, id := range p.ticketIDs {
		urls[i] = p.api.url("/api/v1/tickets/" + id.String())
	}
	var next atomic.Uint64
	tr := func(t *vegeta.Target) error {
		t.Method, t.URL = http.MethodGet, urls[(next.Add(1)-1)%uint64(len(urls))]
		t.Header = http.Header{"Authorization": {"Bearer " + p.staff.token()}}
		return nil
	}
	return attackSpec{targeter: tr, session: p.staff, note: fmt.Sprintf("%d tickets in turn", len(urls))}, ""
}

func loginScenario(p *Plan) (attackSpec, string) {
	body, err := json.Marshal(map[string]string{"email": p.staff.email, "password": p.staff.password})
	if err != nil {
		return attackSpec{}, fmt.Sprintf("cannot encode the login: %v", err)
	}
	u := p.api.url("/api/v1/auth/login")
	tr := func(t *vegeta.Target) error {
		t.Method, t.URL, t.Body = http.MethodPost, u, body
		t.Header = http.Header{"Content-Type": {"application/json"}}
		return nil
	}
	return attackSpec{targeter: tr}, ""
}

// publicBoundary separates a public report's form fields.
const publicBoundary = "maintainuk-loadtest-boundary"

func publicReport(p *Plan) (attackSpec, string) {
	u := p.api.url("/api/v1/public/" + url.PathEscape(p.slug) + "/reports")
	tr := func(t *vegeta.Target) error {
		var b bytes.Buffer
		w := multipart.NewWriter(&b)
		if err := w.SetBoundary(publicBoundary); err != nil {
			return fmt.Errorf("public report form: %w", err)
		}
		fields := [][2]string{
			{"name", "Load Test"}, {"email", "loadtest@example.com"}, {"address", "1 Load Test Street"},
			{"unitReference", p.unitReference}, {"title", p.title("Dripping radiator")},
			{"description", "Reported by maintainuk loadtest."}, {"category", "HVAC"},
		}
		for _, f := range fields {
			if f[1] == "" {
				continue
			}
			if err := w.WriteField(f[0], f[1]); err != nil {
				return fmt.Errorf("public report form: %w", err)
			}
		}
		if err := w.Close(); err != nil {
			return fmt.Errorf("public report form: %w", err)
		}
		t.Method, t.URL, t.Body = http.MethodPost, u, b.Bytes()
		t.Header = http.Header{"Content-Type": {w.FormDataContentType()}}
		if p.spreadClients {
			n := p.seq.Add(1) // 198.18.0.0/15 holds 131,072 addresses
			t.Header.Set("X-Forwarded-For", fmt.Sprintf("198.%d.%d.%d", 18+(n>>16)&1, (n>>8)&0xff, n&0xff))
		}
		return nil
	}
	return attackSpec{targeter: tr}, ""
}

func contractorJobs(p *Plan) (attackSpec, string) {
	if p.contractor == nil {
		return attackSpec{}, "no contractor credentials (-contractor-email and LOADTEST_CONTRACTOR_PASSWORD)"
	}
	path := fmt.Sprintf("/api/v1/work-orders?limit=%d", pageSize)
	return attackSpec{targeter: get(p, p.contractor, path), session: p.contractor}, ""
}
