package web

import (
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/maintainuk/maintainuk/internal/access"
	"github.com/maintainuk/maintainuk/internal/apperr"
	"github.com/maintainuk/maintainuk/internal/estate"
	"github.com/maintainuk/maintainuk/internal/identity"
	pages "github.com/maintainuk/maintainuk/internal/page"
	"github.com/maintainuk/maintainuk/internal/ukcalendar"
)

// estateRoutes registers properties, units and residents, contractors, members and settings.
func (u *UI) estateRoutes(mux *http.ServeMux) {
	staff := []access.Role{access.Admin, access.Coordinator}
	mux.HandleFunc("GET /properties", u.signedIn(u.propertyList, staff...))
	mux.HandleFunc("POST /properties", u.signedIn(u.createProperty, staff...))
	mux.HandleFunc("GET /properties/{id}", u.signedIn(u.propertyDetail, staff...))
	mux.HandleFunc("POST /properties/{id}", u.signedIn(u.updateProperty, staff...))
	mux.HandleFunc("POST /properties/{id}/units", u.signedIn(u.createUnit, staff...))
	mux.HandleFunc("GET /units/{id}", u.signedIn(u.unitDetail, staff...))
	mux.HandleFunc("POST /units/{id}/occupants", u.signedIn(u.addOccupant, staff...))
	mux.HandleFunc("POST /units/{id}/occupants/{occupant}/end", u.signedIn(u.endOccupancy, staff...))
	u.peopleRoutes(mux)
	u.settingsRoutes(mux)
}

// pathID is the {name} path value as an id; a malformed one is not found, as a missing one.
func pathID(r *http.Request, name, what string) (uuid.UUID, error) {
	id, err := uuid.Parse(r.PathValue(name))
	if err != nil {
		return uuid.Nil, apperr.NotFoundf(what)
	}
	return id, nil
}

// formErrors are a refusal's field messages keyed as the page's fields are named: list
// indexes dropped ("trades[1]" → "trades"), dots made hyphens ("sla.URGENT" → "sla-URGENT").
func formErrors(err error) map[string]string {
	errs := fieldErrors(err)
	if errs == nil {
		return nil
	}
	out := make(map[string]string, len(errs))
	for k, v := range errs {
		if i := strings.IndexByte(k, '['); i > 0 {
			k = k[:i]
		}
		k = strings.ReplaceAll(k, ".", "-")
		if _, seen := out[k]; !seen {
			out[k] = v
		}
	}
	return out
}

// problemOf is the message of a refusal a page shows beside its form (a conflict, a
// forbidden change), or "" for errors that need their own page (not found, our failure).
func problemOf(err error) string {
	var ae *apperr.Error
	if !errors.As(err, &ae) {
		return ""
	}
	switch ae.Code {
	case apperr.Conflict, apperr.Forbidden, apperr.Invalid:
		if ae.Code == apperr.Invalid && len(ae.Fields) > 0 {
			return ""
		}
		return sentence(ae.Message)
	}
	return ""
}

// nextQuery is q with cursor set to the next page's.
func nextQuery(q url.Values, cursor string) string {
	if cursor == "" {
		return ""
	}
	next := url.Values{}
	for k, vs := range q {
		if k != "cursor" {
			next[k] = vs
		}
	}
	next.Set("cursor", cursor)
	return next.Encode()
}

// today is the London date, as date inputs take it.
func today() string { return time.Now().In(ukcalendar.London).Format(time.DateOnly) }

// ---- Properties ----

type propertyForm struct {
	Name, AddressLine1, AddressLine2, Town, Postcode string
}

func propertyFormOf(r *http.Request) propertyForm {
	return propertyForm{Name: strings.TrimSpace(r.PostFormValue("name")), AddressLine1: r.PostFormValue("addressLine1"),
		AddressLine2: r.PostFormValue("addressLine2"), Town: r.PostFormValue("town"), Postcode: r.PostFormValue("postcode")}
}

type propertyListData struct {
	Find       string
	Properties []estate.Property
	Next       string
	Form       propertyForm
}

func (u *UI) propertyList(w http.ResponseWriter, r *http.Request) {
	u.showProperties(w, r, http.StatusOK, propertyForm{}, nil)
}

