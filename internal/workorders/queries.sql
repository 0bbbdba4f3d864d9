-- name: InsertWorkOrder :one
INSERT INTO work_orders (org_id, ticket_id, contractor_id, description, status, created_by)
VALUES ($1, $2, $3, $4, 'ASSIGNED', $5)
RETURNING *;

-- name: GetWorkOrder :one
SELECT * FROM work_orders WHERE org_id = $1 AND id = $2;

-- name: GetWorkOrderForUpdate :one
SELECT * FROM work_orders WHERE org_id = $1 AND id = $2 FOR UPDATE;

-- name: SetWorkOrderState :one
UPDATE work_orders
SET status = @status, scheduled_for = @scheduled_for, completion_notes = @completion_notes,
    status_reason = @status_reason, completed_at = @completed_at
WHERE org_id = @org_id AND id = @id
RETURNING *;

-- name: ListWorkOrders :many
SELECT * FROM work_orders
WHERE org_id = @org_id
  AND (sqlc.narg(status)::text IS NULL OR status = sqlc.narg(status))
  AND (sqlc.narg(ticket_id)::uuid IS NULL OR ticket_id = sqlc.narg(ticket_id))
  AND (sqlc.narg(contractor_id)::uuid IS NULL OR contractor_id = sqlc.narg(contractor_id))
  AND (created_at, id) < (@before_created_at::timestamptz, @before_id::uuid)
ORDER BY created_at DESC, id DESC
LIMIT @row_limit;

-- name: GetContractorDispatch :one
-- What Raise checks before sending a company: active, insured, Gas Safe registered.
SELECT active, insurance_expires_on, gas_safe_number, gas_safe_expires_on
FROM contractors WHERE org_id = $1 AND id = $2;
