-- name: InsertProperty :one
INSERT INTO properties (org_id, name, address_line1, address_line2, town, postcode)
VALUES ($1, $2, $3, $4, $5, $6)
RETURNING *;

-- name: GetProperty :one
SELECT * FROM properties WHERE org_id = $1 AND id = $2;

-- name: GetPropertyForUpdate :one
SELECT * FROM properties WHERE org_id = $1 AND id = $2 FOR UPDATE;

-- name: UpdateProperty :one
UPDATE properties
SET name = $3, address_line1 = $4, address_line2 = $5, town = $6, postcode = $7
WHERE org_id = $1 AND id = $2
RETURNING *;

-- name: ListProperties :many
SELECT * FROM properties
WHERE org_id = @org_id
  AND (created_at, id) < (@before_created_at::timestamptz, @before_id::uuid)
  AND (sqlc.narg(postcode)::text IS NULL OR postcode = sqlc.narg(postcode))
ORDER BY created_at DESC, id DESC
LIMIT @row_limit;

-- name: InsertUnit :one
INSERT INTO units (org_id, property_id, label, reference, bedrooms)
VALUES ($1, $2, $3, $4, $5)
RETURNING *;

-- name: GetUnit :one
SELECT * FROM units WHERE org_id = $1 AND id = $2;

-- name: ListUnits :many
SELECT * FROM units
WHERE org_id = @org_id AND property_id = @property_id
  AND (created_at, id) < (@before_created_at::timestamptz, @before_id::uuid)
ORDER BY created_at DESC, id DESC
LIMIT @row_limit;

-- name: InsertOccupant :one
-- starts_on defaults to today in Europe/London.
INSERT INTO unit_occupants (org_id, unit_id, user_id, starts_on)
VALUES (@org_id, @unit_id, @user_id, coalesce(sqlc.narg(starts_on)::date, (now() AT TIME ZONE 'Europe/London')::date))
RETURNING *;

-- name: GetOccupantForUpdate :one
SELECT * FROM unit_occupants WHERE org_id = $1 AND unit_id = $2 AND id = $3 FOR UPDATE;

-- name: EndOccupancy :exec
UPDATE unit_occupants SET ends_on = $3 WHERE org_id = $1 AND id = $2;

-- name: ListOccupants :many
SELECT sqlc.embed(o), u.name, u.email
FROM unit_occupants o JOIN users u ON u.id = o.user_id
WHERE o.org_id = $1 AND o.unit_id = $2
ORDER BY o.starts_on, o.created_at;

-- name: IsOccupant :one
SELECT EXISTS (SELECT 1 FROM unit_occupants WHERE org_id = $1 AND unit_id = $2 AND user_id = $3);

-- name: GetMemberRole :one
SELECT role FROM memberships WHERE org_id = $1 AND user_id = $2;

-- name: GetOccupant :one
SELECT sqlc.embed(o), u.name, u.email
FROM unit_occupants o JOIN users u ON u.id = o.user_id
WHERE o.org_id = $1 AND o.id = $2;

-- name: ListHomesOfResident :many
-- The units a resident lives in today (Europe/London), with their property's address.
SELECT u.id, u.label, u.reference, p.name AS property_name, p.address_line1, p.town, p.postcode
FROM unit_occupants o
JOIN units u ON u.org_id = o.org_id AND u.id = o.unit_id
JOIN properties p ON p.org_id = u.org_id AND p.id = u.property_id
WHERE o.org_id = @org_id AND o.user_id = @user_id
  AND o.starts_on <= (now() AT TIME ZONE 'Europe/London')::date
  AND (o.ends_on IS NULL OR o.ends_on >= (now() AT TIME ZONE 'Europe/London')::date)
ORDER BY p.address_line1, u.label;

-- name: ListUnitChoices :many
-- Every unit with its property's address, for choosing one on a form (staff), at most
-- @lim of them.
SELECT u.id, u.label, u.reference, p.name AS property_name, p.address_line1, p.town, p.postcode
FROM units u
JOIN properties p ON p.org_id = u.org_id AND p.id = u.property_id
WHERE u.org_id = @org_id
ORDER BY p.address_line1, u.label
LIMIT @lim;
