-- Why: reminders the person controls (docs/reminders.md). Each person has
-- at most one row of reminder preferences, all off until they turn them on.
-- next_due_at is the next instant (UTC) a reminder of theirs may fall due,
-- so the periodic due finder reads only the rows due now instead of every
-- person each minute. A send is one occurrence of a reminder: the person's
-- local date for the daily reminder, the ISO week for the weekly summary;
-- the unique key makes it once per occurrence whatever the number of nodes
-- or retries. Rows hold ids, times, switches and states only.
-- +goose Up
CREATE TABLE reminder_preferences (
    person_id      TEXT PRIMARY KEY REFERENCES people (id),
    diary          BOOLEAN NOT NULL DEFAULT FALSE,
    homework       BOOLEAN NOT NULL DEFAULT FALSE,
    questionnaires BOOLEAN NOT NULL DEFAULT FALSE,
    weekly         BOOLEAN NOT NULL DEFAULT FALSE,
    weekly_day     INTEGER NOT NULL DEFAULT 0 CHECK (weekly_day BETWEEN 0 AND 6),
    remind_at      TEXT NOT NULL,
    quiet_from     TEXT,
    quiet_to       TEXT,
    next_due_at    TIMESTAMPTZ,
    updated_at     TIMESTAMPTZ NOT NULL,
    CHECK ((quiet_from IS NULL) = (quiet_to IS NULL))
);
CREATE INDEX reminder_preferences_next_due_at ON reminder_preferences (next_due_at);

CREATE TABLE reminder_sends (
    id          TEXT PRIMARY KEY,
    person_id   TEXT NOT NULL REFERENCES people (id),
    kind        TEXT NOT NULL CHECK (kind IN ('daily', 'weekly')),
    occurrence  TEXT NOT NULL,
    due_at      TIMESTAMPTZ NOT NULL,
    state       TEXT NOT NULL CHECK (state IN ('pending', 'sent', 'skipped')),
    reason      TEXT NOT NULL DEFAULT '',
    push        INTEGER NOT NULL DEFAULT 0 CHECK (push >= 0),
    email       INTEGER NOT NULL DEFAULT 0 CHECK (email >= 0),
    created_at  TIMESTAMPTZ NOT NULL,
    done_at     TIMESTAMPTZ,
    UNIQUE (person_id, kind, occurrence)
);
CREATE INDEX reminder_sends_person_id ON reminder_sends (person_id, due_at);

-- +goose Down
-- Forward-only.
