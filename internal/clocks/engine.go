package clocks

import (
	"context"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/maintainuk/maintainuk/internal/access"
	"github.com/maintainuk/maintainuk/internal/clocks/clocksdb"
	"github.com/maintainuk/maintainuk/internal/database"
	"github.com/maintainuk/maintainuk/internal/timeline"
	"github.com/maintainuk/maintainuk/internal/ukcalendar"
)

// Context is what the clocks of a ticket depend on: the organisation's kind of landlord
// and bank-holiday calendar.
type Context struct {
	Landlord Landlord
	Calendar *ukcalendar.Calendar
}

func (c Context) has(r Regime) bool { return slices.Contains(c.Landlord.Regimes(), r) }

// Clock is a rule's clock on a ticket.
type Clock struct {
	Rule        string     `json:"rule" example:"AWAAB_INVESTIGATE"`
	Regime      string     `json:"regime" enum:"SLA,AWAAB,RIGHT_TO_REPAIR"`
	Name        string     `json:"name"`
	Source      string     `json:"source" doc:"The law (or setting) the limit comes from."`
	StartedAt   time.Time  `json:"startedAt"`
	DueAt       time.Time  `json:"dueAt" doc:"When it runs out; time spent paused is added."`
	PausedAt    *time.Time `json:"pausedAt" doc:"Paused since (waiting on access); null while running or stopped."`
	PauseReason string     `json:"pauseReason"`
	StoppedAt   *time.Time `json:"stoppedAt"`
	StoppedBy   string     `json:"stoppedBy" doc:"The event that stopped it (INVESTIGATED, MADE_SAFE, SUMMARY_SENT, SAFETY_WORK_STARTED, FURTHER_WORK_STARTED, RESOLVED)."`
	// State is RUNNING, PAUSED, MET (stopped by its due time) or BREACHED (stopped late, or
	// still running past it).
	State string `json:"state" enum:"RUNNING,PAUSED,MET,BREACHED"`
}

// Engine starts, stops and pauses clocks inside the caller's transaction, on the ticket's
// timeline.
type Engine struct{ q *clocksdb.Queries }

// NewEngine is the engine.
func NewEngine() *Engine { return &Engine{q: clocksdb.New()} }

// start starts a rule's clock unless it has started before.
func (e *Engine) start(ctx context.Context, tx pgx.Tx, actor access.Actor, ticketID uuid.UUID, r Rule, c Context, at time.Time) error {
	due := r.Due(at, c.Calendar)
	n, err := e.q.StartClock(ctx, tx, clocksdb.StartClockParams{OrgID: actor.OrgID, TicketID: ticketID, RuleCode: r.Code, StartedAt: at, DueAt: due})
	if err != nil || n == 0 {
		return err
	}
	return timeline.Record(ctx, tx, actor, timeline.Change{EntityType: timeline.EntityTicket, EntityID: ticketID, TicketID: &ticketID,
		Action: "clock_started", After: map[string]any{"rule": r.Code, "name": r.Name, "dueAt": due, "source": r.Source}})
}

// Reported starts the clocks a report (or what it became) sets off: Awaab's emergency
// clock for an EMERGENCY, its investigation clock for damp and mould, for landlords
// bound by Awaab's Law. Clocks already started stay as they are.
func (e *Engine) Reported(ctx context.Context, tx pgx.Tx, actor access.Actor, ticketID uuid.UUID, c Context, priority string, hazards []string, at time.Time) error {
	if !c.has(Awaab) {
		return nil
	}
	if priority == "EMERGENCY" {
		if err := e.start(ctx, tx, actor, ticketID, AwaabEmergency, c, at); err != nil {
			return err
		}
	}
	if slices.Contains(hazards, "DAMP_MOULD") {
		return e.start(ctx, tx, actor, ticketID, AwaabInvestigate, c, at)
	}
	return nil
}

// RightToRepair starts the Right to Repair clock of a defect (councils only; others
// refuse in the service before this).
func (e *Engine) RightToRepair(ctx context.Context, tx pgx.Tx, actor access.Actor, ticketID uuid.UUID, c Context, d Defect, at time.Time) error {
	return e.start(ctx, tx, actor, ticketID, d.Rule(), c, at)
}

