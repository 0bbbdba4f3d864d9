package web

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/google/uuid"

	"github.com/maintainuk/maintainuk/internal/access"
	"github.com/maintainuk/maintainuk/internal/ai"
	"github.com/maintainuk/maintainuk/internal/apperr"
	"github.com/maintainuk/maintainuk/internal/clocks"
	"github.com/maintainuk/maintainuk/internal/contractors"
	"github.com/maintainuk/maintainuk/internal/hhsrs"
	"github.com/maintainuk/maintainuk/internal/messaging"
	pages "github.com/maintainuk/maintainuk/internal/page"
	"github.com/maintainuk/maintainuk/internal/tickets"
	"github.com/maintainuk/maintainuk/internal/timeline"
	"github.com/maintainuk/maintainuk/internal/workorders"
)

// ticketActionRoutes registers what staff do on a ticket: AI triage, summary, messages,
// work orders, status, photos.
func (u *UI) ticketActionRoutes(mux *http.ServeMux) {
	staff := []access.Role{access.Admin, access.Coordinator}
	mux.HandleFunc("POST /tickets/{id}/ai/classify", u.signedIn(u.ticketAction(u.classify), staff...))
	mux.HandleFunc("POST /tickets/{id}/ai/accept", u.signedIn(u.ticketAction(u.acceptSuggestion), staff...))
	mux.HandleFunc("POST /tickets/{id}/ai/override", u.signedIn(u.ticketAction(u.overrideSuggestion), staff...))
	mux.HandleFunc("POST /tickets/{id}/ai/summary", u.signedIn(u.ticketAction(u.summarise), staff...))
	mux.HandleFunc("POST /tickets/{id}/ai/draft", u.signedIn(u.ticketAction(u.draft), staff...))
	mux.HandleFunc("POST /tickets/{id}/messages", u.signedIn(u.ticketAction(u.sendMessage), staff...))
	mux.HandleFunc("POST /tickets/{id}/work-orders", u.signedIn(u.ticketAction(u.raiseWorkOrder), staff...))
	mux.HandleFunc("POST /tickets/{id}/status", u.signedIn(u.ticketAction(u.transition), staff...))
	mux.HandleFunc("POST /tickets/{id}/photos", u.signedIn(u.ticketAction(u.uploadPhoto)))
	mux.HandleFunc("POST /tickets/{id}/hazards", u.signedIn(u.ticketAction(u.tagHazards), staff...))
	mux.HandleFunc("POST /tickets/{id}/clocks", u.signedIn(u.ticketAction(u.clockAction), staff...))
	mux.HandleFunc("GET /tickets/{id}/evidence.pdf", u.signedIn(u.evidencePDF, staff...))
}

