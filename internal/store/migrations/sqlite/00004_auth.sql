-- Why: how accounts prove who they are (DESIGN.md "Sessions", "Rate limits",
-- "Account recovery"). Tokens, codes and rate-limit keys are stored only as
-- SHA-256 hashes, so a copy of the database signs nobody in and holds no
-- e-mail or IP address in rate_limits. Sessions live here, not in a node's
-- memory, so any node can serve any request and a sign-out holds everywhere.
-- Sign-ins are kept for the person's "own sign-ins" page. Invites hold no
-- note about the person (that would be health content): team, age band or
-- birth date (young-people.md: recorded by the service), state, who made it.
-- Usernames are unique ignoring case; the TOTP step column refuses a replayed
-- code; a temporary password must be replaced at the next sign-in.
-- +goose Up
ALTER TABLE staff ADD COLUMN totp_last_step INTEGER;
ALTER TABLE staff ADD COLUMN password_temporary BOOLEAN NOT NULL DEFAULT false;
CREATE UNIQUE INDEX people_username_lower ON people (lower(username));

CREATE TABLE sessions (
    id           TEXT PRIMARY KEY,
    token_hash   BLOB NOT NULL UNIQUE,
    account_kind TEXT NOT NULL CHECK (account_kind IN ('person', 'staff')),
    account_id   TEXT NOT NULL,
    mfa          BOOLEAN NOT NULL,
    locked       BOOLEAN NOT NULL DEFAULT false,
    device       TEXT NOT NULL,
    created_at   TIMESTAMP NOT NULL,
    last_seen_at TIMESTAMP NOT NULL,
    expires_at   TIMESTAMP NOT NULL,
    absolute_at  TIMESTAMP NOT NULL
);
CREATE INDEX sessions_account_id ON sessions (account_id);
CREATE INDEX sessions_expires_at ON sessions (expires_at);

CREATE TABLE sign_ins (
    id           TEXT PRIMARY KEY,
    account_kind TEXT NOT NULL CHECK (account_kind IN ('person', 'staff')),
    account_id   TEXT NOT NULL,
    at           TIMESTAMP NOT NULL,
    device       TEXT NOT NULL,
    outcome      TEXT NOT NULL CHECK (outcome IN ('ok', 'failed', 'rate_limited'))
);
CREATE INDEX sign_ins_account_id_at ON sign_ins (account_id, at);

CREATE TABLE invites (
    id          TEXT PRIMARY KEY,
    code_hash   BLOB NOT NULL UNIQUE,
    team_id     TEXT NOT NULL REFERENCES teams (id),
    age_band    TEXT CHECK (age_band IN ('under_18', '18_25', 'over_25')),
    birth_date  TEXT,
    state       TEXT NOT NULL CHECK (state IN ('referred', 'accepted', 'in_treatment')),
    created_by  TEXT NOT NULL,
    created_at  TIMESTAMP NOT NULL,
    expires_at  TIMESTAMP NOT NULL,
    redeemed_at TIMESTAMP,
    person_id   TEXT REFERENCES people (id),
    CHECK (age_band IS NULL OR birth_date IS NULL)
);
CREATE INDEX invites_team_id ON invites (team_id);

CREATE TABLE recovery_codes (
    id        TEXT PRIMARY KEY,
    person_id TEXT NOT NULL REFERENCES people (id),
    code_hash BLOB NOT NULL,
    used_at   TIMESTAMP,
    UNIQUE (person_id, code_hash)
);

CREATE TABLE reset_codes (
    id         TEXT PRIMARY KEY,
    person_id  TEXT NOT NULL REFERENCES people (id),
    code_hash  BLOB NOT NULL,
    issued_by  TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at    TIMESTAMP
);
CREATE INDEX reset_codes_person_id ON reset_codes (person_id);

CREATE TABLE api_tokens (
    id           TEXT PRIMARY KEY,
    token_hash   BLOB NOT NULL UNIQUE,
    account_kind TEXT NOT NULL CHECK (account_kind IN ('person', 'staff')),
    account_id   TEXT NOT NULL,
    role         TEXT NOT NULL,
    scopes       TEXT NOT NULL,
    created_at   TIMESTAMP NOT NULL,
    expires_at   TIMESTAMP NOT NULL,
    revoked_at   TIMESTAMP
);
CREATE INDEX api_tokens_account_id ON api_tokens (account_id);

CREATE TABLE rate_limits (
    key          TEXT NOT NULL,
    window_start TIMESTAMP NOT NULL,
    count        INTEGER NOT NULL,
    PRIMARY KEY (key, window_start)
);
CREATE INDEX rate_limits_window_start ON rate_limits (window_start);

-- +goose Down
-- Forward-only.
