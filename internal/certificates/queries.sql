-- Statutory certificates per property. Every query names org_id, and row-level security
-- checks it again.

-- name: PropertyExists :one
SELECT EXISTS (SELECT 1 FROM properties WHERE org_id = @org_id AND id = @id)::boolean;

-- name: LockProperty :one
-- Locks the property, so certificates added to it one at a time see each other: the
-- previous gas safety record a new one is measured against (the 10-12 month rule) cannot
-- change under it.
SELECT id FROM properties WHERE org_id = @org_id AND id = @id FOR NO KEY UPDATE;

-- name: PreviousCertificate :one
-- The latest certificate of kind at the property issued before issued_on.
SELECT * FROM certificates
WHERE org_id = @org_id AND property_id = @property_id AND kind = @kind AND issued_on < @issued_on::date
ORDER BY issued_on DESC, created_at DESC
LIMIT 1;

-- name: InsertCertificate :one
INSERT INTO certificates (org_id, property_id, kind, issued_on, expires_on, reference, contractor_name, rating, tenant_copy_sent_on, created_by)
VALUES (@org_id, @property_id, @kind, @issued_on, sqlc.narg(expires_on), @reference, @contractor_name, sqlc.narg(rating), sqlc.narg(tenant_copy_sent_on), sqlc.narg(created_by))
RETURNING *;

-- name: GetCertificate :one
SELECT * FROM certificates WHERE org_id = @org_id AND id = @id;

-- name: GetCertificateForUpdate :one
SELECT * FROM certificates WHERE org_id = @org_id AND id = @id FOR UPDATE;

-- name: UpdateCertificate :one
UPDATE certificates
SET reference = @reference, contractor_name = @contractor_name, tenant_copy_sent_on = sqlc.narg(tenant_copy_sent_on)
WHERE org_id = @org_id AND id = @id
RETURNING *;

-- name: SetDocument :one
UPDATE certificates
SET document_sha256 = @sha256, document_content_type = @content_type, document_filename = @filename, document_size_bytes = @size_bytes
WHERE org_id = @org_id AND id = @id
RETURNING *;

-- name: ListPropertyCertificates :many
SELECT * FROM certificates
WHERE org_id = @org_id AND property_id = @property_id
  AND (created_at, id) < (@before_created_at::timestamptz, @before_id::uuid)
ORDER BY created_at DESC, id DESC
LIMIT @row_limit;

-- name: ListPropertiesForCompliance :many
-- Every property of the organisation, newest first (the compliance view pages over them).
SELECT id, name, address_line1, town, postcode, created_at FROM properties
WHERE org_id = @org_id
ORDER BY created_at DESC, id DESC;

-- name: ListLatestCertificates :many
-- The latest certificate (by issue date) of each kind at each property.
SELECT DISTINCT ON (property_id, kind) id, property_id, kind, issued_on, expires_on
FROM certificates
WHERE org_id = @org_id
ORDER BY property_id, kind, issued_on DESC, created_at DESC;
