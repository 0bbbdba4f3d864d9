-- name: InsertAttachment :one
INSERT INTO attachments (org_id, ticket_id, sha256, size_bytes, content_type, filename, uploaded_by, contractor_id, shared_with_contractor_id)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
RETURNING *;

-- name: LockBlob :exec
-- Serialises recording the same content in one organisation until the transaction ends,
-- so two first uploads of a file at once cannot both add its bytes to the storage meter.
SELECT pg_advisory_xact_lock(hashtextextended(CAST(@org_id::uuid AS text) || '/' || @sha256::text, 0));

-- name: BlobStored :one
SELECT EXISTS (SELECT 1 FROM attachments WHERE org_id = $1 AND sha256 = $2);

-- name: GetAttachment :one
SELECT * FROM attachments WHERE org_id = $1 AND id = $2;

-- name: ListTicketAttachments :many
-- A contractor (contractor_id set) lists only its own company's files and those staff
-- shared with it.
SELECT * FROM attachments
WHERE org_id = @org_id AND ticket_id = @ticket_id
  AND (sqlc.narg(contractor_id)::uuid IS NULL
       OR contractor_id = sqlc.narg(contractor_id) OR shared_with_contractor_id = sqlc.narg(contractor_id))
ORDER BY created_at, id;

-- name: AddUsage :exec
-- Gauge metrics such as stored bytes keep one row per organisation, dated 1970-01-01.
INSERT INTO usage_meters (org_id, metric, period_start, quantity)
VALUES (@org_id, @metric, @period_start, @quantity)
ON CONFLICT (org_id, metric, period_start)
DO UPDATE SET quantity = usage_meters.quantity + EXCLUDED.quantity, updated_at = now();

-- name: GetUsage :one
SELECT quantity FROM usage_meters WHERE org_id = $1 AND metric = $2 AND period_start = $3;
