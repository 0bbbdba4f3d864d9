package httpapi_test

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/maintainuk/maintainuk/internal/access"
	"github.com/maintainuk/maintainuk/internal/apperr"
	"github.com/maintainuk/maintainuk/internal/attachments"
	"github.com/maintainuk/maintainuk/internal/contractors"
	"github.com/maintainuk/maintainuk/internal/estate"
	"github.com/maintainuk/maintainuk/internal/events"
	"github.com/maintainuk/maintainuk/internal/identity"
	"github.com/maintainuk/maintainuk/internal/testsupport"
	"github.com/maintainuk/maintainuk/internal/tickets"
	"github.com/maintainuk/maintainuk/internal/timeline"
)

// The vi helpers serve the visibility tests (who sees what on a shared ticket, and of a
// unit's history).

func init() {
	specRoutes[route{"POST", "/api/v1/units/{id}/occupants/{occupantId}/end"}] = false
}

// viCompany is the contractor company of a CONTRACTOR member.
func viCompany(t testing.TB, admin, member *testsupport.Client) uuid.UUID {
	t.Helper()
	var members []identity.Member
	admin.With(t).Get("/api/v1/members?limit=200").Expect(http.StatusOK).Data(&members)
	for _, m := range members {
		if m.UserID == member.UserID && m.ContractorID != nil {
			return *m.ContractorID
		}
	}
	t.Fatalf("no contractor company for %s", member.Email)
	return uuid.Nil
}

func viShare(t testing.TB, c *testsupport.Client, ticketID uuid.UUID, body string, with uuid.UUID) tickets.Comment {
	t.Helper()
	var cm tickets.Comment
	c.With(t).Post("/api/v1/tickets/"+ticketID.String()+"/comments", map[string]any{"body": body, "sharedWithContractorId": with}).
		Expect(http.StatusCreated).Data(&cm)
	return cm
}

func viUpload(t testing.TB, c *testsupport.Client, ticketID uuid.UUID, name string, shareWith *uuid.UUID) *testsupport.Response {
	t.Helper()
	var values [][2]string
	if shareWith != nil {
		values = append(values, [2]string{"sharedWithContractorId", shareWith.String()})
	}
	body, ct := atForm(t, values, atPart{field: "file", filename: name, contentType: "application/pdf", data: atPDF(name + uuid.NewString())})
	return c.With(t).Do(http.MethodPost, "/api/v1/tickets/"+ticketID.String()+"/attachments", body, "Content-Type", ct)
}

func viUploaded(t testing.TB, c *testsupport.Client, ticketID uuid.UUID, name string, shareWith *uuid.UUID) attachments.Attachment {
	t.Helper()
	var a attachments.Attachment
	viUpload(t, c, ticketID, name, shareWith).Expect(http.StatusCreated).Data(&a)
	return a
}

// viLondon is where occupancy dates are counted.
var viLondon = func() *time.Location {
	l, err := time.LoadLocation("Europe/London")
	if err != nil {
		panic(err)
	}
	return l
}()

// viField reads a top-level string field of an event's JSON detail.
func viField(raw json.RawMessage, name string) string {
	var m map[string]any
	if json.Unmarshal(raw, &m) != nil {
		return ""
	}
	v, _ := m[name].(string)
	return v
}

func viCommentIDs(cs []tickets.Comment) []uuid.UUID {
	out := make([]uuid.UUID, len(cs))
	for i, c := range cs {
		out[i] = c.ID
	}
	return out
}

func viAttachmentIDs(as []attachments.Attachment) []uuid.UUID {
	out := make([]uuid.UUID, len(as))
	for i, a := range as {
		out[i] = a.ID
	}
	return out
}

// viAdded is the comment and attachment ids of a trail's comment_added and
// attachment_added events.
func viAdded(events []timeline.Event) []string {
	var out []string
	for _, e := range events {
		if e.Action == "comment_added" || e.Action == "attachment_added" {
			var id string
			for _, k := range []string{"commentId", "attachmentId"} {
				if v := viField(e.After, k); v != "" {
					id = v
				}
			}
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return out
}

func viStrings(ids ...uuid.UUID) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = id.String()
	}
	slices.Sort(out)
	return out
}

