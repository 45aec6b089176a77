-- +goose Up
-- One deployment for a whole province (issue 14): an election has wards,
-- each with its areas. The ward of an area is on the area; an election
-- made from a one-ward file still names its ward (elections.ward_id), a
-- province's election (the `wards:` form) does not.
ALTER TABLE wards ADD COLUMN kind TEXT NOT NULL DEFAULT '';
-- The name as typed, folded and without its kind word ("ka long"): a
-- message is searched for ward names by lookups on this column, so its
-- cost does not grow with the number of wards.
ALTER TABLE wards ADD COLUMN folded TEXT NOT NULL DEFAULT '';
CREATE INDEX wards_folded_idx ON wards (folded);
ALTER TABLE elections ADD COLUMN province TEXT NOT NULL DEFAULT '';
ALTER TABLE elections ALTER COLUMN ward_id DROP NOT NULL;

ALTER TABLE areas ADD COLUMN ward_id BIGINT REFERENCES wards(id);
ALTER TABLE areas ADD COLUMN unit TEXT NOT NULL DEFAULT '';
UPDATE areas SET ward_id = e.ward_id FROM elections e WHERE e.id = areas.election_id;
ALTER TABLE areas ALTER COLUMN ward_id SET NOT NULL;
-- Every ward has its "kp1": codes are unique within a ward.
ALTER TABLE areas DROP CONSTRAINT areas_election_id_code_key;
ALTER TABLE areas ADD CONSTRAINT areas_election_ward_code_key UNIQUE (election_id, ward_id, code);
-- A resident's ward's areas; a ward's current election.
CREATE INDEX areas_ward_idx ON areas (ward_id, election_id);

-- The ward a contact chose before choosing an area (or an official's ward
-- in view).
ALTER TABLE contacts ADD COLUMN ward_id BIGINT REFERENCES wards(id) ON DELETE SET NULL;

-- +goose Down
ALTER TABLE contacts DROP COLUMN ward_id;
DROP INDEX areas_ward_idx;
ALTER TABLE areas DROP CONSTRAINT areas_election_ward_code_key;
ALTER TABLE areas ADD CONSTRAINT areas_election_id_code_key UNIQUE (election_id, code);
ALTER TABLE areas DROP COLUMN unit;
ALTER TABLE areas DROP COLUMN ward_id;
ALTER TABLE elections ALTER COLUMN ward_id SET NOT NULL;
ALTER TABLE elections DROP COLUMN province;
DROP INDEX wards_folded_idx;
ALTER TABLE wards DROP COLUMN folded;
ALTER TABLE wards DROP COLUMN kind;
