-- +goose Up
-- Hazard tags (docs/compliance.md): the HHSRS hazards a ticket's defect presents, from
-- Schedule 1 to the Housing Health and Safety Rating System (England) Regulations 2005
-- (internal/hhsrs keeps the same list). Staff tag them; the AI's classification proposes
-- them. Awaab's Law duties follow from them.
CREATE TABLE ticket_hazards (
    org_id     uuid NOT NULL,
    ticket_id  uuid NOT NULL,
    hazard     text NOT NULL CHECK (hazard IN (
        'DAMP_MOULD',
        'EXCESS_COLD',
        'EXCESS_HEAT',
        'ASBESTOS_MMF',
        'BIOCIDES',
        'CARBON_MONOXIDE',
        'LEAD',
        'RADIATION',
        'UNCOMBUSTED_FUEL_GAS',
        'VOLATILE_ORGANIC_COMPOUNDS',
        'CROWDING_SPACE',
        'ENTRY_BY_INTRUDERS',
        'LIGHTING',
        'NOISE',
        'DOMESTIC_HYGIENE',
        'FOOD_SAFETY',
        'PERSONAL_HYGIENE',
        'WATER_SUPPLY',
        'FALLS_BATHS',
        'FALLS_LEVEL',
        'FALLS_STAIRS',
        'FALLS_BETWEEN_LEVELS',
        'ELECTRICAL',
        'FIRE',
        'FLAMES_HOT_SURFACES',
        'COLLISION_ENTRAPMENT',
        'EXPLOSIONS',
        'AMENITIES',
        'STRUCTURAL_COLLAPSE')),
    tagged_by  uuid REFERENCES users (id) ON DELETE SET NULL,
    tagged_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (org_id, ticket_id, hazard),
    FOREIGN KEY (org_id, ticket_id) REFERENCES tickets (org_id, id) ON DELETE CASCADE
);
SELECT enable_tenant_rls('ticket_hazards');
GRANT SELECT, INSERT, DELETE ON ticket_hazards TO maintainuk_app;

-- +goose Down
DROP TABLE ticket_hazards;
