package web

import (
	"net/http"

	"github.com/maintainuk/maintainuk/internal/tickets"
	"github.com/maintainuk/maintainuk/internal/timeline"
)

type dashboardData struct {
	*tickets.Dashboard
	Statuses   []string
	Priorities []string
	Recent     []timeline.Event
}

// dashboard is the coordinator's start page: open tickets by status and priority, the
// overdue and at-risk ones, and the latest activity.
func (u *UI) dashboard(w http.ResponseWriter, r *http.Request) {
	actor := visitOf(r.Context()).Actor
	d, err := u.deps.Tickets.Dashboard(r.Context(), actor)
	if err != nil {
		u.failed(w, r, "dashboard", err)
		return
	}
	recent, err := u.deps.Timeline.Recent(r.Context(), actor, 12)
	if err != nil {
		u.failed(w, r, "dashboard", err)
		return
	}
	u.render(w, r, http.StatusOK, "dashboard", page{Title: "Dashboard", Nav: "dashboard", Data: dashboardData{
		Dashboard: d, Statuses: []string{"NEW", "TRIAGED", "IN_PROGRESS"}, Priorities: tickets.Priorities, Recent: recent,
	}})
}