// TestContractorsSeeOnlyTheirShare: two contractors quoting on one ticket see only their
// own company's comments and files and what staff shared with each, in the ticket, the
// attachment list, downloads and the trail.
func TestContractorsSeeOnlyTheirShare(t *testing.T) {
	app := testsupport.NewApp(t, nil)
	o := tkNewOrg(t, app, "Shared Job Lets")
	admin, us := o.Admin, o.Contractor
	rival := app.AddMember(admin, access.Contractor)
	rivalID := viCompany(t, admin, rival)

	tk := testsupport.CreateTicket(t, admin, map[string]any{"unitId": o.UnitID, "title": "Replace the boiler"})
	testsupport.GasSafe(t, admin, o.ContractorID, rivalID) // boiler work needs a Gas Safe registration
	testsupport.RaiseWorkOrder(t, admin, tk.ID, o.ContractorID)
	testsupport.RaiseWorkOrder(t, admin, tk.ID, rivalID)

	ourBid := testsupport.Comment(t, us, tk.ID, "Our bid is £400", "")
	rivalBid := testsupport.Comment(t, rival, tk.ID, "Our bid is £350", "")
	staffOnly := testsupport.Comment(t, admin, tk.ID, "Rival is cheaper", "")
	toUs := viShare(t, admin, tk.ID, "Access through the back door", o.ContractorID)
	toRival := viShare(t, o.Coordinator, tk.ID, "Can you beat £400?", rivalID)
	if ourBid.ContractorID == nil || *ourBid.ContractorID != o.ContractorID || ourBid.SharedWithContractorID != nil ||
		toUs.SharedWithContractorID == nil || *toUs.SharedWithContractorID != o.ContractorID || toUs.ContractorID != nil {
		t.Fatalf("comment markers: ours %+v, shared %+v", ourBid, toUs)
	}
	ourFile := viUploaded(t, us, tk.ID, "our-quote.pdf", nil)
	rivalFile := viUploaded(t, rival, tk.ID, "rival-quote.pdf", nil)
	staffFile := viUploaded(t, admin, tk.ID, "budget.pdf", nil)
	fileToUs := viUploaded(t, admin, tk.ID, "floor-plan.pdf", &o.ContractorID)
	if ourFile.ContractorID == nil || *ourFile.ContractorID != o.ContractorID || fileToUs.SharedWithContractorID == nil || *fileToUs.SharedWithContractorID != o.ContractorID {
		t.Fatalf("file markers: ours %+v, shared %+v", ourFile, fileToUs)
	}

	all := []uuid.UUID{ourBid.ID, rivalBid.ID, staffOnly.ID, toUs.ID, toRival.ID}
	allFiles := []uuid.UUID{ourFile.ID, rivalFile.ID, staffFile.ID, fileToUs.ID}
	cases := []struct {
		name     string
		c        *testsupport.Client
		comments []uuid.UUID
		files    []uuid.UUID
	}{
		{"admin", admin, all, allFiles},
		{"coordinator", o.Coordinator, all, allFiles},
		{"us", us, []uuid.UUID{ourBid.ID, toUs.ID}, []uuid.UUID{ourFile.ID, fileToUs.ID}},
		{"rival", rival, []uuid.UUID{rivalBid.ID, toRival.ID}, []uuid.UUID{rivalFile.ID}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d := testsupport.GetTicket(t, tc.c, tk.ID)
			if got := viCommentIDs(d.Comments); !slices.Equal(got, tc.comments) {
				t.Fatalf("comments %v, want %v", got, tc.comments)
			}
			if got := viAttachmentIDs(atList(t, tc.c, tk.ID)); !slices.Equal(got, tc.files) {
				t.Fatalf("attachments %v, want %v", got, tc.files)
			}
			for _, id := range allFiles {
				r := atDownload(t, tc.c, id)
				if slices.Contains(tc.files, id) {
					r.Expect(http.StatusOK)
				} else {
					testsupport.ExpectFailure(t, r, http.StatusNotFound, apperr.NotFound)
				}
			}
			// The trail (in the ticket and at /timeline) names only the same comments and files.
			want := viStrings(append(slices.Clone(tc.comments), tc.files...)...)
			if got := viAdded(d.Timeline); !slices.Equal(got, want) {
				t.Fatalf("ticket timeline adds %v, want %v", got, want)
			}
			var events []timeline.Event
			tc.c.With(t).Get("/api/v1/timeline?sort=oldest&entity=ticket&id=" + tk.ID.String()).Expect(http.StatusOK).Data(&events)
			if got := viAdded(events); !slices.Equal(got, want) {
				t.Fatalf("/timeline adds %v, want %v", got, want)
			}
		})
	}

	t.Run("sharing is for staff, with a contractor on the job", func(t *testing.T) {
		path := "/api/v1/tickets/" + tk.ID.String() + "/comments"
		for _, tc := range []struct {
			name string
			c    *testsupport.Client
			with uuid.UUID
		}{
			{"a company with no work order", admin, o.OtherContractorID},
			{"a made-up company", admin, uuid.New()},
			{"a contractor sharing", us, rivalID},
			{"a contractor sharing with itself", us, o.ContractorID},
			{"a resident", o.Tenant, o.ContractorID},
		} {
			t.Run(tc.name, func(t *testing.T) {
				tc.c.With(t).Post(path, map[string]any{"body": "psst", "sharedWithContractorId": tc.with}).
					ExpectFailure(http.StatusUnprocessableEntity, apperr.Invalid, "sharedWithContractorId")
				testsupport.ExpectFailure(t, viUpload(t, tc.c, tk.ID, "x.pdf", &tc.with), http.StatusUnprocessableEntity, apperr.Invalid, "sharedWithContractorId")
			})
		}
	})
}

