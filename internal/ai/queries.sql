-- name: GetSettings :one
SELECT * FROM ai_settings WHERE org_id = $1;

-- name: EnsureSettings :exec
INSERT INTO ai_settings (org_id) VALUES ($1) ON CONFLICT (org_id) DO NOTHING;

-- name: LockSettings :one
SELECT * FROM ai_settings WHERE org_id = $1 FOR UPDATE;

-- name: UpdateSettings :exec
UPDATE ai_settings SET provider = $2, model = $3, auto_apply = $4, auto_apply_confidence = $5,
    monthly_token_allowance = $6, updated_at = now()
WHERE org_id = $1;

-- name: InsertDecision :exec
INSERT INTO ai_decisions (id, org_id, ticket_id, capability, requested_provider, provider, model, prompt_version,
    input_hash, tokens_in, tokens_out, cost_micropence, latency_ms, attempts, fallback, fallback_reason, result,
    requested_by, created_at)
VALUES (@id, @org_id, @ticket_id, @capability, @requested_provider, @provider, @model, @prompt_version,
    @input_hash, @tokens_in, @tokens_out, @cost_micropence, @latency_ms, @attempts, @fallback, @fallback_reason, @result,
    @requested_by, @created_at);

-- name: LatestDecision :one
SELECT * FROM ai_decisions
WHERE org_id = @org_id AND ticket_id = @ticket_id AND capability = @capability
ORDER BY created_at DESC, id DESC LIMIT 1;

-- name: LockLatestDecision :one
SELECT * FROM ai_decisions
WHERE org_id = @org_id AND ticket_id = @ticket_id AND capability = @capability
ORDER BY created_at DESC, id DESC LIMIT 1 FOR UPDATE;

-- name: SetOutcome :exec
UPDATE ai_decisions SET outcome = @outcome, outcome_by = @outcome_by, outcome_at = @outcome_at, outcome_detail = @outcome_detail
WHERE org_id = @org_id AND id = @id;

-- name: ListDecisions :many
-- Newest first, keyset-paged on (created_at, id).
SELECT * FROM ai_decisions
WHERE org_id = @org_id
  AND (sqlc.narg(ticket_id)::uuid IS NULL OR ticket_id = sqlc.narg(ticket_id))
  AND (sqlc.narg(capability)::text IS NULL OR capability = sqlc.narg(capability))
  AND (created_at, id) < (@before_at::timestamptz, @before_id::uuid)
ORDER BY created_at DESC, id DESC
LIMIT @lim;

-- name: MonthUsage :many
-- Calls, tokens and cost per capability and the provider asked (whose tokens they are,
-- fallbacks included) in [@since, @until).
SELECT capability, requested_provider AS provider, count(*)::bigint AS calls, count(*) FILTER (WHERE fallback)::bigint AS fallbacks,
    coalesce(sum(tokens_in), 0)::bigint AS tokens_in, coalesce(sum(tokens_out), 0)::bigint AS tokens_out,
    coalesce(sum(cost_micropence), 0)::bigint AS cost_micropence
FROM ai_decisions
WHERE org_id = @org_id AND created_at >= @since AND created_at < @until
GROUP BY capability, requested_provider
ORDER BY capability, requested_provider;

-- name: MeterQuantity :one
SELECT coalesce((SELECT quantity FROM usage_meters WHERE org_id = @org_id AND metric = @metric AND period_start = @period_start), 0)::bigint;

-- name: AddToMeter :exec
INSERT INTO usage_meters (org_id, metric, period_start, quantity, updated_at)
VALUES (@org_id, @metric, @period_start, @quantity, now())
ON CONFLICT (org_id, metric, period_start) DO UPDATE SET quantity = usage_meters.quantity + EXCLUDED.quantity, updated_at = now();

-- name: LatestPrompt :one
SELECT * FROM ai_prompt_templates WHERE org_id = @org_id AND capability = @capability ORDER BY version DESC LIMIT 1;

-- name: PromptHistory :many
SELECT * FROM ai_prompt_templates WHERE org_id = @org_id AND capability = @capability ORDER BY version DESC LIMIT 50;

-- name: InsertPrompt :one
INSERT INTO ai_prompt_templates (org_id, capability, version, text, created_by)
VALUES (@org_id, @capability,
    coalesce((SELECT max(version) FROM ai_prompt_templates WHERE org_id = @org_id AND capability = @capability), 0) + 1,
    sqlc.narg(text), @created_by)
RETURNING *;

-- name: InsertSelfHelp :exec
INSERT INTO self_help_sessions (id, org_id, category, priority, emergency, guide_ids, created_at)
VALUES (@id, @org_id, @category, @priority, @emergency, @guide_ids, @created_at);

-- name: ResolveSelfHelp :execrows
-- The resident's answer is taken once.
UPDATE self_help_sessions SET outcome = @outcome, guide_id = sqlc.narg(guide_id), resolved_at = @resolved_at
WHERE org_id = @org_id AND id = @id AND outcome IS NULL;

-- name: GetSelfHelp :one
SELECT * FROM self_help_sessions WHERE org_id = @org_id AND id = @id;

-- name: SelfHelpStats :one
SELECT count(*)::bigint AS sessions,
    count(*) FILTER (WHERE emergency)::bigint AS emergencies,
    count(*) FILTER (WHERE outcome = 'FIXED')::bigint AS fixed,
    count(*) FILTER (WHERE outcome = 'NOT_FIXED')::bigint AS not_fixed
FROM self_help_sessions WHERE org_id = @org_id AND created_at >= @since AND created_at < @until;

-- name: GetTicketFacts :one
-- What the assistant reads of a ticket: its text, state, the reporter's name (redacted
-- before it leaves), the property's postcode (for the price region) and the
-- organisation's name (for signatures).
SELECT t.id, t.number, t.title, t.description, t.category, t.priority, t.status, t.source,
    t.reported_by_name, t.reported_address, t.sla_due_at, t.created_at,
    coalesce(p.postcode, '')::text AS postcode, o.name AS org_name
FROM tickets t
JOIN organisations o ON o.id = t.org_id
LEFT JOIN properties p ON p.org_id = t.org_id AND p.id = t.property_id
WHERE t.org_id = @org_id AND t.id = @id;

-- name: GetOrgName :one
SELECT name FROM organisations WHERE id = $1;

-- name: OrgIDBySlug :one
-- Runs in the scope app.org_slug, which admits only that organisation's row.
SELECT id FROM organisations WHERE slug = $1;

-- name: TicketTouched :one
-- Whether anyone has changed the ticket since it was reported: its trail holds more than
-- its creation.
SELECT EXISTS (
    SELECT 1 FROM timeline_events
    WHERE org_id = @org_id AND ticket_id = @ticket_id AND entity_type = 'ticket' AND entity_id = @ticket_id AND action <> 'created'
)::boolean;
