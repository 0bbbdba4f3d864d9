-- name: InsertContractor :one
INSERT INTO contractors (org_id, company_name, trades, email, phone, insurance_expires_on, notes,
                         gas_safe_number, gas_safe_expires_on, niceic_number)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
RETURNING *;

-- name: GetContractor :one
SELECT * FROM contractors WHERE org_id = $1 AND id = $2;

-- name: GetContractorForUpdate :one
SELECT * FROM contractors WHERE org_id = $1 AND id = $2 FOR UPDATE;

-- name: UpdateContractor :one
UPDATE contractors
SET company_name = $3, trades = $4, email = $5, phone = $6, insurance_expires_on = $7, notes = $8, active = $9,
    gas_safe_number = $10, gas_safe_expires_on = $11, niceic_number = $12
WHERE org_id = $1 AND id = $2
RETURNING *;

-- name: ListContractors :many
SELECT * FROM contractors
WHERE org_id = @org_id
  AND (created_at, id) < (@before_created_at::timestamptz, @before_id::uuid)
  AND (sqlc.narg(trade)::text IS NULL OR sqlc.narg(trade)::text = ANY (trades))
  AND (sqlc.narg(active)::boolean IS NULL OR active = sqlc.narg(active))
ORDER BY created_at DESC, id DESC
LIMIT @row_limit;
