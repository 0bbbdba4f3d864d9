-- Consent ---------------------------------------------------------------------------------

-- name: UpsertContactPoint :one
-- A number gains its owner the first time one is known; an owner already recorded stays.
INSERT INTO contact_points (org_id, channel, address, user_id)
VALUES (@org_id, @channel, @address, @user_id)
ON CONFLICT (org_id, channel, address)
DO UPDATE SET user_id = coalesce(contact_points.user_id, EXCLUDED.user_id)
RETURNING *;

-- name: GetContactPoint :one
SELECT * FROM contact_points WHERE org_id = @org_id AND channel = @channel AND address = @address;

-- name: GetContactPointByID :one
SELECT * FROM contact_points WHERE org_id = @org_id AND id = @id;

-- name: LockContactPoint :one
SELECT * FROM contact_points WHERE org_id = @org_id AND id = @id FOR UPDATE;

-- name: SetGranted :one
UPDATE contact_points SET granted = @granted WHERE org_id = @org_id AND id = @id RETURNING *;

-- name: SetPreferred :exec
-- One preferred number per person: choosing one unchooses their others.
UPDATE contact_points SET preferred = (id = @id)
WHERE org_id = @org_id AND (id = @id OR user_id = sqlc.narg(user_id)::uuid OR address = @address);

-- name: TouchInbound :exec
UPDATE contact_points SET last_inbound_at = @at WHERE org_id = @org_id AND id = @id;

-- name: InsertConsentRecord :one
INSERT INTO consent_records (org_id, contact_point_id, granted, consent_type, source, detail, ip_address, user_agent, recorded_by, recorded_at)
VALUES (@org_id, @contact_point_id, @granted, @consent_type, @source, @detail, @ip_address, @user_agent, @recorded_by, @recorded_at)
RETURNING *;

-- name: ListContactPoints :many
-- Newest first; a resident's own only when user_id is given.
SELECT * FROM contact_points
WHERE org_id = @org_id
  AND (sqlc.narg(user_id)::uuid IS NULL OR user_id = sqlc.narg(user_id)::uuid)
  AND (sqlc.narg(address)::text IS NULL OR address = sqlc.narg(address)::text)
  AND (sqlc.narg(channel)::text IS NULL OR channel = sqlc.narg(channel)::text)
  AND (sqlc.narg(after_created)::timestamptz IS NULL OR (created_at, id) < (sqlc.narg(after_created)::timestamptz, sqlc.narg(after_id)::uuid))
ORDER BY created_at DESC, id DESC
LIMIT @lim;

-- name: ConsentHistory :many
SELECT r.*, c.channel, c.address FROM consent_records r JOIN contact_points c ON c.org_id = r.org_id AND c.id = r.contact_point_id
WHERE r.org_id = @org_id
  AND (sqlc.narg(user_id)::uuid IS NULL OR c.user_id = sqlc.narg(user_id)::uuid)
  AND (sqlc.narg(address)::text IS NULL OR c.address = sqlc.narg(address)::text)
  AND (sqlc.narg(channel)::text IS NULL OR c.channel = sqlc.narg(channel)::text)
  AND (sqlc.narg(after_at)::timestamptz IS NULL OR (r.recorded_at, r.id) < (sqlc.narg(after_at)::timestamptz, sqlc.narg(after_id)::uuid))
ORDER BY r.recorded_at DESC, r.id DESC
LIMIT @lim;

-- name: ContactPointsForUser :many
SELECT * FROM contact_points WHERE org_id = @org_id AND user_id = @user_id ORDER BY preferred DESC, channel, created_at;

-- name: ContactPointsForAddress :many
SELECT * FROM contact_points WHERE org_id = @org_id AND address = @address ORDER BY preferred DESC, channel, created_at;

-- Messages --------------------------------------------------------------------------------

-- name: InsertText :one
INSERT INTO messages (id, org_id, channel, event, dedupe_key, recipient, sender, body_text, status, provider,
    failure_reason, direction, ticket_id, contact_point_id, segments, encoding, cost_pence, content_sid,
    content_variables, emergency, hold_until, created_by, status_at, provider_message_id)
VALUES (@id, @org_id, @channel, @event, @dedupe_key, @recipient, @sender, @body_text, @status, @provider,
    @failure_reason, @direction, @ticket_id, @contact_point_id, @segments, @encoding, @cost_pence, @content_sid,
    @content_variables, @emergency, @hold_until, @created_by, @status_at, @provider_message_id)
