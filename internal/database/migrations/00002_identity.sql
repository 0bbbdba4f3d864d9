-- Identity: organisations, users, memberships, invitations, refresh tokens.

-- +goose Up
CREATE TABLE organisations (
    id                       uuid PRIMARY KEY,
    name                     text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    slug                     text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
    plan                     text NOT NULL DEFAULT 'FREE',
    subscription_status      text NOT NULL DEFAULT 'ACTIVE',
    stripe_customer_id       text,
    stripe_subscription_id   text,
    approval_threshold_pence bigint NOT NULL DEFAULT 50000 CHECK (approval_threshold_pence >= 0),
    settings                 jsonb NOT NULL DEFAULT '{}',
    created_at               timestamptz NOT NULL DEFAULT now(),
    updated_at               timestamptz NOT NULL DEFAULT now()
);
CREATE TRIGGER organisations_updated_at BEFORE UPDATE ON organisations
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

-- Users are identities that may belong to several organisations, so they carry no org_id.
-- Row-level security still narrows them: a transaction sees itself (app.user_id), the
-- members of its organisation (app.org_id), or the one address it is logging in with
-- (app.login_email).
CREATE TABLE users (
    id                uuid PRIMARY KEY,
    email             text NOT NULL UNIQUE CHECK (email = lower(email) AND length(email) <= 254),
    name              text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    password_hash     text NOT NULL,
    is_platform_admin boolean NOT NULL DEFAULT false,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now()
);
CREATE TRIGGER users_updated_at BEFORE UPDATE ON users
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE TABLE memberships (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id        uuid NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    user_id       uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role          text NOT NULL CHECK (role IN ('ADMIN', 'COORDINATOR', 'CONTRACTOR', 'TENANT')),
    -- Set for CONTRACTOR members: the contractor company whose work orders they see.
    contractor_id uuid,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    UNIQUE (org_id, user_id),
    UNIQUE (org_id, id),
    CHECK ((role = 'CONTRACTOR') = (contractor_id IS NOT NULL))
);
CREATE INDEX memberships_user_idx ON memberships (user_id);
CREATE TRIGGER memberships_updated_at BEFORE UPDATE ON memberships
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE TABLE invitations (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id        uuid NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    email         text NOT NULL CHECK (email = lower(email)),
    role          text NOT NULL CHECK (role IN ('ADMIN', 'COORDINATOR', 'CONTRACTOR', 'TENANT')),
    contractor_id uuid,
    token_hash    bytea NOT NULL UNIQUE,
    invited_by    uuid NOT NULL REFERENCES users (id),
    expires_at    timestamptz NOT NULL,
    accepted_at   timestamptz,
    revoked_at    timestamptz,
    created_at    timestamptz NOT NULL DEFAULT now(),
    CHECK ((role = 'CONTRACTOR') = (contractor_id IS NOT NULL))
);
CREATE INDEX invitations_org_idx ON invitations (org_id, created_at DESC);
-- At most one open invitation per address and organisation.
CREATE UNIQUE INDEX invitations_open_idx ON invitations (org_id, email)
    WHERE accepted_at IS NULL AND revoked_at IS NULL;

-- Refresh tokens are stored only as SHA-256 hashes. Every use rotates the token within its
-- family; presenting a rotated token again revokes the whole family.
CREATE TABLE refresh_tokens (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id      uuid NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    family_id   uuid NOT NULL,
    token_hash  bytea NOT NULL UNIQUE,
    expires_at  timestamptz NOT NULL,
    rotated_at  timestamptz,
    revoked_at  timestamptz,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX refresh_tokens_family_idx ON refresh_tokens (org_id, family_id);
CREATE INDEX refresh_tokens_user_idx ON refresh_tokens (org_id, user_id);
CREATE INDEX refresh_tokens_expiry_idx ON refresh_tokens (expires_at);

-- Row-level security.
ALTER TABLE organisations ENABLE ROW LEVEL SECURITY;
ALTER TABLE organisations FORCE ROW LEVEL SECURITY;
-- An organisation is visible as the current one, as one the current user belongs to (to list
-- and switch), or by the slug a public form names (app.org_slug).
CREATE POLICY organisation_read ON organisations FOR SELECT USING (
    id = app_org_id()
    OR slug = app_setting('app.org_slug')
    OR EXISTS (SELECT 1 FROM memberships m WHERE m.org_id = organisations.id AND m.user_id = app_user_id())
);
-- System jobs (retention, SLA scans) list organisations to then work in each one's scope;
-- they never read another table without an org.
CREATE POLICY organisation_system_read ON organisations FOR SELECT USING (app_setting('app.system') = 'on');
CREATE POLICY organisation_insert ON organisations FOR INSERT WITH CHECK (id = app_org_id());
CREATE POLICY organisation_update ON organisations FOR UPDATE USING (id = app_org_id());

ALTER TABLE users ENABLE ROW LEVEL SECURITY;
ALTER TABLE users FORCE ROW LEVEL SECURITY;
CREATE POLICY user_read ON users FOR SELECT USING (
    id = app_user_id()
    OR email = app_setting('app.login_email')
    OR EXISTS (SELECT 1 FROM memberships m WHERE m.user_id = users.id AND m.org_id = app_org_id())
);
CREATE POLICY user_insert ON users FOR INSERT WITH CHECK (id = app_user_id());
CREATE POLICY user_update ON users FOR UPDATE USING (id = app_user_id());

ALTER TABLE memberships ENABLE ROW LEVEL SECURITY;
ALTER TABLE memberships FORCE ROW LEVEL SECURITY;
-- A user may read their own memberships in every organisation (login, switch-org); all
-- writes are confined to the current organisation.
CREATE POLICY membership_read ON memberships FOR SELECT USING (org_id = app_org_id() OR user_id = app_user_id());
CREATE POLICY membership_insert ON memberships FOR INSERT WITH CHECK (org_id = app_org_id());
CREATE POLICY membership_update ON memberships FOR UPDATE USING (org_id = app_org_id()) WITH CHECK (org_id = app_org_id());
CREATE POLICY membership_delete ON memberships FOR DELETE USING (org_id = app_org_id());

SELECT enable_tenant_rls('invitations');
SELECT enable_tenant_rls('refresh_tokens');

GRANT SELECT, INSERT, UPDATE ON organisations, users TO maintainuk_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON memberships, invitations, refresh_tokens TO maintainuk_app;

-- +goose Down
DROP TABLE refresh_tokens, invitations, memberships, users, organisations;
