-- name: GetSettings :one
SELECT approval_threshold_pence, settings FROM organisations WHERE id = $1;

-- name: UpdateSettings :exec
UPDATE organisations SET approval_threshold_pence = $2, settings = $3 WHERE id = $1;
