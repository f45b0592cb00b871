-- Why: care teams and sharing (DESIGN.md "Who sees what", "Lifecycle").
-- A clinician sees a person only through a membership that has not ended and
-- the person's grants for it, so both are rows the access checker reads on
-- every request (never cached: a revoked grant holds on the next request).
-- Memberships are never deleted: an ended one keeps who was on the team and
-- when. Grants belong to one membership and are deleted when the person
-- turns them off or the membership ends; 'none' is the absence of a row. The
-- hope box is refused here too, not only in code. Notices tell the person
-- about care-team and sharing changes at their next sign-in; their params
-- hold ids and kinds only, never free text. Supporters (young-people.md)
-- store no name here: the supporter's account (internal/auth) holds how they
-- sign in, and this table only what the person gave them.
-- +goose Up
CREATE TABLE care_team_members (
    id                TEXT PRIMARY KEY,
    person_id         TEXT NOT NULL REFERENCES people (id),
    staff_id          TEXT NOT NULL REFERENCES staff (id),
    care_role         TEXT NOT NULL CHECK (care_role IN ('therapist', 'prescriber', 'group_facilitator', 'care_coordinator')),
    state             TEXT NOT NULL CHECK (state IN ('active', 'follow_up', 'ended')),
    started_at        TIMESTAMP NOT NULL,
    ended_at          TIMESTAMP,
    follow_up_consent BOOLEAN NOT NULL DEFAULT false,
    added_by          TEXT NOT NULL
);
-- The care team of a person (every access check), and a staff member's
-- caseload (their home page; `tend user disable`).
CREATE INDEX care_team_members_person_id_state ON care_team_members (person_id, state);
CREATE INDEX care_team_members_staff_id_state ON care_team_members (staff_id, state);
-- One current membership per person, staff member and role.
CREATE UNIQUE INDEX care_team_members_current ON care_team_members (person_id, staff_id, care_role) WHERE state <> 'ended';

CREATE TABLE grants (
    member_id  TEXT NOT NULL REFERENCES care_team_members (id),
    area       TEXT NOT NULL CHECK (area IN ('diary', 'safety_plan', 'questionnaires', 'toolbox_log', 'journal', 'chain_analysis', 'test_area')),
    level      TEXT NOT NULL CHECK (level IN ('see', 'edit')),
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (member_id, area)
);

CREATE TABLE sharing_defaults (
    care_role TEXT NOT NULL CHECK (care_role IN ('therapist', 'prescriber', 'group_facilitator', 'care_coordinator')),
    area      TEXT NOT NULL CHECK (area IN ('diary', 'safety_plan', 'questionnaires', 'toolbox_log', 'journal', 'chain_analysis', 'test_area')),
    level     TEXT NOT NULL CHECK (level IN ('see', 'edit')),
    PRIMARY KEY (care_role, area)
);
-- DESIGN.md's example: a therapist sees the diary and questionnaires and
-- sees and edits the safety plan. Other roles start with nothing shared;
-- admins change the defaults, which apply to members who join afterwards.
INSERT INTO sharing_defaults (care_role, area, level) VALUES
    ('therapist', 'diary', 'see'),
    ('therapist', 'questionnaires', 'see'),
    ('therapist', 'safety_plan', 'edit');

CREATE TABLE notices (
    id           TEXT PRIMARY KEY,
    person_id    TEXT NOT NULL REFERENCES people (id),
    kind         TEXT NOT NULL,
    params       TEXT NOT NULL,
    created_at   TIMESTAMP NOT NULL,
    dismissed_at TIMESTAMP
);
CREATE INDEX notices_person_id_created_at ON notices (person_id, created_at);

CREATE TABLE supporters (
    id         TEXT PRIMARY KEY,
    person_id  TEXT NOT NULL REFERENCES people (id),
    created_at TIMESTAMP NOT NULL,
    ended_at   TIMESTAMP
);
CREATE INDEX supporters_person_id ON supporters (person_id);

CREATE TABLE supporter_items (
    supporter_id TEXT NOT NULL REFERENCES supporters (id),
    item         TEXT NOT NULL,
    PRIMARY KEY (supporter_id, item)
);

-- +goose Down
-- Forward-only.
