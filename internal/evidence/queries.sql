-- name: TicketPlace :one
-- The export's header beyond the ticket itself: the organisation, and the property and
-- unit the ticket is about (empty when it names none).
SELECT o.name AS org_name, t.number,
    coalesce(p.name, '') AS property_name, coalesce(p.address_line1, '') AS address_line1,
    coalesce(p.address_line2, '') AS address_line2, coalesce(p.town, '') AS town, coalesce(p.postcode, '') AS postcode,
    coalesce(u.label, '') AS unit_label, coalesce(u.reference, '') AS unit_reference
FROM tickets t
JOIN organisations o ON o.id = t.org_id
LEFT JOIN properties p ON p.org_id = t.org_id AND p.id = t.property_id
LEFT JOIN units u ON u.org_id = t.org_id AND u.id = t.unit_id
WHERE t.org_id = @org_id AND t.id = @ticket_id;

-- name: PeopleNames :many
-- The names of the people who acted on the ticket (members past and present).
SELECT id, name FROM users WHERE id = ANY(@ids::uuid[]);
