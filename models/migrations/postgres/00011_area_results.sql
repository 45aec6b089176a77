-- +goose Up
-- The results of each area as the results page counts them, kept current
-- on every accepted, replaced, withdrawn or recognised tally (issue 18):
-- the page of a province reads 1,452 narrow rows instead of every tally.
-- version is bumped by the triggers below on any write that can change an
-- area's result (a tally, its votes, a candidate, the area, the election's
-- rules); built_version is the version the row's numbers were computed at.
-- The store recomputes an area in the transaction that changes its tally;
-- a row whose versions differ (a write by another path, or the backfill
-- below) is recomputed on the next read.
CREATE TABLE area_results (
    area_id               BIGINT PRIMARY KEY REFERENCES areas(id) ON DELETE CASCADE,
    election_id           BIGINT NOT NULL,
    version               BIGINT NOT NULL DEFAULT 1,
    built_version         BIGINT NOT NULL DEFAULT 0,
    public_state          TEXT NOT NULL DEFAULT 'not-reported',
    admin_state           TEXT NOT NULL DEFAULT 'not-reported',
    public_households     INTEGER NOT NULL DEFAULT 0,
    admin_households      INTEGER NOT NULL DEFAULT 0,
    recognised_households INTEGER NOT NULL DEFAULT 0,
    attending             INTEGER NOT NULL DEFAULT 0,
    elected               BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX area_results_election ON area_results (election_id);

-- Backfill: one row per existing area, to be computed on first read.
INSERT INTO area_results (area_id, election_id) SELECT id, election_id FROM areas;

-- +goose StatementBegin
CREATE FUNCTION area_results_touch(aid BIGINT, eid BIGINT) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF aid IS NULL THEN
        RETURN;
    END IF;
    INSERT INTO area_results (area_id, election_id) VALUES (aid, eid)
    ON CONFLICT (area_id) DO UPDATE SET version = area_results.version + 1, election_id = EXCLUDED.election_id;
END $$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION area_results_on_area() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM area_results_touch(NEW.id, NEW.election_id);
    RETURN NULL;
END $$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION area_results_on_child() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    aid BIGINT;
BEGIN
    IF TG_TABLE_NAME = 'tally_votes' THEN
        SELECT area_id INTO aid FROM tallies WHERE id = (CASE WHEN TG_OP = 'DELETE' THEN OLD.tally_id ELSE NEW.tally_id END);
    ELSIF TG_OP = 'DELETE' THEN
        aid := OLD.area_id;
    ELSE
        aid := NEW.area_id;
    END IF;
    UPDATE area_results SET version = version + 1 WHERE area_id = aid;
    IF TG_OP = 'UPDATE' AND TG_TABLE_NAME <> 'tally_votes' THEN
        IF OLD.area_id <> NEW.area_id THEN
            UPDATE area_results SET version = version + 1 WHERE area_id = OLD.area_id;
        END IF;
    END IF;
    RETURN NULL;
END $$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION area_results_on_rules() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE area_results SET version = version + 1 WHERE election_id = NEW.id;
    RETURN NULL;
END $$;
-- +goose StatementEnd

CREATE TRIGGER area_results_area AFTER INSERT OR UPDATE OF election_id, ward_id, households, electorate ON areas
    FOR EACH ROW EXECUTE FUNCTION area_results_on_area();
CREATE TRIGGER area_results_tally AFTER INSERT OR DELETE OR UPDATE OF area_id, version, status, kind, method, households, attending, issued, returned, valid, invalid ON tallies
    FOR EACH ROW EXECUTE FUNCTION area_results_on_child();
CREATE TRIGGER area_results_vote AFTER INSERT OR UPDATE OR DELETE ON tally_votes
    FOR EACH ROW EXECUTE FUNCTION area_results_on_child();
CREATE TRIGGER area_results_candidate AFTER INSERT OR UPDATE OR DELETE ON candidates
    FOR EACH ROW EXECUTE FUNCTION area_results_on_child();
CREATE TRIGGER area_results_rules AFTER UPDATE OF rules ON elections
    FOR EACH ROW EXECUTE FUNCTION area_results_on_rules();

-- +goose Down
DROP TRIGGER area_results_rules ON elections;
DROP TRIGGER area_results_candidate ON candidates;
DROP TRIGGER area_results_vote ON tally_votes;
DROP TRIGGER area_results_tally ON tallies;
DROP TRIGGER area_results_area ON areas;
DROP FUNCTION area_results_on_rules();
DROP FUNCTION area_results_on_child();
DROP FUNCTION area_results_on_area();
DROP FUNCTION area_results_touch(BIGINT, BIGINT);
DROP TABLE area_results;