// evidencePDF streams the ticket's evidence export (the API's GET
// /tickets/{id}/evidence, for a signed-in member of staff).
func (u *UI) evidencePDF(w http.ResponseWriter, r *http.Request) {
	id, err := uuid.Parse(r.PathValue("id"))
	if err != nil {
		u.failed(w, r, "evidence pdf", apperr.NotFoundf("ticket"))
		return
	}
	name, content, err := u.deps.Evidence.Export(r.Context(), visitOf(r.Context()).Actor, id)
	if err != nil {
		u.failed(w, r, "evidence pdf", err)
		return
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	w.Header().Set("Content-Length", strconv.Itoa(len(content)))
	_, _ = w.Write(content)
}

// ticketStaffData is what staff see and do on a ticket beyond what everyone sees.
type ticketStaffData struct {
	Suggestion  *ai.Suggestion
	Summary     *ai.SummaryResult
	Texts       []messaging.Text
	Consent     []messaging.ContactPoint
	WorkOrders  []workorders.WorkOrder
	Contractors []contractors.Contractor
	Names       map[uuid.UUID]string // contractor companies by id
	Transitions []tickets.Status
	Categories  []string
	Priorities  []string
	// Hazards are the 29 HHSRS hazards to tick.
	Hazards []hhsrs.Hazard
	// Milestones and Defects are the clocks' steps and the Right to Repair's repairs.
	Milestones []string
	Defects    []clocks.Defect
	// Message is the composer as last filled (or drafted by the AI).
	Message messageForm
	// Raise is the work-order form as last sent (kept when it was refused); Admin whether
	// the compliance override is offered; GasWork whether the ticket reads as gas work;
	// Gaps what would refuse or warn about each contractor, by id (docs/compliance.md).
	Raise   raiseForm
	Admin   bool
	GasWork bool
	Gaps    map[uuid.UUID]string
}

type raiseForm struct {
	Contractor, Description, OverrideReason string
	Override                                bool
}

type messageForm struct {
	Channel, To, Body string
	Drafted           bool
	Provider          string
}

// staffData reads a ticket's staff panels. A missing suggestion is no suggestion.
func (u *UI) staffData(r *http.Request, t *tickets.Detail) (*ticketStaffData, error) {
	actor := visitOf(r.Context()).Actor
	ctx := r.Context()
	d := &ticketStaffData{Categories: tickets.Categories, Priorities: tickets.Priorities, Names: map[uuid.UUID]string{}, Hazards: hhsrs.All,
		Milestones: tickets.Milestones, Defects: clocks.RightToRepairDefects,
		Message: messageForm{Channel: "EMAIL"}}
	if sg, err := u.deps.AI.LatestSuggestion(ctx, actor, t.ID); err == nil {
		d.Suggestion = &sg
	} else if !apperr.Is(err, apperr.NotFound) {
		return nil, err
	}
	texts, err := u.deps.Messaging.TicketTexts(ctx, actor, t.ID, pages.Request{Limit: 20})
	if err != nil {
		return nil, err
	}
	d.Texts = texts.Items
	if t.ReportedByPhone != "" {
		if cps, err := u.deps.Messaging.ContactPoints(ctx, actor, messaging.ConsentFilter{Phone: t.ReportedByPhone}, pages.Request{Limit: 10}); err == nil {
			d.Consent = cps.Items
		}
	}
	wos, err := u.deps.WorkOrders.List(ctx, actor, workorders.Filter{TicketID: &t.ID}, pages.Request{Limit: 50})
	if err != nil {
		return nil, err
	}
	d.WorkOrders = wos.Items
	active := true
	cs, err := u.deps.Contractors.List(ctx, actor, contractors.ListFilter{Active: &active}, pages.Request{Limit: 100})
	if err != nil {
		return nil, err
	}
	d.Contractors = cs.Items
	d.Admin, d.GasWork, d.Gaps = actor.Role == access.Admin, workorders.IsGasWork(t.Category, t.Title, t.Description), map[uuid.UUID]string{}
	day := today()
	for _, c := range cs.Items {
		d.Names[c.ID] = c.CompanyName
		if gap := dispatchGaps(c, d.GasWork, day); gap != "" {
			d.Gaps[c.ID] = gap
		}
	}
	for _, s := range tickets.Statuses {
		if tickets.CanTransition(t.Status, s) {
			d.Transitions = append(d.Transitions, s)
		}
	}
	return d, nil
}

// ticketAction runs one action on the ticket the path names; the action answers the page
// itself (a redirect, or the ticket again with what it produced or refused).
func (u *UI) ticketAction(act func(w http.ResponseWriter, r *http.Request, id uuid.UUID)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, err := uuid.Parse(r.PathValue("id"))
		if err != nil {
			u.failed(w, r, "ticket", apperr.NotFoundf("ticket"))
			return
		}
		if err := parseForm(r); err != nil {
			u.message(w, r, http.StatusRequestEntityTooLarge, "Too large", "That is more than a form may send (a photo may be up to 10 MB).", false)
			return
		}
		act(w, r, id)
	}
}

