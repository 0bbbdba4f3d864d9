package httpapi

import (
	"crypto/sha256"
	"net/http"
	"net/url"
	"sync"
	"time"
)

// platformAdminOnly guards the job dashboard with HTTP Basic authentication for platform
// operators (users marked with `maintainuk platform-admin EMAIL`). The dashboard is a
// single-page app that calls its own API on every view, so a successful check is
// remembered for a few minutes instead of running argon2 on each request.
func (s *Server) platformAdminOnly(next http.Handler) http.Handler {
	var mu sync.Mutex
	verified := map[[32]byte]time.Time{}
	const remember = 5 * time.Minute
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		email, password, ok := r.BasicAuth()
		if !ok {
			challenge(w)
			return
		}
		key := sha256.Sum256([]byte(email + "\x00" + password))
		if r.Method != http.MethodGet && r.Method != http.MethodHead && !sameOrigin(r) {
			// Browsers resend Basic credentials on cross-site requests: refuse forged writes.
			http.Error(w, "cross-site request refused", http.StatusForbidden)
			return
		}
		mu.Lock()
		now := time.Now()
		for k, t := range verified {
			if now.After(t) {
				delete(verified, k)
			}
		}
		until, cached := verified[key]
		mu.Unlock()
		if !cached || time.Now().After(until) {
			if err := s.deps.Identity.PlatformAdmin(r.Context(), email, password, infoFrom(r.Context()).clientIP); err != nil {
				if code := newErrorEnvelope(r.Context(), loggerFrom(r.Context()), 0, "", err).GetStatus(); code == http.StatusTooManyRequests {
					http.Error(w, "too many attempts; try again shortly", code)
					return
				}
				challenge(w)
				return
			}
			mu.Lock()
			verified[key] = time.Now().Add(remember)
			mu.Unlock()
		}
		// The dashboard sets its own headers; it must not be framed either.
		w.Header().Set("Cache-Control", "no-store")
		next.ServeHTTP(w, r)
	})
}

func challenge(w http.ResponseWriter) {
	w.Header().Set("WWW-Authenticate", `Basic realm="MaintainUK jobs", charset="UTF-8"`)
	http.Error(w, "platform operators only", http.StatusUnauthorized)
}

// sameOrigin reports whether a request comes from a page of this site (Origin, or Referer
// when a browser sends no Origin).
func sameOrigin(r *http.Request) bool {
	source := r.Header.Get("Origin")
	if source == "" {
		source = r.Header.Get("Referer")
	}
	u, err := url.Parse(source)
	return err == nil && source != "" && u.Host == r.Host
}
