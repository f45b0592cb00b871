-- Why: notification channels (docs/notifications.md). A browser's Web Push
-- subscription is personal (its endpoint identifies the device), so the
-- whole subscription (endpoint and keys) is stored only as a vault
-- ciphertext: under the person's own key for a person, under the service
-- records key for staff. endpoint_hash (SHA-256 of the endpoint) lets the
-- same subscription be found again without opening every row. The VAPID
-- key pair is made once; its private key is sealed with the records key,
-- its public key is given to every browser anyway. A person's optional
-- e-mail address is sealed under their key; until verified by a
-- single-use link (only a hash of its token is stored) nothing but the
-- verification e-mail goes to it.
-- +goose Up
CREATE TABLE push_subscriptions (
    id            TEXT PRIMARY KEY,
    account_kind  TEXT NOT NULL CHECK (account_kind IN ('person', 'staff')),
    account_id    TEXT NOT NULL,
    endpoint_hash TEXT NOT NULL,
    subscription  BLOB NOT NULL,
    created_at    TIMESTAMP NOT NULL,
    last_used     TIMESTAMP,
    UNIQUE (account_kind, account_id, endpoint_hash)
);
CREATE INDEX push_subscriptions_account ON push_subscriptions (account_kind, account_id);

CREATE TABLE vapid_keys (
    id          TEXT PRIMARY KEY,
    public_key  TEXT NOT NULL,
    private_key BLOB NOT NULL,
    created_at  TIMESTAMP NOT NULL
);

CREATE TABLE person_emails (
    person_id        TEXT PRIMARY KEY REFERENCES people (id),
    address          BLOB NOT NULL,
    verified_at      TIMESTAMP,
    token_hash       TEXT UNIQUE,
    token_expires_at TIMESTAMP,
    updated_at       TIMESTAMP NOT NULL
);

-- +goose Down
DROP TABLE person_emails;
DROP TABLE vapid_keys;
DROP TABLE push_subscriptions;
