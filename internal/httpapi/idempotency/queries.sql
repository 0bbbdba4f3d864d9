-- name: ClaimKey :one
-- Claims the key for this request; returns no row when another request already holds it.
INSERT INTO idempotency_keys (org_id, user_id, key, method, path, request_hash)
VALUES ($1, $2, $3, $4, $5, $6)
ON CONFLICT (org_id, user_id, key) DO NOTHING
RETURNING created_at;

-- name: GetKey :one
SELECT * FROM idempotency_keys WHERE org_id = $1 AND user_id = $2 AND key = $3;

-- name: CompleteKey :exec
UPDATE idempotency_keys SET status_code = $4, response_body = $5, content_type = $6
WHERE org_id = $1 AND user_id = $2 AND key = $3;

-- name: ReleaseKey :exec
DELETE FROM idempotency_keys WHERE org_id = $1 AND user_id = $2 AND key = $3 AND status_code IS NULL;

-- name: DeleteExpiredKey :exec
DELETE FROM idempotency_keys WHERE org_id = $1 AND user_id = $2 AND key = $3 AND created_at < $4;

-- name: DeleteKeysCreatedBefore :execrows
DELETE FROM idempotency_keys WHERE org_id = $1 AND created_at < $2;
