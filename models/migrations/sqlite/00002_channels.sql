-- +goose Up
-- Channel plumbing: which updates were processed (each once), small state
-- per channel (the long-polling offset, the webhook secret), and the
-- transactional outbox of messages to send.

-- An update is recorded in the same transaction as its effects and its
-- replies, so a redelivered one is acknowledged and not processed again.
CREATE TABLE channel_updates (
    channel      TEXT NOT NULL,
    update_id    TEXT NOT NULL,
    processed_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    PRIMARY KEY (channel, update_id)
);
CREATE INDEX channel_updates_processed_idx ON channel_updates (processed_at);

CREATE TABLE channel_state (
    channel    TEXT NOT NULL,
    key        TEXT NOT NULL,
    value      TEXT NOT NULL DEFAULT '',
    updated_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    PRIMARY KEY (channel, key)
);

-- One row per API call to make (a reply, later a broadcast delivery).
-- payload is the channel's own encoding of the call. dedupe_key, when set,
-- makes a delivery unique (e.g. one per broadcast and contact).
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    channel         TEXT NOT NULL,
    chat_id         TEXT NOT NULL,
    contact_id      BIGINT REFERENCES contacts(id) ON DELETE SET NULL,
    kind            TEXT NOT NULL DEFAULT 'reply',
    dedupe_key      TEXT UNIQUE,
    payload         TEXT NOT NULL,
    status          TEXT NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'unreachable')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    locked_until    DATETIME,
    last_error      TEXT NOT NULL DEFAULT '',
    created_at      DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    sent_at         DATETIME
);
CREATE INDEX outbox_due_idx ON outbox (next_attempt_at) WHERE status IN ('pending', 'sending');
CREATE INDEX outbox_chat_idx ON outbox (channel, chat_id, id) WHERE status IN ('pending', 'sending');

-- +goose Down
DROP TABLE outbox;
DROP TABLE channel_state;
DROP TABLE channel_updates;
