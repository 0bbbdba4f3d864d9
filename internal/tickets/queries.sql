-- name: NextTicketNumber :one
-- Locks the organisation's counter row until the creating transaction ends, so numbers
-- are gapless and unique under concurrent creates.
INSERT INTO ticket_counters (org_id, last_number) VALUES ($1, 1)
ON CONFLICT (org_id) DO UPDATE SET last_number = ticket_counters.last_number + 1
RETURNING last_number;

-- name: InsertTicket :exec
-- The service makes the whole row (id and times included) so that the insert needs no
-- answer and can be pipelined while the counter row is locked (tickets.Service.insert).
INSERT INTO tickets (
    id, org_id, number, unit_id, property_id, category, priority, status, title, description, source,
    reported_by_user_id, reported_by_name, reported_by_phone, reported_by_email, reported_address,
    assignee_user_id, sla_due_at, created_at, updated_at
) VALUES (
    @id, @org_id, @number, @unit_id, @property_id, @category, @priority, 'NEW', @title, @description, @source,
    @reported_by_user_id, @reported_by_name, @reported_by_phone, @reported_by_email, @reported_address,
    @assignee_user_id, @sla_due_at, @created_at, @created_at
);

-- name: GetTicket :one
-- Queries that answer a ticket name its columns: all but the stored search vector, which
-- is only for matching and would cost the server and the driver to send and decode. The
-- lists are alike, so their row types convert to one another (see fromRow).
SELECT id, org_id, number, unit_id, property_id, category, priority, status, title, description, source,
    reported_by_user_id, reported_by_name, reported_by_phone, reported_by_email, reported_address,
    assignee_user_id, sla_due_at, resolved_at, closed_at, created_at, updated_at
FROM tickets WHERE org_id = $1 AND id = $2;

-- name: GetTicketForUpdate :one
SELECT id, org_id, number, unit_id, property_id, category, priority, status, title, description, source,
    reported_by_user_id, reported_by_name, reported_by_phone, reported_by_email, reported_address,
    assignee_user_id, sla_due_at, resolved_at, closed_at, created_at, updated_at
FROM tickets WHERE org_id = $1 AND id = $2 FOR UPDATE;

-- name: UpdateTicket :one
UPDATE tickets SET
    category = @category, priority = @priority, title = @title, description = @description,
    assignee_user_id = @assignee_user_id, unit_id = @unit_id, property_id = @property_id, sla_due_at = @sla_due_at
WHERE org_id = @org_id AND id = @id
RETURNING id, org_id, number, unit_id, property_id, category, priority, status, title, description, source,
    reported_by_user_id, reported_by_name, reported_by_phone, reported_by_email, reported_address,
    assignee_user_id, sla_due_at, resolved_at, closed_at, created_at, updated_at;

-- name: SetTicketStatus :one
UPDATE tickets SET status = @status, resolved_at = @resolved_at, closed_at = @closed_at
WHERE org_id = @org_id AND id = @id
RETURNING id, org_id, number, unit_id, property_id, category, priority, status, title, description, source,
    reported_by_user_id, reported_by_name, reported_by_phone, reported_by_email, reported_address,
    assignee_user_id, sla_due_at, resolved_at, closed_at, created_at, updated_at;

-- name: ListTickets :many
-- Optional filters are NULL when absent; the pool plans each execution with its actual
-- values (plan_cache_mode = force_custom_plan), so absent ones fold away and the index of
-- the present one is used. TENANT and CONTRACTOR viewers are narrowed to what they may see.
SELECT t.id, t.org_id, t.number, t.unit_id, t.property_id, t.category, t.priority, t.status, t.title, t.description, t.source,
    t.reported_by_user_id, t.reported_by_name, t.reported_by_phone, t.reported_by_email, t.reported_address,
    t.assignee_user_id, t.sla_due_at, t.resolved_at, t.closed_at, t.created_at, t.updated_at
