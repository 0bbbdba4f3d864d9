package web

import "net/http"

// estateRoutes registers properties, units and residents, contractors, members and settings.
func (u *UI) estateRoutes(mux *http.ServeMux) {}