// back returns to the ticket, at one of its sections.
func (u *UI) back(w http.ResponseWriter, r *http.Request, id uuid.UUID, section string) {
	u.redirect(w, r, "/tickets/"+id.String()+"#"+section)
}

// refused shows the ticket again with a refusal: field errors next to their fields (renamed
// by rename, since the page has several forms), anything else as a notice at the top.
func (u *UI) refused(w http.ResponseWriter, r *http.Request, err error, rename map[string]string, keep func(*ticketStaffData)) {
	errs := fieldErrors(err)
	if errs == nil {
		var ae *apperr.Error
		if !errors.As(err, &ae) || ae.Code == apperr.Internal {
			u.failed(w, r, "ticket action", err)
			return
		}
		u.showTicketWith(w, r, statusOf(ae.Code), nil, sentence(ae.Message), keep)
		return
	}
	named := map[string]string{}
	for k, v := range errs {
		if n, ok := rename[k]; ok {
			k = n
		}
		named[k] = v
	}
	u.showTicketWith(w, r, http.StatusUnprocessableEntity, named, "", keep)
}

func (u *UI) classify(w http.ResponseWriter, r *http.Request, id uuid.UUID) {
	if _, err := u.deps.AI.Classify(r.Context(), visitOf(r.Context()).Actor, id); err != nil {
		u.refused(w, r, err, nil, nil)
		return
	}
	u.back(w, r, id, "ai")
}

func (u *UI) acceptSuggestion(w http.ResponseWriter, r *http.Request, id uuid.UUID) {
	if _, err := u.deps.AI.Accept(r.Context(), visitOf(r.Context()).Actor, id); err != nil {
		u.refused(w, r, err, nil, nil)
		return
	}
	u.back(w, r, id, "ai")
}

func (u *UI) overrideSuggestion(w http.ResponseWriter, r *http.Request, id uuid.UUID) {
	in := ai.OverrideInput{Category: r.PostFormValue("category"), Priority: r.PostFormValue("priority"), Reason: r.PostFormValue("reason")}
	if _, err := u.deps.AI.Override(r.Context(), visitOf(r.Context()).Actor, id, in); err != nil {
		u.refused(w, r, err, map[string]string{"category": "overrideCategory", "priority": "overridePriority", "reason": "overrideReason"}, nil)
		return
	}
	u.back(w, r, id, "ai")
}

// summarise shows the ticket with the AI's summary of its story (not kept: it is read
// from the story as it is now).
func (u *UI) summarise(w http.ResponseWriter, r *http.Request, id uuid.UUID) {
	s, err := u.deps.AI.Summarise(r.Context(), visitOf(r.Context()).Actor, id)
	if err != nil {
		u.refused(w, r, err, nil, nil)
		return
	}
	u.showTicketWith(w, r, http.StatusOK, nil, "", func(d *ticketStaffData) { d.Summary = &s })
}

// draft fills the message composer with the AI's draft, for staff to edit and send.
func (u *UI) draft(w http.ResponseWriter, r *http.Request, id uuid.UUID) {
	in := ai.DraftInput{Recipient: "RESIDENT", Tone: r.PostFormValue("tone"), Purpose: r.PostFormValue("purpose")}
	channel := messageChannel(r.PostFormValue("channel"))
	d, err := u.deps.AI.Draft(r.Context(), visitOf(r.Context()).Actor, id, in)
	if err != nil {
		u.refused(w, r, err, map[string]string{"tone": "draftTone", "purpose": "draftPurpose"}, nil)
		return
	}
	u.showTicketWith(w, r, http.StatusOK, nil, "", func(sd *ticketStaffData) {
		sd.Message = messageForm{Channel: channel, To: r.PostFormValue("to"), Body: d.Body, Drafted: true, Provider: d.Provider}
	})
}

func messageChannel(c string) string {
	switch c = strings.ToUpper(c); c {
	case "SMS", "WHATSAPP":
		return c
	}
	return "EMAIL"
}

