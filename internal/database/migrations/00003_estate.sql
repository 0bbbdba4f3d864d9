-- The estate an organisation manages (properties, units, occupants), its contractors, the
-- audit trail and idempotency keys. Child rows reference parents through (org_id, id), so a
-- row can never point at another organisation's data even if application code tried.

-- +goose Up
CREATE TABLE properties (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id        uuid NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    name          text NOT NULL DEFAULT '' CHECK (length(name) <= 200),
    address_line1 text NOT NULL CHECK (length(address_line1) BETWEEN 1 AND 200),
    address_line2 text NOT NULL DEFAULT '' CHECK (length(address_line2) <= 200),
    town          text NOT NULL CHECK (length(town) BETWEEN 1 AND 100),
    postcode      text NOT NULL CHECK (length(postcode) BETWEEN 5 AND 8),
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    UNIQUE (org_id, id)
);
CREATE INDEX properties_org_created_idx ON properties (org_id, created_at, id);
CREATE INDEX properties_org_postcode_idx ON properties (org_id, postcode);
CREATE TRIGGER properties_updated_at BEFORE UPDATE ON properties
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE TABLE units (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id      uuid NOT NULL,
    property_id uuid NOT NULL,
    label       text NOT NULL CHECK (length(label) BETWEEN 1 AND 100),
    -- A short reference residents can quote on the public repair form (e.g. "DL-12B").
    reference   text NOT NULL CHECK (reference ~ '^[A-Z0-9][A-Z0-9-]{1,30}$'),
    bedrooms    integer CHECK (bedrooms BETWEEN 0 AND 50),
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (org_id, id),
    UNIQUE (org_id, reference),
    FOREIGN KEY (org_id, property_id) REFERENCES properties (org_id, id) ON DELETE CASCADE
);
CREATE INDEX units_property_idx ON units (org_id, property_id, created_at, id);
CREATE TRIGGER units_updated_at BEFORE UPDATE ON units
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE TABLE unit_occupants (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id     uuid NOT NULL,
    unit_id    uuid NOT NULL,
    user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (org_id, unit_id, user_id),
    FOREIGN KEY (org_id, unit_id) REFERENCES units (org_id, id) ON DELETE CASCADE
);
CREATE INDEX unit_occupants_user_idx ON unit_occupants (org_id, user_id);

CREATE TABLE contractors (
    id                   uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id               uuid NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    company_name         text NOT NULL CHECK (length(company_name) BETWEEN 1 AND 200),
    trades               text[] NOT NULL DEFAULT '{}',
    email                text NOT NULL CHECK (email = lower(email)),
    phone                text NOT NULL DEFAULT '' CHECK (phone = '' OR phone ~ '^\+[1-9][0-9]{6,14}$'),
    insurance_expires_on date,
    notes                text NOT NULL DEFAULT '' CHECK (length(notes) <= 2000),
    active               boolean NOT NULL DEFAULT true,
    created_at           timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now(),
    UNIQUE (org_id, id)
);
CREATE INDEX contractors_org_created_idx ON contractors (org_id, created_at, id);
CREATE INDEX contractors_insurance_idx ON contractors (insurance_expires_on) WHERE active;
CREATE TRIGGER contractors_updated_at BEFORE UPDATE ON contractors
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

ALTER TABLE memberships ADD FOREIGN KEY (org_id, contractor_id) REFERENCES contractors (org_id, id);
ALTER TABLE invitations ADD FOREIGN KEY (org_id, contractor_id) REFERENCES contractors (org_id, id);

-- The audit trail is append-only: the application role may only insert and read, and
-- triggers refuse updates, deletes and truncation from anyone else short of dropping them.
CREATE TABLE timeline_events (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id      uuid NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    entity_type text NOT NULL,
    entity_id   uuid NOT NULL,
    action      text NOT NULL,
    actor_id    uuid,
    actor_role  text,
    before      jsonb,
    after       jsonb,
    occurred_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    seq         bigint NOT NULL GENERATED ALWAYS AS IDENTITY
);
CREATE INDEX timeline_entity_idx ON timeline_events (org_id, entity_type, entity_id, seq);
CREATE INDEX timeline_org_idx ON timeline_events (org_id, seq);

-- +goose StatementBegin
CREATE FUNCTION refuse_change() RETURNS trigger
    LANGUAGE plpgsql
AS $$
BEGIN
    RAISE EXCEPTION '% is append-only', TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
END
$$;
-- +goose StatementEnd
CREATE TRIGGER timeline_events_append_only BEFORE UPDATE OR DELETE ON timeline_events
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER timeline_events_no_truncate BEFORE TRUNCATE ON timeline_events
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();

-- Idempotency-Key replay: one row per (org, user, key); the first request claims the key,
-- later ones with the same body get the stored answer for 24 hours.
CREATE TABLE idempotency_keys (
    org_id        uuid NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    user_id       uuid NOT NULL,
    key           text NOT NULL,
    method        text NOT NULL,
    path          text NOT NULL,
    request_hash  bytea NOT NULL,
    status_code   integer,
    response_body bytea,
    content_type  text,
    created_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (org_id, user_id, key)
);
CREATE INDEX idempotency_keys_created_idx ON idempotency_keys (created_at);

SELECT enable_tenant_rls('properties');
SELECT enable_tenant_rls('units');
SELECT enable_tenant_rls('unit_occupants');
SELECT enable_tenant_rls('contractors');
SELECT enable_tenant_rls('timeline_events');
SELECT enable_tenant_rls('idempotency_keys');

GRANT SELECT, INSERT, UPDATE, DELETE ON properties, units, unit_occupants, contractors, idempotency_keys TO maintainuk_app;
GRANT SELECT, INSERT ON timeline_events TO maintainuk_app;

-- +goose Down
DROP TABLE idempotency_keys, timeline_events, unit_occupants, units, properties;
ALTER TABLE memberships DROP CONSTRAINT IF EXISTS memberships_org_id_contractor_id_fkey;
ALTER TABLE invitations DROP CONSTRAINT IF EXISTS invitations_org_id_contractor_id_fkey;
DROP TABLE contractors;
DROP FUNCTION refuse_change();
