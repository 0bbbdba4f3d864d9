-- Maintenance workflow: tickets and their comments, attachments, work orders, quotes and
-- invoices with line items, ticket numbering and usage meters.

-- +goose Up

-- Full-text search over a ticket's title (weighted higher) and description.
-- +goose StatementBegin
CREATE FUNCTION ticket_search_vector(title text, description text) RETURNS tsvector
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT setweight(to_tsvector('english', title), 'A') || setweight(to_tsvector('english', description), 'B') $$;
-- +goose StatementEnd
GRANT EXECUTE ON FUNCTION ticket_search_vector(text, text) TO maintainuk_app;

-- Per-organisation ticket numbers (MT-000001, …) with no gaps: the counter row is locked
-- by the creating transaction, so a rolled-back create gives its number back.
CREATE TABLE ticket_counters (
    org_id      uuid PRIMARY KEY REFERENCES organisations (id) ON DELETE CASCADE,
    last_number bigint NOT NULL CHECK (last_number >= 0)
);

CREATE TABLE tickets (
    id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id              uuid NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    number              bigint NOT NULL CHECK (number > 0),
    -- Unit and property are empty for a public report no unit reference matched yet.
    unit_id             uuid,
    property_id         uuid,
    category            text NOT NULL CHECK (category IN ('PLUMBING', 'ELECTRICAL', 'HVAC', 'APPLIANCE', 'STRUCTURAL', 'PEST_CONTROL', 'OTHER')),
    priority            text NOT NULL CHECK (priority IN ('ROUTINE', 'URGENT', 'EMERGENCY')),
    status              text NOT NULL CHECK (status IN ('NEW', 'TRIAGED', 'IN_PROGRESS', 'RESOLVED', 'CLOSED', 'CANCELLED')),
    title               text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    description         text NOT NULL DEFAULT '' CHECK (length(description) <= 2000),
    source              text NOT NULL CHECK (source IN ('STAFF', 'RESIDENT', 'PUBLIC_FORM')),
    reported_by_user_id uuid REFERENCES users (id),
    reported_by_name    text NOT NULL DEFAULT '',
    reported_by_phone   text NOT NULL DEFAULT '' CHECK (reported_by_phone = '' OR reported_by_phone ~ '^\+[1-9][0-9]{6,14}$'),
    reported_by_email   text NOT NULL DEFAULT '',
    reported_address    text NOT NULL DEFAULT '',
    assignee_user_id    uuid REFERENCES users (id),
    sla_due_at          timestamptz NOT NULL,
    resolved_at         timestamptz,
    closed_at           timestamptz,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    -- Precomputed for full-text search (title weighted above description).
    search              tsvector NOT NULL GENERATED ALWAYS AS (ticket_search_vector(title, description)) STORED,
    UNIQUE (org_id, id),
    UNIQUE (org_id, number),
    FOREIGN KEY (org_id, unit_id) REFERENCES units (org_id, id),
    FOREIGN KEY (org_id, property_id) REFERENCES properties (org_id, id),
    CHECK ((unit_id IS NULL) = (property_id IS NULL))
);
-- One index per list filter, each ending in the list order (created_at DESC, id DESC) so a
-- filtered page is an index range scan.
CREATE INDEX tickets_org_created_idx ON tickets (org_id, created_at DESC, id DESC);
CREATE INDEX tickets_org_status_idx ON tickets (org_id, status, created_at DESC, id DESC);
CREATE INDEX tickets_org_priority_idx ON tickets (org_id, priority, created_at DESC, id DESC);
CREATE INDEX tickets_org_category_idx ON tickets (org_id, category, created_at DESC, id DESC);
CREATE INDEX tickets_org_unit_idx ON tickets (org_id, unit_id, created_at DESC, id DESC);
CREATE INDEX tickets_org_property_idx ON tickets (org_id, property_id, created_at DESC, id DESC);
CREATE INDEX tickets_org_assignee_idx ON tickets (org_id, assignee_user_id, created_at DESC, id DESC);
CREATE INDEX tickets_org_reporter_idx ON tickets (org_id, reported_by_user_id, created_at DESC, id DESC);
-- Open tickets by due time: the overdue view and the SLA timers.
CREATE INDEX tickets_open_due_idx ON tickets (org_id, sla_due_at)
    WHERE status IN ('NEW', 'TRIAGED', 'IN_PROGRESS');
