package web

import (
	"net/http"

	"github.com/google/uuid"

	"github.com/maintainuk/maintainuk/internal/access"
	"github.com/maintainuk/maintainuk/internal/estate"
	"github.com/maintainuk/maintainuk/internal/tickets"
)

// newTicketForm is the report form as typed.
type newTicketForm struct {
	UnitID, Title, Description, Category string
	Name, Phone, Email                   string
	Emergency                            bool
}

type newTicketData struct {
	Form       newTicketForm
	Homes      []estate.Home
	Staff      bool
	Categories []option
}

// newTicket reports a repair: a resident for their home, staff for any unit (a report
// taken on the phone, with the caller's details).
func (u *UI) newTicket(w http.ResponseWriter, r *http.Request) {
	v := visitOf(r.Context())
	staff := v.Actor.Role.IsStaff()
	var homes []estate.Home
	var err error
	if staff {
		homes, err = u.deps.Estate.UnitChoices(r.Context(), v.Actor)
	} else {
		homes, err = u.deps.Estate.Homes(r.Context(), v.Actor)
	}
	if err != nil {
		u.failed(w, r, "new ticket", err)
		return
	}
	d := &newTicketData{Homes: homes, Staff: staff, Categories: categories}
	p := page{Title: "Report a repair", Nav: "tickets", Data: d}
	if r.Method == http.MethodGet {
		if len(homes) == 0 {
			p.Message = "There is no home to report a repair for: ask your landlord or letting agent to add you to yours."
			if staff {
				p.Message = "Add a property and a unit first."
			}
		}
		u.render(w, r, http.StatusOK, "new-ticket", p)
		return
	}
	f := r.PostForm
	d.Form = newTicketForm{UnitID: f.Get("unit"), Title: f.Get("title"), Description: f.Get("description"), Category: f.Get("category"),
		Name: f.Get("name"), Phone: f.Get("phone"), Email: f.Get("email"), Emergency: f.Get("emergency") != ""}
	unit, _ := uuid.Parse(d.Form.UnitID)
	in := tickets.CreateInput{UnitID: unit, Title: d.Form.Title, Description: d.Form.Description, Category: d.Form.Category}
	if d.Form.Emergency {
		in.Priority = "EMERGENCY"
	}
	if staff {
		in.ReportedByName, in.ReportedByPhone, in.ReportedByEmail = d.Form.Name, d.Form.Phone, d.Form.Email
	}
	t, err := u.deps.Tickets.Create(r.Context(), v.Actor, in)
	if err != nil {
		if errs := fieldErrors(err); errs != nil {
			if m, ok := errs["unitId"]; ok {
				errs["unit"] = m
			}
			p.Errors = errs
			u.render(w, r, http.StatusUnprocessableEntity, "new-ticket", p)
			return
		}
		u.failed(w, r, "new ticket", err)
		return
	}
	u.redirect(w, r, "/tickets/"+t.ID.String())
}

var reporters = []access.Role{access.Admin, access.Coordinator, access.Tenant}
