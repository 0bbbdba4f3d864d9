package web

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"time"
)

// CookieName is the CSRF cookie of the forms for people not signed in (sign-in, password
// reset, invitation, the public repair form): a double-submit token. The page sets a
// random value in an HttpOnly, SameSite=Strict cookie and puts HMAC(key, value) in a hidden
// field; a POST whose field does not match its cookie answers 403 and changes nothing.
const CookieName = "maintainuk_csrf"

const cookieMaxAge = 2 * time.Hour

// csrfFor returns the hidden-field value for the request's CSRF cookie, setting a new
// cookie when there is none.
func (u *UI) csrfFor(w http.ResponseWriter, r *http.Request) string {
	if c, err := r.Cookie(CookieName); err == nil && validNonce(c.Value) {
		return u.sign(c.Value)
	}
	return u.newCSRF(w)
}

// newCSRF sets a new CSRF cookie, which also makes every form signed for the old one
// invalid, and returns its hidden-field value.
func (u *UI) newCSRF(w http.ResponseWriter) string {
	buf := make([]byte, 32)
	_, _ = rand.Read(buf)
	nonce := base64.RawURLEncoding.EncodeToString(buf)
	http.SetCookie(w, &http.Cookie{ // #nosec G124 -- HttpOnly and SameSite are set; Secure whenever BASE_URL is https (off only for plain-HTTP development)
		Name: CookieName, Value: nonce, Path: "/", MaxAge: int(cookieMaxAge.Seconds()),
		HttpOnly: true, Secure: u.cfg.SecureCookie, SameSite: http.SameSiteStrictMode,
	})
	return u.sign(nonce)
}

func validNonce(v string) bool {
	b, err := base64.RawURLEncoding.DecodeString(v)
	return err == nil && len(b) == 32
}

func (u *UI) sign(nonce string) string {
	m := hmac.New(sha256.New, u.key)
	m.Write([]byte(nonce))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// validCSRF checks a form for people not signed in against its cookie.
func (u *UI) validCSRF(r *http.Request) bool {
	c, err := r.Cookie(CookieName)
	if err != nil || !validNonce(c.Value) {
		return false
	}
	if err := parseForm(r); err != nil {
		return false
	}
	got, err := base64.RawURLEncoding.DecodeString(r.PostFormValue("csrf"))
	if err != nil {
		return false
	}
	want, _ := base64.RawURLEncoding.DecodeString(u.sign(c.Value))
	return hmac.Equal(got, want)
}