-- Under row-level security PostgreSQL uses this index only when the @@ operator's function
-- (ts_match_vq) is marked LEAKPROOF, which needs a superuser (docs/database.md); without
-- it, a search filters the organisation's tickets through the org index instead.
CREATE INDEX tickets_search_idx ON tickets USING gin (search);
CREATE TRIGGER tickets_updated_at BEFORE UPDATE ON tickets
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE TABLE ticket_comments (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id     uuid NOT NULL,
    ticket_id  uuid NOT NULL,
    author_id  uuid REFERENCES users (id),
    body       text NOT NULL CHECK (length(body) BETWEEN 1 AND 5000),
    -- INTERNAL comments are for staff and contractors; RESIDENT ones the resident sees.
    visibility text NOT NULL CHECK (visibility IN ('INTERNAL', 'RESIDENT')),
    created_at timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (org_id, ticket_id) REFERENCES tickets (org_id, id) ON DELETE CASCADE
);
CREATE INDEX ticket_comments_ticket_idx ON ticket_comments (org_id, ticket_id, created_at);

CREATE TABLE work_orders (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id           uuid NOT NULL,
    ticket_id        uuid NOT NULL,
    contractor_id    uuid NOT NULL,
    description      text NOT NULL CHECK (length(description) BETWEEN 1 AND 2000),
    status           text NOT NULL CHECK (status IN ('ASSIGNED', 'ACCEPTED', 'DECLINED', 'SCHEDULED', 'IN_PROGRESS', 'COMPLETED', 'CANCELLED')),
    scheduled_for    timestamptz,
    completion_notes text NOT NULL DEFAULT '',
    status_reason    text NOT NULL DEFAULT '',
    created_by       uuid REFERENCES users (id),
    completed_at     timestamptz,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    UNIQUE (org_id, id),
    FOREIGN KEY (org_id, ticket_id) REFERENCES tickets (org_id, id),
    FOREIGN KEY (org_id, contractor_id) REFERENCES contractors (org_id, id)
);
CREATE INDEX work_orders_org_created_idx ON work_orders (org_id, created_at DESC, id DESC);
CREATE INDEX work_orders_ticket_idx ON work_orders (org_id, ticket_id);
CREATE INDEX work_orders_contractor_idx ON work_orders (org_id, contractor_id, created_at DESC, id DESC);
CREATE INDEX work_orders_status_idx ON work_orders (org_id, status, created_at DESC, id DESC);
CREATE TRIGGER work_orders_updated_at BEFORE UPDATE ON work_orders
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE TABLE quotes (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id          uuid NOT NULL,
    work_order_id   uuid NOT NULL,
    contractor_id   uuid NOT NULL,
    status          text NOT NULL CHECK (status IN ('SUBMITTED', 'APPROVED', 'REJECTED', 'WITHDRAWN')),
    valid_until     date NOT NULL,
    notes           text NOT NULL DEFAULT '' CHECK (length(notes) <= 2000),
    net_pence       bigint NOT NULL CHECK (net_pence >= 0),
    vat_pence       bigint NOT NULL CHECK (vat_pence >= 0),
    total_pence     bigint NOT NULL CHECK (total_pence = net_pence + vat_pence),
    submitted_by    uuid REFERENCES users (id),
    decided_by      uuid REFERENCES users (id),
    decided_at      timestamptz,
    decision_reason text NOT NULL DEFAULT '',
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (org_id, id),
    FOREIGN KEY (org_id, work_order_id) REFERENCES work_orders (org_id, id),
    FOREIGN KEY (org_id, contractor_id) REFERENCES contractors (org_id, id)
);
-- At most one approved quote per work order, whatever the application does.
CREATE UNIQUE INDEX quotes_one_approved_idx ON quotes (org_id, work_order_id) WHERE status = 'APPROVED';
CREATE INDEX quotes_work_order_idx ON quotes (org_id, work_order_id, created_at);
CREATE INDEX quotes_org_created_idx ON quotes (org_id, created_at DESC, id DESC);
CREATE INDEX quotes_org_status_idx ON quotes (org_id, status, created_at DESC, id DESC);
CREATE INDEX quotes_contractor_idx ON quotes (org_id, contractor_id, created_at DESC, id DESC);
CREATE INDEX quotes_submitted_idx ON quotes (org_id, created_at) WHERE status = 'SUBMITTED';
CREATE TRIGGER quotes_updated_at BEFORE UPDATE ON quotes
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE TABLE invoices (
    id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id            uuid NOT NULL,
    work_order_id     uuid NOT NULL,
    contractor_id     uuid NOT NULL,
    -- The contractor's own invoice number, as printed on their paperwork.
    reference         text NOT NULL CHECK (length(reference) BETWEEN 1 AND 50),
    status            text NOT NULL CHECK (status IN ('SUBMITTED', 'APPROVED', 'REJECTED', 'PAID')),
    notes             text NOT NULL DEFAULT '' CHECK (length(notes) <= 2000),
    net_pence         bigint NOT NULL CHECK (net_pence >= 0),
    vat_pence         bigint NOT NULL CHECK (vat_pence >= 0),
    total_pence       bigint NOT NULL CHECK (total_pence = net_pence + vat_pence),
    submitted_by      uuid REFERENCES users (id),
    approved_by       uuid REFERENCES users (id),
    approved_at       timestamptz,
    rejection_reason  text NOT NULL DEFAULT '',
    paid_at           timestamptz,
    payment_reference text NOT NULL DEFAULT '',
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    UNIQUE (org_id, id),
    FOREIGN KEY (org_id, work_order_id) REFERENCES work_orders (org_id, id),
    FOREIGN KEY (org_id, contractor_id) REFERENCES contractors (org_id, id)
);
CREATE INDEX invoices_work_order_idx ON invoices (org_id, work_order_id, created_at);
-- At most one invoice per work order that is not rejected.
CREATE UNIQUE INDEX invoices_one_open_idx ON invoices (org_id, work_order_id) WHERE status <> 'REJECTED';
CREATE INDEX invoices_org_created_idx ON invoices (org_id, created_at DESC, id DESC);
CREATE INDEX invoices_org_status_idx ON invoices (org_id, status, created_at DESC, id DESC);
CREATE INDEX invoices_contractor_idx ON invoices (org_id, contractor_id, created_at DESC, id DESC);
CREATE TRIGGER invoices_updated_at BEFORE UPDATE ON invoices
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

