-- Why: the person's data rights (docs/data-rights.md). "Download my
-- information" is built by a background job into a zip that is stored only
-- as a vault ciphertext under the person's own key, until it is downloaded
-- or expires; the row keeps no content besides that ciphertext. "Erase my
-- account" is a request with a hold the service chooses: while it is
-- pending the person may cancel; at its end a job deletes the person's
-- content, disables the account and destroys the person's data key. The
-- request row stays as the record that the person asked for the erasure
-- and when it was done (ids and times only). people.erased_at marks an
-- erased account, so sign-in refuses it and staff pages say so.
-- +goose Up
CREATE TABLE data_exports (
    id            TEXT PRIMARY KEY,
    person_id     TEXT NOT NULL REFERENCES people (id),
    state         TEXT NOT NULL CHECK (state IN ('pending', 'ready')),
    requested_at  TIMESTAMPTZ NOT NULL,
    ready_at      TIMESTAMPTZ,
    expires_at    TIMESTAMPTZ NOT NULL,
    downloaded_at TIMESTAMPTZ,
    size          INTEGER NOT NULL DEFAULT 0 CHECK (size >= 0),
    archive       BYTEA
);
CREATE INDEX data_exports_person_id ON data_exports (person_id, requested_at);
CREATE INDEX data_exports_expires_at ON data_exports (expires_at);

CREATE TABLE erasure_requests (
    id           TEXT PRIMARY KEY,
    person_id    TEXT NOT NULL REFERENCES people (id),
    requested_at TIMESTAMPTZ NOT NULL,
    due_at       TIMESTAMPTZ NOT NULL,
    cancelled_at TIMESTAMPTZ,
    erased_at    TIMESTAMPTZ
);
CREATE UNIQUE INDEX erasure_requests_one_open ON erasure_requests (person_id) WHERE cancelled_at IS NULL;

ALTER TABLE people ADD COLUMN erased_at TIMESTAMPTZ;

-- +goose Down
-- Forward-only.