// sendMessage writes to the resident: by email (a comment they see, emailed), or by SMS
// or WhatsApp (texts, which need their consent).
func (u *UI) sendMessage(w http.ResponseWriter, r *http.Request, id uuid.UUID) {
	actor := visitOf(r.Context()).Actor
	f := messageForm{Channel: messageChannel(r.PostFormValue("channel")), To: r.PostFormValue("to"), Body: r.PostFormValue("message")}
	keep := func(d *ticketStaffData) { d.Message = f }
	var err error
	if f.Channel == "EMAIL" {
		_, err = u.deps.Tickets.AddComment(r.Context(), actor, id, tickets.CommentInput{Body: f.Body, Visibility: "RESIDENT", EmailResident: true})
	} else {
		_, err = u.deps.Messaging.Send(r.Context(), actor, id, messaging.SendInput{Channel: f.Channel, To: f.To, Body: f.Body})
	}
	if err != nil {
		u.refused(w, r, err, map[string]string{"body": "message", "to": "to", "emailResident": "message", "channel": "channel"}, keep)
		return
	}
	u.back(w, r, id, "messages")
}

// dispatchGaps says, for the contractor options, what the work-order checks would refuse
// (lapsed insurance; for gas work, no current Gas Safe registration) or warn about (no
// insurance date), "" for nothing.
func dispatchGaps(c contractors.Contractor, gasWork bool, day string) string {
	k := complianceOf(c, day)
	var gaps []string
	if gasWork && !k.GasSafeCurrent {
		gaps = append(gaps, "no current Gas Safe registration")
	}
	if k.Lapsed || k.Unknown {
		gaps = append(gaps, strings.ToLower(k.Insurance[:1])+k.Insurance[1:])
	}
	return strings.Join(gaps, "; ")
}

// overrideNote is a compliance_overridden timeline entry as the history reads it.
type overrideNote struct {
	Overridden, Reason string
}

// overrideNotes reads the compliance overrides among a ticket's events, by event id.
func overrideNotes(events []timeline.Event) map[uuid.UUID]*overrideNote {
	notes := map[uuid.UUID]*overrideNote{}
	for _, e := range events {
		if e.Action != "compliance_overridden" {
			continue
		}
		var after struct {
			Overridden []string `json:"overridden"`
			Reason     string   `json:"reason"`
		}
		if json.Unmarshal(e.After, &after) == nil {
			notes[e.ID] = &overrideNote{Overridden: strings.Join(after.Overridden, "; "), Reason: after.Reason}
		}
	}
	return notes
}

// raisedNotices are the notices the ticket shows after a work order is raised (?raised=).
var raisedNotices = map[string]string{
	"warned": "The work order is raised, but the company has no insurance expiry date on record: ask for its certificate and add the date on the company's page.",
}

// raiseWorkOrder sends a contractor. The compliance checks' refusal is shown beside the
// contractor with what was typed kept; an ADMIN may override them with a reason; a warning
// (no insurance date on record) is a notice on the ticket after the redirect.
func (u *UI) raiseWorkOrder(w http.ResponseWriter, r *http.Request, id uuid.UUID) {
	f := raiseForm{Contractor: r.PostFormValue("contractor"), Description: r.PostFormValue("description"),
		Override: r.PostFormValue("override") == "on", OverrideReason: r.PostFormValue("overrideReason")}
	keep := func(d *ticketStaffData) { d.Raise = f }
	contractor, _ := uuid.Parse(f.Contractor)
	in := workorders.RaiseInput{TicketID: id, ContractorID: contractor, Description: f.Description, Override: f.Override, OverrideReason: f.OverrideReason}
	wo, err := u.deps.WorkOrders.Raise(r.Context(), visitOf(r.Context()).Actor, in)
	if apperr.Is(err, apperr.Forbidden) && f.Override {
		u.showTicketWith(w, r, http.StatusForbidden, map[string]string{"complianceOverride": "Only an administrator may override the compliance checks."}, "", keep)
		return
	}
	if err != nil {
		if errs := fieldErrors(err); errs != nil {
			if m, ok := errs["contractorId"]; ok { // the service's reasons, in the page's words
				errs["contractorId"] = strings.Replace(m, "(an ADMIN may override with a reason)", "(an administrator may override the checks with a reason)", 1)
			}
			named := map[string]string{}
			for k, v := range errs {
				if n, ok := map[string]string{"contractorId": "contractor", "description": "workDescription", "overrideReason": "complianceReason"}[k]; ok {
					k = n
				}
				named[k] = v
			}
			u.showTicketWith(w, r, http.StatusUnprocessableEntity, named, "", keep)
			return
		}
		u.refused(w, r, err, nil, keep)
		return
	}
	if len(wo.Warnings) > 0 {
		u.redirect(w, r, "/tickets/"+id.String()+"?raised=warned#work-orders")
		return
	}
	u.back(w, r, id, "work-orders")
}

