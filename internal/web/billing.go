package web

import "net/http"

// billingRoutes registers the billing dashboard, consent management (staff) and contact preferences (residents).
func (u *UI) billingRoutes(mux *http.ServeMux) {}
