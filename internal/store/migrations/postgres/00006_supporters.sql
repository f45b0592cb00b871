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
-- kind.
-- +goose Up
CREATE TABLE supporter_invites (
    id           TEXT PRIMARY KEY,
    code_hash    BYTEA NOT NULL UNIQUE,
    supporter_id TEXT NOT NULL REFERENCES supporters (id),
    created_at   TIMESTAMPTZ NOT NULL,
    expires_at   TIMESTAMPTZ NOT NULL,
    redeemed_at  TIMESTAMPTZ
);
CREATE INDEX supporter_invites_supporter_id ON supporter_invites (supporter_id);

CREATE TABLE supporter_accounts (
    id            TEXT PRIMARY KEY REFERENCES supporters (id),
    username      TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX supporter_accounts_username_lower ON supporter_accounts (lower(username));

ALTER TABLE sessions DROP CONSTRAINT sessions_account_kind_check;
ALTER TABLE sessions ADD CONSTRAINT sessions_account_kind_check CHECK (account_kind IN ('person', 'staff', 'supporter'));
ALTER TABLE sign_ins DROP CONSTRAINT sign_ins_account_kind_check;
ALTER TABLE sign_ins ADD CONSTRAINT sign_ins_account_kind_check CHECK (account_kind IN ('person', 'staff', 'supporter'));

-- +goose Down
-- Forward-only.
