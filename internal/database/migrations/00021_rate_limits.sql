-- +goose Up
-- Shared rate-limit counters (RATE_LIMIT_STORE=postgres, docs/security.md): one row per
-- limited key holding its current fixed window, so every replica on this database counts
-- against the same limit, with one atomic upsert per check (internal/ratelimit).
--
-- Not a tenant table, so no org_id and no row-level security: the keys are SHA-256 hashes
-- of the limit's scope and its client (a member, an organisation or an IP address), so a
-- row names no organisation and holds no personal data, and the unauthenticated clients
-- it counts belong to no organisation at all.
--
-- UNLOGGED: it is written on every API request and worthless a minute later, so it skips
-- the write-ahead log (cheaper writes, nothing shipped to standbys). A crash or failover
-- empties it, which only starts the current windows again.
--
-- Ended windows are deleted by the hourly retention job.
CREATE UNLOGGED TABLE rate_limits (
    key        bytea PRIMARY KEY CHECK (length(key) = 32),
    window_end timestamptz NOT NULL,
    hits       integer NOT NULL
);
GRANT SELECT, INSERT, UPDATE, DELETE ON rate_limits TO maintainuk_app;

-- +goose Down
DROP TABLE rate_limits;
