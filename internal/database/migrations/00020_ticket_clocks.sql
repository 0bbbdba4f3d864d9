-- +goose Up
-- Legal clocks on tickets (docs/compliance.md): each rule of internal/clocks a ticket runs
-- against, when it started, when it is due, time spent paused (waiting on access, with
-- the reason on the timeline) and when and how it stopped.
CREATE TABLE ticket_clocks (
    org_id         uuid NOT NULL,
    ticket_id      uuid NOT NULL,
    rule_code      text NOT NULL CHECK (length(rule_code) BETWEEN 1 AND 60),
    started_at     timestamptz NOT NULL,
    due_at         timestamptz NOT NULL,
    paused_at      timestamptz,
    pause_reason   text NOT NULL DEFAULT '' CHECK (length(pause_reason) <= 500),
    stopped_at     timestamptz,
    stopped_by     text NOT NULL DEFAULT '' CHECK (length(stopped_by) <= 40),
    PRIMARY KEY (org_id, ticket_id, rule_code),
    FOREIGN KEY (org_id, ticket_id) REFERENCES tickets (org_id, id) ON DELETE CASCADE
);
-- The clocks still running, for the dashboard and reminders.
CREATE INDEX ticket_clocks_running_idx ON ticket_clocks (org_id, due_at) WHERE stopped_at IS NULL;
SELECT enable_tenant_rls('ticket_clocks');
GRANT SELECT, INSERT, UPDATE ON ticket_clocks TO maintainuk_app;

-- +goose Down
DROP TABLE ticket_clocks;