func (u *UI) showProperties(w http.ResponseWriter, r *http.Request, status int, form propertyForm, errs map[string]string) {
	v := visitOf(r.Context())
	q := r.URL.Query()
	d := &propertyListData{Find: q.Get("postcode"), Form: form}
	p := page{Title: "Properties", Nav: "estate", Data: d, Errors: errs}
	res, err := u.deps.Estate.ListProperties(r.Context(), v.Actor, d.Find, pages.Request{Limit: 25, Cursor: q.Get("cursor")})
	if fe := formErrors(err); fe != nil {
		if p.Errors == nil {
			p.Errors = map[string]string{}
		}
		p.Errors["find-postcode"] = fe["postcode"]
		if p.Errors["find-postcode"] == "" {
			p.Errors["find-postcode"] = "Enter a postcode such as LS1 4AP."
		}
		u.render(w, r, http.StatusUnprocessableEntity, u.fragmentOr(r, "properties", "property-rows"), p)
		return
	}
	if err != nil {
		u.failed(w, r, "properties", err)
		return
	}
	d.Properties = res.Items
	d.Next = nextQuery(q, res.NextCursor)
	u.render(w, r, status, u.fragmentOr(r, "properties", "property-rows"), p)
}

func (u *UI) createProperty(w http.ResponseWriter, r *http.Request) {
	v := visitOf(r.Context())
	f := propertyFormOf(r)
	p, err := u.deps.Estate.CreateProperty(r.Context(), v.Actor, estate.PropertyInput{Name: f.Name, AddressLine1: f.AddressLine1,
		AddressLine2: f.AddressLine2, Town: f.Town, Postcode: f.Postcode})
	if errs := formErrors(err); errs != nil {
		u.showProperties(w, r, http.StatusUnprocessableEntity, f, errs)
		return
	}
	if err != nil {
		u.failed(w, r, "add property", err)
		return
	}
	u.redirect(w, r, "/properties/"+p.ID.String())
}

type unitForm struct {
	Label, Reference, Bedrooms string
}

type propertyDetailData struct {
	Property *estate.Property
	Form     propertyForm
	Units    []estate.Unit
	Next     string
	Unit     unitForm
	Saved    bool
}

func (u *UI) propertyDetail(w http.ResponseWriter, r *http.Request) {
	u.showProperty(w, r, http.StatusOK, nil, nil, nil)
}

// showProperty shows a property with its units; form and unit, when not nil, are what
// was sent back with errs.
func (u *UI) showProperty(w http.ResponseWriter, r *http.Request, status int, form *propertyForm, unit *unitForm, errs map[string]string) {
	v := visitOf(r.Context())
	id, err := pathID(r, "id", "property")
	if err != nil {
		u.failed(w, r, "property", err)
		return
	}
	prop, err := u.deps.Estate.GetProperty(r.Context(), v.Actor, id)
	if err != nil {
		u.failed(w, r, "property", err)
		return
	}
	q := r.URL.Query()
	units, err := u.deps.Estate.ListUnits(r.Context(), v.Actor, id, pages.Request{Limit: 100, Cursor: q.Get("cursor")})
	if err != nil {
		u.failed(w, r, "property", err)
		return
	}
	d := propertyDetailData{Property: prop, Units: units.Items, Next: nextQuery(q, units.NextCursor), Saved: q.Get("saved") == "1"}
	if form != nil {
		d.Form = *form
	} else {
		d.Form = propertyForm{Name: prop.Name, AddressLine1: prop.AddressLine1, AddressLine2: prop.AddressLine2, Town: prop.Town, Postcode: prop.Postcode}
	}
	if unit != nil {
		d.Unit = *unit
	}
	title := prop.Name
	if title == "" {
		title = prop.AddressLine1
	}
	p := page{Title: title, Nav: "estate", Data: d, Errors: errs}
	if d.Saved {
		p.Flash = "The property's details are saved."
	}
	u.render(w, r, status, "property", p)
}