FROM tickets t
WHERE t.org_id = @org_id
  AND (sqlc.narg(status)::text IS NULL OR t.status = sqlc.narg(status))
  AND (sqlc.narg(priority)::text IS NULL OR t.priority = sqlc.narg(priority))
  AND (sqlc.narg(category)::text IS NULL OR t.category = sqlc.narg(category))
  AND (sqlc.narg(unit_id)::uuid IS NULL OR t.unit_id = sqlc.narg(unit_id))
  AND (sqlc.narg(property_id)::uuid IS NULL OR t.property_id = sqlc.narg(property_id))
  AND (sqlc.narg(assignee_user_id)::uuid IS NULL OR t.assignee_user_id = sqlc.narg(assignee_user_id))
  AND (NOT @overdue::boolean OR (t.status IN ('NEW', 'TRIAGED', 'IN_PROGRESS') AND t.sla_due_at < @now::timestamptz))
  AND (sqlc.narg(query)::text IS NULL OR t.search @@ websearch_to_tsquery('english', sqlc.narg(query)))
  -- Visibility is computed as a set of ticket ids first (indexed lookups), so a resident or
  -- contractor page never walks the organisation's tickets checking each one.
  AND (sqlc.narg(tenant_user_id)::uuid IS NULL OR t.id = ANY (ARRAY(
       SELECT r.id FROM tickets r WHERE r.org_id = @org_id AND r.reported_by_user_id = sqlc.narg(tenant_user_id)
       UNION
       SELECT u.id FROM unit_occupants o JOIN tickets u ON u.org_id = o.org_id AND u.unit_id = o.unit_id
       WHERE o.org_id = @org_id AND o.user_id = sqlc.narg(tenant_user_id)
         AND o.starts_on <= (now() AT TIME ZONE 'Europe/London')::date
         AND (o.ends_on IS NULL OR o.ends_on >= (now() AT TIME ZONE 'Europe/London')::date)
         AND (u.created_at AT TIME ZONE 'Europe/London')::date >= o.starts_on
         AND (o.ends_on IS NULL OR (u.created_at AT TIME ZONE 'Europe/London')::date <= o.ends_on))))
  AND (sqlc.narg(contractor_id)::uuid IS NULL OR t.id = ANY (ARRAY(
       SELECT w.ticket_id FROM work_orders w WHERE w.org_id = @org_id AND w.contractor_id = sqlc.narg(contractor_id)
         AND w.status NOT IN ('DECLINED', 'CANCELLED'))))
  AND (t.created_at, t.id) < (@before_created_at::timestamptz, @before_id::uuid)
ORDER BY t.created_at DESC, t.id DESC
LIMIT @row_limit;

-- name: TenantCanSee :one
-- A resident sees what they reported, and their unit's tickets raised during their own
-- occupancy while it lasts (dates in Europe/London, both ends inclusive).
SELECT EXISTS (
    SELECT 1 FROM tickets t
    WHERE t.org_id = @org_id AND t.id = @ticket_id
      AND (t.reported_by_user_id = @user_id::uuid
           OR EXISTS (SELECT 1 FROM unit_occupants o
                      WHERE o.org_id = @org_id AND o.user_id = @user_id::uuid AND o.unit_id = t.unit_id
                        AND o.starts_on <= (now() AT TIME ZONE 'Europe/London')::date
                        AND (o.ends_on IS NULL OR o.ends_on >= (now() AT TIME ZONE 'Europe/London')::date)
                        AND (t.created_at AT TIME ZONE 'Europe/London')::date >= o.starts_on
                        AND (o.ends_on IS NULL OR (t.created_at AT TIME ZONE 'Europe/London')::date <= o.ends_on)))
);

-- name: ContractorCanSee :one
-- Only a live work order (not declined or cancelled) opens a ticket to its contractor.
SELECT EXISTS (
    SELECT 1 FROM work_orders w WHERE w.org_id = $1 AND w.ticket_id = $2 AND w.contractor_id = $3
      AND w.status NOT IN ('DECLINED', 'CANCELLED')
);

-- name: GetUnitProperty :one
SELECT property_id FROM units WHERE org_id = $1 AND id = $2;

-- name: IsOccupant :one
-- Whether the resident's occupancy of the unit is current today (Europe/London).
SELECT EXISTS (SELECT 1 FROM unit_occupants WHERE org_id = $1 AND unit_id = $2 AND user_id = $3
    AND starts_on <= (now() AT TIME ZONE 'Europe/London')::date
    AND (ends_on IS NULL OR ends_on >= (now() AT TIME ZONE 'Europe/London')::date));

-- name: GetMemberRole :one
SELECT role FROM memberships WHERE org_id = $1 AND user_id = $2;

-- name: GetReporter :one
SELECT name, email FROM users WHERE id = $1;

-- name: InsertComment :one
INSERT INTO ticket_comments (org_id, ticket_id, author_id, body, visibility, contractor_id, shared_with_contractor_id)
VALUES ($1, $2, $3, $4, $5, $6, $7)
RETURNING *;

