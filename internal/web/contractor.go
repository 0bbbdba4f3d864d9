package web

import "net/http"

// contractorRoutes registers the contractor portal, phone-first: /jobs, /jobs/{id}.
func (u *UI) contractorRoutes(mux *http.ServeMux) {}
