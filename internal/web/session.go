package web

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/maintainuk/maintainuk/internal/access"
	"github.com/maintainuk/maintainuk/internal/apperr"
	"github.com/maintainuk/maintainuk/internal/identity"
)

// SessionCookie holds a signed-in browser's session token.
const SessionCookie = "maintainuk_session"

// csrfHeader carries the session's CSRF token on htmx requests (set on <body> by hx-headers).
const csrfHeader = "X-CSRF-Token"

// visit is a signed-in request: who is asking, in which organisation, and the token that
// authorises its forms.
type visit struct {
	Actor access.Actor
	// Me is the member's name, organisation and memberships (the header and org switcher).
	Me   *identity.Me
	CSRF string
	// token is the session's, kept to end or move the session.
	token string
}

type visitKey struct{}

func visitOf(ctx context.Context) *visit {
	v, _ := ctx.Value(visitKey{}).(*visit)
	return v
}

// signedIn serves h to a signed-in member whose role is one of roles (any, when none),
// checking the CSRF token of every request that changes something. Anyone else is sent to
// sign in and come back (a 403 page for a member of the wrong role).
func (u *UI) signedIn(h http.HandlerFunc, roles ...access.Role) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie(SessionCookie)
		if err != nil {
			u.toSignIn(w, r)
			return
		}
		actor, err := u.deps.Identity.WebAuthenticate(r.Context(), c.Value)
		switch {
		case apperr.Is(err, apperr.Unauthenticated):
			u.clearSession(w)
			u.toSignIn(w, r)
			return
		case apperr.Is(err, apperr.Forbidden):
			u.clearSession(w)
			u.message(w, r, http.StatusForbidden, "Access ended", sentence(err.Error()), false)
			return
		case err != nil:
			u.failed(w, r, "session", err)
			return
		}
		me, err := u.deps.Identity.Me(r.Context(), actor)
		if err != nil {
			u.failed(w, r, "session", err)
			return
		}
		v := &visit{Actor: actor, Me: me, CSRF: u.sessionCSRF(c.Value), token: c.Value}
		if len(roles) > 0 && actor.Require(roles...) != nil {
			u.render(w, r.WithContext(context.WithValue(r.Context(), visitKey{}, v)), http.StatusForbidden, "message",
				page{Title: "Not available", Message: "This page is not available to your role in " + me.Org.Name + "."})
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead && tooLarge(r) {
			u.message(w, r, http.StatusRequestEntityTooLarge, "Too large",
				"That is more than a form may send: a photo or file may be up to 10 MB. Go back and choose a smaller one.", false)
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead && !u.validSessionCSRF(r, v.CSRF) {
			u.message(w, r, http.StatusForbidden, "Form expired",
				"This form has expired or was not sent from this site. Go back, reload the page and try again.", false)
			return
		}
		h(w, r.WithContext(context.WithValue(r.Context(), visitKey{}, v)))
	}
}

// toSignIn sends a visitor to the sign-in page, to come back where they were going.
func (u *UI) toSignIn(w http.ResponseWriter, r *http.Request) {
	next := "/"
	if r.Method == http.MethodGet && r.Header.Get("HX-Request") == "" {
		next = r.URL.RequestURI()
	}
	u.redirect(w, r, "/login?next="+url.QueryEscape(next))
}

// redirect sends the browser to target: a 303 for a page, HX-Redirect for htmx (which
// would otherwise swap the redirected page into a fragment).
func (u *UI) redirect(w http.ResponseWriter, r *http.Request, target string) {
	if r.Header.Get("HX-Request") != "" {
		w.Header().Set("HX-Redirect", target)
		w.WriteHeader(http.StatusNoContent)
		return
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}

// safeNext is a same-site path to return to after sign-in ("/" for anything else, so the
// parameter cannot send anyone to another host).
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") || strings.ContainsAny(next, "\r\n") {
		return "/"
	}
	return next
}

func (u *UI) setSession(w http.ResponseWriter, s *identity.WebSession) {
	http.SetCookie(w, &http.Cookie{ // #nosec G124 -- HttpOnly and SameSite are set; Secure whenever BASE_URL is https (off only for plain-HTTP development)
		Name: SessionCookie, Value: s.Token, Path: "/", Expires: s.ExpiresAt,
		HttpOnly: true, Secure: u.cfg.SecureCookie, SameSite: http.SameSiteLaxMode,
	})
}

func (u *UI) clearSession(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: "", Path: "/", MaxAge: -1, Expires: time.Unix(0, 0), // #nosec G124 -- HttpOnly and SameSite are set; Secure whenever BASE_URL is https (off only for plain-HTTP development)
		HttpOnly: true, Secure: u.cfg.SecureCookie, SameSite: http.SameSiteLaxMode})
}

// sessionCSRF is the CSRF token of a session: an HMAC of its token, so it needs no
// storage and changes with every sign-in.
func (u *UI) sessionCSRF(sessionToken string) string {
	m := hmac.New(sha256.New, u.key)
	m.Write([]byte("session:" + sessionToken))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

func (u *UI) validSessionCSRF(r *http.Request, want string) bool {
	got := r.Header.Get(csrfHeader)
	if got == "" {
		if err := parseForm(r); err != nil {
			return false
		}
		got = r.PostFormValue("csrf")
	}
	return hmac.Equal([]byte(got), []byte(want))
}

// maxFormBytes bounds a form without files; maxUploadBytes one with a photo.
const (
	maxFormBytes   = 64 << 10
	maxUploadBytes = 12 << 20
)

// tooLarge reports whether the request's form is over the size limitBodies allows.
func tooLarge(r *http.Request) bool {
	var mbe *http.MaxBytesError
	return errors.As(parseForm(r), &mbe)
}

// parseForm reads a form body once, multipart (a photo) or not.
func parseForm(r *http.Request) error {
	if r.PostForm != nil {
		return nil
	}
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		return r.ParseMultipartForm(1 << 20)
	}
	return r.ParseForm()
}
