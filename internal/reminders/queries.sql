-- Periodic reminders: SLA warnings and breaches, quote chasers, insurance expiry. Every
-- query names org_id where the table has one, and row-level security checks it again.
-- Each list leaves out what notices_sent already records, so a scan that runs every few
-- minutes reads only what is still to send.

-- name: ListOrganisationIDs :many
-- Needs the system scope (app.system): it sees organisation rows and nothing else.
SELECT id FROM organisations ORDER BY id;

-- name: ListStaff :many
-- The organisation's ADMIN and COORDINATOR members, who hear about what nobody owns.
SELECT u.name, u.email
FROM memberships m
JOIN users u ON u.id = m.user_id
WHERE m.org_id = @org_id AND m.role = ANY(@staff_roles::text[])
ORDER BY u.email;

-- name: ListSLADue :many
-- Open tickets that have used 75% of their window (warning) or all of it (breach) and
-- have not had that notice for their current due time. due_key is the due time in
-- RFC 3339 (UTC, whole seconds), so a recomputed due time is a new subject for notices.
-- The assignee's name and email are empty when there is none or they are no longer a
-- member (row-level security hides users outside the organisation).
SELECT t.id, t.number, t.title, t.priority, t.sla_due_at,
       (t.sla_due_at <= sqlc.arg(now)::timestamptz)::boolean AS breached,
       to_char(t.sla_due_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')::text AS due_key,
       coalesce(u.name, '')::text AS assignee_name,
       coalesce(u.email, '')::text AS assignee_email
FROM tickets t
LEFT JOIN users u ON u.id = t.assignee_user_id
WHERE t.org_id = sqlc.arg(org_id)
  AND t.status IN ('NEW', 'TRIAGED', 'IN_PROGRESS')
  AND t.created_at + (t.sla_due_at - t.created_at) * 0.75 <= sqlc.arg(now)::timestamptz
  AND NOT EXISTS (
      SELECT 1 FROM notices_sent n
      WHERE n.org_id = t.org_id
        AND n.kind = CASE WHEN t.sla_due_at <= sqlc.arg(now)::timestamptz THEN 'sla.breached' ELSE 'sla.warning' END
        AND n.subject_id = t.id
        AND n.key = to_char(t.sla_due_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'))
ORDER BY t.sla_due_at, t.id
LIMIT sqlc.arg(max_rows);

-- name: ListQuoteChaserCandidates :many
-- Live work orders (ASSIGNED or ACCEPTED) of active contractors with no quote at all and
-- no chaser yet, assigned at or before assigned_before, oldest first. The caller applies
-- the exact working-day rule, which is monotone in created_at.
SELECT w.id, w.description, w.created_at, t.number AS ticket_number, c.company_name, c.email
FROM work_orders w
JOIN tickets t ON t.org_id = w.org_id AND t.id = w.ticket_id
JOIN contractors c ON c.org_id = w.org_id AND c.id = w.contractor_id
WHERE w.org_id = sqlc.arg(org_id)
  AND w.status IN ('ASSIGNED', 'ACCEPTED')
  AND w.created_at <= sqlc.arg(assigned_before)::timestamptz
  AND c.active
  AND NOT EXISTS (SELECT 1 FROM quotes q WHERE q.org_id = w.org_id AND q.work_order_id = w.id)
  AND NOT EXISTS (
      SELECT 1 FROM notices_sent n
      WHERE n.org_id = w.org_id AND n.kind = 'quote.chaser' AND n.subject_id = w.id)
ORDER BY w.created_at, w.id
LIMIT sqlc.arg(max_rows);

-- name: ListInsuranceDue :many
-- Active contractors whose insurance expires from today to 30 days ahead (London dates)
-- and who have not had the notice of the threshold they are now within: 30 (8 to 30 days
-- left) or 7 (0 to 7 days left). notice_key is "<threshold>:<expiry date>", so a renewed
-- policy starts afresh.
SELECT c.id, c.company_name, c.email, c.insurance_expires_on::date AS expires_on,
       (c.insurance_expires_on - sqlc.arg(today)::date)::integer AS days_left,
       ((CASE WHEN c.insurance_expires_on - sqlc.arg(today)::date <= 7 THEN '7' ELSE '30' END)
           || ':' || to_char(c.insurance_expires_on, 'YYYY-MM-DD'))::text AS notice_key
FROM contractors c
WHERE c.org_id = sqlc.arg(org_id)
  AND c.active
  AND c.insurance_expires_on BETWEEN sqlc.arg(today)::date AND sqlc.arg(today)::date + 30
  AND NOT EXISTS (
      SELECT 1 FROM notices_sent n
      WHERE n.org_id = c.org_id
        AND n.kind = 'contractor.insurance_expiring'
        AND n.subject_id = c.id
        AND n.key = (CASE WHEN c.insurance_expires_on - sqlc.arg(today)::date <= 7 THEN '7' ELSE '30' END)
            || ':' || to_char(c.insurance_expires_on, 'YYYY-MM-DD'))
ORDER BY c.insurance_expires_on, c.id
LIMIT sqlc.arg(max_rows);

-- name: ListCertificatesDue :many
-- The latest certificate of each kind at each property (a renewed one replaces the old)
-- that expires within 60 days or has expired, and has not had the notice of the threshold
-- it is now within: 60 (31 to 60 days left), 30 (8 to 30), 7 (1 to 7) or 0 (on or after
-- the expiry date). notice_key is "<threshold>:<expiry date>". Expired more than 30 days
-- ago is left alone: the compliance view shows it, and a first run does not mail the
-- whole history.
WITH latest AS (
    SELECT DISTINCT ON (c.property_id, c.kind) c.id, c.property_id, c.kind, c.expires_on
    FROM certificates c
    WHERE c.org_id = sqlc.arg(org_id)
    ORDER BY c.property_id, c.kind, c.issued_on DESC, c.created_at DESC
), due AS (
    SELECT l.id, l.property_id, l.kind, l.expires_on::date AS expires_on,
           (l.expires_on - sqlc.arg(today)::date)::integer AS days_left,
           (CASE WHEN l.expires_on - sqlc.arg(today)::date <= 0 THEN '0'
                 WHEN l.expires_on - sqlc.arg(today)::date <= 7 THEN '7'
                 WHEN l.expires_on - sqlc.arg(today)::date <= 30 THEN '30'
                 ELSE '60' END) || ':' || to_char(l.expires_on, 'YYYY-MM-DD') AS notice_key
    FROM latest l
    WHERE l.expires_on BETWEEN sqlc.arg(today)::date - 30 AND sqlc.arg(today)::date + 60
)
SELECT d.id, d.property_id, d.kind, d.expires_on::date AS expires_on, d.days_left::integer AS days_left, d.notice_key::text AS notice_key,
       p.name AS property_name, p.address_line1, p.postcode
FROM due d
JOIN properties p ON p.org_id = sqlc.arg(org_id) AND p.id = d.property_id
WHERE NOT EXISTS (
    SELECT 1 FROM notices_sent n
    WHERE n.org_id = sqlc.arg(org_id) AND n.kind = 'certificate.expiring' AND n.subject_id = d.id AND n.key = d.notice_key)
ORDER BY d.expires_on, d.id
LIMIT sqlc.arg(max_rows);

-- name: InsertNotice :execrows
-- Records a notice; 0 rows means it was already sent (or is being sent by a concurrent
-- run, whose commit this waits for).
INSERT INTO notices_sent (org_id, kind, subject_id, key, sent_at)
VALUES (sqlc.arg(org_id), sqlc.arg(kind), sqlc.arg(subject_id), sqlc.arg(key), sqlc.arg(sent_at))
ON CONFLICT DO NOTHING;

-- name: ListClocksDue :many
-- Legal clocks (Awaab's Law, the Right to Repair) still running and not paused that have
-- used 75% of their time (warning) or all of it (breach) and have not had that notice for
-- their current due time. notice_key is "<rule>:<due time in RFC 3339>", so a due time
-- moved by a pause is a new subject for notices. Assignee as in ListSLADue.
SELECT c.ticket_id, c.rule_code, c.due_at, t.number, t.title,
       (c.due_at <= sqlc.arg(now)::timestamptz)::boolean AS breached,
       (c.rule_code || ':' || to_char(c.due_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'))::text AS notice_key,
       coalesce(u.name, '')::text AS assignee_name,
       coalesce(u.email, '')::text AS assignee_email
FROM ticket_clocks c
JOIN tickets t ON t.org_id = c.org_id AND t.id = c.ticket_id
LEFT JOIN users u ON u.id = t.assignee_user_id
WHERE c.org_id = sqlc.arg(org_id)
  AND c.stopped_at IS NULL
  AND c.paused_at IS NULL
  AND c.started_at + (c.due_at - c.started_at) * 0.75 <= sqlc.arg(now)::timestamptz
  AND NOT EXISTS (
      SELECT 1 FROM notices_sent n
      WHERE n.org_id = c.org_id
        AND n.kind = CASE WHEN c.due_at <= sqlc.arg(now)::timestamptz THEN 'clock.breached' ELSE 'clock.warning' END
        AND n.subject_id = c.ticket_id
        AND n.key = c.rule_code || ':' || to_char(c.due_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'))
ORDER BY c.due_at, c.ticket_id, c.rule_code
LIMIT sqlc.arg(max_rows);
