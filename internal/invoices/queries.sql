-- name: OpenInvoiceExists :one
SELECT EXISTS (SELECT 1 FROM invoices WHERE org_id = $1 AND work_order_id = $2 AND status <> 'REJECTED');

-- name: InsertInvoice :one
INSERT INTO invoices (org_id, work_order_id, contractor_id, reference, status, notes, net_pence, vat_pence, total_pence, submitted_by)
VALUES ($1, $2, $3, $4, 'SUBMITTED', $5, $6, $7, $8, $9)
RETURNING *;

-- name: InsertInvoiceLine :exec
INSERT INTO line_items (org_id, invoice_id, position, description, quantity_milli, unit_price_pence, vat_rate_percent, net_pence, vat_pence)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9);

-- name: GetInvoice :one
SELECT sqlc.embed(i), w.ticket_id FROM invoices i JOIN work_orders w ON w.org_id = i.org_id AND w.id = i.work_order_id
WHERE i.org_id = $1 AND i.id = $2;

-- name: GetInvoiceForUpdate :one
SELECT * FROM invoices WHERE org_id = $1 AND id = $2 FOR UPDATE;

-- name: InvoiceLines :many
SELECT * FROM line_items WHERE org_id = $1 AND invoice_id = $2 ORDER BY position;

-- name: ApprovedQuoteTotal :one
SELECT total_pence FROM quotes WHERE org_id = $1 AND work_order_id = $2 AND status = 'APPROVED';

-- name: ApproveInvoice :one
UPDATE invoices SET status = 'APPROVED', approved_by = $3, approved_at = now()
WHERE org_id = $1 AND id = $2 RETURNING *;

-- name: RejectInvoice :one
UPDATE invoices SET status = 'REJECTED', rejection_reason = $3
WHERE org_id = $1 AND id = $2 RETURNING *;

-- name: MarkInvoicePaid :one
UPDATE invoices SET status = 'PAID', paid_at = now(), payment_reference = $3
WHERE org_id = $1 AND id = $2 RETURNING *;

-- name: ListInvoices :many
SELECT * FROM invoices
WHERE org_id = @org_id
  AND (sqlc.narg(status)::text IS NULL OR status = sqlc.narg(status))
  AND (sqlc.narg(work_order_id)::uuid IS NULL OR work_order_id = sqlc.narg(work_order_id))
  AND (sqlc.narg(contractor_id)::uuid IS NULL OR contractor_id = sqlc.narg(contractor_id))
  AND (created_at, id) < (@before_created_at::timestamptz, @before_id::uuid)
ORDER BY created_at DESC, id DESC
LIMIT @row_limit;

-- name: InvoiceParties :one
-- What the PDF prints: the organisation, the contractor and the property.
SELECT o.name AS org_name, c.company_name, c.email AS contractor_email, c.phone AS contractor_phone,
    t.number AS ticket_number, t.title AS ticket_title,
    coalesce(p.address_line1, '') AS address_line1, coalesce(p.town, '') AS town, coalesce(p.postcode, '') AS postcode,
    coalesce(u.label, '') AS unit_label
FROM invoices i
JOIN organisations o ON o.id = i.org_id
JOIN contractors c ON c.org_id = i.org_id AND c.id = i.contractor_id
JOIN work_orders w ON w.org_id = i.org_id AND w.id = i.work_order_id
JOIN tickets t ON t.org_id = i.org_id AND t.id = w.ticket_id
LEFT JOIN properties p ON p.org_id = t.org_id AND p.id = t.property_id
LEFT JOIN units u ON u.org_id = t.org_id AND u.id = t.unit_id
WHERE i.org_id = $1 AND i.id = $2;
