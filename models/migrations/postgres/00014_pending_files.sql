-- +goose Up
-- A file an admin sent in chat (issue 20), checked and waiting for the
-- admin's confirmation before it is imported: one per contact, kept
-- across a restart, dropped once imported, refused or replaced.
CREATE TABLE pending_files (
    contact_id    BIGINT PRIMARY KEY REFERENCES contacts(id) ON DELETE CASCADE,
    kind          TEXT NOT NULL CHECK (kind IN ('voters', 'areas', 'election')),
    format        TEXT NOT NULL CHECK (format IN ('csv', 'xlsx', 'yaml')),
    name          TEXT NOT NULL DEFAULT '',
    sha256        TEXT NOT NULL,
    election_code TEXT NOT NULL DEFAULT '',
    data          BYTEA NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL
);

-- +goose Down
DROP TABLE pending_files;
