-- +goose Up
-- Web sessions (docs/web.md): a signed-in browser. The cookie holds an opaque token naming
-- its organisation (like a refresh token); the row holds its hash, so a copy of the table
-- signs nobody in. Unlike a refresh token it is not rotated on use: a page and its htmx
-- requests run in parallel, and rotation would make them race.
CREATE TABLE web_sessions (
    org_id       uuid NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    token_hash   bytea NOT NULL,
    user_id      uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_seen_at timestamptz NOT NULL DEFAULT now(),
    -- expires_at slides with use (REFRESH_TOKEN_TTL after it was last seen), never past
    -- ends_at (REFRESH_MAX_AGE after sign-in).
    expires_at   timestamptz NOT NULL,
    ends_at      timestamptz NOT NULL,
    user_agent   text NOT NULL DEFAULT '',
    PRIMARY KEY (org_id, token_hash)
);
CREATE INDEX web_sessions_user_idx ON web_sessions (org_id, user_id);
CREATE INDEX web_sessions_expiry_idx ON web_sessions (org_id, expires_at);
SELECT enable_tenant_rls('web_sessions');
GRANT SELECT, INSERT, UPDATE, DELETE ON web_sessions TO maintainuk_app;

-- +goose Down
DROP TABLE web_sessions;
