-- +goose Up
-- A broadcast reaches one ward's people (a ward admin's, or a province
-- admin's in a ward's view), one city's (city set), or the whole
-- election's (neither): issue 14.
ALTER TABLE broadcasts ADD COLUMN ward_id BIGINT REFERENCES wards(id) ON DELETE CASCADE;
ALTER TABLE broadcasts ADD COLUMN city TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE broadcasts DROP COLUMN city;
ALTER TABLE broadcasts DROP COLUMN ward_id;
