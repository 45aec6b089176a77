-- +goose Up
-- Broadcasts and reminders (issue 7).
--
-- A broadcast is one message to an audience: a ward admin's announcement
-- (/thongbao, `electionbot broadcast`), a resident reminder of the election
-- schedule, or an officials' deadline reminder. Every recipient gets one
-- delivery row, unique per (broadcast, contact), pointing at its outbox row
-- (whose dedupe_key is bc:<broadcast>:<contact>): the outbox row records
-- whether it was sent, so a restart never sends again what was recorded as
-- sent. A recipient skipped at fan-out (unreachable, outside a channel's
-- window) has a delivery row without an outbox row, with the reason.
CREATE TABLE broadcasts (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    election_id   BIGINT NOT NULL REFERENCES elections(id) ON DELETE CASCADE,
    kind          TEXT NOT NULL CHECK (kind IN ('announcement', 'reminder', 'official')),
    audience      TEXT NOT NULL CHECK (audience IN ('all', 'areas', 'reporters', 'subscribers', 'officials')),
    area_ids      TEXT NOT NULL DEFAULT '',
    body          TEXT NOT NULL DEFAULT '',
    message_key   TEXT NOT NULL DEFAULT '',
    status        TEXT NOT NULL DEFAULT 'draft'
                  CHECK (status IN ('draft', 'queued', 'sending', 'done', 'cancelled')),
    source        TEXT NOT NULL DEFAULT 'chat',
    created_by    BIGINT REFERENCES contacts(id) ON DELETE SET NULL,
    fanout_cursor BIGINT NOT NULL DEFAULT 0,
    fanned_out    BOOLEAN NOT NULL DEFAULT FALSE,
    total         INTEGER NOT NULL DEFAULT 0,
    progress_seq  INTEGER NOT NULL DEFAULT 0,
    progress_at   DATETIME,
    created_at    DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    queued_at     DATETIME,
    finished_at   DATETIME
);
CREATE INDEX broadcasts_active_idx ON broadcasts (id) WHERE status IN ('queued', 'sending');
CREATE INDEX broadcasts_creator_idx ON broadcasts (created_by, id);

CREATE TABLE broadcast_deliveries (
    broadcast_id BIGINT NOT NULL REFERENCES broadcasts(id) ON DELETE CASCADE,
    contact_id   BIGINT NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    outbox_id    BIGINT REFERENCES outbox(id) ON DELETE SET NULL,
    status       TEXT NOT NULL CHECK (status IN ('queued', 'skipped')),
    reason       TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (broadcast_id, contact_id)
);
CREATE INDEX broadcast_deliveries_outbox_idx ON broadcast_deliveries (outbox_id);

-- The schedule of an election's reminders, one row per (election, key):
-- loading the election file again updates the rows that have not fired and
-- never adds a second one, so nothing is sent twice.
CREATE TABLE reminders (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    election_id  BIGINT NOT NULL REFERENCES elections(id) ON DELETE CASCADE,
    key          TEXT NOT NULL,
    audience     TEXT NOT NULL CHECK (audience IN ('subscribers', 'officials')),
    message_key  TEXT NOT NULL,
    fire_at      DATETIME NOT NULL,
    status       TEXT NOT NULL DEFAULT 'scheduled' CHECK (status IN ('scheduled', 'fired', 'missed')),
    broadcast_id BIGINT REFERENCES broadcasts(id) ON DELETE SET NULL,
    updated_at   DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    UNIQUE (election_id, key)
);
CREATE INDEX reminders_due_idx ON reminders (fire_at) WHERE status = 'scheduled';

-- A contact's answers about messages it did not ask for: when it was
-- offered reminders, and /stop (no reminders, no announcements).
CREATE TABLE subscriptions (
    contact_id BIGINT PRIMARY KEY REFERENCES contacts(id) ON DELETE CASCADE,
    offered_at DATETIME,
    stopped_at DATETIME,
    updated_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- Live replicas of the sender (serve, a broadcast from the command line):
-- each heartbeats its row; the global BROADCAST_RATE is shared equally
-- among the rows that are alive.
CREATE TABLE replicas (
    id           TEXT PRIMARY KEY,
    host         TEXT NOT NULL DEFAULT '',
    started_at   DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    heartbeat_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- Audiences: the subscribers of an area, the contacts of an area.
CREATE INDEX contacts_area_id_idx ON contacts (area_id, id);

-- +goose Down
DROP INDEX contacts_area_id_idx;
DROP TABLE replicas;
DROP TABLE subscriptions;
DROP TABLE reminders;
DROP TABLE broadcast_deliveries;
DROP TABLE broadcasts;
