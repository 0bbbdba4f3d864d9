-- +goose Up
-- Contractor compliance (docs/compliance.md): a company's Gas Safe Register number and the
-- registration's expiry, and its NICEIC enrolment number. Empty text is "not recorded",
-- as with phone; the formats match the service's validation.
ALTER TABLE contractors
    ADD COLUMN gas_safe_number     text NOT NULL DEFAULT '' CHECK (gas_safe_number = '' OR gas_safe_number ~ '^[0-9]{6,7}$'),
    ADD COLUMN gas_safe_expires_on date,
    ADD COLUMN niceic_number       text NOT NULL DEFAULT '' CHECK (niceic_number = '' OR niceic_number ~ '^[A-Z0-9]{4,20}$');

-- +goose Down
ALTER TABLE contractors DROP COLUMN niceic_number, DROP COLUMN gas_safe_expires_on, DROP COLUMN gas_safe_number;
