-- +goose Up
-- The law as it is applied (issue 15, docs/design.md §3).
-- Who votes: household representatives (the default) or, under NQLT
-- 09/2008 Điều 8, all voters; the election's default and each area's own.
ALTER TABLE elections ADD COLUMN electorate TEXT NOT NULL DEFAULT 'households'
    CHECK (electorate IN ('households', 'voters'));
ALTER TABLE areas ADD COLUMN electorate TEXT NOT NULL DEFAULT 'households'
    CHECK (electorate IN ('households', 'voters'));
-- The officials' timeline of NĐ 59/2023 (days before the day; 0: none)
-- and the public holidays the working-day deadlines skip.
ALTER TABLE elections ADD COLUMN plan_days INTEGER NOT NULL DEFAULT 0;
ALTER TABLE elections ADD COLUMN committee_days INTEGER NOT NULL DEFAULT 0;
ALTER TABLE elections ADD COLUMN candidates_days INTEGER NOT NULL DEFAULT 0;
ALTER TABLE elections ADD COLUMN holidays TEXT NOT NULL DEFAULT '';
-- A person nominated at the meeting, not in the election file.
ALTER TABLE candidates ADD COLUMN nominated BOOLEAN NOT NULL DEFAULT FALSE;
-- The minutes of a meeting, or of ballots sent to every household
-- (NĐ 59/2023 Mẫu số 04).
ALTER TABLE tallies ADD COLUMN kind TEXT NOT NULL DEFAULT 'meeting'
    CHECK (kind IN ('meeting', 'household-ballot'));
-- An area's recognised version is its highest accepted one: found by
-- (area, status).
CREATE INDEX tallies_area_status_idx ON tallies (area_id, status, version);
-- The ward withdraws a recognition with a reason: a review of its own.
-- SQLite changes a CHECK by rebuilding the table; no table references
-- tally_reviews, so no foreign key is disturbed.
CREATE TABLE tally_reviews_new (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    tally_id       BIGINT NOT NULL REFERENCES tallies(id) ON DELETE CASCADE,
    action         TEXT NOT NULL CHECK (action IN ('confirm', 'accept', 'reject', 'withdraw')),
    contact_id     BIGINT REFERENCES contacts(id),
    reason         TEXT NOT NULL DEFAULT '',
    source_version INTEGER,
    at             DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);
INSERT INTO tally_reviews_new (id, tally_id, action, contact_id, reason, source_version, at)
    SELECT id, tally_id, action, contact_id, reason, source_version, at FROM tally_reviews;
DROP TABLE tally_reviews;
ALTER TABLE tally_reviews_new RENAME TO tally_reviews;
CREATE INDEX tally_reviews_tally_idx ON tally_reviews (tally_id, id);

-- +goose Down
CREATE TABLE tally_reviews_old (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    tally_id       BIGINT NOT NULL REFERENCES tallies(id) ON DELETE CASCADE,
    action         TEXT NOT NULL CHECK (action IN ('confirm', 'accept', 'reject')),
    contact_id     BIGINT REFERENCES contacts(id),
    reason         TEXT NOT NULL DEFAULT '',
    source_version INTEGER,
    at             DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);
INSERT INTO tally_reviews_old (id, tally_id, action, contact_id, reason, source_version, at)
    SELECT id, tally_id, action, contact_id, reason, source_version, at FROM tally_reviews WHERE action <> 'withdraw';
DROP TABLE tally_reviews;
ALTER TABLE tally_reviews_old RENAME TO tally_reviews;
CREATE INDEX tally_reviews_tally_idx ON tally_reviews (tally_id, id);
DROP INDEX tallies_area_status_idx;
ALTER TABLE tallies DROP COLUMN kind;
ALTER TABLE candidates DROP COLUMN nominated;
ALTER TABLE elections DROP COLUMN holidays;
ALTER TABLE elections DROP COLUMN candidates_days;
ALTER TABLE elections DROP COLUMN committee_days;
ALTER TABLE elections DROP COLUMN plan_days;
ALTER TABLE areas DROP COLUMN electorate;
ALTER TABLE elections DROP COLUMN electorate;
