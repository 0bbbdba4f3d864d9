package web

import "net/http"

// workRoutes registers staff's work orders, quotes and invoices: /work-orders, /work-orders/{id}, quote comparison and approval, invoice review.
func (u *UI) workRoutes(mux *http.ServeMux) {}
