package benchdata

import (
	"bytes"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/maintainuk/maintainuk/internal/orgsettings"
	"github.com/maintainuk/maintainuk/internal/tickets"
	"github.com/maintainuk/maintainuk/internal/timeline"
	"github.com/maintainuk/maintainuk/internal/ukcalendar"
	"github.com/maintainuk/maintainuk/internal/workorders"
)

type ticket struct {
	tickets.Ticket
	number int64
	fault  fault
	// reporter is who entered the report (nil for the public form).
	reporter *user
	wo       *workOrder
}

type workOrder struct {
	workorders.WorkOrder
	company   *company
	createdBy *user
	// liveFrom and liveTo bound when the contractor could see the ticket (accepted until
	// finished), for their comments.
	liveFrom, liveTo time.Time
}

type comment struct {
	id, ticketID                 uuid.UUID
	author                       *user
	body, visibility             string
	contractorID, sharedWithCoID *uuid.UUID
	createdAt                    time.Time
}

// event is a timeline entry; before and after are marshalled when it is copied in.
type event struct {
	id            uuid.UUID
	at            time.Time
	order         int // generation order, for entries of the same instant
	entityType    string
	entityID      uuid.UUID
	action        string
	actor         *user // nil: the system (the public form)
	before, after any
	ticketID      uuid.UUID
}

// statusMix is the share of each status: the large organisation's storm backlog is
// mostly NEW; the open statuses are the newest tickets, the finished ones the oldest.
var statusMix = []struct {
	status tickets.Status
	share  float64
}{
	{tickets.New, 0.56}, {tickets.Triaged, 0.05}, {tickets.InProgress, 0.05},
	{tickets.Resolved, 0.06}, {tickets.Cancelled, 0.04}, {tickets.Closed, 0}, // CLOSED: the rest
}

// statuses returns n statuses in the mix: open ones (shuffled) first, then finished ones.
func (o *org) statuses(n int) []tickets.Status {
	var open, done []tickets.Status
	left := n
	for _, m := range statusMix {
		k := left
		if m.share > 0 {
			k = min(left, int(math.Ceil(m.share*float64(n))))
		}
		left -= k
		for range k {
			if m.status.Open() {
				open = append(open, m.status)
			} else {
				done = append(done, m.status)
			}
		}
	}
	o.rng.Shuffle(len(open), func(i, j int) { open[i], open[j] = open[j], open[i] })
	o.rng.Shuffle(len(done), func(i, j int) { done[i], done[j] = done[j], done[i] })
	return append(open, done...)
}

// stormDays is how far back the newest, open tickets go: the storm's backlog.
const stormDays = 21

// addTickets reports n tickets: the open ones over the last three weeks (to the second,
// so some share a created_at and the list's keyset breaks the tie by id), the finished
// ones over the two years before. Numbers follow creation order.
func (o *org) addTickets(n int, settings orgsettings.Settings, cal func(ukcalendar.Region) *ukcalendar.Calendar) {
	statuses := o.statuses(n)
	stormStart := o.until.AddDate(0, 0, -stormDays)
	historyStart := o.createdAt.AddDate(0, 0, 20)
	rare := make(map[int]bool)
	for len(rare) < min(n, rareTickets(n, o.large)) {
		rare[o.rng.IntN(n)] = true
	}
	for i, st := range statuses {
		from, to := historyStart, stormStart
		if st.Open() {
			from, to = stormStart, o.until
		}
		created := from.Add(time.Duration(o.rng.Int64N(int64(to.Sub(from))))).Truncate(time.Second)
		f := pick(o.rng, faults)
		if rare[i] {
			f = rareFault
		}
		t := &ticket{fault: f}
		t.ID, t.Status, t.CreatedAt, t.UpdatedAt = o.newID(), st, created, created
		t.Category, t.Priority = f.category, priority(o.rng.IntN(100))
		t.Title, t.Description = title(o.rng, f), description(o.rng, f)
		t.SLADueAt = settings.DueAt(t.Priority, created, cal)
		o.reporter(t)
		o.tickets = append(o.tickets, t)
	}
	// Numbers in creation order; ties in created_at broken by id, as the list's keyset.
	slices.SortFunc(o.tickets, func(a, b *ticket) int {
		if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
			return c
		}
		return bytes.Compare(a.ID[:], b.ID[:])
	})
	for i, t := range o.tickets {
		t.number = int64(i + 1)
		t.Number = tickets.FormatNumber(t.number)
	}
	for _, t := range o.tickets {
		o.lifecycle(t)
	}
}

