-- +goose Up
-- Subscriptions (docs/billing.md): an organisation's plan and its subscription's state,
-- changed only through billing_apply, the narrow path migration 00006 promised: the
-- application's role still cannot write these columns directly.
ALTER TABLE organisations
    ADD COLUMN cancel_at_period_end boolean NOT NULL DEFAULT false,
    ADD COLUMN current_period_end   timestamptz,
    -- When the provider's state last applied was true: an older one (a webhook delivered
    -- late) is not applied over a newer.
    ADD COLUMN billing_updated_at   timestamptz,
    ADD CONSTRAINT organisations_plan_check CHECK (plan IN ('FREE', 'STARTER', 'PROFESSIONAL', 'ENTERPRISE')),
    ADD CONSTRAINT organisations_subscription_status_check
        CHECK (subscription_status IN ('ACTIVE', 'TRIALING', 'PAST_DUE', 'UNPAID', 'CANCELED', 'INCOMPLETE'));

-- billing_apply sets the organisation in the caller's scope (app.org_id) to a subscription
-- state, unless a newer one was applied already; it reports whether it applied. It runs as
-- the schema owner, which row-level security still holds to the organisation in scope.
-- +goose StatementBegin
CREATE FUNCTION billing_apply(p_org uuid, p_plan text, p_status text, p_customer text, p_subscription text,
    p_cancel_at_period_end boolean, p_period_end timestamptz, p_at timestamptz) RETURNS boolean
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp
AS $$
BEGIN
    IF p_org IS DISTINCT FROM public.app_org_id() THEN
        RAISE EXCEPTION 'billing_apply: organisation % is not the one in scope', p_org;
    END IF;
    UPDATE public.organisations
    SET plan = p_plan, subscription_status = p_status,
        stripe_customer_id = coalesce(p_customer, stripe_customer_id), stripe_subscription_id = p_subscription,
        cancel_at_period_end = p_cancel_at_period_end, current_period_end = p_period_end, billing_updated_at = p_at
    WHERE id = p_org AND (billing_updated_at IS NULL OR billing_updated_at <= p_at);
    RETURN FOUND;
END
$$;
-- +goose StatementEnd
REVOKE ALL ON FUNCTION billing_apply(uuid, text, text, text, text, boolean, timestamptz, timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION billing_apply(uuid, text, text, text, text, boolean, timestamptz, timestamptz) TO maintainuk_app;

-- +goose Down
DROP FUNCTION billing_apply(uuid, text, text, text, text, boolean, timestamptz, timestamptz);
ALTER TABLE organisations DROP CONSTRAINT organisations_subscription_status_check, DROP CONSTRAINT organisations_plan_check,
    DROP COLUMN billing_updated_at, DROP COLUMN current_period_end, DROP COLUMN cancel_at_period_end;
