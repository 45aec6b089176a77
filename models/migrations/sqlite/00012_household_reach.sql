-- +goose Up
-- Reaching every household of the voter list (issue 19): the ledger of
-- every attempt, per household and broadcast; the cascade's state per
-- broadcast; the households that said no more.
CREATE TABLE reach_attempts (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    broadcast_id BIGINT NOT NULL REFERENCES broadcasts(id) ON DELETE CASCADE,
    voter_id     BIGINT NOT NULL REFERENCES voters(id) ON DELETE CASCADE,
    area_id      BIGINT NOT NULL,
    channel      TEXT NOT NULL,
    outbox_id    BIGINT,
    outcome      TEXT NOT NULL,
    cost_vnd     INTEGER NOT NULL DEFAULT 0,
    reason       TEXT NOT NULL DEFAULT '',
    at           DATETIME NOT NULL,
    done_at      DATETIME,
    UNIQUE (broadcast_id, voter_id, channel)
);
CREATE INDEX reach_attempts_outcome_idx ON reach_attempts (broadcast_id, outcome);
CREATE INDEX reach_attempts_outbox_idx ON reach_attempts (outbox_id) WHERE outbox_id IS NOT NULL;
CREATE INDEX reach_attempts_voter_idx ON reach_attempts (voter_id, channel);

CREATE TABLE broadcast_reach (
    broadcast_id   BIGINT PRIMARY KEY REFERENCES broadcasts(id) ON DELETE CASCADE,
    voter_cursor   BIGINT NOT NULL DEFAULT 0,
    fanned_out     BOOLEAN NOT NULL DEFAULT FALSE,
    ceiling_vnd    BIGINT NOT NULL DEFAULT 0,
    urgent         BOOLEAN NOT NULL DEFAULT FALSE,
    zns_stopped_at DATETIME
);

CREATE TABLE household_optouts (
    phone  TEXT PRIMARY KEY,
    source TEXT NOT NULL,
    at     DATETIME NOT NULL
);

-- +goose Down
DROP TABLE household_optouts;
DROP TABLE broadcast_reach;
DROP TABLE reach_attempts;