// TestContractorAccessEndsWithTheWorkOrder: a declined or cancelled work order gives its
// contractor no more access to the ticket, its comments, files or trail.
func TestContractorAccessEndsWithTheWorkOrder(t *testing.T) {
	app := testsupport.NewApp(t, nil)
	o := tkNewOrg(t, app, "Ended Job Lets")
	for _, tc := range []struct {
		name   string
		by     *testsupport.Client
		action string
	}{
		{"declined", o.Contractor, "decline"},
		{"cancelled", o.Admin, "cancel"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tk := testsupport.CreateTicket(t, o.Admin, map[string]any{"unitId": o.U2, "title": "Job to be " + tc.name})
			wo := testsupport.RaiseWorkOrder(t, o.Admin, tk.ID, o.ContractorID)
			file := viUploaded(t, o.Contractor, tk.ID, "photo.pdf", nil)
			testsupport.Comment(t, o.Contractor, tk.ID, "On my way", "")
			testsupport.GetTicket(t, o.Contractor, tk.ID)

			tc.by.With(t).Post("/api/v1/work-orders/"+wo.ID.String()+"/transition", map[string]any{"action": tc.action, "reason": "not going ahead"}).Expect(http.StatusOK)

			c := o.Contractor
			if slices.Contains(tkIDs(testsupport.All[tickets.Ticket](t, c, "/api/v1/tickets")), tk.ID) {
				t.Fatalf("the ticket is still listed")
			}
			id := tk.ID.String()
			for _, r := range []*testsupport.Response{
				c.With(t).Get("/api/v1/tickets/" + id),
				c.With(t).Get("/api/v1/tickets/" + id + "/attachments"),
				atDownload(t, c, file.ID),
				c.With(t).Get("/api/v1/timeline?sort=oldest&entity=ticket&id=" + id),
				c.With(t).Post("/api/v1/tickets/"+id+"/comments", map[string]any{"body": "still here?"}),
				viUpload(t, c, tk.ID, "late.pdf", nil),
			} {
				testsupport.ExpectFailure(t, r, http.StatusNotFound, apperr.NotFound)
			}
			// Their own work order stays readable: it is theirs.
			c.With(t).Get("/api/v1/work-orders/" + wo.ID.String()).Expect(http.StatusOK)
		})
	}
}

