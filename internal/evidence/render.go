package evidence

import (
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/maintainuk/maintainuk/internal/attachments"
	"github.com/maintainuk/maintainuk/internal/clocks"
	"github.com/maintainuk/maintainuk/internal/hhsrs"
	"github.com/maintainuk/maintainuk/internal/pdfdoc"
	"github.com/maintainuk/maintainuk/internal/timeline"
	"github.com/maintainuk/maintainuk/internal/ukcalendar"
)

// Layout of the chronology: the time in a column, the entry beside it.
const (
	timeColumn = 38.0
	photoW     = 110.0
	photoH     = 90.0
)

// When is a time as the export prints it: Europe/London, with GMT or BST.
func When(t time.Time) string { return t.In(ukcalendar.London).Format("2 Jan 2006 15:04 MST") }

// entry is one line of the chronology.
type entry struct {
	at     time.Time
	title  string
	detail []string
	file   *attachments.Attachment
}

func render(rec *record) ([]byte, error) {
	t := rec.ticket
	d := pdfdoc.New("Repair evidence: "+t.Number, rec.place.OrgName)
	d.NumberPages()
	header(d, rec)
	clockSection(d, rec)

	d.Heading("Chronology")
	d.Para(9, "", "Everything recorded on the ticket, oldest first: its history, comments, emails and texts to and from the resident, and photos and files. Times are UK time (GMT or BST).")
	d.PDF.Ln(2)
	for _, e := range chronology(rec) {
		drawEntry(d, rec, e)
	}
	content, err := d.Bytes()
	if err != nil {
		return nil, fmt.Errorf("evidence: render pdf: %w", err)
	}
	return content, nil
}

func header(d *pdfdoc.Doc, rec *record) {
	t, p := rec.ticket, rec.place
	d.Field("Organisation", p.OrgName)
	d.WrappedField("Ticket", t.Number+" "+t.Title)
	if addr := join(", ", p.PropertyName, p.AddressLine1, p.AddressLine2, p.Town, p.Postcode); addr != "" {
		d.WrappedField("Property", addr)
	}
	if p.UnitLabel != "" {
		d.Field("Unit", join(" ", p.UnitLabel, paren(p.UnitReference)))
	}
	d.Field("Reported by", orDash(t.ReportedByName))
	if t.ReportedByPhone != "" {
		d.Field("Phone", t.ReportedByPhone)
	}
	if t.ReportedByEmail != "" {
		d.Field("Email", t.ReportedByEmail)
	}
	if t.ReportedAddress != "" {
		d.WrappedField("Address given", t.ReportedAddress)
	}
	d.Field("Category", words(t.Category))
	d.Field("Priority", words(t.Priority))
	d.Field("Status", words(string(t.Status)))
	d.Field("Reported", When(t.CreatedAt))
	d.Field("Response due", When(t.SLADueAt)+" (the organisation's own response window)")
	if t.ResolvedAt != nil {
		d.Field("Resolved", When(*t.ResolvedAt))
	} else {
		d.Field("Resolved", "not resolved")
	}
	if t.ClosedAt != nil {
		d.Field("Closed", When(*t.ClosedAt))
	}
	hazards := "none tagged"
	if len(t.Hazards) > 0 {
		hazards = hazardNames(t.Hazards)
	}
	d.WrappedField("HHSRS hazards", hazards)
	d.WrappedField("Landlord", landlordWords(rec.landlord))
	d.WrappedField("Exported", "by "+orDash(rec.exporter)+" at "+When(rec.exportedAt))
	if t.Description != "" {
		d.Heading("Description")
		d.Para(10, "", t.Description)
	}
}

func landlordWords(l clocks.Landlord) string {
	switch l {
	case clocks.Social:
		return "Social landlord: its own response windows and Awaab's Law (SI 2025/1042)"
	case clocks.Council:
		return "Council: its own response windows, Awaab's Law (SI 2025/1042) and the Right to Repair (SI 1994/133)"
	}
	return "Private landlord: its own response windows"
}

// pause is a time the clocks waited on access.
type pause struct {
	from   time.Time
	to     *time.Time
	reason string
}

