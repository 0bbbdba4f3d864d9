package ai

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/maintainuk/maintainuk/internal/access"
	"github.com/maintainuk/maintainuk/internal/ai/aidb"
	"github.com/maintainuk/maintainuk/internal/ai/builtin"
	"github.com/maintainuk/maintainuk/internal/ai/schema"
	"github.com/maintainuk/maintainuk/internal/apperr"
	"github.com/maintainuk/maintainuk/internal/database"
	"github.com/maintainuk/maintainuk/internal/plans"
	"github.com/maintainuk/maintainuk/internal/ratelimit"
	"github.com/maintainuk/maintainuk/internal/tickets"
	"github.com/maintainuk/maintainuk/internal/validate"
)

// TriageInput is what a resident has typed into the public form so far.
type TriageInput struct {
	Title       string `json:"title" minLength:"1" maxLength:"200" doc:"What is wrong, in a few words."`
	Description string `json:"description,omitempty" maxLength:"2000"`
}

// Check applies the rules on the input alone.
func (in TriageInput) Check() error {
	var f apperr.Fields
	if _, err := validate.Text(in.Title, 1, 200); err != nil {
		f.Add("title", err.Error())
	}
	if _, err := validate.LongText(in.Description, 0, 2000); err != nil {
		f.Add("description", err.Error())
	}
	return f.Err()
}

// TriageResult is the advice the public form shows before the resident submits.
type TriageResult struct {
	TriageID    uuid.UUID       `json:"triageId" doc:"Send it back with the resident's answer (POST …/triage/{triageId}/outcome)."`
	Category    string          `json:"category" enum:"PLUMBING,ELECTRICAL,HVAC,APPLIANCE,STRUCTURAL,PEST_CONTROL,OTHER"`
	Priority    string          `json:"priority" enum:"ROUTINE,URGENT,EMERGENCY"`
	Emergency   bool            `json:"emergency"`
	Hazards     []string        `json:"hazards"`
	WhatToDoNow []string        `json:"whatToDoNow" doc:"Safety steps for an emergency, in order; empty otherwise."`
	SelfHelp    []builtin.Guide `json:"selfHelp" doc:"Things the resident may safely try first; empty for emergencies and faults only a professional should touch."`
}

// SelfHelpRecorded confirms the resident's answer was kept.
type SelfHelpRecorded struct {
	TriageID uuid.UUID `json:"triageId"`
	Fixed    bool      `json:"fixed"`
}

// SelfHelpOutcome is the resident's answer after trying the advice.
type SelfHelpOutcome struct {
	Fixed   bool   `json:"fixed" doc:"True when the resident chose \"that fixed it\" (no report needed)."`
	GuideID string `json:"guideId,omitempty" maxLength:"60" doc:"The guide that fixed it, one of those offered."`
}

// PublicOrg is an organisation whose public self-help admitted a request (AdmitPublic):
// only AdmitPublic makes one, so a request cannot skip the admission checks.
type PublicOrg struct{ id uuid.UUID }

// AdmitPublic is checked before any of a public self-help request's body is read: the
// client within its hourly limit (429 with Retry-After), then the organisation of the
// form's slug (404 when none).
func (s *Service) AdmitPublic(ctx context.Context, slug, clientIP string) (PublicOrg, error) {
	if ok, retry := s.triageByIP.Allow(ratelimit.ClientKey(clientIP)); !ok {
		return PublicOrg{}, &apperr.Error{Code: apperr.RateLimited, Message: "too many requests from your connection; try again later or phone us", RetryAfter: retry}
	}
	slug = strings.ToLower(strings.TrimSpace(slug))
	if !tickets.SlugShape(slug) {
		return PublicOrg{}, apperr.NotFoundf("organisation")
	}
	var id uuid.UUID
	err := s.db.InTx(ctx, database.Scope{OrgSlug: slug}, func(tx pgx.Tx) error {
		var err error
		id, err = s.q.OrgIDBySlug(ctx, tx, slug)
		if errors.Is(err, pgx.ErrNoRows) {
			return apperr.NotFoundf("organisation")
		}
		return err
	})
	return PublicOrg{id: id}, err
}