ON CONFLICT (org_id, dedupe_key) DO NOTHING
RETURNING *;

-- name: LockText :one
SELECT * FROM messages WHERE org_id = @org_id AND id = @id FOR UPDATE;

-- name: ClaimText :exec
UPDATE messages SET status = 'SENDING', metered = @metered, metered_period = @metered_period, attempts = attempts + 1, status_at = @at
WHERE org_id = @org_id AND id = @id;

-- name: RecordTextAttempt :exec
UPDATE messages SET attempts = attempts + 1, failure_reason = @failure_reason WHERE org_id = @org_id AND id = @id;

-- name: MarkTextAccepted :exec
-- A status callback that came before this answer (it names the message in its URL) has
-- already moved the status on; it is kept.
UPDATE messages SET status = CASE WHEN status = 'SENDING' THEN @status ELSE status END,
    provider = @provider, provider_message_id = @provider_message_id,
    sent_at = @at, status_at = CASE WHEN status = 'SENDING' THEN @at ELSE status_at END, failure_reason = ''
WHERE org_id = @org_id AND id = @id;

-- name: MarkTextRefused :exec
-- BLOCKED (refused here) or FAILED (refused by the provider): nothing to pay for, and the
-- allowance is given back.
UPDATE messages SET status = @status, failure_reason = @failure_reason, error_code = @error_code, status_at = @at, metered = 0, cost_pence = 0
WHERE org_id = @org_id AND id = @id;

-- name: ApplyProviderStatus :one
-- Twilio does not charge for a failed message (it never reached a carrier): its cost and
-- the allowance it used are given back (the caller refunds the meter).
UPDATE messages SET status = @status,
    cost_pence = CASE WHEN @status = 'FAILED' THEN 0 ELSE cost_pence END,
    metered = CASE WHEN @status = 'FAILED' THEN 0 ELSE metered END, error_code = CASE WHEN @error_code::text <> '' THEN @error_code::text ELSE error_code END,
    failure_reason = CASE WHEN @failure_reason::text <> '' THEN @failure_reason::text ELSE failure_reason END,
    status_at = @at,
    delivered_at = CASE WHEN @status IN ('DELIVERED', 'READ') THEN coalesce(delivered_at, @at) ELSE delivered_at END,
    read_at = CASE WHEN @status = 'READ' THEN @at ELSE read_at END
WHERE org_id = @org_id AND id = @id
RETURNING *;

-- name: ListTicketTexts :many
SELECT * FROM messages
WHERE org_id = @org_id AND ticket_id = @ticket_id
  AND (sqlc.narg(after_created)::timestamptz IS NULL OR (created_at, id) < (sqlc.narg(after_created)::timestamptz, sqlc.narg(after_id)::uuid))
ORDER BY created_at DESC, id DESC
LIMIT @lim;

-- name: LastTextTo :one
-- The newest message exchanged with a number on a channel: an inbound reply on a shared
-- number belongs to the organisation that wrote to it last.
SELECT created_at FROM messages WHERE org_id = @org_id AND contact_point_id = @contact_point_id ORDER BY created_at DESC LIMIT 1;

-- Allowance -------------------------------------------------------------------------------

-- name: ConsumeAllowance :one
-- The check and the increment are one statement: the meter row's lock orders parallel
-- sends, so the allowance cannot be overshot. No row back means refused.
INSERT INTO usage_meters AS m (org_id, metric, period_start, quantity)
SELECT @org_id, @metric, @period_start, @quantity::bigint
WHERE @allow_overage::bool OR @quantity::bigint <= @allowance::bigint
ON CONFLICT (org_id, metric, period_start)
DO UPDATE SET quantity = m.quantity + EXCLUDED.quantity, updated_at = now()
WHERE @allow_overage::bool OR m.quantity + EXCLUDED.quantity <= @allowance::bigint
RETURNING quantity;

-- name: RefundAllowance :exec
UPDATE usage_meters SET quantity = greatest(quantity - @quantity::bigint, 0), updated_at = now()
WHERE org_id = @org_id AND metric = @metric AND period_start = @period_start;

-- name: MeterQuantity :one
SELECT coalesce((SELECT quantity FROM usage_meters WHERE org_id = @org_id AND metric = @metric AND period_start = @period_start), 0)::bigint;

-- Organisation, tickets and people ---------------------------------------------------------

