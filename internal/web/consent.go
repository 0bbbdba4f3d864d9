package web

import (
	"errors"
	"net/http"
	"net/url"

	"github.com/google/uuid"

	"github.com/maintainuk/maintainuk/internal/access"
	"github.com/maintainuk/maintainuk/internal/apperr"
	"github.com/maintainuk/maintainuk/internal/identity"
	"github.com/maintainuk/maintainuk/internal/messaging"
	pages "github.com/maintainuk/maintainuk/internal/page"
)

// consentForm is what the grant form sent, shown again with its errors.
type consentForm struct {
	Channel, Phone, Source, UserID string
	Preferred                      bool
}

type consentData struct {
	Phone   string // the filter
	Points  []messaging.ContactPoint
	History []messaging.ConsentRecord
	// Residents are the organisation's residents (ADMINs only, who may list members), to
	// record consent on a resident's behalf; Names names the numbers' owners.
	Residents []identity.Member
	Names     map[uuid.UUID]string
	Form      consentForm
	Channels  []string
}

// Owner names whose a number is.
func (d *consentData) Owner(id *uuid.UUID) string {
	if id == nil {
		return ""
	}
	if n, ok := d.Names[*id]; ok {
		return n
	}
	return "A member"
}

// sourceNames say where a grant or withdrawal came from.
var sourceNames = map[string]string{
	"WEB": "Web", "API": "API", "INBOUND_KEYWORD": "Text reply (keyword)", "PROVIDER": "Texting provider",
}

// Source names where a change came from.
func (d *consentData) Source(code string) string {
	if n, ok := sourceNames[code]; ok {
		return n
	}
	return words(code)
}

// consentPage lists the organisation's numbers with their consent now and the history of
// grants and withdrawals (staff), optionally for one number.
func (u *UI) consentPage(w http.ResponseWriter, r *http.Request) {
	u.showConsent(w, r, http.StatusOK, consentForm{Channel: "SMS", Source: messaging.SourceWeb}, nil)
}

func (u *UI) showConsent(w http.ResponseWriter, r *http.Request, status int, form consentForm, errs map[string]string) {
	ctx, actor := r.Context(), visitOf(r.Context()).Actor
	phone := r.URL.Query().Get("phone")
	d := consentData{Phone: phone, Form: form, Channels: messaging.Channels, Names: map[uuid.UUID]string{}}
	p := page{Title: "Consent to be texted", Nav: "consent", Data: &d, Errors: errs}
	filter := messaging.ConsentFilter{Phone: phone}
	points, err := u.deps.Messaging.ContactPoints(ctx, actor, filter, pages.Request{Limit: 100})
	if fe := fieldErrors(err); fe != nil {
		if p.Errors == nil {
			p.Errors = map[string]string{}
		}
		for k, v := range fe {
			p.Errors[k] = v
		}
		u.render(w, r, http.StatusUnprocessableEntity, "consent", p)
		return
	}
	if err != nil {
		u.failed(w, r, "consent", err)
		return
	}
	history, err := u.deps.Messaging.History(ctx, actor, filter, pages.Request{Limit: 50})
	if err != nil {
		u.failed(w, r, "consent", err)
		return
	}
	d.Points, d.History = points.Items, history.Items
	if actor.Role == access.Admin {
		members, err := u.deps.Identity.ListMembers(ctx, actor, pages.Request{Limit: 100})
		if err != nil {
			u.failed(w, r, "consent", err)
			return
		}
		for _, m := range members.Items {
			d.Names[m.UserID] = m.Name
			if m.Role == access.Tenant {
				d.Residents = append(d.Residents, m)
			}
		}
	}
	u.render(w, r, status, "consent", p)
}

// consentGrant records consent for a number (a new one, or one whose consent was
// withdrawn), on a resident's behalf when one is chosen (staff).
func (u *UI) consentGrant(w http.ResponseWriter, r *http.Request) {
	f := r.PostForm
	form := consentForm{Channel: f.Get("type"), Phone: f.Get("value"), Source: f.Get("source"), UserID: f.Get("userId")}
	in := messaging.ConsentChange{Channel: form.Channel, Phone: form.Phone, Source: form.Source}
	if form.UserID != "" {
		id, err := uuid.Parse(form.UserID)
		if err != nil {
			u.showConsent(w, r, http.StatusUnprocessableEntity, form, map[string]string{"userId": "Choose a resident from the list."})
			return
		}
		in.UserID = &id
	}
	u.changeConsent(w, r, in, true, form, "/consent")
}

