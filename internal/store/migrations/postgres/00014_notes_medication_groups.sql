-- Why: the care team's own records about a person, outside the areas the
-- person shares (DESIGN.md "Who sees what"):
-- * clinician notes, free or tied to a session, for the therapist,
--   prescriber and care coordinator only. A note is never edited in place:
--   a correction is a new version of the same note, so the history stays.
--   The text is sealed with the service records key (service records stay
--   under the service's retention rules). The safety formulation
--   (safety-rules.md section 1) is a note kind with no rating, category or
--   score; nothing is derived from it. session_id names a session without
--   a foreign key, so notes do not wait for the sessions table.
-- * the medication list, kept by the prescriber: name, dose and schedule
--   are the person's health data, sealed with the person's key; stopping
--   a medication keeps its row with the date it stopped.
-- * support groups run by a facilitator, who enrols the people they are
--   group facilitator for and records attendance per meeting. A group's
--   name, kind and schedule describe the group, not a person.
-- +goose Up
CREATE TABLE clinician_notes (
    id          TEXT PRIMARY KEY,
    note_id     TEXT NOT NULL,
    version     INTEGER NOT NULL CHECK (version >= 1),
    person_id   TEXT NOT NULL REFERENCES people (id),
    session_id  TEXT,
    kind        TEXT NOT NULL CHECK (kind IN ('note', 'safety_formulation')),
    body        BYTEA NOT NULL,
    written_by  TEXT NOT NULL REFERENCES staff (id),
    written_at  TIMESTAMPTZ NOT NULL,
    UNIQUE (note_id, version)
);
CREATE INDEX clinician_notes_person_id ON clinician_notes (person_id, written_at);

CREATE TABLE medications (
    id          TEXT PRIMARY KEY,
    person_id   TEXT NOT NULL REFERENCES people (id),
    name        BYTEA NOT NULL,
    dose        BYTEA NOT NULL,
    schedule    BYTEA NOT NULL,
    as_needed   BOOLEAN NOT NULL,
    started_on  TEXT NOT NULL,
    stopped_on  TEXT,
    added_by    TEXT NOT NULL REFERENCES staff (id),
    added_at    TIMESTAMPTZ NOT NULL,
    stopped_by  TEXT REFERENCES staff (id),
    stopped_at  TIMESTAMPTZ
);
CREATE INDEX medications_person_id ON medications (person_id, started_on);

CREATE TABLE support_groups (
    id             TEXT PRIMARY KEY,
    name           TEXT NOT NULL,
    kind           TEXT NOT NULL,
    schedule       TEXT NOT NULL,
    facilitator_id TEXT NOT NULL REFERENCES staff (id),
    created_at     TIMESTAMPTZ NOT NULL
);
CREATE INDEX support_groups_facilitator_id ON support_groups (facilitator_id);

CREATE TABLE group_members (
    group_id    TEXT NOT NULL REFERENCES support_groups (id),
    person_id   TEXT NOT NULL REFERENCES people (id),
    enrolled_by TEXT NOT NULL REFERENCES staff (id),
    enrolled_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (group_id, person_id)
);
CREATE INDEX group_members_person_id ON group_members (person_id);

CREATE TABLE group_meetings (
    id         TEXT PRIMARY KEY,
    group_id   TEXT NOT NULL REFERENCES support_groups (id),
    held_on    TEXT NOT NULL,
    created_by TEXT NOT NULL REFERENCES staff (id),
    created_at TIMESTAMPTZ NOT NULL,
    UNIQUE (group_id, held_on)
);

CREATE TABLE group_attendance (
    meeting_id  TEXT NOT NULL REFERENCES group_meetings (id),
    person_id   TEXT NOT NULL REFERENCES people (id),
    status      TEXT NOT NULL CHECK (status IN ('attended', 'absent', 'cancelled')),
    recorded_by TEXT NOT NULL REFERENCES staff (id),
    recorded_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (meeting_id, person_id)
);
CREATE INDEX group_attendance_person_id ON group_attendance (person_id);

-- +goose Down
DROP TABLE group_attendance;
DROP TABLE group_meetings;
DROP TABLE group_members;
DROP TABLE support_groups;
DROP TABLE medications;
DROP TABLE clinician_notes;
