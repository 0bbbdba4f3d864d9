package web

import (
	"net/http"
	"net/url"
	"slices"

	"github.com/google/uuid"

	"github.com/maintainuk/maintainuk/internal/access"
	"github.com/maintainuk/maintainuk/internal/apperr"
	"github.com/maintainuk/maintainuk/internal/attachments"
	"github.com/maintainuk/maintainuk/internal/clocks"
	pages "github.com/maintainuk/maintainuk/internal/page"
	"github.com/maintainuk/maintainuk/internal/tickets"
)

// ticketFilter is the list's filters as the form sends them.
type ticketFilter struct {
	Status, Priority, Category, Q string
	Overdue                       bool
}

type ticketListData struct {
	Filter     ticketFilter
	Tickets    []tickets.Ticket
	Next       string // the next page's query string, "" on the last
	Statuses   []tickets.Status
	Priorities []string
	Categories []string
}

// ticketList is the tickets the member may see, newest first, with filters, search and a
// next page; the table alone when htmx asks for it (filters change as they are chosen).
func (u *UI) ticketList(w http.ResponseWriter, r *http.Request) {
	v := visitOf(r.Context())
	q := r.URL.Query()
	f := ticketFilter{Status: q.Get("status"), Priority: q.Get("priority"), Category: q.Get("category"), Q: q.Get("q"), Overdue: q.Get("overdue") == "on"}
	res, err := u.deps.Tickets.List(r.Context(), v.Actor, tickets.Filter{Status: f.Status, Priority: f.Priority, Category: f.Category,
		Query: f.Q, Overdue: f.Overdue}, pages.Request{Limit: 25, Cursor: q.Get("cursor")})
	d := ticketListData{Filter: f, Statuses: tickets.Statuses, Priorities: tickets.Priorities, Categories: tickets.Categories}
	p := page{Title: "Tickets", Nav: "tickets", Data: &d}
	if errs := fieldErrors(err); errs != nil {
		p.Errors = errs
		u.render(w, r, http.StatusUnprocessableEntity, u.fragmentOr(r, "tickets", "ticket-rows"), p)
		return
	}
	if err != nil {
		u.failed(w, r, "tickets", err)
		return
	}
	d.Tickets = res.Items
	if res.NextCursor != "" {
		next := url.Values{}
		for k, vs := range q {
			if k != "cursor" {
				next[k] = vs
			}
		}
		next.Set("cursor", res.NextCursor)
		d.Next = next.Encode()
	}
	u.render(w, r, http.StatusOK, u.fragmentOr(r, "tickets", "ticket-rows"), p)
}

// fragmentOr is the fragment template for an htmx request that targets it, else the page.
func (u *UI) fragmentOr(r *http.Request, pageName, fragment string) string {
	if r.Header.Get("HX-Request") != "" && r.Header.Get("HX-Target") == fragment {
		return fragment
	}
	return pageName
}

type ticketDetailData struct {
	*tickets.Detail
	Files []attachments.Attachment
	Staff bool
	// Comment is the comment form as last sent (kept when it was refused).
	Comment string
	// Notice is a refusal to show at the top.
	Notice string
	// More is what staff see and do.
	More *ticketStaffData
	// Clocks are the legal clocks it runs against (everyone who sees it sees them).
	Clocks []clocks.Clock
	// Overrides are the history's compliance overrides (reasons and what they overrode),
	// by event id.
	Overrides map[uuid.UUID]*overrideNote
}

// ticketDetail is one ticket: its details, due time, comments, photos and history, and for
// staff the AI's triage, messages, work orders and status.
func (u *UI) ticketDetail(w http.ResponseWriter, r *http.Request) {
	u.showTicketWith(w, r, http.StatusOK, nil, "", nil)
}

// showTicketWith renders the ticket the path names with field errors or a notice from a
// refused form; keep adjusts the staff panels (a draft, a summary, a composer kept).
func (u *UI) showTicketWith(w http.ResponseWriter, r *http.Request, status int, errs map[string]string, notice string, keep func(*ticketStaffData)) {
	v := visitOf(r.Context())
	id, err := uuid.Parse(r.PathValue("id"))
	if err != nil {
		u.failed(w, r, "ticket", apperr.NotFoundf("ticket"))
		return
	}
	t, err := u.deps.Tickets.Get(r.Context(), v.Actor, id)
	if err != nil {
		u.failed(w, r, "ticket", err)
		return
	}
	files, err := u.deps.Attachments.ListForTicket(r.Context(), v.Actor, id)
	if err != nil {
		u.failed(w, r, "ticket", err)
		return
	}
	slices.Reverse(t.Timeline) // oldest first reads as a story
	cs, err := u.deps.Tickets.Clocks(r.Context(), v.Actor, id)
	if err != nil {
		u.failed(w, r, "ticket", err)
		return
	}
	d := ticketDetailData{Detail: t, Files: files, Staff: v.Actor.Role.IsStaff(), Notice: notice, Clocks: cs, Overrides: overrideNotes(t.Timeline)}
	if r.Method == http.MethodGet && notice == "" {
		d.Notice = raisedNotices[r.URL.Query().Get("raised")] // a work order raised with a warning
	}
	if r.Method == http.MethodPost {
		d.Comment = r.PostFormValue("body")
	}
	if d.Staff {
		if d.More, err = u.staffData(r, t); err != nil {
			u.failed(w, r, "ticket", err)
			return
		}
		if keep != nil {
			keep(d.More)
		}
	}
	u.render(w, r, status, "ticket", page{Title: t.Number + " " + t.Title, Nav: "tickets", Errors: errs, Data: d})
}

// addComment adds a comment; staff choose whether the resident sees it.
func (u *UI) addComment(w http.ResponseWriter, r *http.Request) {
	v := visitOf(r.Context())
	id, err := uuid.Parse(r.PathValue("id"))
	if err != nil {
		u.failed(w, r, "comment", apperr.NotFoundf("ticket"))
		return
	}
	in := tickets.CommentInput{Body: r.PostFormValue("body"), Visibility: "RESIDENT"}
	if v.Actor.Role == access.Admin || v.Actor.Role == access.Coordinator {
		in.Visibility = "INTERNAL"
		if r.PostFormValue("resident") == "on" {
			in.Visibility = "RESIDENT"
		}
	} else if v.Actor.Role == access.Contractor {
		in.Visibility = ""
	}
	if _, err := u.deps.Tickets.AddComment(r.Context(), v.Actor, id, in); err != nil {
		u.refused(w, r, err, nil, nil)
		return
	}
	u.redirect(w, r, "/tickets/"+id.String()+"#comments")
}
