-- +goose Up
-- Officials: one-time invites that designate a reporter (or a viewer or an
-- admin), and the reviews of tallies (a second reporter's confirmation, the
-- ward's acceptance or rejection with its reason). Tallies themselves are
-- never updated but for their status and photo: every submission is a new
-- version.

-- The code is shown once to the admin who made it; only its SHA-256 is kept.
CREATE TABLE invites (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    code_hash  TEXT NOT NULL UNIQUE,
    role       TEXT NOT NULL CHECK (role IN ('admin', 'reporter', 'viewer')),
    ward_id    BIGINT REFERENCES wards(id) ON DELETE CASCADE,
    area_id    BIGINT REFERENCES areas(id) ON DELETE CASCADE,
    created_by BIGINT REFERENCES contacts(id),
    created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    expires_at DATETIME NOT NULL,
    used_at    DATETIME,
    used_by    BIGINT REFERENCES contacts(id),
    CHECK (role <> 'reporter' OR area_id IS NOT NULL)
);

CREATE TABLE tally_reviews (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    tally_id       BIGINT NOT NULL REFERENCES tallies(id) ON DELETE CASCADE,
    action         TEXT NOT NULL CHECK (action IN ('confirm', 'accept', 'reject')),
    contact_id     BIGINT REFERENCES contacts(id),
    reason         TEXT NOT NULL DEFAULT '',
    source_version INTEGER,
    at             DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX tally_reviews_tally_idx ON tally_reviews (tally_id, id);

-- Reporters of an area (conflicts, reminders) and a reporter's latest tally
-- (a photo sent after it).
CREATE INDEX role_grants_area_idx ON role_grants (area_id) WHERE revoked_at IS NULL;
CREATE INDEX tallies_reporter_idx ON tallies (reporter_id, id);

-- +goose Down
DROP INDEX tallies_reporter_idx;
DROP INDEX role_grants_area_idx;
DROP TABLE tally_reviews;
DROP TABLE invites;
