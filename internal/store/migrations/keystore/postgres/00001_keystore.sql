-- Why: the key store holds the data keys that unlock each person's free text,
-- apart from the main database and backed up separately (DESIGN.md
-- "Encryption and keys"). Keys are stored wrapped by a service key from the
-- key file, never in the clear. Erasure deletes a person's key and appends
-- them to the erasure ledger, which 'tend restore' re-applies, so an old
-- backup restored with this key store cannot decrypt an erased person.
-- +goose Up
CREATE TABLE person_keys (
    person_id      TEXT PRIMARY KEY,
    key_id         TEXT NOT NULL UNIQUE,
    service_key_id TEXT NOT NULL,
    wrapped        BYTEA NOT NULL,
    created_at     TIMESTAMPTZ NOT NULL
);

-- The service records key (clinician notes, tasks): one, made once; ids let
-- a second one exist if two processes ever create it at the same moment.
CREATE TABLE records_keys (
    id             TEXT PRIMARY KEY,
    service_key_id TEXT NOT NULL,
    wrapped        BYTEA NOT NULL,
    created_at     TIMESTAMPTZ NOT NULL
);

CREATE TABLE erasure_ledger (
    person_id TEXT PRIMARY KEY,
    erased_at TIMESTAMPTZ NOT NULL
);
