-- Who sees what on a shared ticket (issue 7): comments and attachments remember the
-- contractor company that wrote them and the one staff shared them with, so contractors
-- quoting on one ticket never see each other's; occupancies get start and end dates, so a
-- resident sees only the tickets of their own tenancy.

-- +goose Up
ALTER TABLE ticket_comments
    -- The company of a CONTRACTOR author (null for staff and residents).
    ADD COLUMN contractor_id uuid,
    -- The contractor company a staff member shared the comment with (null: not shared).
    ADD COLUMN shared_with_contractor_id uuid,
    ADD FOREIGN KEY (org_id, contractor_id) REFERENCES contractors (org_id, id),
    ADD FOREIGN KEY (org_id, shared_with_contractor_id) REFERENCES contractors (org_id, id);

ALTER TABLE attachments
    ADD COLUMN contractor_id uuid,
    ADD COLUMN shared_with_contractor_id uuid,
    ADD FOREIGN KEY (org_id, contractor_id) REFERENCES contractors (org_id, id),
    ADD FOREIGN KEY (org_id, shared_with_contractor_id) REFERENCES contractors (org_id, id);

-- Existing contractors' comments and files stay theirs.
UPDATE ticket_comments c SET contractor_id = m.contractor_id
FROM memberships m
WHERE m.org_id = c.org_id AND m.user_id = c.author_id AND m.role = 'CONTRACTOR';
UPDATE attachments a SET contractor_id = m.contractor_id
FROM memberships m
WHERE m.org_id = a.org_id AND m.user_id = a.uploaded_by AND m.role = 'CONTRACTOR';

-- Occupancies run from starts_on to ends_on inclusive (dates in Europe/London); ends_on is
-- set at move-out. A resident may occupy the same unit again later, but only one
-- occupancy of a unit per resident is open at a time.
ALTER TABLE unit_occupants
    ADD COLUMN starts_on date NOT NULL DEFAULT (now() AT TIME ZONE 'Europe/London')::date,
    ADD COLUMN ends_on date,
    ADD CHECK (ends_on IS NULL OR ends_on >= starts_on);
UPDATE unit_occupants SET starts_on = (created_at AT TIME ZONE 'Europe/London')::date;
ALTER TABLE unit_occupants DROP CONSTRAINT unit_occupants_org_id_unit_id_user_id_key;
CREATE UNIQUE INDEX unit_occupants_open_idx ON unit_occupants (org_id, unit_id, user_id) WHERE ends_on IS NULL;

-- +goose Down
DROP INDEX unit_occupants_open_idx;
DELETE FROM unit_occupants WHERE ends_on IS NOT NULL;
ALTER TABLE unit_occupants ADD UNIQUE (org_id, unit_id, user_id);
ALTER TABLE unit_occupants DROP COLUMN ends_on, DROP COLUMN starts_on;
ALTER TABLE attachments DROP COLUMN shared_with_contractor_id, DROP COLUMN contractor_id;
ALTER TABLE ticket_comments DROP COLUMN shared_with_contractor_id, DROP COLUMN contractor_id;
