-- Least privilege for the application role (issue 7, docs/database.md):
--
-- 1. The application cannot make anyone a platform operator, nor change an organisation's
--    plan, subscription or Stripe ids: those columns are outside its INSERT and UPDATE
--    grants. Operators are granted by `maintainuk platform-admin` through the migration
--    role; plans will be set by the billing issue's own narrow path.
-- 2. Jobs carry ids, not personal data: an event's payload (names, emails, ticket text)
--    lives in outbox_events under row-level security, and river_job, which every worker
--    and the job dashboard read across organisations, holds only the event's id.

-- +goose Up
REVOKE INSERT, UPDATE ON users FROM maintainuk_app;
GRANT INSERT (id, email, name, password_hash) ON users TO maintainuk_app;
GRANT UPDATE (name, password_hash) ON users TO maintainuk_app;

REVOKE INSERT, UPDATE ON organisations FROM maintainuk_app;
GRANT INSERT (id, name, slug) ON organisations TO maintainuk_app;
GRANT UPDATE (name, approval_threshold_pence, settings) ON organisations TO maintainuk_app;

CREATE TABLE outbox_events (
    org_id      uuid NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    id          uuid NOT NULL,
    name        text NOT NULL,
    version     integer NOT NULL CHECK (version > 0),
    occurred_at timestamptz NOT NULL,
    payload     jsonb NOT NULL,
    PRIMARY KEY (org_id, id)
);
CREATE INDEX outbox_events_age ON outbox_events (org_id, occurred_at);
SELECT enable_tenant_rls('outbox_events');
GRANT SELECT, INSERT, DELETE ON outbox_events TO maintainuk_app;

-- +goose Down
DROP TABLE outbox_events;
GRANT INSERT, UPDATE ON users, organisations TO maintainuk_app;
