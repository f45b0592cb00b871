-- Why: a follow-up task nobody acknowledges in the service's time reminds
-- the care team, then the team lead (issue 10; safety-rules.md section 4).
-- One row per task and level, unique, so each reminder is due, alerted and
-- sent exactly once however many nodes look for due tasks at the same time.
-- The rows hold ids and times only: no content about the person.
-- +goose Up
CREATE TABLE followup_nudges (
    id           TEXT PRIMARY KEY,
    task_id      TEXT NOT NULL REFERENCES followup_tasks (id),
    level        TEXT NOT NULL CHECK (level IN ('team', 'lead')),
    due_at       TIMESTAMPTZ NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    alerted_at   TIMESTAMPTZ,
    sent_at      TIMESTAMPTZ,
    cancelled_at TIMESTAMPTZ,
    recipients   INTEGER NOT NULL DEFAULT 0,
    UNIQUE (task_id, level)
);
CREATE INDEX followup_nudges_unsent ON followup_nudges (created_at) WHERE sent_at IS NULL AND cancelled_at IS NULL;

-- +goose Down
DROP TABLE followup_nudges;