// TestDeactivatedContractorRefused: the users of a company staff deactivated are refused
// (403) on their very next request, whatever token they hold; reactivating lets them in.
func TestDeactivatedContractorRefused(t *testing.T) {
	app := testsupport.NewApp(t, nil)
	o := tkNewOrg(t, app, "Deactivated Lets")
	tk := testsupport.CreateTicket(t, o.Admin, map[string]any{"unitId": o.U2, "title": "Leaking gutter"})
	testsupport.RaiseWorkOrder(t, o.Admin, tk.ID, o.ContractorID)
	paths := []string{"/api/v1/auth/me", "/api/v1/tickets", "/api/v1/tickets/" + tk.ID.String(), "/api/v1/work-orders", "/api/v1/contractors/" + o.ContractorID.String()}
	for _, p := range paths {
		o.Contractor.With(t).Get(p).Expect(http.StatusOK)
	}
	setActive := func(active bool) {
		o.Admin.With(t).Patch("/api/v1/contractors/"+o.ContractorID.String(), map[string]any{"active": active}).Expect(http.StatusOK)
	}
	setActive(false)
	for _, p := range paths {
		f := o.Contractor.With(t).Get(p).ExpectFailure(http.StatusForbidden, apperr.Forbidden)
		if !strings.Contains(f.Message, "no longer active") {
			t.Fatalf("%s: %q", p, f.Message)
		}
	}
	o.Contractor.With(t).Post("/api/v1/tickets/"+tk.ID.String()+"/comments", map[string]any{"body": "hello"}).ExpectFailure(http.StatusForbidden, apperr.Forbidden)
	// Other members, and other companies' users, are not affected.
	o.Tenant.With(t).Get("/api/v1/tickets").Expect(http.StatusOK)
	other := app.AddMember(o.Admin, access.Contractor)
	other.With(t).Get("/api/v1/work-orders").Expect(http.StatusOK)
	setActive(true)
	for _, p := range paths {
		o.Contractor.With(t).Get(p).Expect(http.StatusOK)
	}
}

// TestContractorNeverSeesStaffNotes: staff notes about a company are not in its own view
// of the company, nor in the company's trail as it reads it.
func TestContractorNeverSeesStaffNotes(t *testing.T) {
	app := testsupport.NewApp(t, nil)
	o := tkNewOrg(t, app, "Notes Lets")
	const note = "Slow to invoice; do not use for emergencies"
	id := o.ContractorID.String()
	o.Admin.With(t).Patch("/api/v1/contractors/"+id, map[string]any{"notes": note}).Expect(http.StatusOK)
	o.Admin.With(t).Patch("/api/v1/contractors/"+id, map[string]any{"notes": note + " (confirmed)", "phone": "+447911123456"}).Expect(http.StatusOK)

	var staff, own contractors.Contractor
	o.Admin.With(t).Get("/api/v1/contractors/" + id).Expect(http.StatusOK).Data(&staff)
	if !strings.HasPrefix(staff.Notes, note) {
		t.Fatalf("staff see notes %q", staff.Notes)
	}
	r := o.Contractor.With(t).Get("/api/v1/contractors/" + id).Expect(http.StatusOK)
	r.Data(&own)
	if own.Notes != "" || strings.Contains(string(r.Body), "Slow to invoice") || own.Phone != "+447911123456" {
		t.Fatalf("the company sees %+v", own)
	}
	var staffTrail, ownTrail []timeline.Event
	o.Admin.With(t).Get("/api/v1/timeline?sort=oldest&entity=contractor&id=" + id).Expect(http.StatusOK).Data(&staffTrail)
	r = o.Contractor.With(t).Get("/api/v1/timeline?sort=oldest&entity=contractor&id=" + id).Expect(http.StatusOK)
	r.Data(&ownTrail)
	if raw, _ := json.Marshal(staffTrail); !strings.Contains(string(raw), "Slow to invoice") {
		t.Fatalf("staff trail lacks the notes")
	}
	if len(ownTrail) != len(staffTrail) || strings.Contains(string(r.Body), "Slow to invoice") {
		t.Fatalf("the company's trail shows notes: %s", r.Body)
	}
}

