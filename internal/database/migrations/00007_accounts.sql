-- Accounts: password resets by emailed single-use token, and an absolute lifetime for a
-- login's refresh-token family.

-- +goose Up
-- When the login that started a refresh-token family happened. Every token of the family
-- carries it, so the family's age is known even after its older tokens are purged.
-- Families that exist already count from this migration.
ALTER TABLE refresh_tokens ADD COLUMN family_started_at timestamptz NOT NULL DEFAULT now();

-- A password reset requested by email. Users belong to no organisation, but the email
-- goes out through one: the organisation of the user's first membership, whose id the
-- token carries (docs/decisions/0002), so the lookup runs under that organisation's
-- row-level security like a refresh token's. Only the SHA-256 of the token is stored.
CREATE TABLE password_resets (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id     uuid NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_hash bytea NOT NULL UNIQUE,
    expires_at timestamptz NOT NULL,
    used_at    timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (org_id, id)
);
CREATE INDEX password_resets_user_idx ON password_resets (org_id, user_id);
CREATE INDEX password_resets_expiry_idx ON password_resets (expires_at);

SELECT enable_tenant_rls('password_resets');
GRANT SELECT, INSERT, UPDATE, DELETE ON password_resets TO maintainuk_app;

-- +goose Down
DROP TABLE password_resets;
ALTER TABLE refresh_tokens DROP COLUMN family_started_at;