func (u *UI) updateProperty(w http.ResponseWriter, r *http.Request) {
	v := visitOf(r.Context())
	id, err := pathID(r, "id", "property")
	if err != nil {
		u.failed(w, r, "property", err)
		return
	}
	f := propertyFormOf(r)
	_, err = u.deps.Estate.UpdateProperty(r.Context(), v.Actor, id, estate.PropertyPatch{Name: &f.Name, AddressLine1: &f.AddressLine1,
		AddressLine2: &f.AddressLine2, Town: &f.Town, Postcode: &f.Postcode})
	if errs := formErrors(err); errs != nil {
		u.showProperty(w, r, http.StatusUnprocessableEntity, &f, nil, errs)
		return
	}
	if err != nil {
		u.failed(w, r, "change property", err)
		return
	}
	u.redirect(w, r, "/properties/"+id.String()+"?saved=1")
}

func (u *UI) createUnit(w http.ResponseWriter, r *http.Request) {
	v := visitOf(r.Context())
	id, err := pathID(r, "id", "property")
	if err != nil {
		u.failed(w, r, "add unit", err)
		return
	}
	f := unitForm{Label: r.PostFormValue("label"), Reference: r.PostFormValue("reference"), Bedrooms: strings.TrimSpace(r.PostFormValue("bedrooms"))}
	in := estate.UnitInput{Label: f.Label, Reference: f.Reference}
	if f.Bedrooms != "" {
		n, perr := strconv.ParseInt(f.Bedrooms, 10, 32)
		if perr != nil || n < 0 || n > 50 {
			u.showProperty(w, r, http.StatusUnprocessableEntity, nil, &f, map[string]string{"bedrooms": "Enter a whole number from 0 to 50."})
			return
		}
		b := int32(n)
		in.Bedrooms = &b
	}
	unit, err := u.deps.Estate.CreateUnit(r.Context(), v.Actor, id, in)
	if errs := formErrors(err); errs != nil {
		u.showProperty(w, r, http.StatusUnprocessableEntity, nil, &f, errs)
		return
	}
	if problem := problemOf(err); problem != "" {
		u.showProperty(w, r, statusOfErr(err), nil, &f, map[string]string{"reference": problem})
		return
	}
	if err != nil {
		u.failed(w, r, "add unit", err)
		return
	}
	u.redirect(w, r, "/units/"+unit.ID.String())
}

// statusOfErr is the status a refusal answers with.
func statusOfErr(err error) int {
	var ae *apperr.Error
	if errors.As(err, &ae) {
		if ae.Code == apperr.Forbidden {
			return http.StatusForbidden
		}
		if ae.Code == apperr.Invalid {
			return http.StatusUnprocessableEntity
		}
		return statusOf(ae.Code)
	}
	return http.StatusInternalServerError
}

// ---- Units and residents ----

type unitDetailData struct {
	Unit      *estate.Unit
	Property  *estate.Property
	Occupants []occupantRow
	Tenants   []identity.Member
	UserID    string
	StartsOn  string
	Today     string
	// Ending is the occupancy whose end date was refused, with what was entered.
	Ending, EndsOn string
	Problem        string
}

func (u *UI) unitDetail(w http.ResponseWriter, r *http.Request) {
	u.showUnit(w, r, http.StatusOK, unitDetailData{}, nil)
}

func (u *UI) showUnit(w http.ResponseWriter, r *http.Request, status int, d unitDetailData, errs map[string]string) {
	v := visitOf(r.Context())
	id, err := pathID(r, "id", "unit")
	if err != nil {
		u.failed(w, r, "unit", err)
		return
	}
	unit, err := u.deps.Estate.GetUnit(r.Context(), v.Actor, id)
	if err != nil {
		u.failed(w, r, "unit", err)
		return
	}
	prop, err := u.deps.Estate.GetProperty(r.Context(), v.Actor, unit.PropertyID)
	if err != nil {
		u.failed(w, r, "unit", err)
		return
	}
	occ, err := u.deps.Estate.ListOccupants(r.Context(), v.Actor, id)
	if err != nil {
		u.failed(w, r, "unit", err)
		return
	}
	tenants, err := u.deps.Identity.ListTenants(r.Context(), v.Actor, pages.MaxLimit)
	if err != nil {
		u.failed(w, r, "unit", err)
		return
	}
	d.Unit, d.Property, d.Tenants, d.Today = unit, prop, tenants, today()
	for _, o := range occ {
		row := occupantRow{Occupant: o, From: dateText(o.StartsOn)}
		if o.EndsOn != nil {
			row.Until = dateText(*o.EndsOn)
		}
		d.Occupants = append(d.Occupants, row)
	}
	if d.StartsOn == "" {
		d.StartsOn = d.Today
	}
	p := page{Title: unit.Label + " · " + unit.Reference, Nav: "estate", Data: d, Errors: errs}
	switch r.URL.Query().Get("done") {
	case "added":
		p.Flash = "The resident is added to the unit."
	case "ended":
		p.Flash = "The occupancy's end date is saved."
	}
	u.render(w, r, status, "unit", p)
}

