-- name: ListClocks :many
SELECT * FROM ticket_clocks WHERE org_id = @org_id AND ticket_id = @ticket_id ORDER BY started_at, rule_code;

-- name: StartClock :execrows
-- A clock of a rule starts once per ticket: a second start changes nothing.
INSERT INTO ticket_clocks (org_id, ticket_id, rule_code, started_at, due_at)
VALUES (@org_id, @ticket_id, @rule_code, @started_at, @due_at)
ON CONFLICT DO NOTHING;

-- name: StopClock :execrows
-- A clock stopped while paused counts the pause up to the stop.
UPDATE ticket_clocks SET stopped_at = sqlc.arg(stopped_at)::timestamptz, stopped_by = @stopped_by,
    due_at = CASE WHEN paused_at IS NULL THEN due_at ELSE due_at + (sqlc.arg(stopped_at)::timestamptz - paused_at) END,
    paused_at = NULL
WHERE org_id = @org_id AND ticket_id = @ticket_id AND rule_code = @rule_code AND stopped_at IS NULL;

-- name: PauseClocks :execrows
UPDATE ticket_clocks SET paused_at = @paused_at, pause_reason = @reason
WHERE org_id = @org_id AND ticket_id = @ticket_id AND stopped_at IS NULL AND paused_at IS NULL;

-- name: ResumeClocks :execrows
-- The time spent waiting is added to the due time.
UPDATE ticket_clocks SET due_at = due_at + (sqlc.arg(resumed_at)::timestamptz - paused_at), paused_at = NULL
WHERE org_id = @org_id AND ticket_id = @ticket_id AND stopped_at IS NULL AND paused_at IS NOT NULL;