func priority(p int) string {
	switch {
	case p < 8:
		return "EMERGENCY"
	case p < 30:
		return "URGENT"
	}
	return "ROUTINE"
}

// reporter fills who reported the ticket and how: staff taking a phone call (the caller's
// name and number typed in, the staff member's email kept, as Create does), a resident
// in the app for their own home, or the public form with a unit reference (matched) or an
// address (not matched, for a coordinator to link).
func (o *org) reporter(t *ticket) {
	u := pick(o.rng, o.units)
	switch r := o.rng.IntN(100); {
	case r < 15 && len(o.tenants) > 0:
		tenant := pick(o.rng, o.tenants)
		u = tenant.home
		t.Source, t.reporter = tickets.SourceResident, tenant
		t.ReportedByName, t.ReportedByEmail = tenant.name, tenant.email
	case r < 40:
		t.Source = tickets.SourcePublicForm
		t.ReportedByName = personName(o.rng)
		t.ReportedByPhone = phone(o.rng)
		if o.rng.IntN(2) == 0 {
			t.ReportedByEmail = strings.ToLower(strings.ReplaceAll(t.ReportedByName, " ", ".")) + "@example.com"
		}
		if o.rng.IntN(5) == 0 {
			t.ReportedAddress = fmt.Sprintf("%d %s, %s", 1+o.rng.IntN(200), pick(o.rng, streets), u.property.town)
			return // no unit matched
		}
	default:
		s := o.staff()
		t.Source, t.reporter = tickets.SourceStaff, s
		t.ReportedByName, t.ReportedByEmail = personName(o.rng), s.email
		if o.rng.IntN(2) == 0 {
			t.ReportedByPhone = phone(o.rng)
		}
	}
	t.UnitID, t.PropertyID = &u.id, &u.property.id
	if t.reporter != nil {
		t.ReportedByUserID = &t.reporter.id
	}
}

// lifecycle walks the ticket from NEW to its status the way people and the application
// would (tickets.Service.Transition, workorders.Service.Raise and Transition and the
// ticket following its work order), recording each change on the timeline, then adds
// one or two comments.
func (o *org) lifecycle(t *ticket) {
	final := t.Status
	l := &life{o: o, t: t, now: t.CreatedAt}
	created := t.Ticket
	created.Status, created.Overdue, created.ResolvedAt, created.ClosedAt = tickets.New, false, nil, nil
	t.Status = tickets.New
	l.record(t.reporter, timeline.EntityTicket, t.ID, "created", nil, created)
	withWO := map[tickets.Status]int{tickets.Triaged: 20, tickets.InProgress: 100, tickets.Resolved: 80, tickets.Closed: 75, tickets.Cancelled: 30}[final]
	raise := o.rng.IntN(100) < withWO
	switch final {
	case tickets.Triaged:
		l.setStatus(o.staff(), tickets.Triaged, "")
		if raise {
			l.raise()
			l.act(workorders.Decline)
		}
	case tickets.InProgress:
		if o.rng.IntN(2) == 0 {
			l.setStatus(o.staff(), tickets.Triaged, "")
		}
		l.raise()
		for _, a := range []workorders.Action{workorders.Accept, workorders.Schedule, workorders.Start}[:o.rng.IntN(4)] {
			l.act(a)
		}
	case tickets.Resolved, tickets.Closed:
		if !raise || o.rng.IntN(2) == 0 {
			l.setStatus(o.staff(), tickets.Triaged, "")
		}
		if raise {
			l.raise()
			for _, a := range []workorders.Action{workorders.Accept, workorders.Schedule, workorders.Start, workorders.Complete} {
				l.act(a)
			}
		} else {
			l.setStatus(o.staff(), tickets.Resolved, "")
		}
		if final == tickets.Closed {
			l.setStatus(o.staff(), tickets.Closed, "")
		}
	case tickets.Cancelled:
		if raise {
			l.raise()
			l.act(workorders.Accept)
			l.act(workorders.Cancel)
		}
		l.setStatus(o.staff(), tickets.Cancelled, pick(o.rng, cancelReasons))
	}
	end := l.now
	if final.Open() {
		end = o.until
	}
	o.addComments(l, end)
}

