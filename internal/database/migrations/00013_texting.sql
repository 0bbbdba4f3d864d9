-- +goose Up
-- SMS and WhatsApp (docs/messaging.md): the numbers people can be texted on and the
-- consent given or withdrawn for each, texts on the messages table beside emails, and
-- the two lookups Twilio's webhooks need before they know the organisation.

-- A number someone can be texted on, in one organisation, per channel. user_id is the
-- member it belongs to (a resident, a contractor's user) when known; a number typed on a
-- ticket by staff has none. granted mirrors the newest consent record, written in the
-- same transaction, so a send checks one row.
CREATE TABLE contact_points (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id          uuid NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    channel         text NOT NULL CHECK (channel IN ('SMS', 'WHATSAPP')),
    -- E.164, without any "whatsapp:" prefix.
    address         text NOT NULL CHECK (address ~ '^\+[1-9][0-9]{6,14}$'),
    user_id         uuid REFERENCES users (id) ON DELETE SET NULL,
    preferred       boolean NOT NULL DEFAULT false,
    granted         boolean NOT NULL DEFAULT false,
    -- When they last wrote to us on this channel: WhatsApp allows free text for 24
    -- hours after it.
    last_inbound_at timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (org_id, channel, address),
    UNIQUE (org_id, id)
);
CREATE INDEX contact_points_user_idx ON contact_points (org_id, user_id) WHERE user_id IS NOT NULL;
CREATE INDEX contact_points_address_idx ON contact_points (address, channel);
CREATE TRIGGER contact_points_updated_at BEFORE UPDATE ON contact_points
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

-- Every grant and withdrawal of consent, never changed: the history a regulator asks for.
CREATE TABLE consent_records (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id           uuid NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    contact_point_id uuid NOT NULL,
    granted          boolean NOT NULL,
    consent_type     text NOT NULL CHECK (consent_type IN ('TRANSACTIONAL', 'MARKETING')),
    source           text NOT NULL CHECK (source IN ('WEB', 'API', 'INBOUND_KEYWORD', 'PROVIDER')),
    -- The keyword that caused it, or the provider's error code for PROVIDER.
    detail           text NOT NULL DEFAULT '' CHECK (length(detail) <= 200),
    ip_address       text NOT NULL DEFAULT '' CHECK (length(ip_address) <= 64),
    user_agent       text NOT NULL DEFAULT '' CHECK (length(user_agent) <= 500),
    -- No foreign key: the record outlives the user (a key would have to be cleared on their
    -- deletion, which the append-only trigger refuses), as timeline_events.actor_id does.
    recorded_by      uuid,
    recorded_at      timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (org_id, contact_point_id) REFERENCES contact_points (org_id, id) ON DELETE CASCADE
);
CREATE INDEX consent_records_point_idx ON consent_records (org_id, contact_point_id, recorded_at DESC, id DESC);
CREATE INDEX consent_records_org_idx ON consent_records (org_id, recorded_at DESC, id DESC);
CREATE TRIGGER consent_records_append_only BEFORE UPDATE OR DELETE ON consent_records
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER consent_records_no_truncate BEFORE TRUNCATE ON consent_records
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();

-- Texts live with emails in messages. Statuses are Twilio's (QUEUED, SENT, DELIVERED,
-- UNDELIVERED, FAILED, READ) plus MaintainUK's own: PENDING (waiting for its worker,
-- perhaps held until quiet hours end), SENDING (handed to the provider, no answer yet),
-- BLOCKED (refused here: no consent, over the allowance, outside the WhatsApp window) and
-- RECEIVED (a text from a resident).
ALTER TABLE messages DROP CONSTRAINT messages_status_check;
ALTER TABLE messages ADD CONSTRAINT messages_status_check CHECK (status IN (
    'PENDING', 'SENDING', 'QUEUED', 'SENT', 'DELIVERED', 'UNDELIVERED', 'FAILED', 'READ', 'BLOCKED', 'RECEIVED'));
ALTER TABLE messages
    ADD COLUMN direction        text NOT NULL DEFAULT 'OUTBOUND' CHECK (direction IN ('OUTBOUND', 'INBOUND')),
    ADD COLUMN ticket_id        uuid,
    ADD COLUMN contact_point_id uuid,
    ADD COLUMN sender           text NOT NULL DEFAULT '',
    ADD COLUMN segments         integer NOT NULL DEFAULT 0 CHECK (segments >= 0),
    ADD COLUMN encoding         text NOT NULL DEFAULT '',
    ADD COLUMN cost_pence       bigint NOT NULL DEFAULT 0 CHECK (cost_pence >= 0),
    -- What the allowance was charged, and the month it was charged to: given back there
    -- when the message never left.
    ADD COLUMN metered          integer NOT NULL DEFAULT 0 CHECK (metered >= 0),
    ADD COLUMN metered_period   date,
    ADD COLUMN error_code       text NOT NULL DEFAULT '',
    ADD COLUMN content_sid      text NOT NULL DEFAULT '',
    ADD COLUMN content_variables jsonb,
    ADD COLUMN emergency        boolean NOT NULL DEFAULT false,
    ADD COLUMN hold_until       timestamptz,
    ADD COLUMN created_by       uuid REFERENCES users (id) ON DELETE SET NULL,
    ADD COLUMN status_at        timestamptz,
    ADD COLUMN delivered_at     timestamptz,
    ADD COLUMN read_at          timestamptz,
    ADD CONSTRAINT messages_ticket_fk FOREIGN KEY (org_id, ticket_id) REFERENCES tickets (org_id, id) ON DELETE CASCADE,
    ADD CONSTRAINT messages_contact_point_fk FOREIGN KEY (org_id, contact_point_id) REFERENCES contact_points (org_id, id) ON DELETE SET NULL (contact_point_id);
