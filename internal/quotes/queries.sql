-- name: InsertQuote :one
INSERT INTO quotes (org_id, work_order_id, contractor_id, status, valid_until, notes, net_pence, vat_pence, total_pence, submitted_by)
VALUES ($1, $2, $3, 'SUBMITTED', $4, $5, $6, $7, $8, $9)
RETURNING *;

-- name: InsertQuoteLine :exec
INSERT INTO line_items (org_id, quote_id, position, description, quantity_milli, unit_price_pence, vat_rate_percent, net_pence, vat_pence)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9);

-- name: GetQuote :one
SELECT sqlc.embed(q), w.ticket_id FROM quotes q JOIN work_orders w ON w.org_id = q.org_id AND w.id = q.work_order_id
WHERE q.org_id = $1 AND q.id = $2;

-- name: GetQuoteForUpdate :one
SELECT * FROM quotes WHERE org_id = $1 AND id = $2 FOR UPDATE;

-- name: QuoteLines :many
SELECT * FROM line_items WHERE org_id = $1 AND quote_id = $2 ORDER BY position;

-- name: DecideQuote :one
UPDATE quotes SET status = @status, decided_by = @decided_by, decided_at = now(), decision_reason = @decision_reason
WHERE org_id = @org_id AND id = @id
RETURNING *;

-- name: RejectSiblingQuotes :many
UPDATE quotes SET status = 'REJECTED', decided_by = @decided_by, decided_at = now(),
    decision_reason = 'another quote for this work order was approved'
WHERE org_id = @org_id AND work_order_id = @work_order_id AND id <> @approved_id AND status = 'SUBMITTED'
RETURNING id, contractor_id;

-- name: ListQuotes :many
SELECT * FROM quotes
WHERE org_id = @org_id
  AND (sqlc.narg(status)::text IS NULL OR status = sqlc.narg(status))
  AND (sqlc.narg(work_order_id)::uuid IS NULL OR work_order_id = sqlc.narg(work_order_id))
  AND (sqlc.narg(contractor_id)::uuid IS NULL OR contractor_id = sqlc.narg(contractor_id))
  AND (created_at, id) < (@before_created_at::timestamptz, @before_id::uuid)
ORDER BY created_at DESC, id DESC
LIMIT @row_limit;

-- name: ApprovedQuoteExists :one
SELECT EXISTS (SELECT 1 FROM quotes WHERE org_id = $1 AND work_order_id = $2 AND status = 'APPROVED');

-- name: LockTicketApprovals :exec
-- Serialises quote approvals for one ticket (taken after the work order's lock), so two
-- approvals on different work orders of a ticket cannot both pass the threshold check.
SELECT pg_advisory_xact_lock(hashtextextended('quote-approvals:' || sqlc.arg(ticket_key)::text, 0));

-- name: ApprovedTotalForTicket :one
-- What is already approved across all of a ticket's work orders: splitting a job into
-- several work orders does not dodge the approval threshold.
SELECT coalesce(sum(q.total_pence), 0)::bigint AS total_pence
FROM quotes q JOIN work_orders w ON w.org_id = q.org_id AND w.id = q.work_order_id
WHERE q.org_id = @org_id AND w.ticket_id = @ticket_id AND q.status = 'APPROVED';
