-- name: InsertEvent :exec
INSERT INTO outbox_events (org_id, id, name, version, occurred_at, payload)
VALUES ($1, $2, $3, $4, $5, $6);

-- name: GetEvent :one
SELECT * FROM outbox_events WHERE org_id = $1 AND id = $2;

-- name: DeleteEventsBefore :execrows
DELETE FROM outbox_events WHERE org_id = $1 AND occurred_at < $2;
