package workorders

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/maintainuk/maintainuk/internal/access"
	"github.com/maintainuk/maintainuk/internal/apperr"
	"github.com/maintainuk/maintainuk/internal/events"
	"github.com/maintainuk/maintainuk/internal/timeline"
	"github.com/maintainuk/maintainuk/internal/workorders/workordersdb"
)

// Action is what someone does to a work order.
type Action string

const (
	Accept   Action = "accept"
	Decline  Action = "decline"
	Schedule Action = "schedule"
	Start    Action = "start"
	Complete Action = "complete"
	Cancel   Action = "cancel"
)

// Actions lists every action.
var Actions = []Action{Accept, Decline, Schedule, Start, Complete, Cancel}

// rule says from which statuses an action may be taken, where it leads and who may take it
// (staff may take every action, e.g. on a contractor's behalf after a phone call).
type rule struct {
	from       []Status
	to         Status
	contractor bool
}

var rules = map[Action]rule{
	Accept:   {from: []Status{Assigned}, to: Accepted, contractor: true},
	Decline:  {from: []Status{Assigned}, to: Declined, contractor: true},
	Schedule: {from: []Status{Accepted, Scheduled}, to: Scheduled, contractor: true}, // Scheduled: reschedule
	Start:    {from: []Status{Scheduled}, to: InProgress, contractor: true},
	Complete: {from: []Status{InProgress}, to: Completed, contractor: true},
	Cancel:   {from: []Status{Assigned, Accepted, Scheduled, InProgress}, to: Cancelled},
}

// Next returns where action leads from status, or false when it is not allowed.
func Next(from Status, action Action) (Status, bool) {
	r, ok := rules[action]
	if !ok || !slices.Contains(r.from, from) {
		return "", false
	}
	return r.to, true
}

// TransitionInput is an action with what it needs: a reason to decline or cancel, a time
// to schedule, notes to complete.
type TransitionInput struct {
	Action       Action
	Reason       string
	ScheduledFor *time.Time
	Notes        string
}

// Check applies the rules on the input alone (a known action, a reason to decline or
// cancel, a time not in the past to schedule, the lengths), naming every field that
// breaks one; the API runs it beside schema validation.
func (in TransitionInput) Check(now time.Time) error {
	var f apperr.Fields
	reason, notes := strings.TrimSpace(in.Reason), strings.TrimSpace(in.Notes)
	_, known := rules[in.Action]
	switch {
	case !known:
		f.Add("action", "must be one of accept, decline, schedule, start, complete, cancel")
	case (in.Action == Decline || in.Action == Cancel) && reason == "":
		f.Add("reason", "is required to "+string(in.Action))
	case in.Action == Schedule && in.ScheduledFor == nil:
		f.Add("scheduledFor", "is required to schedule")
	case in.Action == Schedule && in.ScheduledFor.Before(now.Add(-time.Hour)):
		f.Add("scheduledFor", "must not be in the past")
	}
	if utf8.RuneCountInString(reason) > 1000 {
		f.Add("reason", "must be at most 1000 characters")
	}
	if utf8.RuneCountInString(notes) > 2000 {
		f.Add("notes", "must be at most 2000 characters")
	}
	return f.Err()
}

// Transition takes an action on a work order. Illegal actions answer 409 and change
// nothing; the ticket follows in the same transaction.
func (s *Service) Transition(ctx context.Context, actor access.Actor, id uuid.UUID, in TransitionInput) (*WorkOrder, error) {
	if err := actor.Require(access.Admin, access.Coordinator, access.Contractor); err != nil {
		return nil, err
	}
	if err := in.Check(s.now()); err != nil {
		return nil, err
	}
	r := rules[in.Action]
	in.Reason, in.Notes = strings.TrimSpace(in.Reason), strings.TrimSpace(in.Notes)
	var out WorkOrder
	err := s.db.InOrg(ctx, actor.OrgID, actor.UserID, func(tx pgx.Tx) error {
		row, err := s.q.GetWorkOrderForUpdate(ctx, tx, workordersdb.GetWorkOrderForUpdateParams{OrgID: actor.OrgID, ID: id})
		if errors.Is(err, pgx.ErrNoRows) || (err == nil && !visible(actor, row)) {
			return apperr.NotFoundf("work order")
		}
		if err != nil {
			return err
		}
		if actor.Role == access.Contractor && !r.contractor {
			return apperr.New(apperr.Forbidden, "only the letting team can %s a work order", in.Action)
		}
		from := Status(row.Status)
		to, ok := Next(from, in.Action)
		if !ok {
			return apperr.New(apperr.Conflict, "%s work order cannot be %s", apperr.A(string(from)), pastTense[in.Action])
		}
		before := fromRow(row)
		upd := workordersdb.SetWorkOrderStateParams{OrgID: actor.OrgID, ID: id, Status: string(to),
			ScheduledFor: row.ScheduledFor, CompletionNotes: row.CompletionNotes, StatusReason: row.StatusReason, CompletedAt: row.CompletedAt}
		switch in.Action {
		case Decline, Cancel:
			upd.StatusReason = in.Reason
		case Schedule:
			at := in.ScheduledFor.UTC()
			upd.ScheduledFor = &at
		case Complete:
			now := s.now().UTC()
			upd.CompletionNotes, upd.CompletedAt = in.Notes, &now
		}
		updated, err := s.q.SetWorkOrderState(ctx, tx, upd)
		if err != nil {
			return err
		}
		out = fromRow(updated)
		if err := timeline.Record(ctx, tx, actor, timeline.Change{EntityType: timeline.EntityWorkOrder, EntityID: id, TicketID: &row.TicketID,
			Action: "status_changed", Before: before, After: out}); err != nil {
			return err
		}
		ev := &events.WorkOrderStatusChanged{WorkOrderID: id, TicketID: row.TicketID, ContractorID: row.ContractorID,
			From: string(from), To: string(to), Reason: out.StatusReason, ScheduledFor: out.ScheduledFor}
		if err := events.EmailAndWebhooks(ctx, s.pub, tx, actor.OrgID, ev, false); err != nil {
			return err
		}
		if from.Live() == to.Live() {
			return nil
		}
		return s.tickets.FollowWorkOrders(ctx, tx, actor, row.TicketID, "work order "+pastTense[in.Action])
	})
	return &out, err
}

var pastTense = map[Action]string{
	Accept: "accepted", Decline: "declined", Schedule: "scheduled", Start: "started", Complete: "completed", Cancel: "cancelled",
}
