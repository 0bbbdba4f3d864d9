-- +goose Up
-- Statutory certificates per property (docs/compliance.md): gas safety records, electrical
-- installation condition reports, energy performance certificates and smoke and carbon
-- monoxide alarm checks. The rules (validity per kind, the gas safety 10-12 month rule)
-- live in internal/certificates; the table keeps what was done and the expiry worked out
-- then. A document (PDF or photo) is stored by content hash in the attachments store;
-- its path is never taken from the client.
CREATE TABLE certificates (
    id                    uuid NOT NULL DEFAULT gen_random_uuid(),
    org_id                uuid NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    property_id           uuid NOT NULL,
    kind                  text NOT NULL CHECK (kind IN ('GAS_SAFETY', 'EICR', 'EPC', 'SMOKE_CO_ALARMS')),
    issued_on             date NOT NULL,
    expires_on            date CHECK (expires_on IS NULL OR expires_on > issued_on),
    reference             text NOT NULL DEFAULT '' CHECK (length(reference) <= 100),
    contractor_name       text NOT NULL DEFAULT '' CHECK (length(contractor_name) <= 200),
    rating                text CHECK (rating IN ('A', 'B', 'C', 'D', 'E', 'F', 'G')),
    tenant_copy_sent_on   date,
    document_sha256       text CHECK (document_sha256 ~ '^[0-9a-f]{64}$'),
    document_content_type text NOT NULL DEFAULT '',
    document_filename     text NOT NULL DEFAULT '' CHECK (length(document_filename) <= 255),
    document_size_bytes   bigint NOT NULL DEFAULT 0,
    created_by            uuid,
    created_at            timestamptz NOT NULL DEFAULT now(),
    updated_at            timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (org_id, id),
    FOREIGN KEY (org_id, property_id) REFERENCES properties (org_id, id) ON DELETE CASCADE,
    -- Only an EPC has a rating, and an EPC always has one.
    CHECK ((kind = 'EPC') = (rating IS NOT NULL))
);
CREATE INDEX certificates_property_idx ON certificates (org_id, property_id, kind, issued_on DESC, created_at DESC);
CREATE INDEX certificates_expiry_idx ON certificates (org_id, expires_on) WHERE expires_on IS NOT NULL;
CREATE TRIGGER certificates_updated_at BEFORE UPDATE ON certificates
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

SELECT enable_tenant_rls('certificates');
GRANT SELECT, INSERT, UPDATE ON certificates TO maintainuk_app;

-- +goose Down
DROP TABLE certificates;