// Milestone records an event of the ticket: the running clocks it meets stop, and the
// clocks it starts (Awaab's Law's chain: an investigation starts the summary and the
// safety work, the safety work the further work) start, when the ticket runs against
// that regime. Resolution stops every running clock.
func (e *Engine) Milestone(ctx context.Context, tx pgx.Tx, actor access.Actor, ticketID uuid.UUID, c Context, m Trigger, at time.Time) error {
	running, err := e.q.ListClocks(ctx, tx, clocksdb.ListClocksParams{OrgID: actor.OrgID, TicketID: ticketID})
	if err != nil {
		return err
	}
	awaab := false
	for _, cl := range running {
		r, ok := ByCode(cl.RuleCode)
		if ok && r.Regime == Awaab {
			awaab = true
		}
		if cl.StoppedAt != nil || !ok || (r.StopsOn != m && m != Resolved) {
			continue
		}
		if _, err := e.q.StopClock(ctx, tx, clocksdb.StopClockParams{StoppedAt: at, StoppedBy: string(m), OrgID: actor.OrgID, TicketID: ticketID, RuleCode: cl.RuleCode}); err != nil {
			return err
		}
		if err := timeline.Record(ctx, tx, actor, timeline.Change{EntityType: timeline.EntityTicket, EntityID: ticketID, TicketID: &ticketID,
			Action: "clock_stopped", After: map[string]any{"rule": cl.RuleCode, "by": m, "met": !at.After(cl.DueAt)}}); err != nil {
			return err
		}
	}
	if !awaab || !c.has(Awaab) {
		return nil
	}
	for _, r := range AwaabRules {
		if r.StartsOn == m && m != Reported {
			if err := e.start(ctx, tx, actor, ticketID, r, c, at); err != nil {
				return err
			}
		}
	}
	return nil
}

// Pause pauses a ticket's running clocks (waiting on access), with the reason, on the
// timeline; it answers how many it paused.
func (e *Engine) Pause(ctx context.Context, tx pgx.Tx, actor access.Actor, ticketID uuid.UUID, reason string, at time.Time) (int64, error) {
	n, err := e.q.PauseClocks(ctx, tx, clocksdb.PauseClocksParams{PausedAt: &at, Reason: reason, OrgID: actor.OrgID, TicketID: ticketID})
	if err != nil || n == 0 {
		return n, err
	}
	return n, timeline.Record(ctx, tx, actor, timeline.Change{EntityType: timeline.EntityTicket, EntityID: ticketID, TicketID: &ticketID,
		Action: "clocks_paused", After: map[string]any{"reason": reason, "clocks": n}})
}

// Resume restarts a ticket's paused clocks, adding the time they waited to their due
// times; it answers how many it resumed.
func (e *Engine) Resume(ctx context.Context, tx pgx.Tx, actor access.Actor, ticketID uuid.UUID, at time.Time) (int64, error) {
	n, err := e.q.ResumeClocks(ctx, tx, clocksdb.ResumeClocksParams{ResumedAt: at, OrgID: actor.OrgID, TicketID: ticketID})
	if err != nil || n == 0 {
		return n, err
	}
	return n, timeline.Record(ctx, tx, actor, timeline.Change{EntityType: timeline.EntityTicket, EntityID: ticketID, TicketID: &ticketID,
		Action: "clocks_resumed", After: map[string]any{"clocks": n}})
}

// List reads a ticket's clocks as they stand at now, oldest first.
func (e *Engine) List(ctx context.Context, q database.Querier, orgID, ticketID uuid.UUID, now time.Time) ([]Clock, error) {
	rows, err := e.q.ListClocks(ctx, q, clocksdb.ListClocksParams{OrgID: orgID, TicketID: ticketID})
	if err != nil {
		return nil, err
	}
	out := make([]Clock, 0, len(rows))
	for _, row := range rows {
		r, _ := ByCode(row.RuleCode)
		cl := Clock{Rule: row.RuleCode, Regime: string(r.Regime), Name: r.Name, Source: r.Source, StartedAt: row.StartedAt, DueAt: row.DueAt,
			PausedAt: row.PausedAt, PauseReason: row.PauseReason, StoppedAt: row.StoppedAt, StoppedBy: row.StoppedBy}
		switch {
		case row.StoppedAt != nil && !row.StoppedAt.After(row.DueAt):
			cl.State = "MET"
		case row.StoppedAt != nil:
			cl.State = "BREACHED"
		case row.PausedAt != nil:
			cl.State = "PAUSED"
		case now.After(row.DueAt):
			cl.State = "BREACHED"
		default:
			cl.State = "RUNNING"
		}
		out = append(out, cl)
	}
	return out, nil
}
