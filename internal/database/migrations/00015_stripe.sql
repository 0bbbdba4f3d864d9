-- +goose Up
-- Stripe (docs/billing.md): the webhook events applied, once each; the usage reported to
-- Stripe's meters, so that each unit is reported once; and the one way a customer id is
-- recorded.

-- An event is recorded in the same transaction that applies it: a second delivery of it
-- finds the row and changes nothing. Its organisation is part of the key so the table
-- stays distributable by organisation.
CREATE TABLE stripe_events (
    org_id      uuid NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    event_id    text NOT NULL,
    type        text NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (org_id, event_id)
);
CREATE INDEX stripe_events_received_idx ON stripe_events (received_at);

-- What of each metered month's overage has been handed to the queue as meter events:
-- reported (units) and reports (how many; each report's identifier is its number, so a
-- retried job repeats its identifier and Stripe counts it once).
CREATE TABLE usage_reports (
    org_id       uuid NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    metric       text NOT NULL,
    period_start date NOT NULL,
    reported     bigint NOT NULL DEFAULT 0,
    reports      integer NOT NULL DEFAULT 0,
    updated_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (org_id, metric, period_start)
);

SELECT enable_tenant_rls('stripe_events');
SELECT enable_tenant_rls('usage_reports');
GRANT SELECT, INSERT, DELETE ON stripe_events TO maintainuk_app;
GRANT SELECT, INSERT, UPDATE ON usage_reports TO maintainuk_app;

-- Webhooks name an organisation by its Stripe customer; a system scope (app.system) can
-- read organisations to find it, and this index finds it at once.
CREATE UNIQUE INDEX organisations_stripe_customer_idx ON organisations (stripe_customer_id) WHERE stripe_customer_id IS NOT NULL;

-- billing_set_customer records the organisation's Stripe customer unless it has one
-- already, and answers the one it has: the customer job and a first plan change may both
-- create it (with the same idempotency key, so Stripe answers both with one customer).
-- +goose StatementBegin
CREATE FUNCTION billing_set_customer(p_org uuid, p_customer text) RETURNS text
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp
AS $$
DECLARE
    v_customer text;
BEGIN
    IF p_org IS DISTINCT FROM public.app_org_id() THEN
        RAISE EXCEPTION 'billing_set_customer: organisation % is not the one in scope', p_org;
    END IF;
    UPDATE public.organisations SET stripe_customer_id = p_customer
    WHERE id = p_org AND stripe_customer_id IS NULL;
    SELECT stripe_customer_id INTO v_customer FROM public.organisations WHERE id = p_org;
    RETURN v_customer;
END
$$;
-- +goose StatementEnd
REVOKE ALL ON FUNCTION billing_set_customer(uuid, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION billing_set_customer(uuid, text) TO maintainuk_app;

-- +goose Down
DROP FUNCTION billing_set_customer(uuid, text);
DROP INDEX organisations_stripe_customer_idx;
DROP TABLE usage_reports, stripe_events;
