-- Why: questionnaires (clinical/instruments.md, outcomes.md).
-- * measure_instruments: the instruments a service imported, as the
--   instrument definition Tend scores with (JSON), the FHIR Questionnaire
--   as imported and the service's statement of its right to use it. The
--   id names key, version and language. These are the service's, not
--   personal data. The shipped instruments live in the binary.
-- * measure_assignments: an instrument assigned to a person, once or on a
--   schedule, until ended. instrument_id has no foreign key: a shipped
--   instrument has no row.
-- * measure_due: one due questionnaire per assignment and civil date
--   (unique), so scheduling again never doubles one.
-- * measure_responses: at most one per due questionnaire, saved as the
--   person goes and finished later. answers holds each item's chosen
--   option value (numbers, never free text); score is the score computed
--   with the stored version, and total its formatted total for reports.
-- +goose Up
CREATE TABLE measure_instruments (
    id              TEXT PRIMARY KEY,
    key             TEXT NOT NULL,
    version         TEXT NOT NULL,
    language        TEXT NOT NULL,
    definition      TEXT NOT NULL,
    questionnaire   TEXT NOT NULL,
    rights          TEXT NOT NULL,
    imported_by     TEXT NOT NULL REFERENCES staff (id),
    imported_at     TIMESTAMPTZ NOT NULL,
    retired_at      TIMESTAMPTZ,
    retired_by      TEXT,
    prompts_enabled BOOLEAN NOT NULL
);

CREATE TABLE measure_assignments (
    id            TEXT PRIMARY KEY,
    person_id     TEXT NOT NULL REFERENCES people (id),
    instrument_id TEXT NOT NULL,
    schedule_kind TEXT NOT NULL CHECK (schedule_kind IN ('once', 'every_weeks', 'before_session', 'episode_start_end', 'follow_up')),
    every_weeks   INTEGER NOT NULL CHECK (every_weeks >= 0),
    starts_on     TEXT NOT NULL,
    created_by    TEXT NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL,
    ended_at      TIMESTAMPTZ,
    ended_by      TEXT
);
CREATE INDEX measure_assignments_person_id ON measure_assignments (person_id);
-- One active assignment per person and instrument: assigning again (a
-- retried form, a second click) never doubles what the person is asked.
CREATE UNIQUE INDEX measure_assignments_one_active ON measure_assignments (person_id, instrument_id) WHERE ended_at IS NULL;

CREATE TABLE measure_due (
    id            TEXT PRIMARY KEY,
    assignment_id TEXT NOT NULL REFERENCES measure_assignments (id),
    person_id     TEXT NOT NULL REFERENCES people (id),
    instrument_id TEXT NOT NULL,
    due_on        TEXT NOT NULL,
    reason        TEXT NOT NULL CHECK (reason IN ('once', 'interval', 'before_session', 'episode_start', 'episode_end',
                                                  'follow_up_3', 'follow_up_6', 'follow_up_12')),
    created_at    TIMESTAMPTZ NOT NULL,
    UNIQUE (assignment_id, due_on)
);
CREATE INDEX measure_due_person_id ON measure_due (person_id, due_on);

CREATE TABLE measure_responses (
    id            TEXT PRIMARY KEY,
    due_id        TEXT NOT NULL UNIQUE REFERENCES measure_due (id),
    person_id     TEXT NOT NULL REFERENCES people (id),
    instrument_id TEXT NOT NULL,
    version       TEXT NOT NULL,
    answers       TEXT NOT NULL,
    score         TEXT NOT NULL,
    total         TEXT,
    finished      BOOLEAN NOT NULL,
    started_at    TIMESTAMPTZ NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL,
    finished_at   TIMESTAMPTZ,
    entered_by    TEXT NOT NULL
);
CREATE INDEX measure_responses_person_id ON measure_responses (person_id);

-- +goose Down
DROP TABLE measure_responses;
DROP TABLE measure_due;
DROP TABLE measure_assignments;
DROP TABLE measure_instruments;