-- name: OrgTexting :one
SELECT name, slug, plan FROM organisations WHERE id = @id;

-- name: TicketForText :one
SELECT t.id, t.number, t.title, t.priority, t.status, t.unit_id, t.reported_by_user_id, t.reported_by_phone
FROM tickets t WHERE t.org_id = @org_id AND t.id = @id;

-- name: OccupantContactPoints :many
-- The numbers of the people living in a unit now.
SELECT c.* FROM contact_points c
JOIN unit_occupants o ON o.org_id = c.org_id AND o.user_id = c.user_id
WHERE c.org_id = @org_id AND o.unit_id = @unit_id
  AND o.starts_on <= (now() AT TIME ZONE 'Europe/London')::date
  AND (o.ends_on IS NULL OR o.ends_on >= (now() AT TIME ZONE 'Europe/London')::date)
ORDER BY c.user_id, c.preferred DESC, c.channel, c.created_at;

-- name: ResidentUnit :one
-- The unit a resident lives in now (their newest current occupancy).
SELECT o.unit_id FROM unit_occupants o
WHERE o.org_id = @org_id AND o.user_id = @user_id
  AND o.starts_on <= (now() AT TIME ZONE 'Europe/London')::date
  AND (o.ends_on IS NULL OR o.ends_on >= (now() AT TIME ZONE 'Europe/London')::date)
ORDER BY o.starts_on DESC, o.created_at DESC
LIMIT 1;

-- name: MemberRole :one
SELECT role FROM memberships WHERE org_id = @org_id AND user_id = @user_id;

-- name: OpenTicketByNumber :one
-- RESOLVED tickets too: the "resolved" text invites a reply when it is not fixed.
SELECT id, number FROM tickets WHERE org_id = @org_id AND number = @number AND status IN ('NEW', 'TRIAGED', 'IN_PROGRESS', 'RESOLVED');

-- name: RecentOpenTicket :one
-- The resident's open (or just resolved) ticket they reported, or texted about, within
-- the window.
SELECT t.id, t.number FROM tickets t
WHERE t.org_id = @org_id AND t.status IN ('NEW', 'TRIAGED', 'IN_PROGRESS', 'RESOLVED')
  AND (t.reported_by_user_id = @user_id OR t.reported_by_phone = @address)
  AND (t.created_at > @since OR EXISTS (
      SELECT 1 FROM messages m WHERE m.org_id = t.org_id AND m.ticket_id = t.id AND m.contact_point_id = @contact_point_id AND m.created_at > @since))
ORDER BY t.created_at DESC
LIMIT 1;

-- name: ContractorTextRecipients :many
-- The numbers of a contractor company's users.
SELECT c.* FROM contact_points c
JOIN memberships mb ON mb.org_id = c.org_id AND mb.user_id = c.user_id AND mb.role = 'CONTRACTOR'
WHERE c.org_id = @org_id AND mb.contractor_id = @contractor_id
ORDER BY c.user_id, c.preferred DESC, c.channel, c.created_at;

-- name: WorkOrderRefs :one
SELECT ticket_id, contractor_id FROM work_orders WHERE org_id = @org_id AND id = @id;

-- name: InvoiceWorkOrder :one
SELECT work_order_id FROM invoices WHERE org_id = @org_id AND id = @id;

-- name: GetTextByKey :one
SELECT * FROM messages WHERE org_id = @org_id AND dedupe_key = @dedupe_key;

-- name: SetTextTicket :exec
UPDATE messages SET ticket_id = @ticket_id WHERE org_id = @org_id AND id = @id;

-- name: LatestConsent :one
SELECT granted, source FROM consent_records WHERE org_id = @org_id AND contact_point_id = @contact_point_id
ORDER BY recorded_at DESC, id DESC LIMIT 1;

-- name: TicketByNumberForNumber :one
-- A ticket the text names that this number reported or was texted about.
SELECT t.id, t.number FROM tickets t
WHERE t.org_id = @org_id AND t.number = @number AND t.status IN ('NEW', 'TRIAGED', 'IN_PROGRESS', 'RESOLVED')
  AND (t.reported_by_phone = @address OR EXISTS (
      SELECT 1 FROM messages m WHERE m.org_id = t.org_id AND m.ticket_id = t.id AND m.contact_point_id = @contact_point_id));

-- name: MarkReplySent :exec
UPDATE messages SET metered = @metered, metered_period = @metered_period, sent_at = @at WHERE org_id = @org_id AND id = @id;
