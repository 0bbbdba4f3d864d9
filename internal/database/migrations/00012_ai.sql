-- +goose Up
-- AI work assist: each organisation's AI settings, the audit of every AI call
-- (ai_decisions), prompt template overrides with their history, and the residents'
-- self-help sessions from the public form. See docs/ai.md.

-- One row per organisation that changed a default; no row means the deployment's
-- defaults (AI_* settings).
CREATE TABLE ai_settings (
    org_id                  uuid PRIMARY KEY REFERENCES organisations (id) ON DELETE CASCADE,
    -- '' follows the deployment's AI_PROVIDER.
    provider                text NOT NULL DEFAULT '' CHECK (provider IN ('', 'builtin', 'openai', 'anthropic', 'ollama')),
    model                   text NOT NULL DEFAULT '' CHECK (length(model) <= 100),
    auto_apply              boolean NOT NULL DEFAULT false,
    auto_apply_confidence   double precision NOT NULL DEFAULT 0.85 CHECK (auto_apply_confidence BETWEEN 0 AND 1),
    -- NULL follows the deployment's AI_MONTHLY_TOKEN_ALLOWANCE.
    monthly_token_allowance bigint CHECK (monthly_token_allowance >= 0),
    updated_at              timestamptz NOT NULL DEFAULT now()
);

-- Every AI call, whoever made it and whatever answered, and what a person later did
-- with it. The input is kept only as a hash; the result is the validated answer.
CREATE TABLE ai_decisions (
    id                 uuid PRIMARY KEY,
    org_id             uuid NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    ticket_id          uuid,
    capability         text NOT NULL CHECK (capability IN ('classify', 'draft', 'summarise', 'estimate')),
    -- requested_provider is the one configured; provider is the one whose answer was
    -- used (builtin after a fallback).
    requested_provider text NOT NULL,
    provider           text NOT NULL,
    model              text NOT NULL,
    prompt_version     text NOT NULL,
    input_hash         text NOT NULL,
    tokens_in          integer NOT NULL DEFAULT 0 CHECK (tokens_in >= 0),
    tokens_out         integer NOT NULL DEFAULT 0 CHECK (tokens_out >= 0),
    -- Millionths of a penny: one call costs a fraction of a penny.
    cost_micropence    bigint NOT NULL DEFAULT 0 CHECK (cost_micropence >= 0),
    latency_ms         integer NOT NULL DEFAULT 0,
    attempts           integer NOT NULL DEFAULT 1,
    fallback           boolean NOT NULL DEFAULT false,
    fallback_reason    text NOT NULL DEFAULT '',
    result             jsonb NOT NULL,
    requested_by       uuid REFERENCES users (id) ON DELETE SET NULL,
    -- What a person (or the auto-apply rule) did with a classification.
    outcome            text CHECK (outcome IN ('AUTO_APPLIED', 'ACCEPTED', 'OVERRIDDEN')),
    outcome_by         uuid REFERENCES users (id) ON DELETE SET NULL,
    outcome_at         timestamptz,
    outcome_detail     jsonb,
    created_at         timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (org_id, ticket_id) REFERENCES tickets (org_id, id) ON DELETE CASCADE
);
CREATE INDEX ai_decisions_ticket_idx ON ai_decisions (org_id, ticket_id, capability, created_at DESC) WHERE ticket_id IS NOT NULL;
CREATE INDEX ai_decisions_org_idx ON ai_decisions (org_id, created_at DESC);

-- Prompt template overrides, one row per saved version; the newest is in force, and a
-- row with a NULL text returns the capability to the built-in template.
CREATE TABLE ai_prompt_templates (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id     uuid NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    capability text NOT NULL CHECK (capability IN ('classify', 'draft', 'summarise', 'estimate')),
    version    integer NOT NULL CHECK (version > 0),
    text       text CHECK (length(text) <= 20000),
    created_by uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (org_id, capability, version)
);

-- A resident's use of the public form's self-help before (or instead of) reporting:
-- what was suggested, and whether they said it fixed the problem (an avoided call-out).
CREATE TABLE self_help_sessions (
    id          uuid PRIMARY KEY,
    org_id      uuid NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    category    text NOT NULL,
    priority    text NOT NULL,
    emergency   boolean NOT NULL,
    guide_ids   text[] NOT NULL DEFAULT '{}',
    outcome     text CHECK (outcome IN ('FIXED', 'NOT_FIXED')),
    guide_id    text,
    created_at  timestamptz NOT NULL DEFAULT now(),
    resolved_at timestamptz
);
CREATE INDEX self_help_sessions_org_idx ON self_help_sessions (org_id, created_at);

SELECT enable_tenant_rls('ai_settings');
SELECT enable_tenant_rls('ai_decisions');
SELECT enable_tenant_rls('ai_prompt_templates');
SELECT enable_tenant_rls('self_help_sessions');

-- An audit row is written once; only its outcome may be set later, and only a
-- self-help session's answer.
GRANT SELECT, INSERT, UPDATE ON ai_settings TO maintainuk_app;
GRANT SELECT, INSERT ON ai_decisions, ai_prompt_templates, self_help_sessions TO maintainuk_app;
GRANT UPDATE (outcome, outcome_by, outcome_at, outcome_detail) ON ai_decisions TO maintainuk_app;
GRANT UPDATE (outcome, guide_id, resolved_at) ON self_help_sessions TO maintainuk_app;

-- +goose Down
DROP TABLE self_help_sessions, ai_prompt_templates, ai_decisions, ai_settings;
