package web

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/google/uuid"

	"github.com/maintainuk/maintainuk/internal/apperr"
	"github.com/maintainuk/maintainuk/internal/identity"
)

// anonymousForm checks a POST from a page for people not signed in (its double-submit
// CSRF token), answering 403 itself when it fails. expired says what to do instead.
func (u *UI) anonymousForm(w http.ResponseWriter, r *http.Request, expired string) bool {
	if r.Method != http.MethodPost {
		return true
	}
	if err := parseForm(r); err != nil {
		u.message(w, r, http.StatusBadRequest, "Something went wrong", "The form could not be read. Go back and try again.", false)
		return false
	}
	if !u.validCSRF(r) {
		u.message(w, r, http.StatusForbidden, "Form expired", expired, false)
		return false
	}
	return true
}

const signInExpired = "This form has expired or was not sent from this site. Open the sign-in page again."

// login shows the sign-in form and signs in: a session cookie, then where the member was
// going. Wrong credentials answer alike for unknown addresses, with the API's limits.
func (u *UI) login(w http.ResponseWriter, r *http.Request) {
	p := page{Title: "Sign in", Next: safeNext(r.URL.Query().Get("next"))}
	if r.Method == http.MethodGet {
		if c, err := r.Cookie(SessionCookie); err == nil {
			if _, err := u.deps.Identity.WebAuthenticate(r.Context(), c.Value); err == nil {
				http.Redirect(w, r, p.Next, http.StatusSeeOther) // already signed in
				return
			}
		}
		p.CSRF = u.csrfFor(w, r)
		u.render(w, r, http.StatusOK, "login", p)
		return
	}
	if !u.anonymousForm(w, r, signInExpired) {
		return
	}
	p.Email, p.Next = r.PostFormValue("email"), safeNext(r.PostFormValue("next"))
	s, err := u.deps.Identity.WebLogin(r.Context(), p.Email, r.PostFormValue("password"), u.clientIP(r), r.UserAgent())
	if err != nil {
		p.CSRF = u.csrfFor(w, r)
		switch apperr.CodeOf(err) {
		case apperr.Unauthenticated, apperr.Invalid:
			p.Message = "The email address or password is not right."
			u.render(w, r, http.StatusUnauthorized, "login", p)
		case apperr.Forbidden:
			p.Message = sentence(err.Error())
			u.render(w, r, http.StatusForbidden, "login", p)
		default:
			u.failed(w, r, "login", err)
		}
		return
	}
	u.newCSRF(w) // a new anonymous token: a sign-in form kept open elsewhere is spent
	u.setSession(w, s)
	http.Redirect(w, r, p.Next, http.StatusSeeOther)
}

// logout ends the session.
func (u *UI) logout(w http.ResponseWriter, r *http.Request) {
	v := visitOf(r.Context())
	if err := u.deps.Identity.WebLogout(r.Context(), v.token); err != nil {
		u.failed(w, r, "logout", err)
		return
	}
	u.clearSession(w)
	u.redirect(w, r, "/login")
}

// switchOrg moves the session to another of the member's organisations.
func (u *UI) switchOrg(w http.ResponseWriter, r *http.Request) {
	v := visitOf(r.Context())
	orgID, err := uuid.Parse(r.PostFormValue("org"))
	if err != nil {
		u.failed(w, r, "switch", apperr.NotFoundf("organisation"))
		return
	}
	s, err := u.deps.Identity.WebSwitchOrg(r.Context(), v.token, orgID, r.UserAgent())
	if err != nil {
		u.failed(w, r, "switch", err)
		return
	}
	u.setSession(w, s)
	u.redirect(w, r, "/")
}

// forgotPassword emails a reset link; known and unknown addresses get the same answer.
func (u *UI) forgotPassword(w http.ResponseWriter, r *http.Request) {
	p := page{Title: "Reset your password"}
	if r.Method == http.MethodGet {
		p.CSRF = u.csrfFor(w, r)
		u.render(w, r, http.StatusOK, "forgot", p)
		return
	}
	if !u.anonymousForm(w, r, signInExpired) {
		return
	}
	err := u.deps.Identity.ForgotPassword(r.Context(), r.PostFormValue("email"), u.clientIP(r))
	if err != nil && !apperr.Is(err, apperr.Invalid) {
		u.failed(w, r, "forgot", err)
		return
	}
	if err != nil {
		p.CSRF, p.Email, p.Errors = u.csrfFor(w, r), r.PostFormValue("email"), map[string]string{"email": "Enter an email address, like name@example.co.uk."}
		u.render(w, r, http.StatusUnprocessableEntity, "forgot", p)
		return
	}
	u.message(w, r, http.StatusOK, "Check your email",
		"If there is an account with that address, we have sent it a link to choose a new password. The link works for 30 minutes.", true)
}