// life is one ticket's clock and trail while its history is written.
type life struct {
	o   *org
	t   *ticket
	now time.Time
}

// tick moves the clock on by part of what is left before the end of the data set (at
// most a few days), so every step lies in the past.
func (l *life) tick() time.Time {
	left := l.o.until.Sub(l.now)
	step := time.Duration(float64(left) * (0.02 + 0.2*l.o.rng.Float64()))
	step = min(step, time.Duration(2+l.o.rng.IntN(96))*time.Hour)
	l.now = l.now.Add(step)
	return l.now
}

// same moves the clock on by a millisecond: the next write of one transaction.
func (l *life) same() time.Time {
	l.now = l.now.Add(time.Millisecond)
	return l.now
}

func (l *life) record(actor *user, entityType string, entityID uuid.UUID, action string, before, after any) {
	o := l.o
	o.events = append(o.events, &event{id: o.newID(), at: l.now, order: len(o.events), entityType: entityType, entityID: entityID,
		action: action, actor: actor, before: before, after: after, ticketID: l.t.ID})
}

// setStatus is tickets.Service.setStatus: the status and its timestamps, and the entry.
func (l *life) setStatus(actor *user, to tickets.Status, reason string) {
	t := l.t
	l.writeStatus(actor, t.Status, to, reason, l.tick())
}

func (l *life) writeStatus(actor *user, from, to tickets.Status, reason string, now time.Time) {
	t := l.t
	switch to {
	case tickets.Resolved:
		t.ResolvedAt = &now
	case tickets.Closed, tickets.Cancelled:
		t.ClosedAt = &now
	case tickets.InProgress:
		t.ResolvedAt = nil
	}
	t.Status, t.UpdatedAt = to, now
	l.record(actor, timeline.EntityTicket, t.ID, "status_changed",
		map[string]any{"status": string(from)}, map[string]any{"status": to, "reason": reason})
}

// follow is tickets.Service.FollowWorkOrders for a ticket with one work order.
func (l *life) follow(actor *user, reason string) {
	wo, from := l.t.wo, l.t.Status
	live, completed := wo.Status.Live(), wo.Status == workorders.Completed
	switch {
	case live && (from == tickets.New || from == tickets.Triaged || from == tickets.Resolved):
		l.writeStatus(actor, from, tickets.InProgress, reason, l.same())
	case !live && completed && from == tickets.InProgress:
		l.writeStatus(actor, from, tickets.Resolved, reason, l.same())
	case !live && !completed && from == tickets.InProgress:
		l.writeStatus(actor, from, tickets.Triaged, reason, l.same())
	}
}

// raise is workorders.Service.Raise: a work order for a company (the first one gets a
// larger share, so its contractor's job list is long) and the ticket IN_PROGRESS.
func (l *life) raise() {
	o, t := l.o, l.t
	c := o.companies[0]
	if o.rng.Float64() >= o.firstCompanyShare {
		c = o.companies[1+o.rng.IntN(len(o.companies)-1)]
	}
	staff := o.staff()
	now := l.tick()
	wo := &workOrder{company: c, createdBy: staff}
	wo.ID, wo.TicketID, wo.ContractorID = o.newID(), t.ID, c.id
	wo.Description = fmt.Sprintf(pick(o.rng, workOrderTexts), strings.ToLower(t.fault.phrase))
	wo.Status, wo.CreatedAt, wo.UpdatedAt = workorders.Assigned, now, now
	t.wo = wo
	o.workOrders = append(o.workOrders, wo)
	l.record(staff, timeline.EntityWorkOrder, wo.ID, "created", nil, wo.WorkOrder)
	l.follow(staff, "work order raised")
}