-- Line items of quotes and invoices. Quantities are in thousandths (2.5 hours = 2500) and
-- money in pence; VAT is computed per line (20% by default) and rounded half up.
CREATE TABLE line_items (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id           uuid NOT NULL,
    quote_id         uuid,
    invoice_id       uuid,
    position         integer NOT NULL CHECK (position >= 0),
    description      text NOT NULL CHECK (length(description) BETWEEN 1 AND 500),
    quantity_milli   bigint NOT NULL CHECK (quantity_milli > 0),
    unit_price_pence bigint NOT NULL CHECK (unit_price_pence >= 0),
    vat_rate_percent integer NOT NULL CHECK (vat_rate_percent BETWEEN 0 AND 100),
    net_pence        bigint NOT NULL CHECK (net_pence >= 0),
    vat_pence        bigint NOT NULL CHECK (vat_pence >= 0),
    FOREIGN KEY (org_id, quote_id) REFERENCES quotes (org_id, id) ON DELETE CASCADE,
    FOREIGN KEY (org_id, invoice_id) REFERENCES invoices (org_id, id) ON DELETE CASCADE,
    CHECK ((quote_id IS NULL) <> (invoice_id IS NULL))
);
CREATE INDEX line_items_quote_idx ON line_items (org_id, quote_id, position) WHERE quote_id IS NOT NULL;
CREATE INDEX line_items_invoice_idx ON line_items (org_id, invoice_id, position) WHERE invoice_id IS NOT NULL;