// pausesOf reads from the timeline when each clock waited: a pause applies to the clocks
// running at the time, and ends when the clocks resume or the clock stops.
func pausesOf(cs []clocks.Clock, events []timeline.Event) map[string][]pause {
	out := map[string][]pause{}
	stopped := map[string]time.Time{}
	for _, c := range cs {
		if c.StoppedAt != nil {
			stopped[c.Rule] = *c.StoppedAt
		}
	}
	for _, e := range events {
		if e.EntityType != timeline.EntityTicket {
			continue
		}
		switch e.Action {
		case "clocks_paused":
			reason, _ := field(e.After, "reason").(string)
			for _, c := range cs {
				if s, ok := stopped[c.Rule]; c.StartedAt.After(e.OccurredAt) || (ok && !s.After(e.OccurredAt)) {
					continue
				}
				out[c.Rule] = append(out[c.Rule], pause{from: e.OccurredAt, reason: reason})
			}
		case "clocks_resumed", "clock_stopped":
			rule, _ := field(e.After, "rule").(string)
			for r, ps := range out {
				if n := len(ps); n > 0 && ps[n-1].to == nil && (e.Action == "clocks_resumed" || r == rule) {
					at := e.OccurredAt
					ps[n-1].to = &at
				}
			}
		}
	}
	return out
}

func clockSection(d *pdfdoc.Doc, rec *record) {
	d.Heading("Legal clocks")
	if len(rec.clocks) == 0 {
		d.Para(10, "", "No legal clock ran against this ticket (Awaab's Law and the Right to Repair start clocks only for social landlords and councils, on an emergency, damp and mould, or a qualifying repair). Its response due time is above.")
		return
	}
	pauses := pausesOf(rec.clocks, rec.events)
	for _, c := range rec.clocks {
		d.PDF.Ln(1)
		d.Para(10, "B", c.Name)
		line := func(label, value string) { d.Indented(5, 9, "", label+": "+value) }
		line("Legal source", c.Source)
		line("Started", When(c.StartedAt))
		due := When(c.DueAt)
		if len(pauses[c.Rule]) > 0 {
			due += " (time paused added)"
		}
		line("Due", due)
		for _, p := range pauses[c.Rule] {
			span := "from " + When(p.from) + ", still paused"
			if p.to != nil {
				span = "from " + When(p.from) + " to " + When(*p.to) + " (" + duration(p.to.Sub(p.from)) + ")"
			}
			line("Paused", span)
			d.Indented(10, 9, "", "Reason: "+orDash(p.reason))
		}
		if c.StoppedAt != nil {
			line("Stopped", When(*c.StoppedAt)+", by "+lower(words(c.StoppedBy)))
		} else {
			line("Stopped", "not stopped")
		}
		line("Outcome", outcome(c, rec.exportedAt))
	}
}

// outcome says whether a clock was met or breached, and by how much.
func outcome(c clocks.Clock, now time.Time) string {
	switch c.State {
	case "MET":
		return "Met, " + duration(c.DueAt.Sub(*c.StoppedAt)) + " before the deadline"
	case "BREACHED":
		if c.StoppedAt != nil {
			return "Breached by " + duration(c.StoppedAt.Sub(c.DueAt))
		}
		return "Breached: still running, " + duration(now.Sub(c.DueAt)) + " past the deadline"
	case "PAUSED":
		return "Paused (waiting on access) with " + duration(c.DueAt.Sub(deref(c.PausedAt, now))) + " left"
	}
	return "Running, " + duration(c.DueAt.Sub(now)) + " left"
}

// chronology merges the timeline, comments, texts and files, oldest first. A comment or
// file the timeline records is shown once, as itself.
func chronology(rec *record) []entry {
	var out []entry
	emailed := map[string]bool{}
	shown := map[string]bool{}
	for _, c := range rec.ticket.Comments {
		shown[c.ID.String()] = true
	}
	for _, f := range rec.files {
		shown[f.ID.String()] = true
	}
	for _, e := range rec.events {
		if e.EntityType == timeline.EntityTicket && e.Action == "comment_added" {
			id, _ := field(e.After, "commentId").(string)
			if yes, _ := field(e.After, "emailedResident").(bool); yes {
				emailed[id] = true
			}
			if shown[id] {
				continue
			}
		}
		if e.EntityType == timeline.EntityTicket && e.Action == "attachment_added" {
			if id, _ := field(e.After, "attachmentId").(string); shown[id] {
				continue
			}
		}
		title, detail := describe(e, rec.names)
		title += by(e.ActorID, e.ActorRole, rec.names)
		out = append(out, entry{at: e.OccurredAt, title: title, detail: detail})
	}
	for _, c := range rec.ticket.Comments {
		title := "Comment by " + orDash(c.AuthorName)
		visibility := "internal: staff only"
		if c.Visibility == "RESIDENT" {
			visibility = "the resident sees it"
		}
		if emailed[c.ID.String()] {
			title = "Email to the resident from " + orDash(c.AuthorName)
			visibility = "also a comment the resident sees"
		}
		if c.SharedWithContractorID != nil {
			visibility += "; shared with the contractor"
		}
		out = append(out, entry{at: c.CreatedAt, title: title + ", " + visibility, detail: []string{c.Body}})
	}
	for _, t := range rec.texts {
		channel := "SMS"
		if t.Channel == "WHATSAPP" {
			channel = "WhatsApp"
		}
		title := channel + " to " + t.To
		if t.Direction == "INBOUND" {
			title = channel + " from " + t.From
		} else if t.CreatedBy != nil {
			title += ", sent by " + orDash(rec.names[*t.CreatedBy])
		}
		body := t.Body
		if t.ContentSID != "" {
			body = "WhatsApp template " + t.ContentSID + templateVars(t.ContentVariables)
		}
		status := "Status: " + lower(words(t.Status))
		if t.StatusReason != "" {
			status += " (" + t.StatusReason + ")"
		}
		for _, s := range []struct {
			label string
			at    *time.Time
		}{{"sent", t.SentAt}, {"delivered", t.DeliveredAt}, {"read", t.ReadAt}} {
			if s.at != nil {
				status += "; " + s.label + " " + When(*s.at)
			}
		}
		out = append(out, entry{at: t.CreatedAt, title: title, detail: []string{body, status}})
	}
	for i := range rec.files {
		f := &rec.files[i]
		kind := "File"
		if drawable(f.ContentType) {
			kind = "Photo"
		}
		title := kind + " attached: " + f.Filename
		if f.UploadedBy != nil {
			title += ", by " + orDash(rec.names[*f.UploadedBy])
		}
		out = append(out, entry{at: f.CreatedAt, title: title, file: f,
			detail: []string{f.ContentType + ", " + thousands(f.SizeBytes) + " bytes", "SHA-256 " + f.SHA256}})
	}
	slices.SortStableFunc(out, func(a, b entry) int { return a.at.Compare(b.at) })
	return out
}

