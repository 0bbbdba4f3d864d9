package httpapi

import (
	"crypto/sha256"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/google/uuid"
)

// platformAdminOnly guards the job dashboard and the development mailbox with HTTP Basic
// authentication for platform operators (users marked with `maintainuk platform-admin
// EMAIL`). The dashboard is a single-page app that calls its own API on every view, so a
// verified password is remembered for a few minutes instead of running argon2 on each
// request; the operator flag itself is read from the database on every request, so
// revoking it takes effect at once. Wrong passwords count against the same failure limits
// as the API's login.
func (s *Server) platformAdminOnly(next http.Handler) http.Handler {
	type verified struct {
		userID uuid.UUID
		until  time.Time
	}
	var mu sync.Mutex
	cache := map[[32]byte]verified{}
	const remember = 5 * time.Minute
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		email, password, ok := r.BasicAuth()
		if !ok {
			challenge(w)
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead && !sameOrigin(r) {
			// Browsers resend Basic credentials on cross-site requests: refuse forged writes.
			http.Error(w, "cross-site request refused", http.StatusForbidden)
			return
		}
		key := sha256.Sum256([]byte(email + "\x00" + password))
		now := time.Now()
		mu.Lock()
		for k, v := range cache {
			if now.After(v.until) {
				delete(cache, k)
			}
		}
		entry, cached := cache[key]
		mu.Unlock()
		ctx := r.Context()
		if !cached {
			userID, err := s.deps.Identity.PlatformAdmin(ctx, email, password, infoFrom(ctx).clientIP)
			if err != nil {
				if env := newErrorEnvelope(ctx, loggerFrom(ctx), 0, "", err); env.GetStatus() == http.StatusTooManyRequests || env.GetStatus() == http.StatusServiceUnavailable {
					for k, v := range env.GetHeaders() {
						w.Header()[k] = v
					}
					http.Error(w, "too many attempts; try again shortly", env.GetStatus())
					return
				}
				challenge(w)
				return
			}
			entry = verified{userID: userID, until: now.Add(remember)}
			mu.Lock()
			cache[key] = entry
			mu.Unlock()
		} else if admin, err := s.deps.Identity.IsPlatformAdmin(ctx, entry.userID); err != nil || !admin {
			if err != nil {
				loggerFrom(ctx).Error("platform operator check", "error", err)
			}
			mu.Lock()
			delete(cache, key)
			mu.Unlock()
			challenge(w)
			return
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
