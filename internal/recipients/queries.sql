-- name: Staff :many
SELECT u.name, u.email FROM memberships m JOIN users u ON u.id = m.user_id
WHERE m.org_id = @org_id AND m.role = ANY(@staff_roles::text[])
ORDER BY u.name, u.email;

-- name: Contractor :one
SELECT company_name, email FROM contractors WHERE org_id = $1 AND id = $2;

-- name: User :one
SELECT name, email FROM users WHERE id = $1;

-- name: Ticket :one
SELECT t.number, t.title, coalesce(u.label, '') AS unit_label, coalesce(p.address_line1, '') AS address_line1,
    coalesce(p.town, '') AS town, coalesce(p.postcode, '') AS postcode, t.reported_address
FROM tickets t
LEFT JOIN units u ON u.org_id = t.org_id AND u.id = t.unit_id
LEFT JOIN properties p ON p.org_id = t.org_id AND p.id = t.property_id
WHERE t.org_id = $1 AND t.id = $2;