func drawEntry(d *pdfdoc.Doc, rec *record, e entry) {
	pdf := d.PDF
	_, pageH := pdf.GetPageSize()
	if pdf.GetY() > pageH-40 {
		pdf.AddPage()
	}
	pdf.SetFont("Helvetica", "", 9)
	pdf.CellFormat(timeColumn, 5, d.T(When(e.at)), "", 0, "", false, 0, "")
	pdf.SetFont("Helvetica", "B", 9)
	pdf.MultiCell(0, 5, d.T(e.title), "", "L", false)
	for _, line := range e.detail {
		if line != "" {
			d.Indented(timeColumn, 9, "", line)
		}
	}
	if e.file != nil && drawable(e.file.ContentType) {
		if data := rec.photos[e.file.ID]; len(data) > 0 {
			if err := d.Image(e.file.ID.String(), data, timeColumn, photoW, photoH); err != nil {
				d.Indented(timeColumn, 9, "I", "The photo could not be drawn here; it is kept as uploaded (its SHA-256 above).")
			}
		}
	}
	pdf.Ln(2)
}

// describe words a timeline event.
func describe(e timeline.Event, names map[uuid.UUID]string) (title string, detail []string) {
	if e.EntityType != timeline.EntityTicket {
		title = words(e.EntityType) + " " + lower(words(e.Action))
		if reason, _ := field(e.After, "reason").(string); reason != "" {
			detail = append(detail, "Reason: "+reason)
		}
		return title, detail
	}
	switch e.Action {
	case "created":
		return "Ticket reported", []string{"Priority " + lower(words(str(e.After, "priority"))) + ", category " + lower(words(str(e.After, "category")))}
	case "status_changed":
		title = "Status changed from " + lower(words(str(e.Before, "status"))) + " to " + lower(words(str(e.After, "status")))
		if reason := str(e.After, "reason"); reason != "" {
			detail = append(detail, "Reason: "+reason)
		}
		return title, detail
	case "updated", "assigned", "ai_accepted", "ai_overridden", "ai_auto_applied":
		title = map[string]string{"updated": "Ticket details changed", "assigned": "Ticket assigned",
			"ai_accepted": "AI classification accepted", "ai_overridden": "AI classification overridden",
			"ai_auto_applied": "AI classification applied automatically"}[e.Action]
		return title, changes(e, names)
	case "hazards_tagged":
		var codes []string
		if raw, ok := field(e.After, "hazards").([]any); ok {
			for _, c := range raw {
				if s, ok := c.(string); ok {
					codes = append(codes, s)
				}
			}
		}
		title = "HHSRS hazards cleared"
		if len(codes) > 0 {
			title = "HHSRS hazards set: " + hazardNames(codes)
		}
		if str(e.After, "source") == "ai" {
			title += " (from the AI's triage)"
		}
		return title, nil
	case "clock_started":
		title = "Clock started: " + str(e.After, "name")
		if due, err := time.Parse(time.RFC3339Nano, str(e.After, "dueAt")); err == nil {
			detail = append(detail, "Due "+When(due))
		}
		return title, append(detail, str(e.After, "source"))
	case "clock_stopped":
		rule := str(e.After, "rule")
		if r, ok := clocks.ByCode(rule); ok {
			rule = r.Name
		}
		result := "late"
		if met, _ := field(e.After, "met").(bool); met {
			result = "on time"
		}
		return "Clock stopped: " + rule, []string{"By " + lower(words(str(e.After, "by"))) + ", " + result}
	case "clocks_paused":
		return "Clocks paused (waiting on access)", []string{"Reason: " + orDash(str(e.After, "reason"))}
	case "clocks_resumed":
		return "Clocks resumed", nil
	case "comment_added":
		return "Comment added", nil
	case "attachment_added":
		return "File attached: " + str(e.After, "filename"), nil
	case ActionExported:
		return "Evidence exported", []string{"This document (" + str(e.After, "filename") + ")."}
	}
	return words(e.Action), nil
}

