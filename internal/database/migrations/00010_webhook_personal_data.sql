-- +goose Up
-- Outgoing webhook payloads leave out personal data (resident and staff names, email
-- addresses, phone numbers) unless the endpoint opts in; see docs/webhooks.md.
ALTER TABLE webhook_endpoints ADD COLUMN include_personal_data boolean NOT NULL DEFAULT false;

-- +goose Down
ALTER TABLE webhook_endpoints DROP COLUMN include_personal_data;
