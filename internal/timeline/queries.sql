-- name: InsertEvent :exec
INSERT INTO timeline_events (org_id, entity_type, entity_id, action, actor_id, actor_role, before, after, ticket_id)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9);

-- name: ListEvents :many
SELECT * FROM timeline_events
WHERE org_id = @org_id AND entity_type = @entity_type AND entity_id = @entity_id AND seq > @after_seq
ORDER BY seq
LIMIT @row_limit;

-- name: ListTicketEvents :many
-- Everything that happened to a ticket and its work orders, quotes, invoices and files.
SELECT * FROM timeline_events
WHERE org_id = @org_id AND ticket_id = @ticket_id AND seq > @after_seq
ORDER BY seq
LIMIT @row_limit;