-- Files are stored once per organisation by content hash; a row per attachment.
CREATE TABLE attachments (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id       uuid NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    ticket_id    uuid,
    quote_id     uuid,
    invoice_id   uuid,
    sha256       text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    size_bytes   bigint NOT NULL CHECK (size_bytes > 0),
    content_type text NOT NULL CHECK (content_type IN ('image/jpeg', 'image/png', 'image/heic', 'application/pdf')),
    filename     text NOT NULL CHECK (length(filename) BETWEEN 1 AND 255),
    uploaded_by  uuid REFERENCES users (id),
    created_at   timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (org_id, ticket_id) REFERENCES tickets (org_id, id) ON DELETE CASCADE,
    FOREIGN KEY (org_id, quote_id) REFERENCES quotes (org_id, id) ON DELETE CASCADE,
    FOREIGN KEY (org_id, invoice_id) REFERENCES invoices (org_id, id) ON DELETE CASCADE,
    CHECK (num_nonnulls(ticket_id, quote_id, invoice_id) = 1)
);
CREATE INDEX attachments_blob_idx ON attachments (org_id, sha256);
CREATE INDEX attachments_ticket_idx ON attachments (org_id, ticket_id, created_at) WHERE ticket_id IS NOT NULL;
CREATE INDEX attachments_quote_idx ON attachments (org_id, quote_id) WHERE quote_id IS NOT NULL;
CREATE INDEX attachments_invoice_idx ON attachments (org_id, invoice_id) WHERE invoice_id IS NOT NULL;

-- Usage per organisation, metric and billing month, incremented in the same transaction as
-- the billable action (storage bytes here; SMS, WhatsApp and AI tokens later).
CREATE TABLE usage_meters (
    org_id       uuid NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    metric       text NOT NULL,
    period_start date NOT NULL,
    quantity     bigint NOT NULL DEFAULT 0,
    updated_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (org_id, metric, period_start)
);

-- Events about a ticket's work orders, quotes, invoices and attachments also name the
-- ticket, so its whole story reads back in one indexed query.
ALTER TABLE timeline_events ADD COLUMN ticket_id uuid;
CREATE INDEX timeline_ticket_idx ON timeline_events (org_id, ticket_id, seq) WHERE ticket_id IS NOT NULL;

SELECT enable_tenant_rls('ticket_counters');
SELECT enable_tenant_rls('tickets');
SELECT enable_tenant_rls('ticket_comments');
SELECT enable_tenant_rls('work_orders');
SELECT enable_tenant_rls('quotes');
SELECT enable_tenant_rls('invoices');
SELECT enable_tenant_rls('line_items');
SELECT enable_tenant_rls('attachments');
SELECT enable_tenant_rls('usage_meters');

GRANT SELECT, INSERT, UPDATE ON ticket_counters, tickets, work_orders, quotes, invoices, usage_meters TO maintainuk_app;
GRANT SELECT, INSERT ON ticket_comments, line_items, attachments TO maintainuk_app;

-- +goose Down
DROP TABLE usage_meters, attachments, line_items, invoices, quotes, work_orders, ticket_comments, tickets, ticket_counters;
DROP FUNCTION ticket_search_vector(text, text);
ALTER TABLE timeline_events DROP COLUMN ticket_id;
