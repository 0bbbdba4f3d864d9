package tickets

import (
	"context"
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/maintainuk/maintainuk/internal/access"
	"github.com/maintainuk/maintainuk/internal/apperr"
	"github.com/maintainuk/maintainuk/internal/clocks"
	"github.com/maintainuk/maintainuk/internal/orgsettings"
)

// clockContext is what the clocks need of the organisation's settings.
func (s *Service) clockContext(st orgsettings.Settings) clocks.Context {
	return clocks.Context{Landlord: st.Landlord, Calendar: s.calendar(st.HolidayRegion)}
}

func (s *Service) loadClockContext(ctx context.Context, tx pgx.Tx, orgID uuid.UUID) (clocks.Context, error) {
	st, err := orgsettings.Load(ctx, tx, orgID)
	if err != nil {
		return clocks.Context{}, err
	}
	return s.clockContext(st), nil
}

// clocksReported starts the clocks a priority or the hazards set off now.
func (s *Service) clocksReported(ctx context.Context, tx pgx.Tx, actor access.Actor, ticketID uuid.UUID, priority string, hazards []string) error {
	c, err := s.loadClockContext(ctx, tx, actor.OrgID)
	if err != nil {
		return err
	}
	return s.clocks.Reported(ctx, tx, actor, ticketID, c, priority, hazards, s.now().UTC())
}

func (s *Service) clocksMilestone(ctx context.Context, tx pgx.Tx, actor access.Actor, ticketID uuid.UUID, m clocks.Trigger) error {
	c, err := s.loadClockContext(ctx, tx, actor.OrgID)
	if err != nil {
		return err
	}
	return s.clocks.Milestone(ctx, tx, actor, ticketID, c, m, s.now().UTC())
}

// Clocks are the legal clocks a ticket runs against, for anyone who may see it (a
// resident sees the countdown on their repair).
func (s *Service) Clocks(ctx context.Context, actor access.Actor, ticketID uuid.UUID) ([]clocks.Clock, error) {
	q := s.db.Reader(actor.OrgID, actor.UserID)
	if ok, err := s.Visible(ctx, q, actor, ticketID); err != nil || !ok {
		return nil, orNotFound(err)
	}
	return s.clocks.List(ctx, q, actor.OrgID, ticketID, s.now())
}

// Milestones staff record on a ticket's clocks.
var Milestones = []string{string(clocks.MadeSafe), string(clocks.Investigated), string(clocks.SummarySent),
	string(clocks.SafetyWorkStarted), string(clocks.FurtherWorkStarted)}

// RecordMilestone records that a step the clocks wait for happened now (staff): the
// clocks it meets stop and those it starts start.
func (s *Service) RecordMilestone(ctx context.Context, actor access.Actor, ticketID uuid.UUID, milestone string) ([]clocks.Clock, error) {
	if err := actor.RequireStaff(); err != nil {
		return nil, err
	}
	var f apperr.Fields
	f.OneOf("milestone", milestone, Milestones)
	if err := f.Err(); err != nil {
		return nil, err
	}
	return s.onClocks(ctx, actor, ticketID, func(tx pgx.Tx) error {
		return s.clocksMilestone(ctx, tx, actor, ticketID, clocks.Trigger(milestone))
	})
}

// PauseClocks pauses a ticket's running clocks while the landlord waits on access (staff);
// the reason is required and kept on the timeline.
func (s *Service) PauseClocks(ctx context.Context, actor access.Actor, ticketID uuid.UUID, reason string) ([]clocks.Clock, error) {
	if err := actor.RequireStaff(); err != nil {
		return nil, err
	}
	reason = strings.TrimSpace(reason)
	if reason == "" || utf8.RuneCountInString(reason) > 500 {
		var f apperr.Fields
		f.Add("reason", "say why the clocks wait (1 to 500 characters), e.g. the tenant refused access on 3 December")
		return nil, f.Err()
	}
	return s.onClocks(ctx, actor, ticketID, func(tx pgx.Tx) error {
		n, err := s.clocks.Pause(ctx, tx, actor, ticketID, reason, s.now().UTC())
		if err == nil && n == 0 {
			return apperr.New(apperr.Conflict, "no clock of this ticket is running")
		}
		return err
	})
}

// ResumeClocks restarts a ticket's paused clocks (staff).
func (s *Service) ResumeClocks(ctx context.Context, actor access.Actor, ticketID uuid.UUID) ([]clocks.Clock, error) {
	if err := actor.RequireStaff(); err != nil {
		return nil, err
	}
	return s.onClocks(ctx, actor, ticketID, func(tx pgx.Tx) error {
		n, err := s.clocks.Resume(ctx, tx, actor, ticketID, s.now().UTC())
		if err == nil && n == 0 {
			return apperr.New(apperr.Conflict, "no clock of this ticket is paused")
		}
		return err
	})
}

// SetRightToRepairDefect names the ticket's qualifying repair under the Right to Repair,
// starting its clock from now (staff; councils only).
func (s *Service) SetRightToRepairDefect(ctx context.Context, actor access.Actor, ticketID uuid.UUID, code string) ([]clocks.Clock, error) {
	if err := actor.RequireStaff(); err != nil {
		return nil, err
	}
	d, ok := clocks.DefectByCode(code)
	if !ok {
		var f apperr.Fields
		f.Add("defect", "must be one of the Right to Repair's qualifying repairs (Schedule to SI 1994/133)")
		return nil, f.Err()
	}
	return s.onClocks(ctx, actor, ticketID, func(tx pgx.Tx) error {
		c, err := s.loadClockContext(ctx, tx, actor.OrgID)
		if err != nil {
			return err
		}
		if c.Landlord != clocks.Council {
			return apperr.New(apperr.Conflict, "the Right to Repair applies to councils' secure tenants: set the organisation's landlord to COUNCIL first")
		}
		return s.clocks.RightToRepair(ctx, tx, actor, ticketID, c, d, s.now().UTC())
	})
}

// onClocks runs a change to a ticket's clocks (the ticket locked and open) and answers
// the clocks after it.
func (s *Service) onClocks(ctx context.Context, actor access.Actor, ticketID uuid.UUID, change func(tx pgx.Tx) error) ([]clocks.Clock, error) {
	var out []clocks.Clock
	err := s.db.InOrg(ctx, actor.OrgID, actor.UserID, func(tx pgx.Tx) error {
		t, err := s.Lock(ctx, tx, actor, ticketID)
		if err != nil {
			return err
		}
		if !t.Status.Open() {
			return apperr.New(apperr.Conflict, "%s ticket's clocks have stopped", apperr.A(string(t.Status)))
		}
		if err := change(tx); err != nil {
			return err
		}
		out, err = s.clocks.List(ctx, tx, actor.OrgID, ticketID, s.now())
		return err
	})
	return out, err
}
