-- +goose Up
-- Live attendance on the day (issue 20): a reporter of an area sends the
-- number of household representatives (or voters) present as it grows,
-- before the counting minutes. One row per area, the latest report wins;
-- it never counts as the tally.
CREATE TABLE area_attendance (
    area_id     BIGINT PRIMARY KEY REFERENCES areas(id) ON DELETE CASCADE,
    attending   INTEGER NOT NULL CHECK (attending >= 0),
    reported_by BIGINT REFERENCES contacts(id) ON DELETE SET NULL,
    reported_at TIMESTAMPTZ NOT NULL
);

-- +goose Down
DROP TABLE area_attendance;
