-- Why: who is who. Teams belong to the one service a deployment serves
-- (DESIGN.md "Tenancy"); a duty team takes follow-up tasks after discharge.
-- Staff sign in with e-mail; people with a username they choose (any
-- pseudonym), no e-mail needed. The lifecycle state lives on the person's
-- record. Age is recorded by the service at invitation (young-people.md), as
-- a birth date or a band. Staff names and e-mail addresses are staff data,
-- not health content; nothing about a person's health is in these tables.
-- +goose Up
CREATE TABLE teams (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    kind       TEXT NOT NULL DEFAULT 'care' CHECK (kind IN ('care', 'duty')),
    created_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE staff (
    id              TEXT PRIMARY KEY,
    email           TEXT NOT NULL UNIQUE,
    name            TEXT NOT NULL,
    role            TEXT NOT NULL CHECK (role IN ('clinician', 'lead', 'admin')),
    password_hash   TEXT NOT NULL,
    totp_secret     BYTEA,
    mfa_enrolled_at TIMESTAMPTZ,
    disabled_at     TIMESTAMPTZ,
    created_at      TIMESTAMPTZ NOT NULL
);

CREATE TABLE staff_teams (
    staff_id TEXT NOT NULL REFERENCES staff (id),
    team_id  TEXT NOT NULL REFERENCES teams (id),
    PRIMARY KEY (staff_id, team_id)
);
CREATE INDEX staff_teams_team_id ON staff_teams (team_id);

CREATE TABLE people (
    id                TEXT PRIMARY KEY,
    username          TEXT NOT NULL UNIQUE,
    password_hash     TEXT NOT NULL,
    team_id           TEXT NOT NULL REFERENCES teams (id),
    state             TEXT NOT NULL CHECK (state IN ('referred', 'accepted', 'in_treatment', 'discharged', 'follow_up', 'closed')),
    birth_date        DATE,
    age_band          TEXT CHECK (age_band IN ('under_18', '18_25', 'over_25')),
    time_zone         TEXT NOT NULL,
    country           TEXT NOT NULL,
    pin_hash          TEXT,
    auto_lock_minutes INTEGER,
    discreet          BOOLEAN NOT NULL DEFAULT false,
    created_at        TIMESTAMPTZ NOT NULL
);
CREATE INDEX people_team_id ON people (team_id);

-- +goose Down
-- Forward-only.