// changes lists the fields an update changed.
func changes(e timeline.Event, names map[uuid.UUID]string) []string {
	var out []string
	for _, f := range []struct{ key, label string }{
		{"title", "Title"}, {"description", "Description"}, {"category", "Category"}, {"priority", "Priority"},
		{"assigneeUserId", "Assignee"}, {"unitId", "Unit"},
	} {
		before, after := field(e.Before, f.key), field(e.After, f.key)
		if fmt.Sprint(before) == fmt.Sprint(after) {
			continue
		}
		show := func(v any) string {
			s, _ := v.(string)
			switch f.key {
			case "category", "priority":
				return lower(words(s))
			case "assigneeUserId":
				if id, err := uuid.Parse(s); err == nil {
					return orDash(names[id])
				}
				return "nobody"
			case "unitId":
				if s == "" {
					return "none"
				}
				return "another unit"
			}
			return "\"" + s + "\""
		}
		if f.key == "description" {
			out = append(out, "Description changed")
			continue
		}
		out = append(out, f.label+": "+show(before)+" to "+show(after))
	}
	return out
}

// by names who did something: a person and their role, or the system.
func by(id *uuid.UUID, role string, names map[uuid.UUID]string) string {
	if id == nil {
		return " (automatic)"
	}
	name := orDash(names[*id])
	if role != "" {
		name += ", " + lower(words(role))
	}
	return ", by " + name
}

func assigneeOf(raw json.RawMessage) *uuid.UUID {
	s, _ := field(raw, "assigneeUserId").(string)
	if id, err := uuid.Parse(s); err == nil {
		return &id
	}
	return nil
}

// field is one member of a JSON object, nil when absent.
func field(raw json.RawMessage, key string) any {
	var m map[string]any
	if len(raw) == 0 || json.Unmarshal(raw, &m) != nil {
		return nil
	}
	return m[key]
}

func str(raw json.RawMessage, key string) string {
	s, _ := field(raw, key).(string)
	return s
}

func hazardNames(codes []string) string {
	names := make([]string, len(codes))
	for i, c := range codes {
		names[i] = hhsrs.Name(c)
	}
	return strings.Join(names, "; ")
}

func templateVars(vars map[string]string) string {
	if len(vars) == 0 {
		return ""
	}
	keys := make([]string, 0, len(vars))
	for k := range vars {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, cmp.Compare[string])
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + vars[k]
	}
	return " (" + strings.Join(parts, ", ") + ")"
}

// duration is a length of time in words: "2 days 3 hours 5 minutes".
func duration(d time.Duration) string {
	if d < 0 {
		d = -d
	}
	if d < time.Minute {
		return "less than a minute"
	}
	mins := int64(d / time.Minute)
	days, hours, minutes := mins/(24*60), mins/60%24, mins%60
	var parts []string
	for _, p := range []struct {
		n    int64
		unit string
	}{{days, "day"}, {hours, "hour"}, {minutes, "minute"}} {
		switch {
		case p.n == 1:
			parts = append(parts, "1 "+p.unit)
		case p.n > 1:
			parts = append(parts, strconv.FormatInt(p.n, 10)+" "+p.unit+"s")
		}
	}
	return strings.Join(parts, " ")
}

func thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// words is a code as words: "IN_PROGRESS" is "In progress".
func words(code string) string {
	s := strings.ToLower(strings.ReplaceAll(code, "_", " "))
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func lower(s string) string { return strings.ToLower(s) }

func join(sep string, parts ...string) string {
	var out []string
	for _, p := range parts {
		if p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, sep)
}

func paren(s string) string {
	if s == "" {
		return ""
	}
	return "(" + s + ")"
}

func orDash(s string) string {
	if s == "" {
		return "(not recorded)"
	}
	return s
}

func deref(t *time.Time, or time.Time) time.Time {
	if t == nil {
		return or
	}
	return *t
}
