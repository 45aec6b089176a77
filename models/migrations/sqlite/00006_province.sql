-- +goose NO TRANSACTION
-- +goose Up
-- One deployment for a whole province (issue 14): see the PostgreSQL
-- migration. SQLite cannot drop a NOT NULL or a table constraint, so
-- elections and areas are rebuilt (the documented 12-step procedure:
-- foreign keys off, copy, drop, rename, check). The store holds one
-- connection, so the pragma applies to the statements below.
PRAGMA foreign_keys = OFF;
BEGIN;
ALTER TABLE wards ADD COLUMN kind TEXT NOT NULL DEFAULT '';
-- The name as typed, folded and without its kind word ("ka long"): a
-- message is searched for ward names by lookups on this column, so its
-- cost does not grow with the number of wards.
ALTER TABLE wards ADD COLUMN folded TEXT NOT NULL DEFAULT '';
CREATE INDEX wards_folded_idx ON wards (folded);

CREATE TABLE elections_new (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    code             TEXT NOT NULL UNIQUE,
    ward_id          BIGINT REFERENCES wards(id),
    province         TEXT NOT NULL DEFAULT '',
    title            TEXT NOT NULL,
    date             TEXT NOT NULL,
    opens            TEXT NOT NULL,
    closes           TEXT NOT NULL,
    timezone         TEXT NOT NULL DEFAULT 'Asia/Ho_Chi_Minh',
    rules            TEXT NOT NULL CHECK (rules IN ('nqlt-09-2008', 'luat-10-2022')),
    method           TEXT NOT NULL CHECK (method IN ('secret', 'hands')),
    opens_at         DATETIME NOT NULL,
    closes_at        DATETIME NOT NULL,
    list_posted_days INTEGER NOT NULL DEFAULT 7,
    notice_days      INTEGER NOT NULL DEFAULT 2,
    created_at       DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at       DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);
INSERT INTO elections_new (id, code, ward_id, title, date, opens, closes, timezone, rules, method,
    opens_at, closes_at, list_posted_days, notice_days, created_at, updated_at)
SELECT id, code, ward_id, title, date, opens, closes, timezone, rules, method,
    opens_at, closes_at, list_posted_days, notice_days, created_at, updated_at FROM elections;
DROP TABLE elections;
ALTER TABLE elections_new RENAME TO elections;

CREATE TABLE areas_new (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    election_id BIGINT NOT NULL REFERENCES elections(id) ON DELETE CASCADE,
    ward_id     BIGINT NOT NULL REFERENCES wards(id),
    code        TEXT NOT NULL,
    name        TEXT NOT NULL,
    unit        TEXT NOT NULL DEFAULT '',
    households  INTEGER NOT NULL CHECK (households > 0),
    UNIQUE (election_id, ward_id, code)
);
INSERT INTO areas_new (id, election_id, ward_id, code, name, households)
SELECT a.id, a.election_id, e.ward_id, a.code, a.name, a.households
FROM areas a JOIN elections e ON e.id = a.election_id;
DROP TABLE areas;
ALTER TABLE areas_new RENAME TO areas;
CREATE INDEX areas_ward_idx ON areas (ward_id, election_id);

ALTER TABLE contacts ADD COLUMN ward_id BIGINT REFERENCES wards(id) ON DELETE SET NULL;
COMMIT;
PRAGMA foreign_keys = ON;

-- +goose Down
-- Not reversible on SQLite (the tables were rebuilt); restore a backup.
SELECT 1;
