-- name: InsertEndpoint :one
INSERT INTO webhook_endpoints (org_id, url, description, event_types, secret, include_personal_data)
VALUES (@org_id, @url, @description, @event_types, @secret, @include_personal_data)
RETURNING *;

-- name: GetEndpoint :one
SELECT * FROM webhook_endpoints WHERE org_id = @org_id AND id = @id;

-- name: LockOrgEndpoints :exec
-- Serialises endpoint creation per organisation until the transaction ends, so two
-- concurrent creates cannot both pass the cap.
SELECT pg_advisory_xact_lock(7001, hashtext(sqlc.arg(org_id)::text));

-- name: CountEndpoints :one
SELECT count(*) FROM webhook_endpoints WHERE org_id = @org_id;

-- name: GetEndpointForUpdate :one
SELECT * FROM webhook_endpoints WHERE org_id = @org_id AND id = @id FOR UPDATE;

-- name: ListEndpoints :many
SELECT * FROM webhook_endpoints
WHERE org_id = @org_id
  AND (created_at, id) < (@before_created_at::timestamptz, @before_id::uuid)
ORDER BY created_at DESC, id DESC
LIMIT @row_limit;

-- name: UpdateEndpoint :one
UPDATE webhook_endpoints
SET url = @url, description = @description, event_types = @event_types, enabled = @enabled,
    include_personal_data = @include_personal_data,
    disabled_reason = @disabled_reason, consecutive_failures = @consecutive_failures, failing_since = @failing_since
WHERE org_id = @org_id AND id = @id
RETURNING *;

-- name: DeleteEndpoint :execrows
DELETE FROM webhook_endpoints WHERE org_id = @org_id AND id = @id;

-- name: SubscribedEndpoints :many
-- The enabled endpoints that take an event: subscribed to its name or to everything.
SELECT id, include_personal_data FROM webhook_endpoints
WHERE org_id = @org_id AND enabled AND event_types && ARRAY[@event_type::text, '*']
ORDER BY created_at, id;

-- name: InsertDelivery :one
-- A delivery already queued for this endpoint and message (a retried fan-out) inserts
-- nothing and returns no row.
INSERT INTO webhook_deliveries (org_id, endpoint_id, message_id, event_type, payload, status)
VALUES (@org_id, @endpoint_id, @message_id, @event_type, @payload, 'PENDING')
ON CONFLICT (org_id, endpoint_id, message_id) DO NOTHING
RETURNING *;

-- name: GetDelivery :one
SELECT * FROM webhook_deliveries WHERE org_id = @org_id AND id = @id;

-- name: GetDeliveryTarget :one
-- A delivery with what sending it needs from its endpoint.
SELECT d.id, d.endpoint_id, d.message_id, d.event_type, d.payload, d.status, d.attempts,
       e.url, e.secret, e.enabled
FROM webhook_deliveries d
JOIN webhook_endpoints e ON e.org_id = d.org_id AND e.id = d.endpoint_id
WHERE d.org_id = @org_id AND d.id = @id;

-- name: RecordAttempt :one
UPDATE webhook_deliveries
SET status = @status, attempts = attempts + 1, response_status = @response_status,
    response_body = @response_body, error = @error, delivered_at = @delivered_at
WHERE org_id = @org_id AND id = @id AND status = 'PENDING'
RETURNING *;

-- name: AbandonDelivery :execrows
UPDATE webhook_deliveries
SET status = 'FAILED', error = @error
WHERE org_id = @org_id AND id = @id AND status = 'PENDING';

-- name: ListDeliveries :many
SELECT * FROM webhook_deliveries
WHERE org_id = @org_id AND endpoint_id = @endpoint_id
  AND (created_at, id) < (@before_created_at::timestamptz, @before_id::uuid)
  AND (sqlc.narg(status)::text IS NULL OR status = sqlc.narg(status)::text)
ORDER BY created_at DESC, id DESC
LIMIT @row_limit;

-- name: ResetEndpointFailures :exec
UPDATE webhook_endpoints
SET consecutive_failures = 0, failing_since = NULL
WHERE org_id = @org_id AND id = @id AND (consecutive_failures <> 0 OR failing_since IS NOT NULL);

-- name: SetEndpointHealth :exec
UPDATE webhook_endpoints
SET consecutive_failures = @consecutive_failures, failing_since = @failing_since,
    enabled = @enabled, disabled_reason = @disabled_reason
WHERE org_id = @org_id AND id = @id;
