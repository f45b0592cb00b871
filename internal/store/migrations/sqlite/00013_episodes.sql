-- Why: outcome reports need each person's episodes of care (referral,
-- acceptance, start, discharge and the follow-up points after it), the
-- sessions that belong to them and the incidents clinicians record, kept
-- apart from the person's diary counts (outcomes.md "Episodes of care and
-- periods"). An episode begins as a referral; a person has at most one open
-- episode at a time, which a partial unique index enforces. Dates are civil
-- dates (YYYY-MM-DD). Every column is an id, a date or a fixed choice:
-- there is no free text, and incidents hold no method detail
-- (safety-rules.md section 5). The table is care_sessions because
-- "sessions" holds sign-in sessions.
-- +goose Up
CREATE TABLE episodes (
    id                TEXT PRIMARY KEY,
    person_id         TEXT NOT NULL REFERENCES people (id),
    modality          TEXT NOT NULL,
    source            TEXT NOT NULL,
    referred_on       TEXT NOT NULL,
    decision          TEXT NOT NULL CHECK (decision IN ('pending', 'accepted', 'not_accepted')),
    decided_on        TEXT,
    started_on        TEXT,
    ended_on          TEXT,
    follow_up_consent BOOLEAN,
    closed_on         TEXT,
    created_by        TEXT NOT NULL,
    created_at        TIMESTAMP NOT NULL
);
CREATE INDEX episodes_person_id ON episodes (person_id, referred_on);
CREATE UNIQUE INDEX episodes_one_open ON episodes (person_id) WHERE ended_on IS NULL AND decision <> 'not_accepted';

CREATE TABLE care_sessions (
    id          TEXT PRIMARY KEY,
    person_id   TEXT NOT NULL REFERENCES people (id),
    episode_id  TEXT NOT NULL REFERENCES episodes (id),
    held_on     TEXT NOT NULL,
    kind        TEXT NOT NULL,
    attendance  TEXT,
    recorded_by TEXT NOT NULL,
    recorded_at TIMESTAMP NOT NULL
);
CREATE INDEX care_sessions_person_id ON care_sessions (person_id, held_on);

CREATE TABLE incidents (
    id           TEXT PRIMARY KEY,
    person_id    TEXT NOT NULL REFERENCES people (id),
    occurred_on  TEXT NOT NULL,
    kind         TEXT NOT NULL,
    medical_care TEXT NOT NULL CHECK (medical_care IN ('yes', 'no', 'not_sure')),
    recorded_by  TEXT NOT NULL,
    recorded_at  TIMESTAMP NOT NULL
);
CREATE INDEX incidents_person_id ON incidents (person_id, occurred_on);
