-- +goose Up
-- The results of each area as the results page counts them (see the
-- PostgreSQL migration of the same number for the why).
CREATE TABLE area_results (
    area_id               INTEGER PRIMARY KEY REFERENCES areas(id) ON DELETE CASCADE,
    election_id           INTEGER NOT NULL,
    version               INTEGER NOT NULL DEFAULT 1,
    built_version         INTEGER NOT NULL DEFAULT 0,
    public_state          TEXT NOT NULL DEFAULT 'not-reported',
    admin_state           TEXT NOT NULL DEFAULT 'not-reported',
    public_households     INTEGER NOT NULL DEFAULT 0,
    admin_households      INTEGER NOT NULL DEFAULT 0,
    recognised_households INTEGER NOT NULL DEFAULT 0,
    attending             INTEGER NOT NULL DEFAULT 0,
    elected               BOOLEAN NOT NULL DEFAULT 0
);
CREATE INDEX area_results_election ON area_results (election_id);

-- Backfill: one row per existing area, to be computed on first read.
INSERT INTO area_results (area_id, election_id) SELECT id, election_id FROM areas;

-- +goose StatementBegin
CREATE TRIGGER area_results_area_insert AFTER INSERT ON areas BEGIN
    INSERT INTO area_results (area_id, election_id) VALUES (NEW.id, NEW.election_id)
    ON CONFLICT (area_id) DO UPDATE SET version = version + 1, election_id = excluded.election_id;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER area_results_area_update AFTER UPDATE OF election_id, ward_id, households, electorate ON areas BEGIN
    INSERT INTO area_results (area_id, election_id) VALUES (NEW.id, NEW.election_id)
    ON CONFLICT (area_id) DO UPDATE SET version = version + 1, election_id = excluded.election_id;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER area_results_tally_insert AFTER INSERT ON tallies BEGIN
    UPDATE area_results SET version = version + 1 WHERE area_id = NEW.area_id;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER area_results_tally_update AFTER UPDATE OF area_id, version, status, kind, method, households, attending, issued, returned, valid, invalid ON tallies BEGIN
    UPDATE area_results SET version = version + 1 WHERE area_id IN (OLD.area_id, NEW.area_id);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER area_results_tally_delete AFTER DELETE ON tallies BEGIN
    UPDATE area_results SET version = version + 1 WHERE area_id = OLD.area_id;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER area_results_vote_insert AFTER INSERT ON tally_votes BEGIN
    UPDATE area_results SET version = version + 1 WHERE area_id = (SELECT area_id FROM tallies WHERE id = NEW.tally_id);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER area_results_vote_update AFTER UPDATE ON tally_votes BEGIN
    UPDATE area_results SET version = version + 1 WHERE area_id IN (SELECT area_id FROM tallies WHERE id IN (OLD.tally_id, NEW.tally_id));
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER area_results_vote_delete AFTER DELETE ON tally_votes BEGIN
    UPDATE area_results SET version = version + 1 WHERE area_id = (SELECT area_id FROM tallies WHERE id = OLD.tally_id);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER area_results_candidate_insert AFTER INSERT ON candidates BEGIN
    UPDATE area_results SET version = version + 1 WHERE area_id = NEW.area_id;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER area_results_candidate_update AFTER UPDATE ON candidates BEGIN
    UPDATE area_results SET version = version + 1 WHERE area_id IN (OLD.area_id, NEW.area_id);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER area_results_candidate_delete AFTER DELETE ON candidates BEGIN
    UPDATE area_results SET version = version + 1 WHERE area_id = OLD.area_id;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER area_results_rules AFTER UPDATE OF rules ON elections BEGIN
    UPDATE area_results SET version = version + 1 WHERE election_id = NEW.id;
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER area_results_rules;
DROP TRIGGER area_results_candidate_delete;
DROP TRIGGER area_results_candidate_update;
DROP TRIGGER area_results_candidate_insert;
DROP TRIGGER area_results_vote_delete;
DROP TRIGGER area_results_vote_update;
DROP TRIGGER area_results_vote_insert;
DROP TRIGGER area_results_tally_delete;
DROP TRIGGER area_results_tally_update;
DROP TRIGGER area_results_tally_insert;
DROP TRIGGER area_results_area_update;
DROP TRIGGER area_results_area_insert;
DROP TABLE area_results;