// resetPassword sets a new password from an emailed link.
func (u *UI) resetPassword(w http.ResponseWriter, r *http.Request) {
	token := r.URL.Query().Get("token")
	if token == "" || len(token) > 256 {
		u.message(w, r, http.StatusNotFound, "Link not valid", "This link is incomplete. Open the link from your email again.", false)
		return
	}
	p := page{Title: "Choose a new password", Token: token}
	if r.Method == http.MethodGet {
		p.CSRF = u.csrfFor(w, r)
		u.render(w, r, http.StatusOK, "reset", p)
		return
	}
	if !u.anonymousForm(w, r, "This form has expired or was not sent from this site. Open the link from your email again and resubmit.") {
		return
	}
	p.CSRF = u.csrfFor(w, r)
	password := r.PostFormValue("password")
	if password != r.PostFormValue("confirm") {
		p.Errors = map[string]string{"confirm": "The two passwords are not the same."}
		u.render(w, r, http.StatusUnprocessableEntity, "reset", p)
		return
	}
	if err := u.deps.Identity.ResetPassword(r.Context(), token, password); err != nil {
		u.linkFailed(w, r, "reset", p, err, "This password reset link is not valid any more: it may have expired. Ask for a new one.")
		return
	}
	u.message(w, r, http.StatusOK, "Password changed",
		"Your password has been changed and you have been signed out everywhere. Sign in with your new password.", true)
}

// acceptInvitation joins an organisation from an emailed invitation.
func (u *UI) acceptInvitation(w http.ResponseWriter, r *http.Request) {
	token := r.URL.Query().Get("token")
	if token == "" || len(token) > 256 {
		u.message(w, r, http.StatusNotFound, "Link not valid", "This link is incomplete. Open the link from your email again.", false)
		return
	}
	p := page{Title: "Accept your invitation", Token: token}
	if r.Method == http.MethodGet {
		p.CSRF = u.csrfFor(w, r)
		u.render(w, r, http.StatusOK, "accept", p)
		return
	}
	if !u.anonymousForm(w, r, "This form has expired or was not sent from this site. Open the link from your email again and resubmit.") {
		return
	}
	p.CSRF, p.Name = u.csrfFor(w, r), r.PostFormValue("name")
	sess, err := u.deps.Identity.AcceptInvitation(r.Context(), identity.AcceptInput{
		Token: token, Name: p.Name, Password: r.PostFormValue("password"), ClientIP: u.clientIP(r),
	})
	if err != nil {
		u.linkFailed(w, r, "accept", p, err, "This invitation is not valid any more: it may have expired or been replaced. Ask whoever invited you to send a new one.")
		return
	}
	u.message(w, r, http.StatusOK, "Welcome to "+sess.Org.Name,
		fmt.Sprintf("You have joined %s as %s. Sign in with %s and your password.", sess.Org.Name, roleName(string(sess.Role)), sess.User.Email), true)
}

// linkFailed shows a refused submission of a form an emailed link opened: field errors on
// the form, anything else as a message.
func (u *UI) linkFailed(w http.ResponseWriter, r *http.Request, name string, p page, err error, notFound string) {
	var ae *apperr.Error
	if !errors.As(err, &ae) {
		u.failed(w, r, name, err)
		return
	}
	switch ae.Code {
	case apperr.Invalid:
		p.Errors = fieldErrors(err)
		u.render(w, r, http.StatusUnprocessableEntity, name, p)
	case apperr.Unauthenticated:
		// An existing account's password was wrong.
		p.Errors = map[string]string{"password": sentence(ae.Message)}
		u.render(w, r, http.StatusUnauthorized, name, p)
	case apperr.NotFound:
		u.message(w, r, http.StatusNotFound, "Link not valid", notFound, false)
	case apperr.Conflict:
		u.message(w, r, http.StatusConflict, "Link already used", sentence(ae.Message), false)
	default:
		u.failed(w, r, name, err)
	}
}
