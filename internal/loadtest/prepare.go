package loadtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"sync/atomic"

	"github.com/google/uuid"
)

// Plan is a prepared target: sessions, and the ids and cursors the scenarios need, found
// once so the measured requests are only the scenario's own.
type Plan struct {
	api        *api
	staff      *session
	contractor *session // nil when no contractor credentials were given
	orgName    string
	slug       string
	search     string

	unitID        uuid.UUID // a unit of the organisation, for create-ticket
	unitReference string

	deepCursor string // where list-deep's page starts
	deepNote   string // set when the list is shallower than asked
	searchNote string // set when the search term matches nothing

	ticketIDs []uuid.UUID // ticket-detail's sample

	spreadClients bool // public reports from many client addresses (Target.SpreadClients)

	// runID and seq make every created ticket's title unique, across runs and processes.
	runID string
	seq   atomic.Uint64
}

// Prepare logs in, checks the accounts, and discovers what the scenarios need: a unit, the
// organisation's slug, the deep page's cursor and a sample of ticket ids.
func Prepare(ctx context.Context, t Target) (*Plan, error) {
	a, err := newAPI(t.BaseURL, t.HTTPClient)
	if err != nil {
		return nil, err
	}
	if t.Email == "" || t.Password == "" {
		return nil, fmt.Errorf("the staff email and password are required")
	}
	staff, ans, err := login(ctx, a, t.Email, t.Password)
	if err != nil {
		return nil, err
	}
	if ans.Role != "ADMIN" && ans.Role != "COORDINATOR" {
		return nil, fmt.Errorf("%s has the role %s in %s: the load test needs an ADMIN or COORDINATOR", t.Email, ans.Role, ans.Org.Name)
	}
	p := &Plan{api: a, staff: staff, orgName: ans.Org.Name, slug: ans.Org.Slug, search: t.SearchQuery, runID: newRunID(), spreadClients: t.SpreadClients}
	if p.search == "" {
		p.search = DefaultSearchQuery
	}
	if t.ContractorEmail != "" {
		if p.contractor, err = prepareContractor(ctx, a, t, ans.Org.ID); err != nil {
			return nil, err
		}
	}
	if err := p.findUnit(ctx); err != nil {
		return nil, err
	}
	deep := t.DeepPages
	if deep <= 0 {
		deep = DefaultDeepPages
	}
	if err := p.findDeepCursor(ctx, deep*pageSize); err != nil {
		return nil, err
	}
	if err := p.trySearch(ctx); err != nil {
		return nil, err
	}
	p.ticketIDs = t.TicketIDs
	if len(p.ticketIDs) == 0 {
		if p.ticketIDs, err = p.sampleTickets(ctx); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// prepareContractor logs the contractor in and checks they act as a CONTRACTOR of the
// staff user's organisation, so contractor-jobs measures a contractor's list.
func prepareContractor(ctx context.Context, a *api, t Target, orgID uuid.UUID) (*session, error) {
	if t.ContractorPassword == "" {
		return nil, fmt.Errorf("a contractor email was given without the contractor's password")
	}
	s, ans, err := login(ctx, a, t.ContractorEmail, t.ContractorPassword)
	if err != nil {
		return nil, err
	}
	if ans.Role != "CONTRACTOR" || ans.Org.ID != orgID {
		return nil, fmt.Errorf("%s logs in with the role %s in %s: contractor-jobs needs a CONTRACTOR of the staff user's organisation", t.ContractorEmail, ans.Role, ans.Org.Name)
	}
	return s, nil
}

func newRunID() string {
	b := make([]byte, 4)
	_, _ = rand.Read(b) // never fails (crypto/rand panics instead)
	return hex.EncodeToString(b)
}

// row is the identifying part of a listed row.
type row struct {
	ID        uuid.UUID `json:"id"`
	Reference string    `json:"reference"`
}

// findUnit picks the first unit of the first properties that have one; with none,
// create-ticket is skipped with a note.
func (p *Plan) findUnit(ctx context.Context) error {
	var properties []row
	if _, err := p.api.call(ctx, http.MethodGet, "/api/v1/properties?limit=50", p.staff.token(), nil, &properties, http.StatusOK); err != nil {
		return fmt.Errorf("find a unit: %w", err)
	}
	for _, prop := range properties {
		var units []row
		if _, err := p.api.call(ctx, http.MethodGet, "/api/v1/properties/"+prop.ID.String()+"/units?limit=1", p.staff.token(), nil, &units, http.StatusOK); err != nil {
			return fmt.Errorf("find a unit: %w", err)
		}
		if len(units) > 0 {
			p.unitID, p.unitReference = units[0].ID, units[0].Reference
			return nil
		}
	}
	return nil
}

// listOpenPath is the list-open and list-deep request without a cursor.
func listOpenPath(limit int) string {
	return fmt.Sprintf("/api/v1/tickets?status=NEW&limit=%d", limit)
}

// findDeepCursor walks the open list to the cursor after row depth. A cursor holds only
// the sort key of the row before the page (internal/page), not the page size, so the walk
// takes 200 rows a step and the cursor it ends on serves pages of 20. When the list is
// shorter, list-deep measures its last page of 20 and deepNote says so.
func (p *Plan) findDeepCursor(ctx context.Context, depth int) error {
	cursor, walked := "", 0
	for walked < depth {
		step := min(200, depth-walked)
		rows, next, err := p.openPage(ctx, step, cursor)
		if err != nil {
			return err
		}
		if next == "" {
			return p.lastPage(ctx, cursor, walked, walked+len(rows), depth)
		}
		cursor, walked = next, walked+len(rows)
	}
	p.deepCursor = cursor
	return nil
}

// lastPage walks the open list's last rows (from cursor, after row before; total rows in
// all) 20 at a time to the cursor of its last page.
func (p *Plan) lastPage(ctx context.Context, cursor string, before, total, depth int) error {
	for {
		rows, next, err := p.openPage(ctx, pageSize, cursor)
		if err != nil {
			return err
		}
		if next == "" {
			p.deepCursor = cursor
			p.deepNote = fmt.Sprintf("the open list has only %d tickets (asked for the page after row %d): measured its last page, after row %d", total, depth, before)
			return nil
		}
		cursor, before = next, before+len(rows)
	}
}

// openPage is one page of the open list.
func (p *Plan) openPage(ctx context.Context, limit int, cursor string) ([]row, string, error) {
	var rows []row
	next, err := p.api.call(ctx, http.MethodGet, withCursor(listOpenPath(limit), cursor), p.staff.token(), nil, &rows, http.StatusOK)
	if err != nil {
		return nil, "", fmt.Errorf("walk the open list for list-deep: %w", err)
	}
	return rows, next, nil
}

// withCursor adds a cursor to a list path that already has a query.
func withCursor(path, cursor string) string {
	if cursor == "" {
		return path
	}
	return path + "&cursor=" + url.QueryEscape(cursor)
}

// searchPath is the search scenario's request.
func (p *Plan) searchPath() string {
	return fmt.Sprintf("/api/v1/tickets?q=%s&limit=%d", url.QueryEscape(p.search), pageSize)
}

// trySearch sends the search once: a term that matches nothing measures an empty answer,
// which the note must say.
func (p *Plan) trySearch(ctx context.Context) error {
	var rows []row
	if _, err := p.api.call(ctx, http.MethodGet, p.searchPath(), p.staff.token(), nil, &rows, http.StatusOK); err != nil {
		return fmt.Errorf("try the search: %w", err)
	}
	if len(rows) == 0 {
		p.searchNote = fmt.Sprintf("%q matches no ticket: measured an empty answer", p.search)
	}
	return nil
}

// sampleTickets takes up to maxSampledTickets ticket ids from the newest of the list.
func (p *Plan) sampleTickets(ctx context.Context) ([]uuid.UUID, error) {
	var ids []uuid.UUID
	cursor := ""
	for len(ids) < maxSampledTickets {
		var rows []row
		path := withCursor(fmt.Sprintf("/api/v1/tickets?limit=%d", min(200, maxSampledTickets-len(ids))), cursor)
		next, err := p.api.call(ctx, http.MethodGet, path, p.staff.token(), nil, &rows, http.StatusOK)
		if err != nil {
			return nil, fmt.Errorf("sample tickets for ticket-detail: %w", err)
		}
		for _, r := range rows {
			ids = append(ids, r.ID)
		}
		if next == "" {
			break
		}
		cursor = next
	}
	return ids, nil
}
