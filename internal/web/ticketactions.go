package web

import "net/http"

// ticketActionRoutes registers what staff do on a ticket: AI triage, summary, messages, work orders, status, photos.
func (u *UI) ticketActionRoutes(mux *http.ServeMux) {}