-- name: ListComments :many
-- A resident sees RESIDENT comments; a contractor (contractor_id set) only its own
-- company's and those staff shared with it.
SELECT sqlc.embed(c), coalesce(u.name, '') AS author_name, coalesce(m.role, '') AS author_role
FROM ticket_comments c
LEFT JOIN users u ON u.id = c.author_id
LEFT JOIN memberships m ON m.org_id = c.org_id AND m.user_id = c.author_id
WHERE c.org_id = @org_id AND c.ticket_id = @ticket_id
  AND (NOT @resident_only::boolean OR c.visibility = 'RESIDENT')
  AND (sqlc.narg(contractor_id)::uuid IS NULL
       OR c.contractor_id = sqlc.narg(contractor_id) OR c.shared_with_contractor_id = sqlc.narg(contractor_id))
ORDER BY c.created_at, c.id;


-- name: TicketExists :one
SELECT EXISTS (SELECT 1 FROM tickets WHERE org_id = $1 AND id = $2);

-- name: CountWorkOrdersByState :one
SELECT
    count(*) FILTER (WHERE status IN ('ASSIGNED', 'ACCEPTED', 'SCHEDULED', 'IN_PROGRESS')) AS live,
    count(*) FILTER (WHERE status = 'COMPLETED') AS completed
FROM work_orders WHERE org_id = $1 AND ticket_id = $2;

-- name: OrgIDBySlug :one
-- Runs in the scope app.org_slug, which admits only that organisation's row.
SELECT id FROM organisations WHERE slug = $1;

-- name: UnitByReference :one
SELECT id, property_id FROM units WHERE org_id = $1 AND reference = $2;

-- name: PublicUploadsOn :one
-- Photos the public form has stored for the organisation on a (UTC) day.
SELECT coalesce((SELECT quantity FROM usage_meters
    WHERE org_id = @org_id AND metric = 'public_uploads' AND period_start = @day), 0)::bigint AS quantity;

-- name: AddPublicUploads :one
-- Counts photos of a public report against the day's cap; the row lock serialises reports
-- to one organisation, so the total returned is exact under concurrent reports.
INSERT INTO usage_meters (org_id, metric, period_start, quantity) VALUES (@org_id, 'public_uploads', @day, @photos)
ON CONFLICT (org_id, metric, period_start)
DO UPDATE SET quantity = usage_meters.quantity + EXCLUDED.quantity, updated_at = now()
RETURNING quantity;

-- name: CountOpenTickets :many
-- The organisation's open tickets by status and priority, for the coordinator dashboard.
SELECT status, priority, count(*)::bigint AS n
FROM tickets
WHERE org_id = @org_id AND status IN ('NEW', 'TRIAGED', 'IN_PROGRESS')
GROUP BY status, priority;

-- name: ListTicketsAtRisk :many
-- Open tickets not yet overdue that have used 75% or more of their response window, the
-- nearest due first.
SELECT t.id, t.org_id, t.number, t.unit_id, t.property_id, t.category, t.priority, t.status, t.title, t.description, t.source,
    t.reported_by_user_id, t.reported_by_name, t.reported_by_phone, t.reported_by_email, t.reported_address,
    t.assignee_user_id, t.sla_due_at, t.resolved_at, t.closed_at, t.created_at, t.updated_at
FROM tickets t
WHERE t.org_id = @org_id AND t.status IN ('NEW', 'TRIAGED', 'IN_PROGRESS')
  AND t.sla_due_at >= @now::timestamptz
  AND (t.sla_due_at - @now::timestamptz) <= (t.sla_due_at - t.created_at) / 4
ORDER BY t.sla_due_at
LIMIT @lim;

-- name: GetResidentReporter :one
-- The reporting member, when they are a resident of the organisation (not staff who logged
-- a phoned-in report).
SELECT u.name, u.email FROM users u
JOIN memberships m ON m.user_id = u.id AND m.org_id = @org_id AND m.role = 'TENANT'
WHERE u.id = @user_id;

-- name: ListTicketHazards :many
SELECT hazard FROM ticket_hazards WHERE org_id = @org_id AND ticket_id = @ticket_id ORDER BY hazard;

-- name: DeleteTicketHazards :exec
DELETE FROM ticket_hazards WHERE org_id = @org_id AND ticket_id = @ticket_id;

-- name: InsertTicketHazard :exec
INSERT INTO ticket_hazards (org_id, ticket_id, hazard, tagged_by) VALUES (@org_id, @ticket_id, @hazard, @tagged_by)
ON CONFLICT DO NOTHING;
