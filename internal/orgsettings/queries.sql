-- name: GetSettings :one
SELECT approval_threshold_pence, settings FROM organisations WHERE id = $1;

-- name: UpdateSettings :exec
UPDATE organisations SET approval_threshold_pence = $2, settings = $3 WHERE id = $1;

-- name: CountStaff :one
-- Separation of duties in AUTO is on from two staff members.
SELECT count(*) FROM memberships WHERE org_id = @org_id AND role = ANY(@staff_roles::text[]);
