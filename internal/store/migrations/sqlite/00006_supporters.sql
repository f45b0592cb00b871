-- Why: a supporter (young-people.md) is a family member or friend the
-- person invites, who sees only what the person gives them. 00005 keeps what
-- the person gave (supporters, supporter_items); this migration lets the
-- supporter sign in. A supporter invite is made by the person, is single
-- use, expires, and is stored only as the SHA-256 of its code, bound to one
-- supporter record. A supporter account holds a username (a pseudonym, no
-- e-mail, no real name) and an argon2id hash, under the supporter's id, so
-- ending the supporter ends the account. Usernames share one namespace with
-- people's (the store refuses a name the other table holds), so /signin
-- finds one account for one name. Sessions and sign-ins gain the supporter
-- kind; SQLite cannot change a CHECK in place, so both tables are rebuilt.
-- +goose Up
CREATE TABLE supporter_invites (
    id           TEXT PRIMARY KEY,
    code_hash    BLOB NOT NULL UNIQUE,
    supporter_id TEXT NOT NULL REFERENCES supporters (id),
    created_at   TIMESTAMP NOT NULL,
    expires_at   TIMESTAMP NOT NULL,
    redeemed_at  TIMESTAMP
);
CREATE INDEX supporter_invites_supporter_id ON supporter_invites (supporter_id);

CREATE TABLE supporter_accounts (
    id            TEXT PRIMARY KEY REFERENCES supporters (id),
    username      TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    created_at    TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX supporter_accounts_username_lower ON supporter_accounts (lower(username));

CREATE TABLE sessions_new (
    id           TEXT PRIMARY KEY,
    token_hash   BLOB NOT NULL UNIQUE,
    account_kind TEXT NOT NULL CHECK (account_kind IN ('person', 'staff', 'supporter')),
    account_id   TEXT NOT NULL,
    mfa          BOOLEAN NOT NULL,
    locked       BOOLEAN NOT NULL DEFAULT false,
    device       TEXT NOT NULL,
    created_at   TIMESTAMP NOT NULL,
    last_seen_at TIMESTAMP NOT NULL,
    expires_at   TIMESTAMP NOT NULL,
    absolute_at  TIMESTAMP NOT NULL
);
INSERT INTO sessions_new (id, token_hash, account_kind, account_id, mfa, locked, device, created_at, last_seen_at, expires_at, absolute_at)
    SELECT id, token_hash, account_kind, account_id, mfa, locked, device, created_at, last_seen_at, expires_at, absolute_at FROM sessions;
DROP TABLE sessions;
ALTER TABLE sessions_new RENAME TO sessions;
CREATE INDEX sessions_account_id ON sessions (account_id);
CREATE INDEX sessions_expires_at ON sessions (expires_at);

CREATE TABLE sign_ins_new (
    id           TEXT PRIMARY KEY,
    account_kind TEXT NOT NULL CHECK (account_kind IN ('person', 'staff', 'supporter')),
    account_id   TEXT NOT NULL,
    at           TIMESTAMP NOT NULL,
    device       TEXT NOT NULL,
    outcome      TEXT NOT NULL CHECK (outcome IN ('ok', 'failed', 'rate_limited'))
);
INSERT INTO sign_ins_new (id, account_kind, account_id, at, device, outcome)
    SELECT id, account_kind, account_id, at, device, outcome FROM sign_ins;
DROP TABLE sign_ins;
ALTER TABLE sign_ins_new RENAME TO sign_ins;
CREATE INDEX sign_ins_account_id_at ON sign_ins (account_id, at);

-- +goose Down
-- Forward-only.
