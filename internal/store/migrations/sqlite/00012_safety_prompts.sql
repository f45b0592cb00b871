-- Why: safety prompts are configurable per person by their clinician
-- (safety-rules.md section 4): a person's rule takes the place of the
-- service's for one trigger kind, with who set it and when, so the person can
-- see it. A trigger set to "flag for next session" is kept as a flag until a
-- clinician marks it discussed, once per person, kind and source record. Staff
-- get a neutral alert (no content, only that a task is waiting) when a task
-- that reaches them is created or routed to them.
-- +goose Up
CREATE TABLE followup_person_rules (
    person_id TEXT NOT NULL REFERENCES people (id),
    kind      TEXT NOT NULL CHECK (kind IN ('contact_request', 'act', 'urge_to_die', 'phq9_item9')),
    response  TEXT NOT NULL CHECK (response IN ('task_now', 'next_session', 'none')),
    set_by    TEXT NOT NULL REFERENCES staff (id),
    set_at    TIMESTAMP NOT NULL,
    PRIMARY KEY (person_id, kind)
);

CREATE TABLE followup_flags (
    id            TEXT PRIMARY KEY,
    person_id     TEXT NOT NULL REFERENCES people (id),
    kind          TEXT NOT NULL CHECK (kind IN ('contact_request', 'act', 'urge_to_die', 'phq9_item9')),
    source_id     TEXT NOT NULL,
    recorded_at   TIMESTAMP NOT NULL,
    received_at   TIMESTAMP NOT NULL,
    discussed_at  TIMESTAMP,
    discussed_by  TEXT REFERENCES staff (id),
    UNIQUE (person_id, kind, source_id)
);
CREATE INDEX followup_flags_open ON followup_flags (person_id, received_at) WHERE discussed_at IS NULL;

CREATE TABLE staff_alerts (
    id         TEXT PRIMARY KEY,
    staff_id   TEXT NOT NULL REFERENCES staff (id),
    task_id    TEXT NOT NULL REFERENCES followup_tasks (id),
    created_at TIMESTAMP NOT NULL,
    seen_at    TIMESTAMP,
    UNIQUE (staff_id, task_id)
);
CREATE INDEX staff_alerts_unseen ON staff_alerts (staff_id) WHERE seen_at IS NULL;

-- +goose Down
-- Forward-only.
