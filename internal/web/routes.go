package web

import (
	"net/http"
	"strings"

	"github.com/maintainuk/maintainuk/internal/access"
)

// routes registers every page. Staff are ADMINs and COORDINATORs.
func (u *UI) routes(mux *http.ServeMux) {
	staff := []access.Role{access.Admin, access.Coordinator}
	mux.HandleFunc("GET /assets/", u.serveAsset)

	// For people not signed in.
	mux.HandleFunc("/login", u.login)
	mux.HandleFunc("/forgot-password", u.forgotPassword)
	mux.HandleFunc("/reset-password", u.resetPassword)
	mux.HandleFunc("/accept-invitation", u.acceptInvitation)
	mux.HandleFunc("/report/{slug}", u.report)

	// Signed in.
	mux.HandleFunc("POST /logout", u.signedIn(u.logout))
	mux.HandleFunc("POST /switch", u.signedIn(u.switchOrg))
	mux.HandleFunc("GET /{$}", u.signedIn(u.home))
	mux.HandleFunc("GET /dashboard", u.signedIn(u.dashboard, staff...))
	mux.HandleFunc("GET /tickets", u.signedIn(u.ticketList))
	mux.HandleFunc("GET /tickets/new", u.signedIn(u.newTicket, reporters...))
	mux.HandleFunc("POST /tickets/new", u.signedIn(u.newTicket, reporters...))
	mux.HandleFunc("GET /tickets/{id}", u.signedIn(u.ticketDetail))
	mux.HandleFunc("POST /tickets/{id}/comments", u.signedIn(u.addComment))
	u.ticketActionRoutes(mux)
	u.workRoutes(mux)
	u.contractorRoutes(mux)
	u.estateRoutes(mux)
	u.billingRoutes(mux)
	u.complianceRoutes(mux)

	mux.HandleFunc("/", u.notFound)
}

// limitBodies bounds what a form may send: a photo, or a few kilobytes of text.
func limitBodies(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body != nil && r.Method != http.MethodGet && r.Method != http.MethodHead {
			limit := int64(maxFormBytes)
			if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
				limit = maxUploadBytes
			}
			r.Body = http.MaxBytesReader(w, r.Body, limit)
		}
		next.ServeHTTP(w, r)
	})
}

func (u *UI) notFound(w http.ResponseWriter, r *http.Request) {
	u.message(w, r, http.StatusNotFound, "Page not found", "There is no page at this address. Check it, or go back to the start.", false)
}

// home sends each member to where their work is: staff to the dashboard, contractors to
// their jobs, residents to their repairs.
func (u *UI) home(w http.ResponseWriter, r *http.Request) {
	switch visitOf(r.Context()).Actor.Role {
	case access.Admin, access.Coordinator:
		http.Redirect(w, r, "/dashboard", http.StatusSeeOther)
	case access.Contractor:
		http.Redirect(w, r, "/jobs", http.StatusSeeOther)
	default:
		http.Redirect(w, r, "/tickets", http.StatusSeeOther)
	}
}
