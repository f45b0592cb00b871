-- Why: the platform's own tables. A deployment row marks a database as demo
-- or live, so demo data can never be served as real and real data never as
-- demo. The service's settings are one JSON document (not personal data)
-- that every node holds in memory for the help page. Idempotency keys make
-- retried requests safe; they expire and are pruned by a periodic job, whose
-- runs are recorded with the time each was scheduled for, so operators (and
-- tests) can see it ran once per period however many nodes there are.
-- +goose Up
CREATE TABLE deployment (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    mode       TEXT NOT NULL CHECK (mode IN ('demo', 'live')),
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE service_settings (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    doc        TEXT NOT NULL,
    version    INTEGER NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE idempotency_keys (
    scope      TEXT NOT NULL,
    key        TEXT NOT NULL,
    outcome    TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    PRIMARY KEY (scope, key)
);
CREATE INDEX idempotency_keys_expires_at ON idempotency_keys (expires_at);

CREATE TABLE maintenance_runs (
    id           TEXT PRIMARY KEY,
    kind         TEXT NOT NULL,
    node         TEXT NOT NULL,
    scheduled_at TIMESTAMP NOT NULL,
    ran_at       TIMESTAMP NOT NULL,
    rows_deleted INTEGER NOT NULL
);
CREATE INDEX maintenance_runs_kind_ran_at ON maintenance_runs (kind, ran_at);

-- +goose Down
-- Forward-only: Tend never migrates down in production.
