-- Every query names org_id where the table has one, and row-level security checks it again.

-- name: InsertOrganisation :one
INSERT INTO organisations (id, name, slug) VALUES ($1, $2, $3)
ON CONFLICT (slug) DO NOTHING
RETURNING *;

-- name: GetOrganisation :one
SELECT * FROM organisations WHERE id = $1;

-- name: GetOrganisationBySlug :one
SELECT * FROM organisations WHERE slug = $1;

-- name: InsertUser :one
INSERT INTO users (id, email, name, password_hash) VALUES ($1, $2, $3, $4) RETURNING *;

-- name: GetUser :one
SELECT * FROM users WHERE id = $1;

-- name: GetUserByEmail :one
SELECT * FROM users WHERE email = $1;

-- name: InsertMembership :one
INSERT INTO memberships (org_id, user_id, role, contractor_id) VALUES ($1, $2, $3, $4) RETURNING *;

-- name: GetMembershipForUser :one
SELECT * FROM memberships WHERE org_id = $1 AND user_id = $2;

-- name: GetActor :one
-- The bearer check of every request: the member's role and, for a CONTRACTOR, whether
-- their company is still active (a deactivated company's users are refused).
SELECT m.role, m.contractor_id, coalesce(c.active, false) AS contractor_active
FROM memberships m
LEFT JOIN contractors c ON c.org_id = m.org_id AND c.id = m.contractor_id
WHERE m.org_id = $1 AND m.user_id = $2;

-- name: GetMember :one
SELECT sqlc.embed(m), u.email, u.name
FROM memberships m JOIN users u ON u.id = m.user_id
WHERE m.org_id = $1 AND m.id = $2;

-- name: ListMembershipsOfUser :many
SELECT sqlc.embed(m), o.name AS org_name, o.slug AS org_slug
FROM memberships m JOIN organisations o ON o.id = m.org_id
WHERE m.user_id = $1
ORDER BY o.name, o.id;

-- name: ListMembers :many
SELECT sqlc.embed(m), u.email, u.name
FROM memberships m JOIN users u ON u.id = m.user_id
WHERE m.org_id = @org_id
  AND (m.created_at, m.id) < (@before_created_at::timestamptz, @before_id::uuid)
ORDER BY m.created_at DESC, m.id DESC
LIMIT @row_limit;

-- name: UpdateMembershipRole :one
UPDATE memberships SET role = $3, contractor_id = $4
WHERE org_id = $1 AND id = $2
RETURNING *;

-- name: DeleteMembership :execrows
DELETE FROM memberships WHERE org_id = $1 AND id = $2;

-- name: CountAdmins :one
SELECT count(*) FROM memberships WHERE org_id = $1 AND role = 'ADMIN';

-- name: InsertRefreshToken :exec
INSERT INTO refresh_tokens (org_id, user_id, family_id, token_hash, expires_at, family_started_at)
VALUES ($1, $2, $3, $4, $5, $6);

-- name: GetRefreshTokenForUpdate :one
SELECT * FROM refresh_tokens WHERE org_id = $1 AND token_hash = $2 FOR UPDATE;

-- name: MarkRefreshTokenRotated :exec
UPDATE refresh_tokens SET rotated_at = now() WHERE org_id = $1 AND id = $2;

-- name: RevokeRefreshFamily :exec
UPDATE refresh_tokens SET revoked_at = now()
WHERE org_id = $1 AND family_id = $2 AND revoked_at IS NULL;

-- name: RevokeUserRefreshTokens :exec
UPDATE refresh_tokens SET revoked_at = now()
WHERE org_id = $1 AND user_id = $2 AND revoked_at IS NULL;

-- name: InsertInvitation :one
INSERT INTO invitations (org_id, email, role, contractor_id, token_hash, invited_by, expires_at)
VALUES ($1, $2, $3, $4, $5, $6, $7)
RETURNING *;

-- name: GetInvitationForUpdate :one
SELECT * FROM invitations WHERE org_id = $1 AND token_hash = $2 FOR UPDATE;

-- name: MarkInvitationAccepted :exec
UPDATE invitations SET accepted_at = now() WHERE org_id = $1 AND id = $2;

-- name: ListOpenInvitations :many
SELECT * FROM invitations
WHERE org_id = $1 AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > now()
ORDER BY created_at DESC, id DESC;

-- name: RevokeOpenInvitation :exec
UPDATE invitations SET revoked_at = now()
WHERE org_id = $1 AND email = $2 AND accepted_at IS NULL AND revoked_at IS NULL;

-- name: ContractorExists :one
SELECT EXISTS (SELECT 1 FROM contractors WHERE org_id = $1 AND id = $2);

-- name: ListOrganisationIDs :many
-- Only visible in the system scope (app.system): jobs iterate organisations with it.
SELECT id FROM organisations ORDER BY id;

-- name: DeleteExpiredRefreshTokens :execrows
DELETE FROM refresh_tokens WHERE org_id = $1 AND expires_at < $2;

-- name: DeleteExpiredInvitations :execrows
DELETE FROM invitations WHERE org_id = $1 AND expires_at < $2 AND accepted_at IS NULL;

-- name: SetPlatformAdmin :exec
UPDATE users SET is_platform_admin = $2 WHERE id = $1;

-- name: SetPasswordHash :exec
UPDATE users SET password_hash = $2 WHERE id = $1;

-- name: InsertPasswordReset :exec
INSERT INTO password_resets (org_id, user_id, token_hash, expires_at) VALUES ($1, $2, $3, $4);

-- name: GetPasswordResetForUpdate :one
SELECT * FROM password_resets WHERE org_id = $1 AND token_hash = $2 FOR UPDATE;

-- name: UsePasswordResets :exec
-- Spends every open reset of the user in the organisation (the one used and any other).
UPDATE password_resets SET used_at = now()
WHERE org_id = $1 AND user_id = $2 AND used_at IS NULL;

-- name: DeleteExpiredPasswordResets :execrows
DELETE FROM password_resets WHERE org_id = $1 AND expires_at < $2;

-- name: InsertWebSession :exec
INSERT INTO web_sessions (org_id, token_hash, user_id, expires_at, ends_at, user_agent)
VALUES ($1, $2, $3, $4, $5, $6);

-- name: GetWebSession :one
SELECT user_id, last_seen_at, expires_at, ends_at FROM web_sessions
WHERE org_id = $1 AND token_hash = $2;

-- name: TouchWebSession :exec
UPDATE web_sessions SET last_seen_at = $3, expires_at = $4
WHERE org_id = $1 AND token_hash = $2;

-- name: DeleteWebSession :exec
DELETE FROM web_sessions WHERE org_id = $1 AND token_hash = $2;

-- name: DeleteUserWebSessions :exec
DELETE FROM web_sessions WHERE org_id = $1 AND user_id = $2;

-- name: DeleteExpiredWebSessions :execrows
DELETE FROM web_sessions WHERE org_id = $1 AND expires_at < $2;
