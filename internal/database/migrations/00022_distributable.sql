-- +goose Up
-- Distributable by organisation (docs/operations.md, "Past one database"): every tenant
-- table's primary key and unique keys include org_id, so the schema can be distributed by
-- org_id (Citus) without a rewrite; TestSchemaDistributableByOrg keeps it so.
--
-- The tables keyed by (id) alone get the primary key (org_id, id). Most already had
-- UNIQUE (org_id, id) for the foreign keys of their children; it becomes the primary key
-- (one index instead of two), and the foreign keys that used either key are recreated on
-- it. Every query already reads these tables by org_id and id (row-level security adds
-- org_id = the scope's organisation anyway), so the new index serves them as the old did.
-- +goose StatementBegin
DO $$
DECLARE
    t   record;
    fk  record;
    fks text[] := '{}';
    def text;
BEGIN
    FOR t IN
        SELECT c.oid, c.relname, p.conname AS pkey
        FROM pg_class c
        JOIN pg_constraint p ON p.conrelid = c.oid AND p.contype = 'p'
        JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'org_id' AND NOT a.attisdropped
        WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('r', 'p')
          AND NOT a.attnum = ANY (p.conkey)
        ORDER BY c.relname
    LOOP
        fks := '{}';
        -- The foreign keys that rest on the old primary key or on UNIQUE (org_id, id).
        FOR fk IN
            SELECT f.conrelid::regclass AS tbl, f.conname, pg_get_constraintdef(f.oid) AS def
            FROM pg_constraint f
            WHERE f.contype = 'f' AND f.confrelid = t.oid
              AND f.conindid IN (SELECT k.conindid FROM pg_constraint k
                                 WHERE k.conrelid = t.oid AND k.contype IN ('p', 'u')
                                   AND (k.contype = 'p' OR k.conkey::int[] @> (SELECT array_agg(attnum::int) FROM pg_attribute
                                        WHERE attrelid = t.oid AND attname IN ('org_id', 'id'))
                                        AND cardinality(k.conkey) = 2))
        LOOP
            fks := fks || format('ALTER TABLE %s ADD CONSTRAINT %I %s', fk.tbl, fk.conname, fk.def);
            EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', fk.tbl, fk.conname);
        END LOOP;
        FOR fk IN
            SELECT k.conname FROM pg_constraint k
            WHERE k.conrelid = t.oid AND k.contype = 'u' AND cardinality(k.conkey) = 2
              AND k.conkey::int[] @> (SELECT array_agg(attnum::int) FROM pg_attribute
                                      WHERE attrelid = t.oid AND attname IN ('org_id', 'id'))
        LOOP
            EXECUTE format('ALTER TABLE %I DROP CONSTRAINT %I', t.relname, fk.conname);
        END LOOP;
        EXECUTE format('ALTER TABLE %I DROP CONSTRAINT %I, ADD CONSTRAINT %I PRIMARY KEY (org_id, id)', t.relname, t.pkey, t.pkey);
        FOREACH def IN ARRAY fks LOOP
            EXECUTE def;
        END LOOP;
    END LOOP;
END
$$;
-- +goose StatementEnd

-- Tokens are looked up by organisation and hash (internal/identity/queries.sql).
ALTER TABLE invitations DROP CONSTRAINT invitations_token_hash_key,
    ADD CONSTRAINT invitations_token_hash_key UNIQUE (org_id, token_hash);
ALTER TABLE password_resets DROP CONSTRAINT password_resets_token_hash_key,
    ADD CONSTRAINT password_resets_token_hash_key UNIQUE (org_id, token_hash);
ALTER TABLE refresh_tokens DROP CONSTRAINT refresh_tokens_token_hash_key,
    ADD CONSTRAINT refresh_tokens_token_hash_key UNIQUE (org_id, token_hash);

-- +goose Down
ALTER TABLE invitations DROP CONSTRAINT invitations_token_hash_key,
    ADD CONSTRAINT invitations_token_hash_key UNIQUE (token_hash);
ALTER TABLE password_resets DROP CONSTRAINT password_resets_token_hash_key,
    ADD CONSTRAINT password_resets_token_hash_key UNIQUE (token_hash);
ALTER TABLE refresh_tokens DROP CONSTRAINT refresh_tokens_token_hash_key,
    ADD CONSTRAINT refresh_tokens_token_hash_key UNIQUE (token_hash);
-- Back to (id) primary keys, each table keeping UNIQUE (org_id, id) for the foreign keys.
-- +goose StatementBegin
DO $$
DECLARE
    tbl text;
    fk  record;
    fks text[];
    def text;
BEGIN
    FOREACH tbl IN ARRAY ARRAY['ai_decisions', 'ai_prompt_templates', 'attachments', 'consent_records',
        'contact_points', 'contractors', 'invitations', 'invoices', 'line_items', 'memberships', 'messages',
        'password_resets', 'properties', 'quotes', 'refresh_tokens', 'self_help_sessions', 'ticket_comments',
        'tickets', 'timeline_events', 'unit_occupants', 'units', 'webhook_deliveries', 'webhook_endpoints',
        'work_orders']
    LOOP
        fks := '{}';
        FOR fk IN
            SELECT f.conrelid::regclass AS t, f.conname, pg_get_constraintdef(f.oid) AS def
            FROM pg_constraint f
            WHERE f.contype = 'f' AND f.confrelid = tbl::regclass
              AND f.conindid = (SELECT conindid FROM pg_constraint WHERE conrelid = tbl::regclass AND contype = 'p')
        LOOP
            fks := fks || format('ALTER TABLE %s ADD CONSTRAINT %I %s', fk.t, fk.conname, fk.def);
            EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', fk.t, fk.conname);
        END LOOP;
        EXECUTE format('ALTER TABLE %I DROP CONSTRAINT %I, ADD CONSTRAINT %I PRIMARY KEY (id), ADD UNIQUE (org_id, id)',
            tbl, tbl || '_pkey', tbl || '_pkey');
        FOREACH def IN ARRAY fks LOOP
            EXECUTE def;
        END LOOP;
    END LOOP;
END
$$;
-- +goose StatementEnd
