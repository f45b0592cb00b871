-- Why: follow-up tasks (safety-rules.md section 4). One task per person is
-- open (not resolved) at a time, enforced by a partial unique index, and each
-- trigger is an entry added once per person, kind and source record, so a
-- retried or offline-queued save adds nothing. A task records where it was
-- routed (the care team, the duty team, or nobody, which the person is told);
-- who reaches it through the care team is read from the memberships at the
-- time, so a new member sees it and an ended one stops. The resolution note
-- is free text and is sealed with the service records key. Entries hold only
-- kinds, times and ids, never content. The first-use notice of section 3 is
-- remembered per person, since no task may be raised before it was seen.
-- +goose Up
CREATE TABLE followup_tasks (
    id              TEXT PRIMARY KEY,
    person_id       TEXT NOT NULL REFERENCES people (id),
    state           TEXT NOT NULL CHECK (state IN ('open', 'acknowledged', 'resolved')),
    route           TEXT NOT NULL CHECK (route IN ('care_team', 'duty', 'none')),
    duty_team_id    TEXT REFERENCES teams (id),
    opened_at       TIMESTAMPTZ NOT NULL,
    acknowledged_at TIMESTAMPTZ,
    acknowledged_by TEXT REFERENCES staff (id),
    resolved_at     TIMESTAMPTZ,
    resolved_by     TEXT REFERENCES staff (id),
    resolution_note BYTEA
);
CREATE UNIQUE INDEX followup_tasks_one_open ON followup_tasks (person_id) WHERE state <> 'resolved';
CREATE INDEX followup_tasks_state_opened_at ON followup_tasks (state, opened_at);
CREATE INDEX followup_tasks_duty_team_id ON followup_tasks (duty_team_id) WHERE state <> 'resolved';

CREATE TABLE followup_entries (
    id          TEXT PRIMARY KEY,
    task_id     TEXT NOT NULL REFERENCES followup_tasks (id),
    person_id   TEXT NOT NULL REFERENCES people (id),
    kind        TEXT NOT NULL CHECK (kind IN ('contact_request', 'act', 'urge_to_die', 'phq9_item9')),
    source_id   TEXT NOT NULL,
    recorded_at TIMESTAMPTZ NOT NULL,
    received_at TIMESTAMPTZ NOT NULL,
    contact     TEXT CHECK (contact IN ('call', 'text', 'next_session')),
    UNIQUE (person_id, kind, source_id)
);
CREATE INDEX followup_entries_task_id ON followup_entries (task_id, received_at);

CREATE TABLE followup_notices (
    person_id TEXT PRIMARY KEY REFERENCES people (id),
    seen_at   TIMESTAMPTZ NOT NULL
);

-- +goose Down
-- Forward-only.
