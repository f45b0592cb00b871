-- Why: an item of an imported instrument can propose a safety prompt, where
-- the service enables it (clinical/instruments.md; safety-rules.md section
-- 4). Its trigger kind, questionnaire_item, joins the kinds that task
-- entries, a person's rules and flags may hold. SQLite cannot change a CHECK
-- constraint in place, so each table is rebuilt with its rows and indexes.
-- +goose Up
CREATE TABLE followup_entries_new (
    id          TEXT PRIMARY KEY,
    task_id     TEXT NOT NULL REFERENCES followup_tasks (id),
    person_id   TEXT NOT NULL REFERENCES people (id),
    kind        TEXT NOT NULL CHECK (kind IN ('contact_request', 'act', 'urge_to_die', 'phq9_item9', 'questionnaire_item')),
    source_id   TEXT NOT NULL,
    recorded_at TIMESTAMP NOT NULL,
    received_at TIMESTAMP NOT NULL,
    contact     TEXT CHECK (contact IN ('call', 'text', 'next_session')),
    UNIQUE (person_id, kind, source_id)
);
INSERT INTO followup_entries_new SELECT id, task_id, person_id, kind, source_id, recorded_at, received_at, contact FROM followup_entries;
DROP TABLE followup_entries;
ALTER TABLE followup_entries_new RENAME TO followup_entries;
CREATE INDEX followup_entries_task_id ON followup_entries (task_id, received_at);

CREATE TABLE followup_person_rules_new (
    person_id TEXT NOT NULL REFERENCES people (id),
    kind      TEXT NOT NULL CHECK (kind IN ('contact_request', 'act', 'urge_to_die', 'phq9_item9', 'questionnaire_item')),
    response  TEXT NOT NULL CHECK (response IN ('task_now', 'next_session', 'none')),
    set_by    TEXT NOT NULL REFERENCES staff (id),
    set_at    TIMESTAMP NOT NULL,
    PRIMARY KEY (person_id, kind)
);
INSERT INTO followup_person_rules_new SELECT person_id, kind, response, set_by, set_at FROM followup_person_rules;
DROP TABLE followup_person_rules;
ALTER TABLE followup_person_rules_new RENAME TO followup_person_rules;

CREATE TABLE followup_flags_new (
    id            TEXT PRIMARY KEY,
    person_id     TEXT NOT NULL REFERENCES people (id),
    kind          TEXT NOT NULL CHECK (kind IN ('contact_request', 'act', 'urge_to_die', 'phq9_item9', 'questionnaire_item')),
    source_id     TEXT NOT NULL,
    recorded_at   TIMESTAMP NOT NULL,
    received_at   TIMESTAMP NOT NULL,
    discussed_at  TIMESTAMP,
    discussed_by  TEXT REFERENCES staff (id),
    UNIQUE (person_id, kind, source_id)
);
INSERT INTO followup_flags_new SELECT id, person_id, kind, source_id, recorded_at, received_at, discussed_at, discussed_by FROM followup_flags;
DROP TABLE followup_flags;
ALTER TABLE followup_flags_new RENAME TO followup_flags;
CREATE INDEX followup_flags_open ON followup_flags (person_id, received_at) WHERE discussed_at IS NULL;

-- +goose Down
-- Forward-only.
