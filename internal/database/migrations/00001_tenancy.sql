-- Tenancy foundation: the application role, the per-transaction settings that row-level
-- security keys on, and a helper to enable forced RLS on a tenant table.

-- +goose Up
-- The application connects as maintainuk_app (or a login role that is a member of it). It is
-- created here only when missing, so a migrator without CREATEROLE works once an operator has
-- created it (docs/database.md).
-- +goose StatementBegin
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'maintainuk_app') THEN
        CREATE ROLE maintainuk_app NOLOGIN NOSUPERUSER NOBYPASSRLS;
    END IF;
END
$$;
-- +goose StatementEnd

-- app_setting reads a per-transaction setting made with set_config(name, value, true);
-- unset or empty gives NULL, and NULL never equals a row's key, so no setting, no rows.
-- +goose StatementBegin
CREATE FUNCTION app_setting(name text) RETURNS text
    LANGUAGE sql STABLE PARALLEL SAFE
AS $$ SELECT nullif(current_setting(name, true), '') $$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION app_org_id() RETURNS uuid
    LANGUAGE sql STABLE PARALLEL SAFE
AS $$ SELECT app_setting('app.org_id')::uuid $$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION app_user_id() RETURNS uuid
    LANGUAGE sql STABLE PARALLEL SAFE
AS $$ SELECT app_setting('app.user_id')::uuid $$;
-- +goose StatementEnd

-- enable_tenant_rls turns on forced row-level security with the standard tenant policy:
-- a row is visible and writable only when its org_id is the transaction's app.org_id.
-- +goose StatementBegin
CREATE FUNCTION enable_tenant_rls(tbl regclass) RETURNS void
    LANGUAGE plpgsql
AS $$
BEGIN
    EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', tbl);
    EXECUTE format('ALTER TABLE %s FORCE ROW LEVEL SECURITY', tbl);
    EXECUTE format('CREATE POLICY tenant_isolation ON %s USING (org_id = app_org_id()) WITH CHECK (org_id = app_org_id())', tbl);
END
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION set_updated_at() RETURNS trigger
    LANGUAGE plpgsql
AS $$
BEGIN
    NEW.updated_at = now();
    RETURN NEW;
END
$$;
-- +goose StatementEnd

GRANT EXECUTE ON FUNCTION app_setting(text), app_org_id(), app_user_id() TO maintainuk_app;

-- +goose Down
DROP FUNCTION set_updated_at();
DROP FUNCTION enable_tenant_rls(regclass);
DROP FUNCTION app_user_id();
DROP FUNCTION app_org_id();
DROP FUNCTION app_setting(text);