// TestOccupancyPeriods: occupancies have start and end dates; a resident sees their own
// reports and the unit's tickets from their own occupancy, and never another reporter's
// contact details; an ended occupancy gives no access after its last day.
func TestOccupancyPeriods(t *testing.T) {
	app := testsupport.NewApp(t, nil)
	o := tkNewOrg(t, app, "Tenancy Lets")
	admin := o.Admin
	unit := o.U2.String()
	day := func(d int) string { return time.Now().In(viLondon).AddDate(0, 0, d).Format(time.DateOnly) }
	occupy := func(c *testsupport.Client, startsOn string) estate.Occupant {
		t.Helper()
		body := map[string]any{"userId": c.UserID}
		if startsOn != "" {
			body["startsOn"] = startsOn
		}
		var oc estate.Occupant
		admin.With(t).Post("/api/v1/units/"+unit+"/occupants", body).Expect(http.StatusCreated).Data(&oc)
		return oc
	}
	end := func(c *testsupport.Client, oc estate.Occupant, endsOn string) *testsupport.Response {
		return c.With(t).Post("/api/v1/units/"+unit+"/occupants/"+oc.ID.String()+"/end", map[string]any{"endsOn": endsOn})
	}

	previous := app.AddMember(admin, access.Tenant)
	prevOcc := occupy(previous, day(-400))
	if prevOcc.StartsOn != day(-400) || prevOcc.EndsOn != nil {
		t.Fatalf("occupancy %+v", prevOcc)
	}
	// The previous tenant reported a leak 30 days ago (through a service whose clock says so).
	clk := testsupport.NewClock(time.Now().Add(-30 * 24 * time.Hour))
	old, err := tickets.NewService(app.DB, events.Discard{}, clk.Now, tickets.PublicLimits{ReportsPerHour: 100}).Create(context.Background(), tkActor(previous), tickets.CreateInput{UnitID: o.U2, Title: "Old leak"})
	if err != nil {
		t.Fatal(err)
	}
	if old.ReportedByEmail != previous.Email {
		t.Fatalf("old report %+v", old)
	}
	var ended estate.Occupant
	end(admin, prevOcc, day(-10)).Expect(http.StatusOK).Data(&ended)
	if ended.EndsOn == nil || *ended.EndsOn != day(-10) || ended.StartsOn != prevOcc.StartsOn {
		t.Fatalf("ended %+v", ended)
	}

	current := app.AddMember(admin, access.Tenant)
	curOcc := occupy(current, "")
	if curOcc.StartsOn != day(0) {
		t.Fatalf("default start %q, want today %q", curOcc.StartsOn, day(0))
	}
	flatmate := app.AddMember(admin, access.Tenant)
	occupy(flatmate, day(-1))
	mine := testsupport.CreateTicket(t, current, map[string]any{"unitId": o.U2, "title": "My new leak"})
	theirs := testsupport.CreateTicket(t, flatmate, map[string]any{"unitId": o.U2, "title": "Flatmate's broken lock", "reportedByPhone": "+447911123457"})
	staffs := testsupport.CreateTicket(t, admin, map[string]any{"unitId": o.U2, "title": "Gas safety check", "reportedByName": "Agent Smith", "reportedByEmail": "agent@example.com"})

	flatmateSays := testsupport.Comment(t, flatmate, theirs.ID, "It sticks when it rains", "")
	staffSays := testsupport.Comment(t, o.Coordinator, theirs.ID, "A locksmith will call", "RESIDENT")

	t.Run("each resident sees their own tenancy", func(t *testing.T) {
		for _, tc := range []struct {
			name    string
			c       *testsupport.Client
			visible []uuid.UUID // newest first
		}{
			{"current", current, []uuid.UUID{staffs.ID, theirs.ID, mine.ID}},
			{"flatmate", flatmate, []uuid.UUID{staffs.ID, theirs.ID, mine.ID}},
			{"previous, moved out", previous, []uuid.UUID{old.ID}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				list := testsupport.All[tickets.Ticket](t, tc.c, "/api/v1/tickets")
				if got := tkIDs(list); !slices.Equal(got, tc.visible) {
					t.Fatalf("list %v, want %v", got, tc.visible)
				}
				for _, id := range []uuid.UUID{old.ID, mine.ID, theirs.ID, staffs.ID} {
					if !slices.Contains(tc.visible, id) {
						tc.c.With(t).Get("/api/v1/tickets/"+id.String()).ExpectFailure(http.StatusNotFound, apperr.NotFound)
						tc.c.With(t).Get("/api/v1/timeline?sort=oldest&entity=ticket&id="+id.String()).ExpectFailure(http.StatusNotFound, apperr.NotFound)
					}
				}
				// Contact details only on their own reports, in the list and the detail.
				for _, tk := range list {
					d := testsupport.GetTicket(t, tc.c, tk.ID)
					for _, got := range []tickets.Ticket{tk, d.Ticket} {
						own := got.ReportedByUserID != nil && *got.ReportedByUserID == tc.c.UserID
						blank := got.ReportedByName == "" && got.ReportedByPhone == "" && got.ReportedByEmail == ""
						if own == blank || (own && got.ReportedByEmail != tc.c.Email) {
							t.Fatalf("%q shows reporter %q %q %q to %s", got.Title, got.ReportedByName, got.ReportedByPhone, got.ReportedByEmail, tc.c.Email)
						}
					}
					for _, e := range d.Timeline {
						if len(e.Before) != 0 || len(e.After) != 0 {
							t.Fatalf("%q trail shows detail %s %s", tk.Title, e.Before, e.After)
						}
					}
				}
			})
		}
		// Staff still see everything, with contact details.
		if d := testsupport.GetTicket(t, admin, theirs.ID); d.ReportedByEmail != flatmate.Email || d.ReportedByPhone != "+447911123457" {
			t.Fatalf("staff see %+v", d.Ticket)
		}
		// Another resident's comments come without their name; staff's and one's own with.
		names := func(c *testsupport.Client) map[uuid.UUID]string {
			out := map[uuid.UUID]string{}
			for _, cm := range testsupport.GetTicket(t, c, theirs.ID).Comments {
				out[cm.ID] = cm.AuthorName
			}
			return out
		}
		if got := names(current); got[flatmateSays.ID] != "" || got[staffSays.ID] != "Member COORDINATOR" || len(got) != 2 {
			t.Fatalf("the current tenant sees comment authors %v", got)
		}
		if got := names(flatmate); got[flatmateSays.ID] != "Member TENANT" {
			t.Fatalf("the flatmate sees comment authors %v", got)
		}
		if got := names(admin); got[flatmateSays.ID] != "Member TENANT" {
			t.Fatalf("staff see comment authors %v", got)
		}
	})

	t.Run("an ended occupancy cannot report for the unit", func(t *testing.T) {
		previous.With(t).Post("/api/v1/tickets", map[string]any{"unitId": o.U2, "title": "Back again"}).ExpectFailure(http.StatusForbidden, apperr.Forbidden)
		// A move-out dated in the future still lets them report until that day.
		var oc estate.Occupant
		end(admin, curOcc, day(30)).Expect(http.StatusOK).Data(&oc)
		testsupport.CreateTicket(t, current, map[string]any{"unitId": o.U2, "title": "Before I go"})
		// And a resident may move back in later.
		again := occupy(previous, "")
		testsupport.CreateTicket(t, previous, map[string]any{"unitId": o.U2, "title": "Back again"})
		if again.ID == prevOcc.ID {
			t.Fatalf("reused the ended occupancy")
		}
	})

	t.Run("ending", func(t *testing.T) {
		var occupants []estate.Occupant
		admin.With(t).Get("/api/v1/units/" + unit + "/occupants").Expect(http.StatusOK).Data(&occupants)
		var found bool
		for _, oc := range occupants {
			if oc.ID == prevOcc.ID {
				found = oc.EndsOn != nil && *oc.EndsOn == day(-10)
			}
		}
		if !found {
			t.Fatalf("occupants %+v", occupants)
		}
		end(admin, prevOcc, day(0)).ExpectFailure(http.StatusConflict, apperr.Conflict)
		fm := occupy(app.AddMember(admin, access.Tenant), day(-5))
		end(o.Coordinator, fm, day(-6)).ExpectFailure(http.StatusUnprocessableEntity, apperr.Invalid, "endsOn")
		end(o.Coordinator, fm, "31/12/2026").ExpectFailure(http.StatusUnprocessableEntity, apperr.Invalid)
		end(o.Tenant, fm, day(0)).ExpectFailure(http.StatusForbidden, apperr.Forbidden)
		end(o.Contractor, fm, day(0)).ExpectFailure(http.StatusForbidden, apperr.Forbidden)
		// Under another unit of the organisation the occupancy is not found.
		o.Coordinator.With(t).Post("/api/v1/units/"+o.UnitID.String()+"/occupants/"+fm.ID.String()+"/end", map[string]any{"endsOn": day(0)}).
			ExpectFailure(http.StatusNotFound, apperr.NotFound)
		end(o.Coordinator, fm, day(-5)).Expect(http.StatusOK)
		var trail []timeline.Event
		admin.With(t).Get("/api/v1/timeline?sort=oldest&entity=unit&id=" + unit).Expect(http.StatusOK).Data(&trail)
		var n int
		for _, e := range trail {
			if e.Action == "occupancy_ended" {
				n++
			}
		}
		if n != 3 {
			t.Fatalf("%d occupancy_ended events, want 3: %v", n, tkActions(trail))
		}
	})

	t.Run("another organisation's occupancy is not found", func(t *testing.T) {
		b := tkNewOrg(t, app, "Tenancy Elsewhere")
		var theirs []estate.Occupant
		b.Admin.With(t).Get("/api/v1/units/" + b.UnitID.String() + "/occupants").Expect(http.StatusOK).Data(&theirs)
		fm := occupy(app.AddMember(admin, access.Tenant), "")
		for _, tc := range []struct{ name, path string }{
			{"their unit and occupancy", "/api/v1/units/" + b.UnitID.String() + "/occupants/" + theirs[0].ID.String() + "/end"},
			{"our unit, their occupancy", "/api/v1/units/" + unit + "/occupants/" + theirs[0].ID.String() + "/end"},
			{"their unit, our occupancy", "/api/v1/units/" + b.UnitID.String() + "/occupants/" + fm.ID.String() + "/end"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				admin.With(t).Post(tc.path, map[string]any{"endsOn": day(0)}).ExpectFailure(http.StatusNotFound, apperr.NotFound)
			})
		}
		b.Admin.With(t).Get("/api/v1/units/" + b.UnitID.String() + "/occupants").Expect(http.StatusOK).Data(&theirs)
		if theirs[0].EndsOn != nil {
			t.Fatalf("their occupancy was ended: %+v", theirs[0])
		}
	})
}

