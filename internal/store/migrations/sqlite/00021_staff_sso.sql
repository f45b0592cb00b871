-- Why: staff may sign in through the service's OpenID Connect identity
-- provider (docs/sso.md). An identity is the pair (issuer, subject): the
-- subject alone is unique only within one issuer, and an e-mail address can
-- be reused or changed at the provider, so it never identifies anyone here.
-- Each row links one such identity to an existing staff account; links are
-- made by an admin (or, when the deployment opts in, on a first sign-in
-- whose verified e-mail matches). Nothing else from the provider is kept:
-- never a role, a name or a token.
-- +goose Up
CREATE TABLE staff_sso_links (
    id         TEXT PRIMARY KEY,
    staff_id   TEXT NOT NULL REFERENCES staff (id),
    issuer     TEXT NOT NULL,
    subject    TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (issuer, subject),
    UNIQUE (staff_id, issuer)
);

-- +goose Down
DROP TABLE staff_sso_links;
