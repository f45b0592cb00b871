-- Why: the DBT diary card (clinical/diary-card.md).
-- * diary_configs and diary_targets keep what a person's card asks. The
--   default rows are data in the binary, so a person with no changes has
--   no rows here; a row is stored when a default row is relabelled, hidden
--   or moved, or a row is added. Labels are the person's or clinician's own
--   words, sealed with the person's key; the kind is fixed and is what
--   prompts and reports read.
-- * diary_cards: one card per person and civil date (unique), with the
--   person's time zone and the scale version it was filled in with, the
--   sealed note, and summary columns kept in the same unit of work as the
--   values so that reports read one row per card.
-- * diary_values: one row per field, with the device's edit time: the
--   later edit wins per field, so two devices never lose each other's work.
-- * diary_saves: the history, one row per accepted save, unique on the
--   person's idempotency key so a retry adds nothing. changes holds field
--   names and numbers only (a changed note is marked, never copied).
-- * diary_note_drafts: the note autosaved as it is typed, unversioned.
-- * diary_flags: a clinician's "may not have been written by the person".
-- +goose Up
CREATE TABLE diary_configs (
    person_id  TEXT PRIMARY KEY REFERENCES people (id),
    skills_set TEXT NOT NULL CHECK (skills_set IN ('dbt', 'dbt_a')),
    skills     TEXT,
    changed_by TEXT NOT NULL,
    changed_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE diary_targets (
    person_id  TEXT NOT NULL REFERENCES people (id),
    id         TEXT NOT NULL,
    section    TEXT NOT NULL CHECK (section IN ('urge', 'action', 'emotion')),
    kind       TEXT NOT NULL,
    label      BYTEA,
    urge_id    TEXT,
    counted    BOOLEAN NOT NULL,
    medical    BOOLEAN NOT NULL,
    hidden     BOOLEAN NOT NULL,
    position   INTEGER NOT NULL,
    changed_by TEXT NOT NULL,
    changed_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (person_id, id)
);

CREATE TABLE diary_cards (
    id              TEXT PRIMARY KEY,
    person_id       TEXT NOT NULL REFERENCES people (id),
    day             TEXT NOT NULL,
    time_zone       TEXT NOT NULL,
    scale_version   INTEGER NOT NULL,
    note            BYTEA,
    note_at         TIMESTAMPTZ,
    late_days       INTEGER NOT NULL CHECK (late_days >= 0),
    in_session      BOOLEAN NOT NULL,
    entered_by      TEXT NOT NULL,
    first_saved_at  TIMESTAMPTZ NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL,
    self_harm       INTEGER NOT NULL CHECK (self_harm >= 0),
    attempt         BOOLEAN NOT NULL,
    max_emotion     INTEGER,
    skills_category TEXT CHECK (skills_category IN ('none', 'thought', 'used', 'used_helped')),
    ridden_out      INTEGER NOT NULL CHECK (ridden_out >= 0),
    UNIQUE (person_id, day)
);

CREATE TABLE diary_values (
    card_id   TEXT NOT NULL REFERENCES diary_cards (id),
    field     TEXT NOT NULL,
    value     INTEGER,
    edited_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (card_id, field)
);

CREATE TABLE diary_saves (
    id           TEXT PRIMARY KEY,
    person_id    TEXT NOT NULL REFERENCES people (id),
    card_id      TEXT NOT NULL REFERENCES diary_cards (id),
    day          TEXT NOT NULL,
    idem_key     TEXT NOT NULL,
    saved_by     TEXT NOT NULL,
    in_session   BOOLEAN NOT NULL,
    edited_at    TIMESTAMPTZ NOT NULL,
    saved_at     TIMESTAMPTZ NOT NULL,
    changes      TEXT NOT NULL,
    note_changed BOOLEAN NOT NULL,
    applied      TEXT NOT NULL,
    UNIQUE (person_id, idem_key)
);
CREATE INDEX diary_saves_card_id ON diary_saves (card_id, saved_at);

CREATE TABLE diary_note_drafts (
    person_id TEXT NOT NULL REFERENCES people (id),
    day       TEXT NOT NULL,
    body      BYTEA NOT NULL,
    saved_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (person_id, day)
);

CREATE TABLE diary_flags (
    person_id  TEXT NOT NULL REFERENCES people (id),
    day        TEXT NOT NULL,
    flagged_by TEXT NOT NULL REFERENCES staff (id),
    flagged_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (person_id, day)
);

-- +goose Down
DROP TABLE diary_flags;
DROP TABLE diary_note_drafts;
DROP TABLE diary_saves;
DROP TABLE diary_values;
DROP TABLE diary_cards;
DROP TABLE diary_targets;
DROP TABLE diary_configs;