// TestTimelineOfAnotherOrganisationsEntity: the trail of another organisation's entity,
// or of one that does not exist, answers 404 rather than an empty list.
func TestTimelineOfAnotherOrganisationsEntity(t *testing.T) {
	app := testsupport.NewApp(t, nil)
	a, b := tkNewOrg(t, app, "Trail Ours"), tkNewOrg(t, app, "Trail Theirs")
	theirTicket := testsupport.CreateTicket(t, b.Admin, map[string]any{"unitId": b.UnitID, "title": "Their leak"})
	theirWO := testsupport.RaiseWorkOrder(t, b.Admin, theirTicket.ID, b.ContractorID)
	ourTicket := testsupport.CreateTicket(t, a.Admin, map[string]any{"unitId": a.UnitID, "title": "Our leak"})
	ourWO := testsupport.RaiseWorkOrder(t, a.Admin, ourTicket.ID, a.ContractorID)
	for _, tc := range []struct {
		entity      string
		ours, their uuid.UUID
	}{
		{"organisation", a.Admin.OrgID, b.Admin.OrgID},
		{"property", a.PropertyID, b.PropertyID},
		{"unit", a.UnitID, b.UnitID},
		{"contractor", a.OtherContractorID, b.OtherContractorID},
		{"ticket", ourTicket.ID, theirTicket.ID},
		{"work_order", ourWO.ID, theirWO.ID},
	} {
		t.Run(tc.entity, func(t *testing.T) {
			base := "/api/v1/timeline?sort=oldest&entity=" + tc.entity + "&id="
			a.Admin.With(t).Get(base + tc.ours.String()).Expect(http.StatusOK)
			for _, id := range []uuid.UUID{tc.their, uuid.New()} {
				a.Admin.With(t).Get(base+id.String()).ExpectFailure(http.StatusNotFound, apperr.NotFound)
			}
		})
	}
}
