-- name: OrgName :one
SELECT name FROM organisations WHERE id = $1;

-- name: ClaimMessage :one
-- The first attempt writes the message; a retried job finds it by its dedupe key.
INSERT INTO messages (org_id, channel, event, dedupe_key, recipient, subject, body_text, body_html, status, provider)
VALUES ($1, 'EMAIL', $2, $3, $4, $5, $6, $7, 'PENDING', $8)
ON CONFLICT (org_id, dedupe_key) DO NOTHING
RETURNING *;

-- name: GetMessageByKey :one
SELECT * FROM messages WHERE org_id = $1 AND dedupe_key = $2;

-- name: MarkSent :exec
UPDATE messages SET status = 'SENT', provider = $3, provider_message_id = $4, sent_at = now(), attempts = attempts + 1
WHERE org_id = $1 AND id = $2;

-- name: MarkFailed :exec
UPDATE messages SET status = 'FAILED', provider = $3, failure_reason = $4, attempts = attempts + 1
WHERE org_id = $1 AND id = $2;

-- name: RecordAttempt :exec
UPDATE messages SET attempts = attempts + 1, failure_reason = $3 WHERE org_id = $1 AND id = $2;

-- name: RecentMessages :many
SELECT * FROM messages WHERE org_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2;