// Triage advises a resident before they report: the likely category and priority, what to
// do now in an emergency, and self-help for common faults. It always uses the builtin
// engine: the public form is open to anyone, so its text never goes to an external
// provider and costs the organisation nothing.
func (s *Service) Triage(ctx context.Context, org PublicOrg, in TriageInput) (TriageResult, error) {
	orgID := org.id
	if err := in.Check(); err != nil {
		return TriageResult{}, err
	}
	title, _ := validate.Text(in.Title, 1, 200)
	description, _ := validate.LongText(in.Description, 0, 2000)
	c := builtin.Classify(schema.ClassifyInput{Title: title, Description: description})
	advice := builtin.Advise(c.Category, c.Priority, c.Hazards, title, description)
	out := TriageResult{TriageID: uuid.New(), Category: c.Category, Priority: c.Priority, Emergency: c.Priority == "EMERGENCY",
		Hazards: c.Hazards, WhatToDoNow: []string{}, SelfHelp: advice.SelfHelp}
	for _, st := range advice.Emergency {
		out.WhatToDoNow = append(out.WhatToDoNow, st.Text)
	}
	if out.Hazards == nil {
		out.Hazards = []string{}
	}
	if out.SelfHelp == nil {
		out.SelfHelp = []builtin.Guide{}
	}
	ids := make([]string, len(out.SelfHelp))
	for i, g := range out.SelfHelp {
		ids[i] = g.ID
	}
	err := s.db.InOrg(ctx, orgID, uuid.Nil, func(tx pgx.Tx) error {
		return s.q.InsertSelfHelp(ctx, tx, aidb.InsertSelfHelpParams{ID: out.TriageID, OrgID: orgID, Category: out.Category,
			Priority: out.Priority, Emergency: out.Emergency, GuideIds: ids, CreatedAt: s.now().UTC()})
	})
	return out, err
}

// RecordSelfHelp keeps the resident's answer to a triage: FIXED counts as an avoided
// call-out. It is taken once (409 after), and only within a day of the triage.
func (s *Service) RecordSelfHelp(ctx context.Context, org PublicOrg, triageID uuid.UUID, in SelfHelpOutcome) (SelfHelpRecorded, error) {
	orgID := org.id
	out := SelfHelpRecorded{TriageID: triageID, Fixed: in.Fixed}
	return out, s.db.InOrg(ctx, orgID, uuid.Nil, func(tx pgx.Tx) error {
		sess, err := s.q.GetSelfHelp(ctx, tx, aidb.GetSelfHelpParams{OrgID: orgID, ID: triageID})
		if errors.Is(err, pgx.ErrNoRows) {
			return apperr.NotFoundf("triage")
		}
		if err != nil {
			return err
		}
		if s.now().Sub(sess.CreatedAt) > 24*time.Hour {
			return apperr.New(apperr.Conflict, "this advice was given more than a day ago")
		}
		var guide *string
		if in.GuideID != "" {
			if !slices.Contains(sess.GuideIds, in.GuideID) {
				var f apperr.Fields
				f.Add("guideId", "must be one of the guides this triage offered")
				return f.Err()
			}
			guide = &in.GuideID
		}
		outcome := "NOT_FIXED"
		if in.Fixed {
			outcome = "FIXED"
		}
		n, err := s.q.ResolveSelfHelp(ctx, tx, aidb.ResolveSelfHelpParams{OrgID: orgID, ID: triageID, Outcome: &outcome, GuideID: guide, ResolvedAt: ptr(s.now().UTC())})
		if err != nil {
			return err
		}
		if n == 0 {
			return apperr.New(apperr.Conflict, "the answer to this advice was already recorded")
		}
		return nil
	})
}

func ptr[T any](v T) *T { return &v }

// SelfHelpStats is a month of the public form's self-help.
type SelfHelpStats struct {
	Month           string `json:"month" example:"2026-12"`
	Sessions        int64  `json:"sessions" doc:"Residents who were shown advice."`
	Emergencies     int64  `json:"emergencies" doc:"Of them, those told it was an emergency."`
	AvoidedCallOuts int64  `json:"avoidedCallOuts" doc:"Residents who chose \"that fixed it\"."`
	NotFixed        int64  `json:"notFixed"`
}

// SelfHelpStats counts the month's self-help ("2026-12"; empty: this month) (staff).
func (s *Service) SelfHelpStats(ctx context.Context, actor access.Actor, month string) (SelfHelpStats, error) {
	if err := actor.RequireStaff(); err != nil {
		return SelfHelpStats{}, err
	}
	start, err := plans.ParseMonth(month, s.now())
	if err != nil {
		return SelfHelpStats{}, err
	}
	r, err := s.q.SelfHelpStats(ctx, s.db.Reader(actor.OrgID, actor.UserID), aidb.SelfHelpStatsParams{OrgID: actor.OrgID, Since: start, Until: start.AddDate(0, 1, 0)})
	if err != nil {
		return SelfHelpStats{}, err
	}
	return SelfHelpStats{Month: start.Format("2006-01"), Sessions: r.Sessions, Emergencies: r.Emergencies, AvoidedCallOuts: r.Fixed, NotFixed: r.NotFixed}, nil
}
