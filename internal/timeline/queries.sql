-- name: InsertEvent :exec
INSERT INTO timeline_events (org_id, entity_type, entity_id, action, actor_id, actor_role, before, after)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8);

-- name: ListEvents :many
SELECT * FROM timeline_events
WHERE org_id = @org_id AND entity_type = @entity_type AND entity_id = @entity_id AND seq > @after_seq
ORDER BY seq
LIMIT @row_limit;