CREATE INDEX messages_ticket_idx ON messages (org_id, ticket_id, created_at DESC, id DESC) WHERE ticket_id IS NOT NULL;
CREATE INDEX messages_contact_point_idx ON messages (org_id, contact_point_id, created_at DESC) WHERE contact_point_id IS NOT NULL;
CREATE INDEX messages_provider_sid_idx ON messages (provider_message_id) WHERE provider_message_id <> '';

SELECT enable_tenant_rls('contact_points');
SELECT enable_tenant_rls('consent_records');
GRANT SELECT, INSERT, UPDATE ON contact_points TO maintainuk_app;
GRANT SELECT, INSERT ON consent_records TO maintainuk_app;

-- Twilio's webhooks name a phone number or a message sid, not an organisation. These two
-- functions answer only the ids the receiver needs to continue inside the organisation's
-- own row-level scope. They run as the migration role (SECURITY DEFINER), which a SELECT
-- policy of its own lets read across organisations only while app.texting_lookup is on:
-- the functions turn it on for their one query and off again, so nothing else the
-- migration role runs, and no other role at all, sees another organisation's rows.
-- +goose StatementBegin
DO $$
BEGIN
    EXECUTE format('CREATE POLICY texting_lookup ON contact_points FOR SELECT TO %I USING (current_setting(''app.texting_lookup'', true) = ''on'')', current_user);
    EXECUTE format('CREATE POLICY texting_lookup ON messages FOR SELECT TO %I USING (current_setting(''app.texting_lookup'', true) = ''on'')', current_user);
END
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION texting_contacts(p_channel text, p_address text)
    RETURNS TABLE (org_id uuid, contact_point_id uuid)
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp
AS $$
BEGIN
    PERFORM set_config('app.texting_lookup', 'on', true);
    RETURN QUERY SELECT c.org_id, c.id FROM public.contact_points c WHERE c.channel = p_channel AND c.address = p_address;
    PERFORM set_config('app.texting_lookup', '', true);
END
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION texting_message_by_sid(p_sid text)
    RETURNS TABLE (org_id uuid, message_id uuid)
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp
AS $$
BEGIN
    PERFORM set_config('app.texting_lookup', 'on', true);
    RETURN QUERY SELECT m.org_id, m.id FROM public.messages m WHERE m.provider_message_id = p_sid AND p_sid <> '' LIMIT 1;
    PERFORM set_config('app.texting_lookup', '', true);
END
$$;
-- +goose StatementEnd

REVOKE ALL ON FUNCTION texting_contacts(text, text), texting_message_by_sid(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION texting_contacts(text, text), texting_message_by_sid(text) TO maintainuk_app;

-- +goose Down
DROP FUNCTION texting_message_by_sid(text);
DROP FUNCTION texting_contacts(text, text);
DROP POLICY texting_lookup ON messages;
DROP TRIGGER consent_records_no_truncate ON consent_records;
DROP INDEX messages_provider_sid_idx, messages_contact_point_idx, messages_ticket_idx;
ALTER TABLE messages DROP CONSTRAINT messages_contact_point_fk, DROP CONSTRAINT messages_ticket_fk,
    DROP COLUMN direction, DROP COLUMN ticket_id, DROP COLUMN contact_point_id, DROP COLUMN sender,
    DROP COLUMN segments, DROP COLUMN encoding, DROP COLUMN cost_pence, DROP COLUMN metered, DROP COLUMN metered_period,
    DROP COLUMN error_code, DROP COLUMN content_sid, DROP COLUMN content_variables, DROP COLUMN emergency,
    DROP COLUMN hold_until, DROP COLUMN created_by, DROP COLUMN status_at, DROP COLUMN delivered_at, DROP COLUMN read_at;
DELETE FROM messages WHERE status NOT IN ('PENDING', 'SENT', 'FAILED');
ALTER TABLE messages DROP CONSTRAINT messages_status_check;
ALTER TABLE messages ADD CONSTRAINT messages_status_check CHECK (status IN ('PENDING', 'SENT', 'FAILED'));
DROP TABLE consent_records, contact_points;
