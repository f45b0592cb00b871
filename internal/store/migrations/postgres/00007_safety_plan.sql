-- Why: "My safety plan" (clinical/safety-plan.md) is co-authored by the
-- person and their clinician, and every save is a new version that is never
-- overwritten, so each row of safety_plan_versions is one whole plan at one
-- moment, numbered per person. Every section a person writes (the six steps,
-- what matters most, reasons for living, what might get in the way) is a
-- vault ciphertext bound to its table, column and row: nothing a person
-- wrote is stored in plain text. A review is a separate record, made by a
-- clinician, so "last reviewed" never rewrites a version.
-- +goose Up
CREATE TABLE safety_plan_versions (
    id             TEXT PRIMARY KEY,
    person_id      TEXT NOT NULL REFERENCES people (id),
    version        INTEGER NOT NULL CHECK (version > 0),
    based_on       INTEGER NOT NULL CHECK (based_on >= 0),
    merged         BOOLEAN NOT NULL,
    saved_by_kind  TEXT NOT NULL CHECK (saved_by_kind IN ('person', 'staff')),
    saved_by       TEXT NOT NULL,
    saved_at       TIMESTAMPTZ NOT NULL,
    step_1         BYTEA NOT NULL,
    step_2         BYTEA NOT NULL,
    step_3         BYTEA NOT NULL,
    step_4         BYTEA NOT NULL,
    step_5         BYTEA NOT NULL,
    step_6         BYTEA NOT NULL,
    most_important BYTEA NOT NULL,
    reasons        BYTEA NOT NULL,
    likely         BYTEA NOT NULL,
    UNIQUE (person_id, version)
);

CREATE TABLE safety_plan_reviews (
    id          TEXT PRIMARY KEY,
    person_id   TEXT NOT NULL REFERENCES people (id),
    version     INTEGER NOT NULL,
    reviewed_by TEXT NOT NULL REFERENCES staff (id),
    reviewed_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX safety_plan_reviews_person_id_at ON safety_plan_reviews (person_id, reviewed_at);

-- +goose Down
-- Forward-only.