// consentRevoke withdraws consent for a number (staff).
func (u *UI) consentRevoke(w http.ResponseWriter, r *http.Request) {
	f := r.PostForm
	in := messaging.ConsentChange{Channel: f.Get("type"), Phone: f.Get("value"), Source: messaging.SourceWeb}
	u.changeConsent(w, r, in, false, consentForm{Channel: "SMS", Source: messaging.SourceWeb}, "/consent")
}

// changeConsent grants or revokes, then goes back to where the form was (the number's
// own view on /consent); field errors show next to the form's fields.
func (u *UI) changeConsent(w http.ResponseWriter, r *http.Request, in messaging.ConsentChange, grant bool, form consentForm, back string) {
	ctx, actor := r.Context(), visitOf(r.Context()).Actor
	meta := messaging.RequestMeta{IP: u.clientIP(r), UserAgent: r.UserAgent()}
	var cp messaging.ContactPoint
	var err error
	if grant {
		cp, _, err = u.deps.Messaging.Grant(ctx, actor, in, meta)
	} else {
		cp, _, err = u.deps.Messaging.Revoke(ctx, actor, in, meta)
	}
	if err != nil {
		errs := fieldErrors(err)
		if ae, ok := errors.AsType[*apperr.Error](err); errs == nil && ok && ae.Code == apperr.Conflict {
			errs = map[string]string{"value": sentence(ae.Message)}
		}
		if errs == nil {
			u.failed(w, r, "consent", err)
			return
		}
		if back == "/preferences" {
			u.showPreferences(w, r, http.StatusUnprocessableEntity, form, errs)
		} else {
			u.showConsent(w, r, http.StatusUnprocessableEntity, form, errs)
		}
		return
	}
	if back == "/consent" {
		back += "?phone=" + url.QueryEscape(cp.Phone)
	} else {
		back += "?done=1"
	}
	u.redirect(w, r, back)
}

type preferencesData struct {
	Points   []messaging.ContactPoint
	History  []messaging.ConsentRecord
	Form     consentForm
	Channels []string
}

// preferencesPage is a resident's own numbers, whether each may be texted, and which
// channel they prefer.
func (u *UI) preferencesPage(w http.ResponseWriter, r *http.Request) {
	u.showPreferences(w, r, http.StatusOK, consentForm{Channel: "SMS"}, nil)
}

func (u *UI) showPreferences(w http.ResponseWriter, r *http.Request, status int, form consentForm, errs map[string]string) {
	ctx, actor := r.Context(), visitOf(r.Context()).Actor
	points, err := u.deps.Messaging.ContactPoints(ctx, actor, messaging.ConsentFilter{}, pages.Request{Limit: 50})
	if err != nil {
		u.failed(w, r, "preferences", err)
		return
	}
	history, err := u.deps.Messaging.History(ctx, actor, messaging.ConsentFilter{}, pages.Request{Limit: 10})
	if err != nil {
		u.failed(w, r, "preferences", err)
		return
	}
	p := page{Title: "Contact preferences", Nav: "preferences", Errors: errs,
		Data: &preferencesData{Points: points.Items, History: history.Items, Form: form, Channels: messaging.Channels}}
	if r.URL.Query().Get("done") != "" && errs == nil {
		p.Flash = "Your preferences are saved."
	}
	u.render(w, r, status, "preferences", p)
}

// preferencesGrant turns texts on for one of the resident's numbers (or adds one), and
// may make it their preferred channel.
func (u *UI) preferencesGrant(w http.ResponseWriter, r *http.Request) {
	f := r.PostForm
	form := consentForm{Channel: f.Get("type"), Phone: f.Get("value"), Preferred: f.Get("preferred") != ""}
	u.changeConsent(w, r, messaging.ConsentChange{Channel: form.Channel, Phone: form.Phone, Preferred: form.Preferred, Source: messaging.SourceWeb},
		true, form, "/preferences")
}

// preferencesRevoke turns texts off for one of the resident's numbers.
func (u *UI) preferencesRevoke(w http.ResponseWriter, r *http.Request) {
	f := r.PostForm
	u.changeConsent(w, r, messaging.ConsentChange{Channel: f.Get("type"), Phone: f.Get("value"), Source: messaging.SourceWeb},
		false, consentForm{Channel: "SMS"}, "/preferences")
}
