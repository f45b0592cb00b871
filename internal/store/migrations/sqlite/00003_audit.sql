-- Why: the audit trail (DESIGN.md "Audit"). Events are append-only and
-- chained with an HMAC per chain: each node writes its own chain, so audit
-- writes never serialise all nodes, and the chain head row makes a deleted
-- last event detectable. Each chain records which service key sealed it, so
-- a key rotation starts new chains and old ones still verify. Events hold
-- ids and kinds, never content.
-- +goose Up
CREATE TABLE audit_chains (
    id         TEXT PRIMARY KEY,
    node       TEXT NOT NULL,
    key_id     TEXT NOT NULL,
    seq        INTEGER NOT NULL,
    head_mac   BLOB NOT NULL,
    started_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE audit_events (
    id         TEXT PRIMARY KEY,
    chain_id   TEXT NOT NULL REFERENCES audit_chains (id),
    seq        INTEGER NOT NULL,
    at         TIMESTAMP NOT NULL,
    actor_kind TEXT NOT NULL,
    actor_id   TEXT NOT NULL,
    actor_role TEXT NOT NULL,
    action     TEXT NOT NULL,
    person_id  TEXT,
    target     TEXT NOT NULL,
    outcome    TEXT NOT NULL,
    mac        BLOB NOT NULL,
    UNIQUE (chain_id, seq)
);
CREATE INDEX audit_events_person_id_at ON audit_events (person_id, at);
CREATE INDEX audit_events_actor_id_at ON audit_events (actor_id, at);

-- +goose Down
-- Forward-only.
