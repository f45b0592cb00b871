-- Why: the reflective journal (clinical/skills.md) and the hope box
-- (issue 4) are the person's own words. Journal entries are private by
-- default and shared only through the person's journal grants; the hope box
-- is never shared with anyone. Every word a person writes, every prompt a
-- clinician writes for one person, and every photo's bytes are vault
-- ciphertexts bound to their table, column and row. An entry keeps its
-- latest text with a revision number, so an autosave retried or sent from a
-- second window is detected and merged instead of overwriting text.
-- journal_prompts holds the service's own open prompts (not about anyone),
-- which a person may pick from; deeper prompts exist only as assignments a
-- clinician makes to one person.
-- +goose Up
CREATE TABLE journal_prompts (
    id         TEXT PRIMARY KEY,
    text       TEXT NOT NULL,
    created_by TEXT,
    created_at TIMESTAMPTZ NOT NULL,
    retired_at TIMESTAMPTZ
);
-- The one open prompt clinical/skills.md gives; admins add more.
INSERT INTO journal_prompts (id, text, created_by, created_at) VALUES
    ('0190a1b2-0000-7000-8000-000000000001', 'What feelings came up today that surprised me?', NULL, '2026-01-01 00:00:00+00');

CREATE TABLE journal_assignments (
    id           TEXT PRIMARY KEY,
    person_id    TEXT NOT NULL REFERENCES people (id),
    prompt       BYTEA NOT NULL,
    assigned_by  TEXT NOT NULL REFERENCES staff (id),
    assigned_at  TIMESTAMPTZ NOT NULL,
    withdrawn_by TEXT REFERENCES staff (id),
    withdrawn_at TIMESTAMPTZ
);
CREATE INDEX journal_assignments_person_id ON journal_assignments (person_id, assigned_at);

CREATE TABLE journal_entries (
    id         TEXT PRIMARY KEY,
    person_id  TEXT NOT NULL REFERENCES people (id),
    revision   INTEGER NOT NULL CHECK (revision > 0),
    body       BYTEA NOT NULL,
    prompt     BYTEA NOT NULL,
    prompt_id  TEXT,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX journal_entries_person_id ON journal_entries (person_id, updated_at);

CREATE TABLE hope_box_words (
    id         TEXT PRIMARY KEY,
    person_id  TEXT NOT NULL REFERENCES people (id),
    body       BYTEA NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX hope_box_words_person_id ON hope_box_words (person_id, created_at);

CREATE TABLE hope_box_photos (
    id           TEXT PRIMARY KEY,
    person_id    TEXT NOT NULL REFERENCES people (id),
    content_type TEXT NOT NULL CHECK (content_type IN ('image/jpeg', 'image/png')),
    width        INTEGER NOT NULL,
    height       INTEGER NOT NULL,
    image        BYTEA NOT NULL,
    thumb        BYTEA NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX hope_box_photos_person_id ON hope_box_photos (person_id, created_at);

-- +goose Down
-- Forward-only.