func (u *UI) transition(w http.ResponseWriter, r *http.Request, id uuid.UUID) {
	to := tickets.Status(r.PostFormValue("to"))
	if _, err := u.deps.Tickets.Transition(r.Context(), visitOf(r.Context()).Actor, id, to, r.PostFormValue("reason")); err != nil {
		u.refused(w, r, err, map[string]string{"to": "statusTo", "reason": "statusReason"}, nil)
		return
	}
	u.back(w, r, id, "status")
}

// uploadPhoto adds a photo or file to the ticket (anyone who can see it; staff and
// contractors pay for storage, so a payment overdue refuses theirs).
func (u *UI) uploadPhoto(w http.ResponseWriter, r *http.Request, id uuid.UUID) {
	file, header, err := r.FormFile("photo")
	if err != nil {
		u.showTicketWith(w, r, http.StatusUnprocessableEntity, map[string]string{"photo": "Choose a photo or file to add."}, "", nil)
		return
	}
	defer file.Close()
	if _, err := u.deps.Attachments.Upload(r.Context(), visitOf(r.Context()).Actor, id, header.Filename, file, nil); err != nil {
		u.refused(w, r, err, map[string]string{"file": "photo", "filename": "photo"}, nil)
		return
	}
	u.back(w, r, id, "files")
}

// tagHazards sets the ticket's HHSRS hazards to those ticked.
func (u *UI) tagHazards(w http.ResponseWriter, r *http.Request, id uuid.UUID) {
	if _, err := u.deps.Tickets.SetHazards(r.Context(), visitOf(r.Context()).Actor, id, r.PostForm["hazard"]); err != nil {
		u.refused(w, r, err, nil, nil)
		return
	}
	u.back(w, r, id, "hazards")
}

// clockAction records a milestone, pauses or resumes the clocks, or names the Right to
// Repair defect, as the form's action field says.
func (u *UI) clockAction(w http.ResponseWriter, r *http.Request, id uuid.UUID) {
	actor := visitOf(r.Context()).Actor
	var err error
	switch r.PostFormValue("action") {
	case "milestone":
		_, err = u.deps.Tickets.RecordMilestone(r.Context(), actor, id, r.PostFormValue("milestone"))
	case "pause":
		_, err = u.deps.Tickets.PauseClocks(r.Context(), actor, id, r.PostFormValue("reason"))
	case "resume":
		_, err = u.deps.Tickets.ResumeClocks(r.Context(), actor, id)
	case "defect":
		_, err = u.deps.Tickets.SetRightToRepairDefect(r.Context(), actor, id, r.PostFormValue("defect"))
	default:
		err = apperr.New(apperr.BadRequest, "unknown clock action")
	}
	if err != nil {
		u.refused(w, r, err, map[string]string{"reason": "pauseReason"}, nil)
		return
	}
	u.back(w, r, id, "clocks")
}
