-- Why: the skills library itself is data shipped in the binary (its texts in
-- the message catalogue), so only what a person or clinician adds is stored:
-- favourite skills, homework a clinician assigns (a skill or a worksheet,
-- with a due date or a frequency, never both), and the practice the person
-- logs. The clinician's note to the person, the person's practice note and
-- worksheet answers are vault ciphertexts bound to their table, column and
-- row. There is no "missed" record: practice that did not happen is simply
-- not there (safety-rules.md section 6).
-- +goose Up
CREATE TABLE skill_favourites (
    person_id  TEXT NOT NULL REFERENCES people (id),
    skill_id   TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (person_id, skill_id)
);

CREATE TABLE homework (
    id             TEXT PRIMARY KEY,
    person_id      TEXT NOT NULL REFERENCES people (id),
    skill_id       TEXT,
    worksheet      TEXT,
    due_on         TEXT,
    times_per_week INTEGER CHECK (times_per_week BETWEEN 1 AND 7),
    note           BLOB,
    assigned_by    TEXT NOT NULL REFERENCES staff (id),
    assigned_at    TIMESTAMP NOT NULL,
    ended_at       TIMESTAMP,
    ended_by       TEXT REFERENCES staff (id),
    CHECK ((skill_id IS NULL) <> (worksheet IS NULL)),
    CHECK ((due_on IS NULL) <> (times_per_week IS NULL))
);
CREATE INDEX homework_person_id ON homework (person_id, assigned_at);

CREATE TABLE homework_practice (
    id          TEXT PRIMARY KEY,
    person_id   TEXT NOT NULL REFERENCES people (id),
    homework_id TEXT REFERENCES homework (id),
    skill_id    TEXT,
    worksheet   TEXT,
    recorded_at TIMESTAMP NOT NULL,
    helpful     TEXT NOT NULL CHECK (helpful IN ('', 'yes', 'no')),
    note        BLOB,
    answers     BLOB
);
CREATE INDEX homework_practice_person_id ON homework_practice (person_id, recorded_at);

-- +goose Down
-- Forward-only.
