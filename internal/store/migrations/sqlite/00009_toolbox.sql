-- Why: the coping toolbox (clinical/skills.md "The toolbox") logs each use
-- for the person, to be shared with the care team only under the person's
-- toolbox_log grant. A use's answers (the first question, the urge before
-- and after, helpful or not) are one vault ciphertext bound to its row; the
-- 0-10 ratings live only here and never feed the diary card, safety prompts
-- or outcome reports. The idempotency key is unique per person, so a use
-- retried or sent late from an offline queue is stored once. A person's own
-- activities are sealed with their key. Service activities are the
-- service's own wording (nothing about a person), checked against
-- safety-rules.md section 7 before they are added, and retired rather than
-- deleted so logged uses keep their wording.
-- +goose Up
CREATE TABLE toolbox_service_activities (
    id         TEXT PRIMARY KEY,
    kind       TEXT NOT NULL CHECK (kind IN ('comfort', 'distract', 'express', 'move', 'breathe')),
    title      TEXT NOT NULL,
    caution    BOOLEAN NOT NULL,
    added_by   TEXT NOT NULL REFERENCES staff (id),
    added_at   TIMESTAMP NOT NULL,
    retired_at TIMESTAMP
);

CREATE TABLE toolbox_own_activities (
    id         TEXT PRIMARY KEY,
    person_id  TEXT NOT NULL REFERENCES people (id),
    kind       TEXT NOT NULL CHECK (kind IN ('comfort', 'distract', 'express', 'move', 'breathe')),
    title      BLOB NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX toolbox_own_activities_person_id ON toolbox_own_activities (person_id, created_at);

CREATE TABLE toolbox_choices (
    person_id   TEXT NOT NULL REFERENCES people (id),
    activity_id TEXT NOT NULL,
    hidden      BOOLEAN NOT NULL,
    pinned      BOOLEAN NOT NULL,
    PRIMARY KEY (person_id, activity_id)
);

CREATE TABLE toolbox_cautions (
    person_id   TEXT PRIMARY KEY REFERENCES people (id),
    accepted    BOOLEAN NOT NULL,
    changed_at  TIMESTAMP NOT NULL
);

CREATE TABLE toolbox_uses (
    id              TEXT PRIMARY KEY,
    person_id       TEXT NOT NULL REFERENCES people (id),
    idempotency_key TEXT NOT NULL,
    activity_id     TEXT NOT NULL,
    minutes         INTEGER NOT NULL CHECK (minutes IN (5, 10, 15)),
    answers         BLOB NOT NULL,
    recorded_at     TIMESTAMP NOT NULL,
    received_at     TIMESTAMP NOT NULL,
    UNIQUE (person_id, idempotency_key)
);
CREATE INDEX toolbox_uses_person_id_at ON toolbox_uses (person_id, recorded_at);

-- +goose Down
-- Forward-only.
