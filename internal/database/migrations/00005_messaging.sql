-- Messaging: every email (and later SMS and WhatsApp) with its status, outgoing webhook
-- endpoints and their delivery log, and the record of periodic notices already sent.

-- +goose Up
CREATE TABLE messages (
    id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id              uuid NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    channel             text NOT NULL CHECK (channel IN ('EMAIL', 'SMS', 'WHATSAPP')),
    event               text NOT NULL,
    -- The job and recipient that caused the message: a retried job finds its row and never
    -- sends the same message twice.
    dedupe_key          text NOT NULL,
    recipient           text NOT NULL,
    subject             text NOT NULL DEFAULT '',
    body_text           text NOT NULL DEFAULT '',
    body_html           text NOT NULL DEFAULT '',
    status              text NOT NULL CHECK (status IN ('PENDING', 'SENT', 'FAILED')),
    provider            text NOT NULL DEFAULT '',
    provider_message_id text NOT NULL DEFAULT '',
    failure_reason      text NOT NULL DEFAULT '',
    attempts            integer NOT NULL DEFAULT 0,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    sent_at             timestamptz,
    UNIQUE (org_id, dedupe_key)
);
CREATE INDEX messages_org_created_idx ON messages (org_id, created_at DESC, id DESC);
CREATE INDEX messages_created_idx ON messages (created_at DESC);
CREATE TRIGGER messages_updated_at BEFORE UPDATE ON messages
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE TABLE webhook_endpoints (
    id                   uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id               uuid NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    url                  text NOT NULL CHECK (length(url) BETWEEN 8 AND 2000),
    description          text NOT NULL DEFAULT '',
    event_types          text[] NOT NULL,
    -- The signing secret ("whsec_" + base64) is needed in clear to sign; it is shown to
    -- the organisation once, at creation.
    secret               text NOT NULL,
    enabled              boolean NOT NULL DEFAULT true,
    disabled_reason      text NOT NULL DEFAULT '',
    consecutive_failures integer NOT NULL DEFAULT 0,
    failing_since        timestamptz,
    created_at           timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now(),
    UNIQUE (org_id, id)
);
CREATE INDEX webhook_endpoints_org_idx ON webhook_endpoints (org_id, created_at, id);
CREATE TRIGGER webhook_endpoints_updated_at BEFORE UPDATE ON webhook_endpoints
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE TABLE webhook_deliveries (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id          uuid NOT NULL,
    endpoint_id     uuid NOT NULL,
    -- webhook-id: the same for every attempt at one event, so receivers can dedupe.
    message_id      text NOT NULL,
    event_type      text NOT NULL,
    payload         jsonb NOT NULL,
    status          text NOT NULL CHECK (status IN ('PENDING', 'DELIVERED', 'FAILED')),
    attempts        integer NOT NULL DEFAULT 0,
    response_status integer,
    response_body   text NOT NULL DEFAULT '',
    error           text NOT NULL DEFAULT '',
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    delivered_at    timestamptz,
    UNIQUE (org_id, endpoint_id, message_id),
    FOREIGN KEY (org_id, endpoint_id) REFERENCES webhook_endpoints (org_id, id) ON DELETE CASCADE
);
CREATE INDEX webhook_deliveries_endpoint_idx ON webhook_deliveries (org_id, endpoint_id, created_at DESC, id DESC);
CREATE TRIGGER webhook_deliveries_updated_at BEFORE UPDATE ON webhook_deliveries
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

-- Periodic notices already sent (SLA warnings, quote chasers, insurance reminders), so a
-- scan that runs every few minutes sends each one once.
CREATE TABLE notices_sent (
    org_id     uuid NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    kind       text NOT NULL,
    subject_id uuid NOT NULL,
    key        text NOT NULL,
    sent_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (org_id, kind, subject_id, key)
);

SELECT enable_tenant_rls('messages');
SELECT enable_tenant_rls('webhook_endpoints');
SELECT enable_tenant_rls('webhook_deliveries');
SELECT enable_tenant_rls('notices_sent');

GRANT SELECT, INSERT, UPDATE ON messages, webhook_deliveries TO maintainuk_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON webhook_endpoints TO maintainuk_app;
GRANT SELECT, INSERT, DELETE ON notices_sent TO maintainuk_app;

-- +goose Down
DROP TABLE notices_sent, webhook_deliveries, webhook_endpoints, messages;