func (u *UI) addOccupant(w http.ResponseWriter, r *http.Request) {
	v := visitOf(r.Context())
	id, err := pathID(r, "id", "unit")
	if err != nil {
		u.failed(w, r, "add resident", err)
		return
	}
	d := unitDetailData{UserID: r.PostFormValue("userId"), StartsOn: r.PostFormValue("startsOn")}
	userID, perr := uuid.Parse(d.UserID)
	if perr != nil {
		u.showUnit(w, r, http.StatusUnprocessableEntity, d, map[string]string{"userId": "Choose a resident."})
		return
	}
	if !validDate(d.StartsOn) {
		u.showUnit(w, r, http.StatusUnprocessableEntity, d, map[string]string{"startsOn": "Enter a date such as " + today() + "."})
		return
	}
	_, err = u.deps.Estate.AddOccupant(r.Context(), v.Actor, id, userID, d.StartsOn)
	if errs := formErrors(err); errs != nil {
		u.showUnit(w, r, http.StatusUnprocessableEntity, d, errs)
		return
	}
	if problem := problemOf(err); problem != "" {
		u.showUnit(w, r, statusOfErr(err), d, map[string]string{"userId": problem})
		return
	}
	if err != nil {
		u.failed(w, r, "add resident", err)
		return
	}
	u.redirect(w, r, "/units/"+id.String()+"?done=added#residents")
}

func (u *UI) endOccupancy(w http.ResponseWriter, r *http.Request) {
	v := visitOf(r.Context())
	id, err := pathID(r, "id", "unit")
	if err != nil {
		u.failed(w, r, "end occupancy", err)
		return
	}
	occID, err := pathID(r, "occupant", "occupancy")
	if err != nil {
		u.failed(w, r, "end occupancy", err)
		return
	}
	d := unitDetailData{Ending: occID.String(), EndsOn: r.PostFormValue("endsOn")}
	field := "endsOn-" + occID.String()
	if !validDate(d.EndsOn) {
		u.showUnit(w, r, http.StatusUnprocessableEntity, d, map[string]string{field: "Enter a date such as " + today() + "."})
		return
	}
	_, err = u.deps.Estate.EndOccupancy(r.Context(), v.Actor, id, occID, d.EndsOn)
	if errs := formErrors(err); errs != nil {
		msg := errs["endsOn"]
		if msg == "" {
			for _, m := range errs {
				msg = m
			}
		}
		u.showUnit(w, r, http.StatusUnprocessableEntity, d, map[string]string{field: msg})
		return
	}
	if problem := problemOf(err); problem != "" {
		u.showUnit(w, r, statusOfErr(err), d, map[string]string{field: problem})
		return
	}
	if err != nil {
		u.failed(w, r, "end occupancy", err)
		return
	}
	u.redirect(w, r, "/units/"+id.String()+"?done=ended#residents")
}

// dateText shows a date ("2026-12-03") as "3 Dec 2026"; anything else as it is.
func dateText(s string) string {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return s
	}
	return d.Format("2 Jan 2006")
}

// occupantRow is an occupancy with its dates to read.
type occupantRow struct {
	estate.Occupant
	From, Until string
}

var dateRE = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)

func validDate(s string) bool {
	if !dateRE.MatchString(s) {
		return false
	}
	_, err := time.Parse(time.DateOnly, s)
	return err == nil
}