var pastTense = map[workorders.Action]string{
	workorders.Accept: "accepted", workorders.Decline: "declined", workorders.Schedule: "scheduled",
	workorders.Start: "started", workorders.Complete: "completed", workorders.Cancel: "cancelled",
}

// act is workorders.Service.Transition: the contractor acts on their job (staff cancel).
func (l *life) act(a workorders.Action) {
	o, wo := l.o, l.t.wo
	actor := wo.company.user
	if a == workorders.Cancel {
		actor = o.staff()
	}
	to, ok := workorders.Next(wo.Status, a)
	if !ok {
		panic(fmt.Sprintf("benchdata: work order %s cannot %s", wo.Status, a))
	}
	before := wo.WorkOrder
	now := l.tick()
	switch a {
	case workorders.Decline:
		wo.StatusReason = pick(o.rng, declineReasons)
	case workorders.Cancel:
		wo.StatusReason = pick(o.rng, cancelReasons)
	case workorders.Schedule:
		at := now.Add(time.Duration(24+o.rng.IntN(96)) * time.Hour).Truncate(time.Hour)
		wo.ScheduledFor = &at
	case workorders.Complete:
		wo.CompletionNotes, wo.CompletedAt = pick(o.rng, completion), &now
	case workorders.Accept:
		wo.liveFrom = now
	}
	from := wo.Status
	wo.Status, wo.UpdatedAt = to, now
	if !to.Live() {
		wo.liveTo = now
	}
	l.record(actor, timeline.EntityWorkOrder, wo.ID, "status_changed", before, wo.WorkOrder)
	if from.Live() != to.Live() {
		l.follow(actor, "work order "+pastTense[a])
	}
}

// addComments writes one or two comments between the report and end: staff notes
// (internal, or for the resident), a resident asking after their own report, and the
// contractor's note while their job is live.
func (o *org) addComments(l *life, end time.Time) {
	t := l.t
	n := 1 + o.rng.IntN(2)
	for k := range n {
		c := &comment{id: o.newID(), ticketID: t.ID}
		from, to := t.CreatedAt, end
		switch {
		case k == 1 && t.wo != nil && !t.wo.liveFrom.IsZero():
			from, to = t.wo.liveFrom, t.wo.liveTo
			if to.IsZero() {
				to = o.until
			}
			c.author, c.visibility, c.body = t.wo.company.user, "INTERNAL", pick(o.rng, contractorComments)
			c.contractorID = &t.wo.company.id
		case k == 0 && t.Source == tickets.SourceResident:
			c.author, c.visibility, c.body = t.reporter, "RESIDENT", pick(o.rng, residentComments)
		default:
			c.author, c.visibility, c.body = o.staff(), "INTERNAL", pick(o.rng, commentBodies)
			if o.rng.IntN(5) < 2 {
				c.visibility = "RESIDENT"
			}
		}
		c.createdAt = from.Add(time.Duration(o.rng.Int64N(int64(max(to.Sub(from), time.Millisecond)))))
		o.comments = append(o.comments, c)
		o.events = append(o.events, &event{id: o.newID(), at: c.createdAt, order: len(o.events), entityType: timeline.EntityTicket,
			entityID: t.ID, action: "comment_added", actor: c.author, ticketID: t.ID,
			after: map[string]any{"commentId": c.id, "visibility": c.visibility, "contractorId": c.contractorID, "sharedWithContractorId": c.sharedWithCoID}})
	}
}
