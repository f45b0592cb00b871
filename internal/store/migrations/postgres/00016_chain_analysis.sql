-- Why: behaviour chain analysis (clinical/chain-analysis.md). A clinician
-- opens one with the person, about one action on one diary day; both write
-- in it (the person always, a care-team member only with the person's
-- "see and edit" grant). The nine sections, the links and the solutions are
-- the person's health content: one vault ciphertext (body) bound to this
-- table, column and row, sealed with the person's key. The day is a civil
-- date and target_id the diary target's id, kept as plain columns without a
-- foreign key so the analysis does not wait for the diary card's tables.
-- An analysis keeps its latest content with a revision number, so a save
-- from an older revision is detected and merged instead of losing text.
-- It is a draft until marked complete, and can be reopened.
-- +goose Up
CREATE TABLE chain_analyses (
    id           TEXT PRIMARY KEY,
    person_id    TEXT NOT NULL REFERENCES people (id),
    day          TEXT NOT NULL,
    target_id    TEXT NOT NULL,
    state        TEXT NOT NULL CHECK (state IN ('draft', 'complete')),
    revision     INTEGER NOT NULL CHECK (revision > 0),
    body         BYTEA NOT NULL,
    opened_by    TEXT NOT NULL REFERENCES staff (id),
    created_at   TIMESTAMPTZ NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL,
    completed_at TIMESTAMPTZ,
    completed_by TEXT
);
CREATE INDEX chain_analyses_person_id ON chain_analyses (person_id, updated_at);

-- +goose Down
DROP TABLE chain_analyses;
