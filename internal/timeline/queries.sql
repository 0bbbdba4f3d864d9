-- name: InsertEvent :exec
INSERT INTO timeline_events (org_id, entity_type, entity_id, action, actor_id, actor_role, before, after, ticket_id)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9);

-- name: ListEvents :many
SELECT * FROM timeline_events
WHERE org_id = @org_id AND entity_type = @entity_type AND entity_id = @entity_id AND seq > @after_seq
ORDER BY seq
LIMIT @row_limit;

-- name: ListEventsNewestFirst :many
SELECT * FROM timeline_events
WHERE org_id = @org_id AND entity_type = @entity_type AND entity_id = @entity_id AND seq < @before_seq
ORDER BY seq DESC
LIMIT @row_limit;

-- name: ListTicketEvents :many
-- Everything that happened to a ticket and its work orders, quotes, invoices and files.
SELECT * FROM timeline_events
WHERE org_id = @org_id AND ticket_id = @ticket_id AND seq > @after_seq
ORDER BY seq
LIMIT @row_limit;

-- name: ListTicketEventsNewestFirst :many
SELECT * FROM timeline_events
WHERE org_id = @org_id AND ticket_id = @ticket_id AND seq < @before_seq
ORDER BY seq DESC
LIMIT @row_limit;

-- name: EntityKnown :one
-- Whether an entity is the organisation's: it exists in the organisation, or (once
-- deleted) left a trail there. Another organisation's entity and a made-up id are not.
SELECT (CASE @entity_type::text
    WHEN 'organisation' THEN @entity_id::uuid = @org_id::uuid
    WHEN 'member' THEN EXISTS (SELECT 1 FROM memberships WHERE org_id = @org_id AND id = @entity_id)
    WHEN 'invitation' THEN EXISTS (SELECT 1 FROM invitations WHERE org_id = @org_id AND id = @entity_id)
    WHEN 'property' THEN EXISTS (SELECT 1 FROM properties WHERE org_id = @org_id AND id = @entity_id)
    WHEN 'unit' THEN EXISTS (SELECT 1 FROM units WHERE org_id = @org_id AND id = @entity_id)
    WHEN 'contractor' THEN EXISTS (SELECT 1 FROM contractors WHERE org_id = @org_id AND id = @entity_id)
    WHEN 'work_order' THEN EXISTS (SELECT 1 FROM work_orders WHERE org_id = @org_id AND id = @entity_id)
    WHEN 'quote' THEN EXISTS (SELECT 1 FROM quotes WHERE org_id = @org_id AND id = @entity_id)
    WHEN 'invoice' THEN EXISTS (SELECT 1 FROM invoices WHERE org_id = @org_id AND id = @entity_id)
    WHEN 'webhook_endpoint' THEN EXISTS (SELECT 1 FROM webhook_endpoints WHERE org_id = @org_id AND id = @entity_id)
    ELSE false
END OR EXISTS (SELECT 1 FROM timeline_events
               WHERE org_id = @org_id AND entity_type = @entity_type AND entity_id = @entity_id))::boolean AS known;

-- name: ListRecentEvents :many
-- The organisation's latest events, whatever they are about (the staff dashboard).
SELECT * FROM timeline_events
WHERE org_id = @org_id
ORDER BY seq DESC
LIMIT @lim;
