package ai

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/maintainuk/maintainuk/internal/access"
	"github.com/maintainuk/maintainuk/internal/ai/aidb"
	"github.com/maintainuk/maintainuk/internal/ai/llm"
	"github.com/maintainuk/maintainuk/internal/ai/prompts"
	"github.com/maintainuk/maintainuk/internal/apperr"
	"github.com/maintainuk/maintainuk/internal/database"
)

// template is the prompt in force for the organisation: its newest override, else the
// built-in one. An override's version reads "org-N".
func (s *Service) template(ctx context.Context, q database.Querier, orgID uuid.UUID, c llm.Capability) (prompts.Template, error) {
	row, err := s.q.LatestPrompt(ctx, q, aidb.LatestPromptParams{OrgID: orgID, Capability: string(c)})
	switch {
	case errors.Is(err, pgx.ErrNoRows):
	case err != nil:
		return prompts.Template{}, fmt.Errorf("ai: prompt: %w", err)
	case row.Text != nil:
		return prompts.Template{Capability: c, Version: "org-" + strconv.Itoa(int(row.Version)), Text: *row.Text}, nil
	}
	return prompts.Default(c), nil
}

// Prompt is a capability's prompt template in force, with the organisation's history.
type Prompt struct {
	Capability string          `json:"capability" enum:"classify,draft,summarise,estimate"`
	Version    string          `json:"version" doc:"The built-in template's version (v1, …) or the organisation's (org-N)."`
	Text       string          `json:"text" doc:"The instructions. MaintainUK always adds its own safety rules and the answer's format after them."`
	Custom     bool            `json:"custom" doc:"True when the organisation's own template is in force."`
	Default    string          `json:"default" doc:"The built-in template, for comparison."`
	History    []PromptVersion `json:"history" doc:"The organisation's saved versions, newest first (at most 50)."`
}

// PromptVersion is one saved override; a null text went back to the built-in template.
type PromptVersion struct {
	Version   int        `json:"version"`
	Text      *string    `json:"text"`
	CreatedBy *uuid.UUID `json:"createdBy"`
	CreatedAt time.Time  `json:"createdAt"`
}

// PromptInput saves an override; a null text returns to the built-in template.
type PromptInput struct {
	Text *string `json:"text" maxLength:"20000" doc:"The new instructions; null goes back to the built-in template. Only {{.OrgName}}, {{.Tone}} and {{.Recipient}} may be used."`
}

func capabilityOf(name string) (llm.Capability, error) {
	for _, c := range llm.Capabilities {
		if string(c) == name {
			return c, nil
		}
	}
	var f apperr.Fields
	f.Add("capability", "must be one of classify, draft, summarise, estimate")
	return "", f.Err()
}

// GetPrompt returns a capability's template and history (ADMIN).
func (s *Service) GetPrompt(ctx context.Context, actor access.Actor, capability string) (Prompt, error) {
	if err := actor.Require(access.Admin); err != nil {
		return Prompt{}, err
	}
	c, err := capabilityOf(capability)
	if err != nil {
		return Prompt{}, err
	}
	return s.prompt(ctx, s.db.Reader(actor.OrgID, actor.UserID), actor.OrgID, c)
}

func (s *Service) prompt(ctx context.Context, q database.Querier, orgID uuid.UUID, c llm.Capability) (Prompt, error) {
	t, err := s.template(ctx, q, orgID, c)
	if err != nil {
		return Prompt{}, err
	}
	rows, err := s.q.PromptHistory(ctx, q, aidb.PromptHistoryParams{OrgID: orgID, Capability: string(c)})
	if err != nil {
		return Prompt{}, err
	}
	out := Prompt{Capability: string(c), Version: t.Version, Text: t.Text, Default: prompts.Default(c).Text,
		Custom: t.Version != prompts.Default(c).Version, History: make([]PromptVersion, len(rows))}
	for i, r := range rows {
		out.History[i] = PromptVersion{Version: int(r.Version), Text: r.Text, CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt}
	}
	return out, nil
}

// SavePrompt checks and saves an override (ADMIN): it must render with the allowed
// fields only; MaintainUK's safety rules and the answer's format are added after it
// whatever it says.
func (s *Service) SavePrompt(ctx context.Context, actor access.Actor, capability string, in PromptInput) (Prompt, error) {
	if err := actor.Require(access.Admin); err != nil {
		return Prompt{}, err
	}
	c, err := capabilityOf(capability)
	if err != nil {
		return Prompt{}, err
	}
	if in.Text != nil {
		if err := prompts.Validate(c, *in.Text); err != nil {
			var f apperr.Fields
			f.Add("text", err.Error())
			return Prompt{}, f.Err()
		}
	}
	var out Prompt
	err = s.db.InOrg(ctx, actor.OrgID, actor.UserID, func(tx pgx.Tx) error {
		if _, err := s.q.InsertPrompt(ctx, tx, aidb.InsertPromptParams{OrgID: actor.OrgID, Capability: string(c), Text: in.Text, CreatedBy: &actor.UserID}); err != nil {
			if database.IsUniqueViolation(err, "") { // two saves took the same version number
				return apperr.New(apperr.Conflict, "another version of this template was saved at the same moment; reload it and try again")
			}
			return err
		}
		out, err = s.prompt(ctx, tx, actor.OrgID, c)
		return err
	})
	return out, err
}
