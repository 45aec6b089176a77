-- +goose Up
CREATE TABLE wards (
    id         BIGSERIAL PRIMARY KEY,
    code       TEXT NOT NULL UNIQUE,
    name       TEXT NOT NULL,
    city       TEXT NOT NULL DEFAULT '',
    province   TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE elections (
    id               BIGSERIAL PRIMARY KEY,
    code             TEXT NOT NULL UNIQUE,
    ward_id          BIGINT NOT NULL REFERENCES wards(id),
    title            TEXT NOT NULL,
    date             TEXT NOT NULL,
    opens            TEXT NOT NULL,
    closes           TEXT NOT NULL,
    timezone         TEXT NOT NULL DEFAULT 'Asia/Ho_Chi_Minh',
    rules            TEXT NOT NULL CHECK (rules IN ('nqlt-09-2008', 'luat-10-2022')),
    method           TEXT NOT NULL CHECK (method IN ('secret', 'hands')),
    opens_at         TIMESTAMPTZ NOT NULL,
    closes_at        TIMESTAMPTZ NOT NULL,
    list_posted_days INTEGER NOT NULL DEFAULT 7,
    notice_days      INTEGER NOT NULL DEFAULT 2,
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at       TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE areas (
    id          BIGSERIAL PRIMARY KEY,
    election_id BIGINT NOT NULL REFERENCES elections(id) ON DELETE CASCADE,
    code        TEXT NOT NULL,
    name        TEXT NOT NULL,
    households  INTEGER NOT NULL CHECK (households > 0),
    UNIQUE (election_id, code)
);

CREATE TABLE polling_places (
    id      BIGSERIAL PRIMARY KEY,
    area_id BIGINT NOT NULL UNIQUE REFERENCES areas(id) ON DELETE CASCADE,
    name    TEXT NOT NULL,
    address TEXT NOT NULL DEFAULT '',
    lat     DOUBLE PRECISION,
    lon     DOUBLE PRECISION
);

CREATE TABLE candidates (
    id          BIGSERIAL PRIMARY KEY,
    area_id     BIGINT NOT NULL REFERENCES areas(id) ON DELETE CASCADE,
    ballot_no   INTEGER NOT NULL,
    name        TEXT NOT NULL,
    name_folded TEXT NOT NULL,
    UNIQUE (area_id, ballot_no)
);

CREATE TABLE voters (
    id           BIGSERIAL PRIMARY KEY,
    area_id      BIGINT NOT NULL REFERENCES areas(id) ON DELETE CASCADE,
    household_no TEXT NOT NULL,
    full_name    TEXT NOT NULL,
    name_folded  TEXT NOT NULL,
    birth_year   INTEGER NOT NULL,
    address      TEXT NOT NULL DEFAULT '',
    phone        TEXT,
    UNIQUE (area_id, household_no)
);
-- Eligibility lookups are exact matches on (area, folded name, birth year).
CREATE INDEX voters_area_name_idx ON voters (area_id, name_folded, birth_year);
CREATE INDEX voters_phone_idx ON voters (phone) WHERE phone IS NOT NULL;

CREATE TABLE contacts (
    id           BIGSERIAL PRIMARY KEY,
    channel      TEXT NOT NULL,
    external_id  TEXT NOT NULL,
    chat_id      TEXT NOT NULL DEFAULT '',
    display_name TEXT NOT NULL DEFAULT '',
    lang         TEXT NOT NULL DEFAULT 'vi',
    area_id      BIGINT REFERENCES areas(id) ON DELETE SET NULL,
    reminders    BOOLEAN NOT NULL DEFAULT FALSE,
    reachable    BOOLEAN NOT NULL DEFAULT TRUE,
    phone        TEXT,
    state        TEXT NOT NULL DEFAULT '',
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (channel, external_id)
);
CREATE INDEX contacts_area_idx ON contacts (area_id);
CREATE INDEX contacts_phone_idx ON contacts (phone) WHERE phone IS NOT NULL;

CREATE TABLE role_grants (
    id         BIGSERIAL PRIMARY KEY,
    contact_id BIGINT REFERENCES contacts(id) ON DELETE CASCADE,
    phone      TEXT,
    role       TEXT NOT NULL CHECK (role IN ('admin', 'reporter', 'viewer')),
    ward_id    BIGINT REFERENCES wards(id) ON DELETE CASCADE,
    area_id    BIGINT REFERENCES areas(id) ON DELETE CASCADE,
    granted_by BIGINT REFERENCES contacts(id),
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    revoked_at TIMESTAMPTZ,
    revoked_by BIGINT REFERENCES contacts(id),
    CHECK (contact_id IS NOT NULL OR phone IS NOT NULL)
);
CREATE INDEX role_grants_contact_idx ON role_grants (contact_id) WHERE revoked_at IS NULL;
CREATE INDEX role_grants_phone_idx ON role_grants (phone) WHERE revoked_at IS NULL;

CREATE TABLE tallies (
    id          BIGSERIAL PRIMARY KEY,
    area_id     BIGINT NOT NULL REFERENCES areas(id) ON DELETE CASCADE,
    version     INTEGER NOT NULL,
    reporter_id BIGINT NOT NULL REFERENCES contacts(id),
    method      TEXT NOT NULL CHECK (method IN ('secret', 'hands')),
    households  INTEGER NOT NULL,
    attending   INTEGER NOT NULL,
    issued      INTEGER,
    returned    INTEGER,
    valid       INTEGER,
    invalid     INTEGER,
    photo_ref   TEXT NOT NULL DEFAULT '',
    status      TEXT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (area_id, version)
);

CREATE TABLE tally_votes (
    tally_id     BIGINT NOT NULL REFERENCES tallies(id) ON DELETE CASCADE,
    candidate_id BIGINT NOT NULL REFERENCES candidates(id) ON DELETE CASCADE,
    votes        INTEGER NOT NULL CHECK (votes >= 0),
    PRIMARY KEY (tally_id, candidate_id)
);

CREATE TABLE audit_events (
    id         BIGSERIAL PRIMARY KEY,
    at         TIMESTAMPTZ NOT NULL DEFAULT now(),
    contact_id BIGINT,
    action     TEXT NOT NULL,
    subject    TEXT NOT NULL DEFAULT '',
    detail     TEXT NOT NULL DEFAULT '',
    ok         BOOLEAN NOT NULL DEFAULT TRUE
);
CREATE INDEX audit_events_contact_idx ON audit_events (contact_id, at);

-- +goose Down
DROP TABLE audit_events;
DROP TABLE tally_votes;
DROP TABLE tallies;
DROP TABLE role_grants;
DROP TABLE contacts;
DROP TABLE voters;
DROP TABLE candidates;
DROP TABLE polling_places;
DROP TABLE areas;
DROP TABLE elections;
DROP TABLE wards;
